// History v2 and v3, message counts and delete, through the official
// JavaScript SDK.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, client, unique } = require('../support/pigdin');

let server;
let pubnub;

before(async () => {
  server = await startServer();
  pubnub = client(server, 'historian');
});

after(async () => {
  pubnub?.destroy();
  await server?.stop();
});

/** Publishes `count` messages `{ n: i }` with meta `{ i }`; their timetokens. */
async function publishNumbered(channel, count, extra = {}) {
  const timetokens = [];
  for (let i = 0; i < count; i += 1) {
    const reply = await pubnub.publish({ channel, message: { n: i }, meta: { i }, ...extra });
    timetokens.push(String(reply.timetoken));
  }
  return timetokens;
}

test('history (v2) returns stored messages with timetokens and meta, oldest first', async () => {
  const channel = unique('hist2');
  const timetokens = await publishNumbered(channel, 3);
  await pubnub.publish({ channel, message: 'not stored', storeInHistory: false });

  const all = await pubnub.history({ channel, includeMeta: true, stringifiedTimeToken: true });
  assert.deepEqual(
    all.messages.map((m) => [m.entry, String(m.timetoken), m.meta]),
    [0, 1, 2].map((i) => [{ n: i }, timetokens[i], { i }]),
  );
  assert.equal(String(all.startTimeToken), timetokens[0]);
  assert.equal(String(all.endTimeToken), timetokens[2]);

  const latest = await pubnub.history({ channel, count: 2 });
  assert.deepEqual(latest.messages.map((m) => m.entry), [{ n: 1 }, { n: 2 }]);
});

test('fetchMessages (v3) returns several channels with meta, uuid and message type', async () => {
  const [a, b] = [unique('hist3-a'), unique('hist3-b')];
  const aTimetokens = await publishNumbered(a, 2, { customMessageType: 'chat-text' });
  await pubnub.publish({ channel: b, message: 'on b' });

  const reply = await pubnub.fetchMessages({
    channels: [a, b],
    includeMeta: true,
    includeUuid: true,
    includeMessageType: true,
    includeCustomMessageType: true,
  });
  assert.deepEqual(Object.keys(reply.channels).sort(), [a, b].sort());
  const onA = reply.channels[a];
  assert.deepEqual(onA.map((m) => m.message), [{ n: 0 }, { n: 1 }]);
  assert.deepEqual(onA.map((m) => String(m.timetoken)), aTimetokens);
  for (const [i, m] of onA.entries()) {
    assert.equal(m.uuid, 'historian');
    assert.deepEqual(m.meta, { i });
    assert.equal(m.messageType, -1, 'a published message has the regular message type');
    assert.equal(m.customMessageType, 'chat-text');
  }
  assert.deepEqual(reply.channels[b].map((m) => m.message), ['on b']);

  // Paging: `start` is exclusive, so starting at the second message yields the first.
  const page = await pubnub.fetchMessages({ channels: [a], start: aTimetokens[1], count: 1 });
  assert.deepEqual(page.channels[a].map((m) => m.message), [{ n: 0 }]);
});

test('messageCounts counts messages after a timetoken', async () => {
  const [a, b] = [unique('count-a'), unique('count-b')];
  const aTimetokens = await publishNumbered(a, 3);
  const bTimetokens = await publishNumbered(b, 1);
  const single = await pubnub.messageCounts({ channels: [a, b], channelTimetokens: [aTimetokens[0]] });
  assert.deepEqual(single.channels, { [a]: 2, [b]: 1 });
  const each = await pubnub.messageCounts({
    channels: [a, b],
    channelTimetokens: [aTimetokens[1], bTimetokens[0]],
  });
  assert.deepEqual(each.channels, { [a]: 1, [b]: 0 });
});

test('deleteMessages removes a range, then the whole channel', async () => {
  const channel = unique('delete');
  const timetokens = await publishNumbered(channel, 3);
  // PubNub deletes `start` exclusive .. `end` inclusive: this removes message 1 only.
  await pubnub.deleteMessages({ channel, start: timetokens[0], end: timetokens[1] });
  let left = await pubnub.fetchMessages({ channels: [channel] });
  assert.deepEqual(left.channels[channel].map((m) => m.message), [{ n: 0 }, { n: 2 }]);

  await pubnub.deleteMessages({ channel });
  left = await pubnub.fetchMessages({ channels: [channel] });
  assert.deepEqual(left.channels[channel] ?? [], []);
});
