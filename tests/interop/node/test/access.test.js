// Access Manager through the official JavaScript SDK: a server started with
// a secret key; a server-role client (configured with `secretKey`, so every
// request is signed) may do everything and grants tokens; client-role clients
// (`setToken`) may do what their token grants and get the SDK's access-denied
// error for the rest.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, client, unique, Inbox, eventually } = require('../support/pigdin');

const SECRET_KEY = 'sec-interop-node';

let server;
const clients = [];

before(async () => {
  server = await startServer({ secretKey: SECRET_KEY });
});

after(async () => {
  for (const pubnub of clients) pubnub.destroy();
  await server?.stop();
});

function newClient(userId, extra) {
  const pubnub = client(server, userId, extra);
  clients.push(pubnub);
  return pubnub;
}

/** The server role: every request signed with the secret key. */
function serverClient(userId = unique('server')) {
  return newClient(userId, { secretKey: SECRET_KEY });
}

/** The client role: no secret key, the token as its auth. */
function tokenClient(userId, token) {
  const pubnub = newClient(userId);
  if (token !== undefined) pubnub.setToken(token);
  return pubnub;
}

/** `text` as a regular expression matching itself (token patterns are regexes). */
function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Asserts `promise` rejects with the SDK's error for `statusCode`; returns the server's error body. */
async function refused(promise, statusCode, category) {
  let body;
  await assert.rejects(promise, (error) => {
    assert.equal(error.status?.statusCode, statusCode, JSON.stringify(error.status));
    assert.equal(error.status?.category, category, JSON.stringify(error.status));
    assert.equal(error.status?.error, true);
    body = error.status.errorData;
    return true;
  });
  assert.equal(body?.service, 'Access Manager', JSON.stringify(body));
  return body;
}

const denied = (promise) => refused(promise, 403, 'PNAccessDeniedCategory');
const badRequest = (promise) => refused(promise, 400, 'PNBadRequestCategory');

/** Asserts a 403 naming what was not permitted, in PubNub's `payload` shape. */
async function forbiddenOn(promise, kind, names) {
  const body = await denied(promise);
  assert.equal(body.message, 'Forbidden', JSON.stringify(body));
  assert.deepEqual(body.payload?.[kind], names, JSON.stringify(body));
}

/**
 * A namespace for one test's resources and the token a server-role client
 * grants for it: read+write on `room`, read on every `{ns}.…` channel (a
 * pattern), get+update on the authorized uuid.
 */
async function grantFor(admin, { ttl = 15 } = {}) {
  const ns = unique('acl');
  const grant = {
    user: `${ns}-user`,
    room: `${ns}-room`,
    pattern: `${escapeRegex(ns)}\\..*`,
    wildcard: `${ns}.*`,
    inPattern: `${ns}.inbox`,
    other: `${ns}-other`,
    otherUser: `${ns}-someone-else`,
  };
  grant.token = await admin.grantToken({
    ttl,
    authorized_uuid: grant.user,
    resources: {
      channels: { [grant.room]: { read: true, write: true } },
      uuids: { [grant.user]: { get: true, update: true } },
    },
    patterns: {
      channels: { [grant.pattern]: { read: true } },
    },
    meta: { purpose: 'interop' },
  });
  return grant;
}

test('the server role publishes, subscribes, reads history, App Context and here_now', async () => {
  const channel = unique('server-room');
  const subscriberId = unique('server-sub');
  const subscriber = serverClient(subscriberId);
  const inbox = new Inbox(subscriber);
  subscriber.subscribe({ channels: [channel] });
  await inbox.connected();

  const admin = serverClient('server-admin');
  const reply = await admin.publish({ channel, message: { text: 'signed' }, meta: { role: 'server' } });
  assert.match(String(reply.timetoken), /^\d{17}$/);
  const event = await inbox.next('message', (m) => m.channel === channel);
  assert.deepEqual(event.message, { text: 'signed' });
  assert.equal(event.publisher, 'server-admin');
  // A POST publish is signed too.
  await admin.publish({ channel, message: { text: 'signed post' }, sendByPost: true });
  await inbox.next('message', (m) => m.channel === channel && m.message.text === 'signed post');

  const history = await admin.fetchMessages({ channels: [channel], includeMeta: true });
  assert.deepEqual(
    history.channels[channel].map((m) => m.message),
    [{ text: 'signed' }, { text: 'signed post' }],
  );
  assert.deepEqual(history.channels[channel][0].meta, { role: 'server' });

  const uuid = unique('server-meta');
  const set = await admin.objects.setUUIDMetadata({ uuid, data: { name: 'Grace', custom: { team: 'ops' } }, include: { customFields: true } });
  assert.equal(set.data.name, 'Grace');
  const got = await admin.objects.getUUIDMetadata({ uuid, include: { customFields: true } });
  assert.equal(got.data.name, 'Grace');
  assert.deepEqual(got.data.custom, { team: 'ops' });

  const here = await eventually('the subscriber in here_now', async () => {
    const now = await admin.hereNow({ channels: [channel] });
    return now.totalOccupancy === 1 ? now : undefined;
  });
  assert.deepEqual(here.channels[channel].occupants.map((o) => o.uuid), [subscriberId]);
});

test('grantToken issues a token that parseToken reads back with the granted resources', async () => {
  const admin = serverClient();
  const grant = await grantFor(admin, { ttl: 15 });
  assert.equal(typeof grant.token, 'string');
  const parsed = admin.parseToken(grant.token);
  assert.ok(parsed, 'parseToken could not read the token');
  assert.equal(parsed.version, 2);
  assert.equal(parsed.ttl, 15);
  assert.equal(parsed.authorized_uuid, grant.user);
  assert.ok(Math.abs(parsed.timestamp - Date.now() / 1000) < 120, `timestamp ${parsed.timestamp}`);
  const none = { read: false, write: false, manage: false, delete: false, get: false, update: false, join: false };
  assert.deepEqual(parsed.resources, {
    channels: { [grant.room]: { ...none, read: true, write: true } },
    uuids: { [grant.user]: { ...none, get: true, update: true } },
  });
  assert.deepEqual(parsed.patterns, { channels: { [grant.pattern]: { ...none, read: true } } });
  assert.deepEqual(parsed.meta, { purpose: 'interop' });
});

test('a token client may do what its token grants', async () => {
  const admin = serverClient();
  const grant = await grantFor(admin);
  const user = tokenClient(grant.user, grant.token);

  // Subscribe to a wildcard inside the granted pattern and receive.
  const inbox = new Inbox(user);
  user.subscribe({ channels: [grant.wildcard] });
  await inbox.connected();
  await admin.publish({ channel: grant.inPattern, message: { text: 'to the user' } });
  const event = await inbox.next('message', (m) => m.channel === grant.inPattern);
  assert.deepEqual(event.message, { text: 'to the user' });
  assert.equal(event.subscription, grant.wildcard);

  // Publish to the granted channel, then read its history.
  const reply = await user.publish({ channel: grant.room, message: { text: 'from the user' } });
  assert.match(String(reply.timetoken), /^\d{17}$/);
  const history = await user.fetchMessages({ channels: [grant.room], includeUuid: true });
  assert.deepEqual(history.channels[grant.room].map((m) => [m.message, m.uuid]), [[{ text: 'from the user' }, grant.user]]);

  // Its own uuid metadata.
  const set = await user.objects.setUUIDMetadata({ uuid: grant.user, data: { name: 'Token User' } });
  assert.equal(set.data.name, 'Token User');
  const got = await user.objects.getUUIDMetadata({ uuid: grant.user });
  assert.equal(got.data.name, 'Token User');
});

test('a token client gets access denied for what its token does not grant', async () => {
  const admin = serverClient();
  const grant = await grantFor(admin);
  const user = tokenClient(grant.user, grant.token);

  await forbiddenOn(user.publish({ channel: grant.other, message: 'not granted' }), 'channels', [grant.other]);
  // The pattern grants read only.
  await forbiddenOn(user.publish({ channel: grant.inPattern, message: 'read only' }), 'channels', [grant.inPattern]);
  await forbiddenOn(user.fetchMessages({ channels: [grant.other] }), 'channels', [grant.other]);
  await forbiddenOn(
    user.objects.setUUIDMetadata({ uuid: grant.otherUser, data: { name: 'Impostor' } }),
    'uuids',
    [grant.otherUser],
  );
  await forbiddenOn(user.objects.getUUIDMetadata({ uuid: grant.otherUser }), 'uuids', [grant.otherUser]);

  // A subscribe to a channel outside the grant reports access denied.
  const inbox = new Inbox(user);
  user.subscribe({ channels: [grant.other] });
  const status = await inbox.next('status', (s) => s.error !== undefined && s.error !== false, 'subscribe error status');
  assert.equal(status.category, 'PNConnectionErrorCategory', JSON.stringify(status));
  assert.equal(status.error, 'PNAccessDeniedCategory', JSON.stringify(status));
  assert.equal(inbox.events.status.some((s) => s.category === 'PNConnectedCategory'), false);

  // Published as someone else than the token's authorized uuid.
  const impostor = tokenClient(grant.otherUser, grant.token);
  const body = await denied(impostor.publish({ channel: grant.room, message: 'as someone else' }));
  assert.match(body.message, /authorized for uuid/);
  assert.ok(body.message.includes(grant.user) && body.message.includes(grant.otherUser), body.message);

  // No token at all.
  const anonymous = tokenClient(grant.user);
  await forbiddenOn(anonymous.publish({ channel: grant.room, message: 'no token' }), 'channels', [grant.room]);
  await forbiddenOn(anonymous.fetchMessages({ channels: [grant.room] }), 'channels', [grant.room]);
});

test('revokeToken makes the server refuse the token', async () => {
  const admin = serverClient();
  const grant = await grantFor(admin);
  const user = tokenClient(grant.user, grant.token);
  await user.publish({ channel: grant.room, message: 'before the revoke' });

  await admin.revokeToken(grant.token);

  const body = await denied(user.publish({ channel: grant.room, message: 'after the revoke' }));
  assert.match(body.message, /revoked/i);
});

test('a malformed or forged token and a wrong secret key get clear errors', async () => {
  const admin = serverClient();
  const grant = await grantFor(admin);

  // Cut short: no longer a whole CBOR map.
  const bytes = Buffer.from(grant.token, 'base64url');
  const truncated = bytes.subarray(0, 60).toString('base64url');
  let body = await badRequest(tokenClient(grant.user, truncated).publish({ channel: grant.room, message: 'x' }));
  assert.equal(body.message, 'Invalid token: not CBOR: it ends too soon (cut short?); request a new one');

  // Altered after signing: the signature no longer matches.
  const altered = Buffer.from(bytes);
  const at = altered.indexOf(Buffer.from(grant.room));
  assert.ok(at > 0);
  altered[at] = altered[at] === 0x61 ? 0x62 : 0x61;
  body = await denied(tokenClient(grant.user, altered.toString('base64url')).publish({ channel: grant.room, message: 'x' }));
  assert.match(body.message, /Invalid token: its signature does not match/);

  // Signed with the wrong secret key.
  const wrong = newClient(unique('wrong'), { secretKey: 'not-the-secret-key' });
  body = await denied(wrong.publish({ channel: grant.room, message: 'x' }));
  assert.match(body.message, /Signature Does Not Match/);
  body = await denied(wrong.grantToken({ ttl: 5, resources: { channels: { [grant.room]: { read: true } } } }));
  assert.match(body.message, /Signature Does Not Match/);
});
