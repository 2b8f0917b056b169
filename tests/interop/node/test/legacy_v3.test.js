// PubNub's JavaScript SDK of the 3.x era (npm `pubnub@3.16.5`, installed as
// `pubnub-v3`), unmodified, against the same server the current SDK talks
// to: the v1 subscribe long-poll, publish, v2 history in its 3.x shape,
// presence under the `sub_key` spelling (here now, where now, leave) and
// state, and messages crossing between the two eras.
//
// The 3.x node SDK connects to port 80 or 443 only, unless it is given a
// proxy: the test sets `proxy` to the server (a setting of the SDK, no
// edit), so requests arrive in absolute form, as through any HTTP proxy.
// It also probes `http.Agent.super_`, which Node had until classes replaced
// `util.inherits` in its http module; the test puts it back (a shim of the
// Node of that era, not of the SDK).
'use strict';

const http = require('node:http');
const { EventEmitter } = require('node:events');

if (http.Agent.super_ === undefined) http.Agent.super_ = EventEmitter;

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const PUBNUB_V3 = require('pubnub-v3');
const { startServer, client, unique, Inbox, eventually, EVENTUALLY_MS } = require('../support/pigdin');

let server;
const clients = [];

before(async () => {
  server = await startServer();
});

after(async () => {
  for (const [old, channels] of clients) {
    if (channels.length > 0) old.unsubscribe({ channel: channels.join(',') });
    old.shutdown();
  }
  await server?.stop();
});

/** A 3.x client on the local server. */
function oldClient(uuid) {
  const [hostname, port] = server.address.split(':');
  const pubnub = PUBNUB_V3({
    publish_key: 'demo',
    subscribe_key: 'demo',
    uuid,
    origin: server.address,
    ssl: false,
    proxy: { hostname, port: Number(port) },
    error: () => {},
  });
  clients.push([pubnub, []]);
  return pubnub;
}

/** Calls a 3.x method that answers through `callback`/`error`; its answer. */
function call(pubnub, method, args = {}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${method}: no answer in ${EVENTUALLY_MS} ms`)), EVENTUALLY_MS);
    pubnub[method]({
      ...args,
      callback: (answer) => {
        clearTimeout(timer);
        resolve(answer);
      },
      error: (error) => {
        clearTimeout(timer);
        reject(new Error(`${method} failed: ${JSON.stringify(error)}`));
      },
    });
  });
}

/** Subscribes `pubnub` to `channel`; resolves once connected, with the messages it gets. */
function subscribe(pubnub, channel, extra = {}) {
  clients.find(([old]) => old === pubnub)[1].push(channel);
  const received = [];
  const connected = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`subscribe ${channel}: not connected`)), EVENTUALLY_MS);
    pubnub.subscribe({
      channel,
      message: (message, envelope, source) => received.push({ message, channel: source }),
      connect: () => {
        clearTimeout(timer);
        resolve();
      },
      error: (error) => reject(new Error(`subscribe failed: ${JSON.stringify(error)}`)),
      ...extra,
    });
  });
  return connected.then(() => received);
}

test('the 3.x time call answers a timetoken', async () => {
  const pubnub = oldClient(unique('old-timer'));
  const timetoken = await new Promise((resolve) => pubnub.time(resolve));
  assert.ok(Number(timetoken) > 16e15, `timetoken ${timetoken}`);
});

test('a 3.x subscriber receives what 3.x and current clients publish, with its channel', async () => {
  const channel = unique('old-room');
  const reader = oldClient(unique('old-reader'));
  const received = await subscribe(reader, channel);

  const writer = oldClient(unique('old-writer'));
  const published = await call(writer, 'publish', { channel, message: { text: 'from 3.x' } });
  assert.equal(published[0], 1, JSON.stringify(published));
  assert.equal(published[1], 'Sent');

  const current = client(server, unique('new-writer'));
  await current.publish({ channel, message: { text: 'from today' } });
  current.destroy();

  await eventually('both messages', () => received.length >= 2 || undefined);
  assert.deepEqual(received, [
    { message: { text: 'from 3.x' }, channel },
    { message: { text: 'from today' }, channel },
  ]);
});

test('a current subscriber receives what a 3.x client publishes', async () => {
  const channel = unique('cross-era');
  const current = client(server, unique('new-reader'));
  const inbox = new Inbox(current);
  current.subscribe({ channels: [channel] });
  await inbox.connected();
  const writer = oldClient(unique('old-writer'));
  await call(writer, 'publish', { channel, message: 'hello from 2016' });
  const event = await inbox.next('message', (m) => m.channel === channel);
  assert.equal(event.message, 'hello from 2016');
  current.unsubscribeAll();
  current.destroy();
});

test('3.x history answers [messages, start, end], oldest first', async () => {
  const channel = unique('old-history');
  const pubnub = oldClient(unique('old-historian'));
  for (const n of [1, 2, 3]) {
    await call(pubnub, 'publish', { channel, message: { n } });
  }
  const [messages, start, end] = await call(pubnub, 'history', { channel, count: 2 });
  assert.deepEqual(messages, [{ n: 2 }, { n: 3 }]);
  assert.ok(Number(start) > 0 && Number(end) >= Number(start), `${start}..${end}`);
});

test('3.x presence: here now and where now (sub_key paths), state, and leave on unsubscribe', async () => {
  const channel = unique('old-presence');
  const uuid = unique('old-present');
  const pubnub = oldClient(uuid);
  await subscribe(pubnub, channel);

  const observer = oldClient(unique('old-observer'));
  const here = await eventually('the subscriber in here now', async () => {
    const answer = await call(observer, 'here_now', { channel });
    return answer.uuids?.includes(uuid) ? answer : undefined;
  });
  assert.equal(here.occupancy, 1);

  const where = await call(observer, 'where_now', { uuid });
  assert.deepEqual(where.channels, [channel]);

  const state = await call(pubnub, 'state', { channel, uuid, state: { mood: 'retro' } });
  assert.deepEqual(state, { mood: 'retro' });
  const read = await call(observer, 'state', { channel, uuid });
  assert.deepEqual(read, { mood: 'retro' });

  pubnub.unsubscribe({ channel });
  clients.find(([old]) => old === pubnub)[1].pop();
  await eventually('the leave', async () => {
    const answer = await call(observer, 'here_now', { channel });
    return answer.occupancy === 0 || undefined;
  });
});
