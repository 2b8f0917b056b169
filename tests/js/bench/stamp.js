// Adds a field and lets the message through: the trivial Before Publish.
export default (request) => {
  request.message.stamped = true;
  return request.ok();
};
