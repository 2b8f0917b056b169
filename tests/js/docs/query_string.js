// From https://www.pubnub.com/docs/serverless/functions/functions-apis/codec-module
// (codec/query_string: parse; stringify as the method table of
// https://www.pubnub.com/docs/serverless-sdk/modules-and-libraries/codec
// describes it). The snippet runs unchanged; the wrapper records what it
// logs and sends it back.
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
  const queryStringCodec = require('codec/query_string');
  console.log(queryStringCodec.parse('a=5&b=10', {c: 15})); // {a: 5, b: 10, c: 15}
  console.log(queryStringCodec.stringify({a: 5, b: 10})); // a=5&b=10
  // ---- end of the documented code ----

  return response.send({ logged });
};
