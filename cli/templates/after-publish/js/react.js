// After Publish on chat.*: counts each channel's messages in a KV counter
// and, every EVERY-th message, publishes a notice about it on
// notices.CHANNEL. An After handler runs once the message is delivered, so
// it cannot change or stop it.
const db = require('kvstore');
const pubnub = require('pubnub');

const EVERY = 5;

export default async (request) => {
  const channel = request.channels[0];
  const count = await db.incrCounter(`messages:${channel}`);
  if (count % EVERY === 0) {
    // notices.* is not chat.*, so this publish does not run this function again.
    await pubnub.publish({
      channel: `notices.${channel}`,
      message: {
        notice: `${count} messages on ${channel}`,
        channel,
        count,
        last: { message: request.message, publisher: request.publisher ?? null, timetoken: request.timetoken },
      },
    });
  }
  return request.ok();
};
