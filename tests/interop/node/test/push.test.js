// Mobile Push through the official JavaScript SDK: registering devices (FCM
// and APNs2) on channels, listing, removing and deleting them; a publish
// carrying a payload the SDK's own notification builder made shows up in
// Pigdin's push outbox (admin endpoint and `pigdin push outbox`); and under
// Access Manager, changing a device's channels needs read on them.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { PubNub, startServer, pigdin, client, unique } = require('../support/pigdin');

const SECRET_KEY = 'sec-interop-push';

let server;
let guarded;
const clients = [];

before(async () => {
  [server, guarded] = await Promise.all([startServer(), startServer({ secretKey: SECRET_KEY })]);
});

after(async () => {
  for (const pubnub of clients) pubnub.destroy();
  await Promise.all([server?.stop(), guarded?.stop()]);
});

function newClient(on, userId, extra) {
  const pubnub = client(on, userId, extra);
  clients.push(pubnub);
  return pubnub;
}

/** The push outbox's entries (newest first) for `channel`, from the admin endpoint. */
async function outbox(channel) {
  const response = await fetch(`${server.origin}/admin/push/outbox?channel=${encodeURIComponent(channel)}`);
  assert.equal(response.status, 200);
  return (await response.json()).entries;
}

test('FCM devices: add, list, remove channels and delete the device', async () => {
  const pubnub = newClient(server, unique('fcm-user'));
  const device = unique('fcm-token');
  const [a, b, c] = [unique('a'), unique('b'), unique('c')];

  await pubnub.push.addChannels({ channels: [a, b, c], device, pushGateway: 'fcm' });
  const listed = await pubnub.push.listChannels({ device, pushGateway: 'fcm' });
  assert.deepEqual(listed.channels, [a, b, c].sort());
  // The legacy `gcm` gateway name reaches the same registrations.
  const legacy = await pubnub.push.listChannels({ device, pushGateway: 'gcm' });
  assert.deepEqual(legacy.channels, [a, b, c].sort());

  await pubnub.push.removeChannels({ channels: [b], device, pushGateway: 'fcm' });
  assert.deepEqual((await pubnub.push.listChannels({ device, pushGateway: 'fcm' })).channels, [a, c].sort());

  await pubnub.push.deleteDevice({ device, pushGateway: 'fcm' });
  assert.deepEqual((await pubnub.push.listChannels({ device, pushGateway: 'fcm' })).channels, []);
});

test('APNs2 devices are registered per topic and environment', async () => {
  const pubnub = newClient(server, unique('apns-user'));
  const device = unique('apns-token');
  const channel = unique('ios');
  const topic = 'com.example.pigdin';

  await pubnub.push.addChannels({ channels: [channel], device, pushGateway: 'apns2', topic, environment: 'production' });
  const prod = await pubnub.push.listChannels({ device, pushGateway: 'apns2', topic, environment: 'production' });
  assert.deepEqual(prod.channels, [channel]);
  // The SDK's default environment is development: another registration.
  const dev = await pubnub.push.listChannels({ device, pushGateway: 'apns2', topic });
  assert.deepEqual(dev.channels, []);

  await pubnub.push.removeChannels({ channels: [channel], device, pushGateway: 'apns2', topic, environment: 'production' });
  assert.deepEqual((await pubnub.push.listChannels({ device, pushGateway: 'apns2', topic, environment: 'production' })).channels, []);

  await pubnub.push.addChannels({ channels: [channel], device, pushGateway: 'apns2', topic });
  await pubnub.push.deleteDevice({ device, pushGateway: 'apns2', topic });
  assert.deepEqual((await pubnub.push.listChannels({ device, pushGateway: 'apns2', topic })).channels, []);
});

test('an unknown push gateway gets the server’s 400', async () => {
  const pubnub = newClient(server, unique('bad-user'));
  await assert.rejects(
    pubnub.push.addChannels({ channels: ['x'], device: 'tok', pushGateway: 'pigeon' }),
    (error) => {
      assert.equal(error.status?.statusCode, 400, JSON.stringify(error.status));
      assert.match(JSON.stringify(error.status?.errorData), /Invalid type argument/);
      return true;
    },
  );
});

test('a publish with the SDK’s notification payload lands in the push outbox', async () => {
  const pubnub = newClient(server, unique('publisher'));
  const channel = unique('alerts');
  const topic = 'com.example.pigdin';
  const fcmDevice = unique('fcm');
  const iosDevice = unique('ios');
  await pubnub.push.addChannels({ channels: [channel], device: fcmDevice, pushGateway: 'fcm' });
  await pubnub.push.addChannels({ channels: [channel], device: iosDevice, pushGateway: 'apns2', topic, environment: 'production' });

  const builder = PubNub.notificationPayload('Pigdin', 'You have a message');
  builder.apns.configurations = [{ targets: [{ topic, environment: 'production' }] }];
  const payload = builder.buildPayload(['apns2', 'fcm']);
  assert.ok(payload.pn_apns && payload.pn_fcm, JSON.stringify(payload));
  const { timetoken } = await pubnub.publish({ channel, message: { text: 'hello', ...payload } });

  const entries = await outbox(channel);
  assert.equal(entries.length, 2, JSON.stringify(entries));
  const fcm = entries.find((e) => e.push_type === 'fcm');
  const ios = entries.find((e) => e.push_type === 'apns2');
  assert.equal(fcm.token, fcmDevice);
  assert.deepEqual(fcm.payload, payload.pn_fcm);
  assert.equal(ios.token, iosDevice);
  assert.equal(ios.topic, topic);
  assert.equal(ios.environment, 'production');
  assert.deepEqual(ios.payload, payload.pn_apns);
  for (const entry of entries) {
    assert.equal(entry.channel, channel);
    assert.equal(entry.timetoken, String(timetoken));
  }

  // The same, through the CLI.
  const listed = JSON.parse(await pigdin(server, ['push', 'outbox', '--channel', channel, '--json']));
  assert.deepEqual(listed.entries, entries);
  const lines = await pigdin(server, ['push', 'outbox', '--channel', channel]);
  assert.match(lines, new RegExp(`${channel} fcm ${fcmDevice}`));
  assert.match(lines, new RegExp(`${channel} apns2 ${iosDevice} production/${topic.replace(/\./g, '\\.')}`));
});

test('under Access Manager, changing a device’s channels needs read on them', async () => {
  const admin = newClient(guarded, unique('server'), { secretKey: SECRET_KEY });
  const userId = unique('user');
  const room = unique('room');
  const other = unique('other');
  const token = await admin.grantToken({
    ttl: 15,
    authorized_uuid: userId,
    resources: { channels: { [room]: { read: true }, [other]: { write: true } } },
  });
  const pubnub = newClient(guarded, userId);
  pubnub.setToken(token);
  const device = unique('device');

  await pubnub.push.addChannels({ channels: [room], device, pushGateway: 'fcm' });
  await assert.rejects(
    pubnub.push.addChannels({ channels: [room, other], device, pushGateway: 'fcm' }),
    (error) => {
      assert.equal(error.status?.statusCode, 403, JSON.stringify(error.status));
      assert.deepEqual(error.status?.errorData?.payload?.channels, [other]);
      return true;
    },
  );
  await assert.rejects(pubnub.push.removeChannels({ channels: [other], device, pushGateway: 'fcm' }), (error) => error.status?.statusCode === 403);
  // Listing and deleting the device name no channel.
  assert.deepEqual((await pubnub.push.listChannels({ device, pushGateway: 'fcm' })).channels, [room]);
  // The server role may do anything.
  await admin.push.addChannels({ channels: [other], device, pushGateway: 'fcm' });
  assert.deepEqual((await pubnub.push.listChannels({ device, pushGateway: 'fcm' })).channels, [room, other].sort());
  await pubnub.push.deleteDevice({ device, pushGateway: 'fcm' });
  assert.deepEqual((await admin.push.listChannels({ device, pushGateway: 'fcm' })).channels, []);
});
