// On Request: a small JSON API over this module's KV store, answering at
// /v1/blocks/sub-key/SUB_KEY/{{name}}:
//
//   GET               → {"visits": N}, N counting the calls
//   POST   ?key=K     the JSON body is stored under K → 201 {"key": K, "value": ...}
//   GET    ?key=K     → {"key": K, "value": ...}; 404 when nothing is stored
//   DELETE ?key=K     → {"key": K, "deleted": true}
const db = require('kvstore');

// Stored values are kept a week (kvstore.set's TTL is in minutes; one day when omitted).
const TTL_MINUTES = 7 * 24 * 60;

// Sets the status, then sends: send() with one argument, as every version of hosted Functions takes it.
const reply = (response, status, body) => {
  response.status = status;
  return response.send(body);
};

export default async (request, response) => {
  const key = request.params.key;
  if (!key) {
    if (request.method !== 'GET') {
      return reply(response, 400, { error: 'name the key in the query: ?key=NAME' });
    }
    return response.send({ visits: await db.incrCounter('visits') });
  }
  switch (request.method) {
    case 'GET': {
      const value = await db.get(key);
      if (value === null) return reply(response, 404, { error: `nothing is stored under ${key}` });
      return response.send({ key, value });
    }
    case 'POST':
    case 'PUT': {
      let value;
      try {
        value = await request.json();
      } catch (e) {
        return reply(response, 400, { error: 'the body must be JSON, e.g. {"text":"hello"}' });
      }
      await db.set(key, value, TTL_MINUTES);
      return reply(response, 201, { key, value });
    }
    case 'DELETE':
      await db.removeItem(key);
      return response.send({ key, deleted: true });
    default:
      return reply(response, 405, { error: `${request.method} is not supported: use GET, POST or DELETE` });
  }
};
