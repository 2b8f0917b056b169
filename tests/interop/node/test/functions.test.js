// A Before Publish function (functions/examples/filter, bound to `chat.*`)
// rewriting and aborting messages, as the official JavaScript SDK sees it.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, client, unique, Inbox, pigdin, moduleDir } = require('../support/pigdin');

let server;
const clients = [];

before(async () => {
  server = await startServer();
  await pigdin(server, ['deploy', moduleDir('examples/filter')]);
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

test('the subscriber sees the message as the function rewrote it', async () => {
  const channel = `chat.${unique('room')}`;
  const subscriber = newClient(unique('reader'));
  const inbox = new Inbox(subscriber);
  subscriber.subscribe({ channels: [channel] });
  await inbox.connected();

  await newClient('writer').publish({ channel, message: { text: 'darn it' }, meta: { lang: 'en' } });
  const event = await inbox.next('message', (m) => m.channel === channel);
  assert.deepEqual(event.message, { text: 'd**n it', filtered: true });
  assert.deepEqual(event.userMetadata, { lang: 'en', filtered_by: 'filter' });
});

test('the publisher of an aborted message gets a 403 carrying the reason', async () => {
  const channel = `chat.${unique('room')}`;
  const subscriber = newClient(unique('reader'));
  const inbox = new Inbox(subscriber);
  subscriber.subscribe({ channels: [channel] });
  await inbox.connected();
  const publisher = newClient('writer');

  await assert.rejects(publisher.publish({ channel, message: { text: 'a forbidden word' } }), (error) => {
    assert.equal(error.status?.statusCode, 403, JSON.stringify(error.status));
    assert.equal(error.status?.errorData?.message, 'message blocked: text contains "forbidden"');
    return true;
  });

  // Nothing of the aborted message reached the subscriber: the next one is the first it sees.
  await publisher.publish({ channel, message: { text: 'fine' } });
  await inbox.next('message', (m) => m.channel === channel);
  assert.deepEqual(
    inbox.events.message.filter((m) => m.channel === channel).map((m) => m.message),
    [{ text: 'fine', filtered: true }],
  );
});
