// From https://www.pubnub.com/docs/serverless/functions/functions-apis/utilities-module
// (also https://www.pubnub.com/docs/serverless-sdk/modules-and-libraries/utils).
// The documented snippets run unchanged; the wrapper records what they
// compute and log and sends it back.
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
  const utils = require('utils');
  const randomNumber = utils.randomInt(5, 15);
  console.log(utils.isNumeric(5)); // true
  console.log(utils.isNumeric('five')); // false
  // ---- end of the documented code ----

  return response.send({ randomNumber, logged });
};
