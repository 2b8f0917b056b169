const db = require('kvstore');
export default async (request) => {
  await db.set('last-signal', request.message);
};
