// App Context (users, channels, memberships, members), through the official
// JavaScript SDK.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, client, unique } = require('../support/pigdin');

let server;
let pubnub;

before(async () => {
  server = await startServer();
  pubnub = client(server, 'curator');
});

after(async () => {
  pubnub?.destroy();
  await server?.stop();
});

test('user metadata: set, get, remove, then 404 as the SDK reports it', async () => {
  const uuid = unique('user');
  const set = await pubnub.objects.setUUIDMetadata({
    uuid,
    data: { name: 'Ada', email: 'ada@example.com', custom: { team: 'core' } },
    include: { customFields: true },
  });
  assert.equal(set.status, 200);
  assert.equal(set.data.id, uuid);
  assert.equal(set.data.name, 'Ada');
  assert.deepEqual(set.data.custom, { team: 'core' });
  assert.ok(set.data.eTag, 'an eTag');
  assert.ok(!Number.isNaN(Date.parse(set.data.updated)), set.data.updated);

  const got = await pubnub.objects.getUUIDMetadata({ uuid, include: { customFields: true } });
  assert.equal(got.data.email, 'ada@example.com');
  assert.deepEqual(got.data.custom, { team: 'core' });

  const removed = await pubnub.objects.removeUUIDMetadata({ uuid });
  assert.equal(removed.data, null);

  await assert.rejects(pubnub.objects.getUUIDMetadata({ uuid }), (error) => {
    assert.equal(error.status?.statusCode, 404, JSON.stringify(error.status));
    assert.match(JSON.stringify(error.status?.errorData), /not found/i);
    return true;
  });
});

test('channel metadata, memberships and members', async () => {
  const [ada, bob] = [unique('ada'), unique('bob')];
  const [general, random] = [unique('general'), unique('random')];
  await pubnub.objects.setChannelMetadata({ channel: general, data: { name: 'General', description: 'all hands' } });
  await pubnub.objects.setChannelMetadata({ channel: random, data: { name: 'Random' } });
  const channel = await pubnub.objects.getChannelMetadata({ channel: general });
  assert.equal(channel.data.description, 'all hands');

  const memberships = await pubnub.objects.setMemberships({
    uuid: ada,
    channels: [{ id: general, custom: { role: 'admin' } }, random],
    include: { customFields: true, channelFields: true },
  });
  assert.equal(memberships.status, 200);
  assert.deepEqual(memberships.data.map((m) => m.channel.id).sort(), [general, random].sort());

  const listed = await pubnub.objects.getMemberships({
    uuid: ada,
    include: { customFields: true, channelFields: true, totalCount: true },
  });
  assert.equal(listed.totalCount, 2);
  const inGeneral = listed.data.find((m) => m.channel.id === general);
  assert.deepEqual(inGeneral.custom, { role: 'admin' });
  assert.equal(inGeneral.channel.name, 'General');

  await pubnub.objects.setChannelMembers({ channel: general, uuids: [bob] });
  const members = await pubnub.objects.getChannelMembers({
    channel: general,
    include: { totalCount: true },
  });
  assert.deepEqual(members.data.map((m) => m.uuid.id).sort(), [ada, bob].sort());
  assert.equal(members.totalCount, 2);

  await pubnub.objects.removeMemberships({ uuid: ada, channels: [random] });
  const after = await pubnub.objects.getMemberships({ uuid: ada });
  assert.deepEqual(after.data.map((m) => m.channel.id), [general]);
});

test('setting a membership or member again changes only what is sent', async () => {
  const [ada, room] = [unique('ada'), unique('room')];
  const include = { customFields: true, statusField: true, typeField: true };
  await pubnub.objects.setMemberships({
    uuid: ada,
    channels: [{ id: room, custom: { role: 'admin', muted: false }, status: 'active', type: 'owner' }],
    include,
  });
  const again = await pubnub.objects.setMemberships({ uuid: ada, channels: [{ id: room, custom: { role: 'guest' } }], include });
  const membership = again.data.find((m) => m.channel.id === room);
  assert.deepEqual(membership.custom, { role: 'guest' }, 'custom is replaced whole');
  assert.equal(membership.status, 'active');
  assert.equal(membership.type, 'owner');

  await pubnub.objects.setChannelMembers({ channel: room, uuids: [{ id: ada, status: 'away' }], include });
  const members = await pubnub.objects.getChannelMembers({ channel: room, include });
  const member = members.data.find((m) => m.uuid.id === ada);
  assert.equal(member.status, 'away');
  assert.equal(member.type, 'owner');
  assert.deepEqual(member.custom, { role: 'guest' });
});
