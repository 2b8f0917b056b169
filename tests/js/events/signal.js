export default async (request) => {
  request.message = { signal: request.message, verb: request.verb };
  return request.ok();
};
