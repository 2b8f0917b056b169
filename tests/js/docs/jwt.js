// From https://www.pubnub.com/docs/serverless-sdk/modules-and-libraries/jwt
// (sign) and https://www.pubnub.com/docs/serverless/functions/functions-apis/jwt
// (Decode, Verify). Each documented snippet runs in its own block; the only
// change is the one the page asks for: its placeholder token
// 'your.jwt.token.here' is replaced, here by the request's `token` parameter.
// The stored Verify example is cut after `try {`; its body below is the
// jsonwebtoken verify-and-log the page describes. The wrapper records what
// the snippets log and sends it back, with the token `sign` made.
export default async (request, response) => {
  const logged = [];
  const record = (log) => (...args) => {
    logged.push(args.length === 1 ? args[0] : args);
    log(...args);
  };
  const console = { ...globalThis.console, log: record(globalThis.console.log), error: record(globalThis.console.error) };
  let signed;

  // ---- documented: sign ----
  {
    const jwt = require('jwt');
    const payload = { userId: '123456', username: 'johndoe' };
    const secretKey = 'your-256-bit-secret';
    const token = jwt.sign(payload, secretKey, { expiresIn: '1h' });
    signed = token;
  }
  // ---- documented: decode ----
  {
    const jwt = require('jwt');

    // Example token (this should be a valid JWT)
    const token = request.params.token;

    const decoded = jwt.decode(token, { complete: true });
    console.log('Decoded Token:', decoded);
  }
  // ---- documented: verify ----
  {
    const jwt = require('jwt');
    const secretKey = 'your-256-bit-secret';

    // Example token (ensure you replace this with a valid token signed with the `secretKey`)
    const token = request.params.token;

    try {
      const decoded = jwt.verify(token, secretKey);
      console.log('Token is valid:', decoded);
    } catch (err) {
      console.error('Token verification failed:', err.message);
    }
  }
  // ---- end of the documented code ----

  return response.send({ signed, logged });
};
