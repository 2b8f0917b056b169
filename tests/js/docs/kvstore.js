// From https://www.pubnub.com/docs/serverless-sdk/modules-and-libraries/kvstore
// (set, get) and https://www.pubnub.com/docs/serverless/functions/functions-apis/kvstore-module
// (setItem). Each documented snippet runs unchanged in its own block; the
// wrapper records what the snippets log and sends it back.
export default async (request, response) => {
  const logged = [];
  const console = {
    ...globalThis.console,
    log: (...args) => {
      logged.push(args.length === 1 ? args[0] : args);
      globalThis.console.log(...args);
    },
  };

  // ---- documented: set (TTL 2880 minutes = 2 days) ----
  {
    const db = require('kvstore');
    db.set('key', { value: true }, 2880);
  }
  // ---- documented: get ----
  {
    const db = require('kvstore');
    db.get('key').then((value) => {
      console.log('value', value);
    });
  }
  // ---- documented: setItem ----
  {
    const db = require("kvstore");
    db.setItem("key", "value");
  }
  // ---- end of the documented code ----

  // Let the examples' promise chains finish, then read back what setItem stored.
  await new Promise((resolve) => setTimeout(resolve, 0));
  const afterSetItem = await require('kvstore').getItem('key');
  return response.send({ logged, afterSetItem });
};
