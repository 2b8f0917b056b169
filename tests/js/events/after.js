// After Publish: returns at once; the KV writes it starts finish anyway.
const db = require('kvstore');

export default function after(request) {
  db.incrCounter('after-runs').then((n) => db.set('after-last', { n, message: request.message, timetoken: request.timetoken }));
  return request.ok();
}
