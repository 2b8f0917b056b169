// From https://www.pubnub.com/docs/serverless/functions/functions-apis/pubnub-module
// (Publish, Fire). The documented snippets run unchanged; the wrapper records
// what they log and sends it back. `request.message` is the request body here.
const pubnub = require('pubnub');

export default async (request, response) => {
  const logged = [];
  const console = {
    ...globalThis.console,
    log: (...args) => {
      logged.push(args.length === 1 ? args[0] : args);
      globalThis.console.log(...args);
    },
  };

  // ---- documented: publish ----
  pubnub.publish({
    "channel": "hello_universe",
    "message": request.message
  }).then((publishResponse) => {
    console.log(`Publish Status: ${publishResponse[0]}:${publishResponse[1]} with TT ${publishResponse[2]}`);
  });
  // ---- documented: fire ----
  pubnub.fire({
    "channel": "hello_universe",
    "message": request.message
  }).then((publishResponse) => {
    console.log(`Publish Status: ${publishResponse[0]}:${publishResponse[1]} with TT ${publishResponse[2]}`);
  });
  // ---- end of the documented code ----

  await new Promise((resolve) => setTimeout(resolve, 0));
  return response.send({ logged });
};
