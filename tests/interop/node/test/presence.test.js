// here_now, where_now and presence state, through the official JavaScript SDK.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, client, unique, Inbox, eventually } = require('../support/pigdin');

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

test('here_now and where_now see a subscriber; state is set and read back', async () => {
  const [lobby, kitchen] = [unique('lobby'), unique('kitchen')];
  const userId = unique('present');
  const present = newClient(userId);
  const inbox = new Inbox(present);
  present.subscribe({ channels: [lobby, kitchen] });
  await inbox.connected();

  const observer = newClient(unique('observer'));
  const here = await eventually('the subscriber in here_now', async () => {
    const reply = await observer.hereNow({ channels: [lobby] });
    return reply.totalOccupancy === 1 ? reply : undefined;
  });
  assert.deepEqual(here.channels[lobby].occupants.map((o) => o.uuid), [userId]);
  assert.equal(here.channels[lobby].occupancy, 1);

  const both = await observer.hereNow({ channels: [lobby, kitchen] });
  assert.equal(both.totalChannels, 2);
  assert.equal(both.totalOccupancy, 2);

  const where = await observer.whereNow({ uuid: userId });
  assert.deepEqual([...where.channels].sort(), [lobby, kitchen].sort());

  const set = await present.setState({ channels: [lobby], state: { mood: 'curious' } });
  assert.deepEqual(set.state, { mood: 'curious' });
  const got = await observer.getState({ uuid: userId, channels: [lobby] });
  assert.deepEqual(got.channels[lobby], { mood: 'curious' });

  const withState = await observer.hereNow({ channels: [lobby], includeState: true });
  assert.deepEqual(withState.channels[lobby].occupants, [{ uuid: userId, state: { mood: 'curious' } }]);
});

test('a subscriber with presence receives its own join', async () => {
  const room = unique('own-join');
  const userId = unique('joiner');
  const joiner = newClient(userId);
  const inbox = new Inbox(joiner);
  joiner.subscribe({ channels: [room], withPresence: true });
  const join = await inbox.next('presence', (e) => e.action === 'join' && e.uuid === userId, 'its own join');
  assert.equal(join.channel, room);
  assert.equal(join.occupancy, 1);
});
