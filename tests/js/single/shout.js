// One file, deployed with `pigdin deploy shout.js --name shout --event before-publish --channel loud.*`.
export default async (request) => {
  request.message.text = String(request.message.text).toUpperCase();
  return request.ok();
};
