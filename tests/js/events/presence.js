// After Presence: request.message is the presence event.
const db = require('kvstore');
export default async (request) => {
  const { action, uuid, occupancy } = request.message;
  await db.set(`presence:${uuid}`, { action, occupancy, channel: request.channels[0] });
  return request.ok();
};
