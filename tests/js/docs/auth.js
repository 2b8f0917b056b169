// From https://www.pubnub.com/docs/serverless-sdk/modules-and-libraries/codec
// (codec/auth). The documented snippet runs unchanged; the wrapper records
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
  const basicAuth = require('codec/auth');
  console.log(basicAuth.basic('many', 'blocks')); // Basic: bWFueTpibG9ja3M=
  // ---- end of the documented code ----

  return response.send({ logged });
};
