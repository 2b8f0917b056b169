// JavaScript Functions (tests/js/events, deployed with `pigdin deploy`) as the
// official JavaScript SDK sees them: Before Publish rewriting and aborting, a
// function's own publish reaching a subscriber, an On Request endpoint.
'use strict';

const path = require('node:path');
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, client, unique, Inbox, pigdin } = require('../support/pigdin');

const jsModule = (name) => path.join(__dirname, '..', '..', '..', 'js', name);

let server;
const clients = [];

before(async () => {
  server = await startServer();
  await pigdin(server, ['deploy', jsModule('events')]);
});

after(async () => {
  for (const pubnub of clients) pubnub.destroy();
  await server?.stop();
});

function newClient(userId) {
  const pubnub = client(server, userId);
  clients.push(pubnub);
  return pubnub;
}

test('a JavaScript Before Publish rewrites what the subscriber sees', async () => {
  const channel = `js.${unique('room')}`;
  const subscriber = newClient(unique('reader'));
  const inbox = new Inbox(subscriber);
  subscriber.subscribe({ channels: [channel] });
  await inbox.connected();

  await newClient('writer').publish({ channel, message: { text: 'hello' } });
  const event = await inbox.next('message', (m) => m.channel === channel);
  assert.deepEqual(event.message, { text: 'hello', seen: true });

  await newClient('writer').publish({ channel, message: { mode: 'async' } });
  const rewritten = await inbox.next('message', (m) => m.channel === channel && m.message.mode === 'async');
  assert.equal(rewritten.message.publisher, 'writer');
  assert.equal(rewritten.message.channel, channel);
});

test('a JavaScript abort is a 403 with the reason, and nothing is delivered', async () => {
  const channel = `js.${unique('room')}`;
  const subscriber = newClient(unique('reader'));
  const inbox = new Inbox(subscriber);
  subscriber.subscribe({ channels: [channel] });
  await inbox.connected();
  const publisher = newClient('writer');
  await assert.rejects(publisher.publish({ channel, message: { mode: 'abort' } }), (error) => {
    assert.equal(error.status?.statusCode, 403, JSON.stringify(error.status));
    assert.equal(error.status?.errorData?.message, 'no thanks');
    return true;
  });
  await publisher.publish({ channel, message: { text: 'next' } });
  await inbox.next('message', (m) => m.channel === channel);
  assert.deepEqual(
    inbox.events.message.filter((m) => m.channel === channel).map((m) => m.message),
    [{ text: 'next', seen: true }],
  );
});

test("a JavaScript function's own publish reaches an SDK subscriber", async () => {
  const channel = `js.${unique('out')}`;
  const subscriber = newClient(unique('reader'));
  const inbox = new Inbox(subscriber);
  subscriber.subscribe({ channels: [channel] });
  await inbox.connected();
  const response = await fetch(`${server.origin}/v1/blocks/sub-key/demo/js/publish?channel=${encodeURIComponent(channel)}`);
  assert.equal(response.status, 200);
  const event = await inbox.next('message', (m) => m.channel === channel);
  assert.deepEqual(event.message, { from: 'js', seen: true });
  assert.deepEqual(event.userMetadata, { origin: 'api' });
  const signal = await inbox.next('signal', (s) => s.channel === channel);
  assert.deepEqual(signal.message, { signal: 'ping', verb: 'signal' });
});
