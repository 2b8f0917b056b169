// On Request: routes by the path after /js/.
const db = require('kvstore');
const pubnub = require('pubnub');
const vault = require('vault');
const xhr = require('xhr');

// Module-level state: survives between invocations of a warm instance.
let calls = 0;
const loadedAt = Date.now();

class Answer {
  constructor(status, body) {
    this.status = status;
    this.body = body;
  }
}

const routes = {
  echo: async (request) => ({
    method: request.method,
    path: request.path,
    params: request.params,
    agent: request.headers['x-agent'] ?? null,
    body: request.body,
  }),
  json: async (request) => {
    try {
      return { parsed: await request.json() };
    } catch (e) {
      return new Answer(400, { error: `bad json: ${e.name}` });
    }
  },
  state: async () => ({ calls: ++calls, loadedAt }),
  throw: async () => {
    throw new TypeError('thrown on purpose');
  },
  reject: () => Promise.reject(new Error('rejected on purpose')),
  status: async (request, response) => {
    response.status = 201;
    response.headers['x-made-by'] = 'pigdin-js';
    return new Answer(201, 'created');
  },
  kv: async (request) => {
    if (request.method === 'POST') {
      await db.set(request.params.key, JSON.parse(request.body), request.params.ttl ? Number(request.params.ttl) : undefined);
    }
    return { value: await db.get(request.params.key), keys: await db.getKeys() };
  },
  ids: async () => {
    const { v3, v5, validate, version } = require('uuid');
    const dns = v5('pigdin.dev', v5.DNS);
    const url = v3('https://pigdin.dev', v3.URL);
    return { dns, url, valid: validate(dns), versions: [version(dns), version(url)] };
  },
  remove: async (request) => {
    await db.setItem(request.params.key, 'soon gone');
    const before = await db.getItem(request.params.key);
    await db.removeItem(request.params.key);
    return { before, after: await db.getItem(request.params.key) };
  },
  count: async (request) => ({ n: await db.getCounter(request.params.key) }),
  counter: async () => ({ n: await db.incrCounter('hits', 2), counters: await db.getCounterKeys() }),
  publish: async (request) => {
    const answer = await pubnub.publish({ channel: request.params.channel, message: { from: 'js' }, meta: { origin: 'api' } });
    const signal = await pubnub.signal({ channel: request.params.channel, message: 'ping' });
    const history = await pubnub.history({ channel: request.params.channel, count: 10 });
    return { sent: answer[1], timetoken: answer.timetoken, signal: signal[1], history: history.messages.map((m) => m.entry) };
  },
  as: async (request) => {
    const client = new pubnub({ publishKey: 'demo', subscribeKey: 'demo', uuid: request.params.uuid });
    const answer = await client.publish({ channel: request.params.channel, message: { as: request.params.uuid } });
    return { timetoken: answer.timetoken };
  },
  objects: async (request) => {
    const uuid = request.params.uuid;
    await pubnub.objects.setUUIDMetadata({ uuid, data: { name: 'Ada', custom: { team: 'js' } } });
    const got = await pubnub.objects.getUUIDMetadata({ uuid });
    let missing;
    try {
      await pubnub.objects.getUUIDMetadata({ uuid: `${uuid}-nobody` });
    } catch (e) {
      missing = e.status;
    }
    await pubnub.objects.setMemberships({ uuid, channels: ['js.objects', { id: 'js.other', custom: { role: 'x' } }] });
    const memberships = await pubnub.objects.getMemberships({ uuid });
    return { name: got.data.name, team: got.data.custom.team, missing, channels: memberships.data.map((m) => m.channel.id).sort() };
  },
  reactions: async (request) => {
    const channel = request.params.channel;
    const { timetoken } = await pubnub.publish({ channel, message: 'react to me' });
    const thumbs = { channel, messageTimetoken: timetoken, action: { type: 'reaction', value: '👍' } };
    const added = await pubnub.addMessageAction(thumbs);
    const ann = new pubnub({ publishKey: 'demo', subscribeKey: 'demo', uuid: 'ann' });
    await ann.addMessageAction({ ...thumbs, action: { type: 'reaction', value: '🎉' } });
    let duplicate;
    try {
      await ann.addMessageAction({ ...thumbs, action: { type: 'reaction', value: '🎉' } });
    } catch (e) {
      duplicate = e.message;
    }
    const first = await pubnub.getMessageActions({ channel, limit: 1 });
    const older = await pubnub.getMessageActions({ channel, start: first.start });
    await pubnub.removeMessageAction({ channel, messageTimetoken: timetoken, actionTimetoken: added.data.actionTimetoken });
    const after = await pubnub.getMessageActions({ channel });
    return {
      timetoken,
      added: added.data,
      duplicate,
      first: first.data.map((a) => [a.uuid, a.value]),
      more: Boolean(first.more),
      older: older.data.map((a) => [a.uuid, a.value]),
      after: after.data.map((a) => a.uuid),
    };
  },
  time: async () => ({ time: await pubnub.time() }),
  presence: async (request) => {
    const here = await pubnub.hereNow({ channels: [request.params.channel], includeUUIDs: true, includeState: true });
    const where = await pubnub.whereNow({ uuid: request.params.uuid });
    return { here, where: where.channels };
  },
  token: async (request) => {
    const token = await pubnub.grantToken({
      ttl: 15,
      authorized_uuid: request.params.uuid,
      resources: { channels: { [request.params.channel]: { read: true, write: true } } },
    });
    const parsed = pubnub.parseToken(token);
    if (request.params.revoke) await pubnub.revokeToken(token);
    return { token, parsed: { ttl: parsed.ttl, uuid: parsed.authorized_uuid, channels: parsed.resources.channels } };
  },
  messages: async (request) => {
    const found = await pubnub.fetchMessages({ channels: [request.params.channel], count: 5 });
    return found.channels[request.params.channel].map((m) => m.message);
  },
  secret: async (request) => {
    try {
      return { value: await vault.get(request.params.name) };
    } catch (e) {
      return new Answer(404, { error: e.message });
    }
  },
  fetch: async (request) => {
    const response = await xhr.fetch(request.params.url, { method: 'POST', body: { hello: 'world' }, headers: { 'X-Test': 'yes' }, timeout: 5000 });
    return { status: response.status, statusText: response.statusText, body: await response.json(), type: response.headers['content-type'] };
  },
  unknown: async () => require('left-pad'),
  later: async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { waited: true };
  },
  features: async () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const [a, b] = await Promise.all([Promise.resolve(1), Promise.resolve(2)]);
    const nested = { deep: { value: 42 } };
    return {
      sum: bytes.reduce((x, y) => x + y, 0),
      all: a + b,
      optional: nested?.deep?.value ?? 0,
      missing: nested?.nope?.value ?? 'fallback',
      regex: 'a1b22c333'.replace(/\d+/g, (d) => d.length),
      date: new Date(0).toISOString(),
      math: Math.max(...[3, 9, 4]),
      json: JSON.parse(JSON.stringify({ x: [1, { y: null }] })),
      bigint: (2n ** 64n).toString(),
      spread: [...'abc'],
      klass: new Answer(200, 'x') instanceof Answer,
    };
  },
};

export default async (request, response) => {
  const name = request.path.split('/')[2];
  const route = routes[name];
  if (!route) return response.send({ error: `no route ${name}` }, 404);
  const result = await route(request, response);
  if (result instanceof Answer) return response.send(result.body, result.status);
  return response.send(result);
};
