// Before Publish: every result form a published Function uses.
const kvstore = require('kvstore');

export default (request) => {
  const message = request.message;
  switch (message.mode) {
    case 'abort':
      return request.abort('no thanks');
    case 'throw':
      throw new Error('boom in before');
    case 'reject':
      return Promise.reject(new Error('rejected in before'));
    case 'undefined':
      message.touched = 'undefined';
      return undefined;
    case 'self':
      message.touched = 'self';
      return Promise.resolve(request);
    case 'replace':
      return request.ok({ replaced: true, was: message.mode });
    case 'async':
      return (async () => {
        const count = await kvstore.incrCounter('before-async');
        request.message = { ...message, count, publisher: request.publisher ?? null, channel: request.channels[0] };
        return request.ok();
      })();
    case 'meta': {
      const meta = JSON.parse(request.params.meta || '{}');
      meta.checked = true;
      request.params.meta = JSON.stringify(meta);
      return request.ok();
    }
    default:
      message.seen = true;
      return request.ok();
  }
};
