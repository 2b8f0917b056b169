// From https://www.pubnub.com/docs/serverless-sdk/modules-and-libraries/codec
// (codec/base64). The documented snippet runs unchanged; the wrapper records
// what it logs and sends it back.
export default async (request, response) => {
  const logged = [];
  const console = {
    ...globalThis.console,
    log: (...args) => {
      logged.push(args.length === 1 ? args[0] : args);
      globalThis.console.log(...args);
    },
  };

  // ---- documented ----
  const base64Codec = require('codec/base64');
  console.log(base64Codec.btoa('hello')); // aGVsbG8=
  console.log(base64Codec.atob('aGVsbG8=')); // hello
  console.log(base64Codec.encodeString('+')); // _
  // ---- end of the documented code ----

  return response.send({ logged });
};
