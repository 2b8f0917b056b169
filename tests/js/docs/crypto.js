// From https://www.pubnub.com/docs/serverless-sdk/modules-and-libraries/crypto
// (ALGORITHM, hmac, sha256) and https://www.pubnub.com/docs/serverless/functions/functions-apis/crypto-module
// (sha1, sha512). Each documented snippet runs unchanged in its own block;
// the wrapper records what the snippets log and sends it back.
export default async (request, response) => {
  const logged = [];
  const console = {
    ...globalThis.console,
    log: (...args) => {
      logged.push(args.length === 1 ? args[0] : args);
      globalThis.console.log(...args);
    },
  };
  // ---- documented: ALGORITHM ----
  {
    const crypto = require('crypto');
    console.log(crypto.ALGORITHM);
    // -> ED25519, ECDSA_P256_SHA1, ECDSA_P256_SHA256, ECDSA_P256_SHA512, HMAC_SHA1, HMAC_SHA256, HMAC_SHA512
  }
  // ---- documented: hmac ----
  {
    const crypto = require('crypto');
    const base64 = require('codec/base64');
    crypto.hmac(base64.btoa('sharedSecretKey'), 'secretPayload', crypto.ALGORITHM.HMAC_SHA1).then((result) => {
      console.log(result);
    }).catch((error) => {
      console.log(error);
    });
  }
  // ---- documented: sha256 ----
  {
    const crypto = require('crypto');
    crypto.sha256('secretPayload').then((result) => {
      console.log('secretPayload:' + result);
    }).catch((error) => {
      console.log(error);
    });
  }
  // ---- documented: sha1 ----
  {
    const crypto = require('crypto');
    crypto.sha1('secretPayload').then((result2) => {
      console.log("secretPayload:" + result2);
    }).catch((error) => {
      console.log(error)
    });
  }
  // ---- documented: sha512 ----
  {
    const crypto = require('crypto');
    crypto.sha512('secretPayload').then((result2) => {
      console.log("secretPayload:" + result2);
    }).catch((error) => {
      console.log(error)
    });
  }
  // ---- end of the documented code ----

  await new Promise((resolve) => setTimeout(resolve, 0));
  return response.send({ logged });
};
