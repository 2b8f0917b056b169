// Publish, subscribe (plain, wildcard with presence, channel group), fire,
// signal, catch-up after a channel-list change and the size limit, through
// the official JavaScript SDK.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, client, unique, Inbox } = require('../support/pigdin');

let server;
const clients = [];

before(async () => {
  server = await startServer();
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

test('a published message reaches a subscriber with its publisher, meta and timetoken', async () => {
  const channel = unique('chat');
  const subscriber = newClient(unique('sub'));
  const inbox = new Inbox(subscriber);
  subscriber.subscribe({ channels: [channel] });
  await inbox.connected();

  const publisher = newClient('alice');
  const reply = await publisher.publish({ channel, message: { text: 'hello' }, meta: { lang: 'en' } });
  assert.match(String(reply.timetoken), /^\d{17}$/);

  const event = await inbox.next('message', (m) => m.channel === channel);
  assert.deepEqual(event.message, { text: 'hello' });
  assert.equal(event.publisher, 'alice');
  assert.deepEqual(event.userMetadata, { lang: 'en' });
  assert.equal(String(event.timetoken), String(reply.timetoken));
});

test('a wildcard subscribe with presence receives a message on a sub-channel and a join', async () => {
  const user = unique('u');
  const subscriber = newClient(`${user}-watcher`);
  const inbox = new Inbox(subscriber);
  subscriber.subscribe({ channels: [`webex.${user}.*`], withPresence: true });
  await inbox.connected();

  const member = newClient(`${user}-member`);
  member.subscribe({ channels: [`webex.${user}.room1`] });
  const join = await inbox.next('presence', (p) => p.action === 'join' && p.uuid === `${user}-member`, 'join event');
  assert.equal(join.channel, `webex.${user}.room1`);
  // Presence arrives on the wildcard's presence subscription (our choice where
  // the wire notes leave `b` unconfirmed; the SDK routes it either way).
  assert.equal(join.subscription, `webex.${user}.*-pnpres`);
  assert.equal(typeof join.occupancy, 'number');

  await newClient('bot').publish({ channel: `webex.${user}.room1`, message: { text: 'in the room' } });
  const event = await inbox.next('message', (m) => m.channel === `webex.${user}.room1`);
  assert.deepEqual(event.message, { text: 'in the room' });
  assert.equal(event.subscription, `webex.${user}.*`);
});

test('a channel-group subscriber receives messages on the group\'s channels', async () => {
  const group = unique('group');
  const [a, b] = [unique('cg-a'), unique('cg-b')];
  const pubnub = newClient(unique('grouper'));
  await pubnub.channelGroups.addChannels({ channelGroup: group, channels: [a, b] });
  const listed = await pubnub.channelGroups.listChannels({ channelGroup: group });
  assert.deepEqual([...listed.channels].sort(), [a, b].sort());

  const inbox = new Inbox(pubnub);
  pubnub.subscribe({ channelGroups: [group] });
  await inbox.connected();
  await pubnub.publish({ channel: b, message: 'via the group' });
  const event = await inbox.next('message', (m) => m.channel === b);
  assert.equal(event.message, 'via the group');
  assert.equal(event.subscription, group);
});

test('a fire is never delivered; the publish after it is', async () => {
  const channel = unique('fire');
  const subscriber = newClient(unique('sub'));
  const inbox = new Inbox(subscriber);
  subscriber.subscribe({ channels: [channel] });
  await inbox.connected();

  const publisher = newClient('firer');
  // `fire` resolves with nothing (it passes its own callback to `publish`);
  // its callback form reports the outcome.
  const fired = await new Promise((resolve) =>
    publisher.fire({ channel, message: { n: 'fired' } }, (status, response) => resolve({ status, response })),
  );
  assert.equal(fired.status.error, false, JSON.stringify(fired.status));
  assert.match(String(fired.response.timetoken), /^\d{17}$/);
  await publisher.publish({ channel, message: { n: 'published' } });

  await inbox.next('message', (m) => m.channel === channel && m.message.n === 'published');
  assert.deepEqual(
    inbox.events.message.filter((m) => m.channel === channel).map((m) => m.message),
    [{ n: 'published' }],
  );
});

test('a signal arrives as a signal, not as a message', async () => {
  const channel = unique('signal');
  const subscriber = newClient(unique('sub'));
  const inbox = new Inbox(subscriber);
  subscriber.subscribe({ channels: [channel] });
  await inbox.connected();

  const reply = await newClient('signaller').signal({ channel, message: { typing: true } });
  assert.match(String(reply.timetoken), /^\d{17}$/);
  const event = await inbox.next('signal', (s) => s.channel === channel);
  assert.deepEqual(event.message, { typing: true });
  assert.equal(event.publisher, 'signaller');
  assert.equal(inbox.events.message.filter((m) => m.channel === channel).length, 0);
});

test('messages published while the client changes its channel list are caught up', async () => {
  const [a, b] = [unique('catch-a'), unique('catch-b')];
  const subscriber = newClient(unique('sub'));
  const inbox = new Inbox(subscriber);
  subscriber.subscribe({ channels: [a] });
  await inbox.connected();

  const publisher = newClient('catcher');
  // Published before the subscriber asks for B: the re-issued request carries
  // the old timetoken and must be answered from B's catch-up buffer.
  await publisher.publish({ channel: b, message: 'while switching 1' });
  subscriber.subscribe({ channels: [a, b] });
  await publisher.publish({ channel: b, message: 'while switching 2' });

  await inbox.next('message', (m) => m.message === 'while switching 1', 'first catch-up message');
  await inbox.next('message', (m) => m.message === 'while switching 2', 'second catch-up message');
});

test('a 30 KiB message passes and a 33 KiB one fails as too large', async () => {
  const channel = unique('size');
  const pubnub = newClient('sizer');
  const passed = await pubnub.publish({ channel, message: 'x'.repeat(30 * 1024), sendByPost: true });
  assert.match(String(passed.timetoken), /^\d{17}$/);
  // Over GET too: the SDK's default way to publish.
  await pubnub.publish({ channel, message: 'y'.repeat(30 * 1024) });

  await assert.rejects(pubnub.publish({ channel, message: 'z'.repeat(33 * 1024) }), (error) => {
    assert.equal(error.status?.statusCode, 413, JSON.stringify(error.status));
    assert.match(`${error.message} ${JSON.stringify(error.status?.errorData)}`, /too large/i);
    return true;
  });
});
