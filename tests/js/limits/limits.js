const db = require('kvstore');
const pubnub = require('pubnub');
const xhr = require('xhr');

const work = {
  ok: async () => 'fine',
  spin: async () => {
    for (;;) {}
  },
  hog: async () => {
    const hoard = [];
    for (;;) hoard.push(new Array(100000).fill(hoard.length));
  },
  kv: async () => {
    for (let i = 0; i < 10; i++) await db.set(`k${i}`, i);
    return 'unreachable';
  },
  publish: async () => {
    for (let i = 0; i < 10; i++) await pubnub.publish({ channel: 'limits.out', message: { i } });
    return 'unreachable';
  },
  xhr: async (request) => {
    for (let i = 0; i < 10; i++) await xhr.fetch(request.params.url);
    return 'unreachable';
  },
  recurse: async () => {
    const deep = (n) => deep(n + 1) + 1;
    return `depth ${deep(0)}`;
  },
  deep: async (request) => {
    const deep = (n) => (n === 0 ? 0 : deep(n - 1) + 1);
    return `depth ${deep(Number(request.params.n))}`;
  },
};

export default async (request, response) => {
  const name = request.path.split('/')[2];
  return response.send(await work[name](request));
};
