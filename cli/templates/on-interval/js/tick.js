// On Interval: a heartbeat. Every interval_secs (module.toml) it publishes a
// numbered tick on the `heartbeat` channel; the number is a KV counter, so it
// keeps counting across restarts and redeploys.
const db = require('kvstore');
const pubnub = require('pubnub');

export default async (event) => {
  const tick = await db.incrCounter('ticks');
  await pubnub.publish({
    channel: 'heartbeat',
    message: { from: '{{name}}', tick, at: new Date().toISOString() },
  });
  return event.ok();
};
