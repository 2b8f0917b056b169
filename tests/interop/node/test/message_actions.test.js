// Message Actions (reactions, receipts) through the official JavaScript SDK:
// added, listed in pages, seen live by another subscriber, in history, and
// removed.
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

function newClient(userId) {
  const pubnub = client(server, userId);
  clients.push(pubnub);
  return pubnub;
}

test('reactions are added, seen live, listed, in history and removed', async () => {
  const channel = unique('reactions');
  const alice = newClient('alice');
  const bob = newClient('bob');
  const bobInbox = new Inbox(bob);
  bob.subscribe({ channels: [channel] });
  await bobInbox.connected();

  const { timetoken } = await alice.publish({ channel, message: { text: 'lunch?' } });
  const messageTimetoken = String(timetoken);
  const added = await alice.addMessageAction({ channel, messageTimetoken, action: { type: 'reaction', value: '👍' } });
  assert.equal(added.data.type, 'reaction');
  assert.equal(added.data.value, '👍');
  assert.equal(added.data.uuid, 'alice');
  assert.equal(added.data.messageTimetoken, messageTimetoken);
  const thumbs = added.data.actionTimetoken;
  assert.match(thumbs, /^\d{17}$/);

  const seen = await bobInbox.next('messageAction', (e) => e.event === 'added', 'the added reaction');
  assert.equal(seen.channel, channel);
  assert.equal(seen.publisher, 'alice');
  assert.deepEqual(
    { ...seen.data },
    { type: 'reaction', value: '👍', uuid: 'alice', messageTimetoken, actionTimetoken: thumbs },
  );

  // The same reaction again is refused; bob's are welcome.
  await assert.rejects(
    alice.addMessageAction({ channel, messageTimetoken, action: { type: 'reaction', value: '👍' } }),
    (error) => error.status?.statusCode === 409,
  );
  await bob.addMessageAction({ channel, messageTimetoken, action: { type: 'reaction', value: '👍' } });
  const receipt = await bob.addMessageAction({ channel, messageTimetoken, action: { type: 'receipt', value: 'read' } });

  // Listed newest first, a page at a time, each page oldest first.
  const page = await alice.getMessageActions({ channel, limit: 2 });
  assert.deepEqual(page.data.map((a) => [a.uuid, a.type]), [['bob', 'reaction'], ['bob', 'receipt']]);
  assert.equal(page.start, page.data[0].actionTimetoken);
  assert.equal(page.more?.limit, 2);
  const rest = await alice.getMessageActions({ channel, start: page.more.start, limit: 2 });
  assert.deepEqual(rest.data.map((a) => a.actionTimetoken), [thumbs]);
  assert.equal(rest.more, undefined);

  // History with actions: by type, then value.
  const history = await alice.fetchMessages({ channels: [channel], includeMessageActions: true });
  const [stored] = history.channels[channel];
  assert.deepEqual(stored.message, { text: 'lunch?' });
  assert.deepEqual(stored.actions.reaction['👍'].map((a) => a.uuid), ['alice', 'bob']);
  assert.deepEqual(stored.actions.receipt.read, [{ uuid: 'bob', actionTimetoken: receipt.data.actionTimetoken }]);

  // Removed: bob hears of it, and it is gone from the list.
  await alice.removeMessageAction({ channel, messageTimetoken, actionTimetoken: thumbs });
  const removed = await bobInbox.next('messageAction', (e) => e.event === 'removed', 'the removed reaction');
  assert.equal(removed.data.actionTimetoken, thumbs);
  assert.equal(removed.data.value, '👍');
  const after = await bob.getMessageActions({ channel });
  assert.deepEqual(after.data.map((a) => a.uuid), ['bob', 'bob']);
});
