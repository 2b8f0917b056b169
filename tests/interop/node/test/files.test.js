// File Sharing through the official JavaScript SDK: sendFile (upload ticket,
// multipart upload, file message), the file event another subscriber sees,
// the file message in history, listFiles, downloadFile, getFileUrl and
// deleteFile.
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

test('a file is sent, seen live, in history, listed, downloaded and deleted', async () => {
  const channel = unique('files');
  const alice = newClient('alice');
  const bob = newClient('bob');
  const bobInbox = new Inbox(bob);
  bob.subscribe({ channels: [channel] });
  await bobInbox.connected();

  const content = 'the minutes of the meeting\n';
  const sent = await alice.sendFile({
    channel,
    message: { text: 'minutes attached' },
    file: { data: Buffer.from(content), name: 'minutes.txt', mimeType: 'text/plain' },
  });
  assert.equal(sent.name, 'minutes.txt');
  assert.match(String(sent.timetoken), /^\d{17}$/);
  assert.ok(sent.id);

  const seen = await bobInbox.next('file', (e) => e.channel === channel, 'the file event');
  assert.equal(seen.publisher, 'alice');
  assert.deepEqual(seen.message, { text: 'minutes attached' });
  assert.equal(seen.file.id, sent.id);
  assert.equal(seen.file.name, 'minutes.txt');
  const path = (url) => new URL(url).pathname;
  assert.equal(path(seen.file.url), path(bob.getFileUrl({ channel, id: sent.id, name: 'minutes.txt' })));

  const history = await bob.fetchMessages({ channels: [channel], includeMessageType: true });
  const [stored] = history.channels[channel];
  assert.equal(stored.messageType, 4);
  assert.equal(stored.message.file.id, sent.id);

  const listed = await bob.listFiles({ channel });
  assert.equal(listed.count, 1);
  assert.equal(listed.data[0].id, sent.id);
  assert.equal(listed.data[0].name, 'minutes.txt');
  assert.equal(listed.data[0].size, Buffer.byteLength(content));

  const file = await bob.downloadFile({ channel, id: sent.id, name: 'minutes.txt' });
  assert.equal((await file.toBuffer()).toString(), content);
  // The URL the event carried serves the same bytes to a plain HTTP client.
  const direct = await fetch(seen.file.url);
  assert.equal(direct.status, 200);
  assert.equal(await direct.text(), content);

  await alice.deleteFile({ channel, id: sent.id, name: 'minutes.txt' });
  assert.equal((await bob.listFiles({ channel })).count, 0);
  await assert.rejects(bob.downloadFile({ channel, id: sent.id, name: 'minutes.txt' }));
});
