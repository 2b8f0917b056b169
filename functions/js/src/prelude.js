// The JavaScript side of Pigdin's JS engine: PubNub Functions' modules
// (`require('kvstore')`, `require('xhr')`, ...) and the request/response
// objects, mapped onto the host imports that `__native` (natives.rs) exposes.
// Evaluated once per instance, before the user's files.
//
// Host calls are synchronous underneath; each module method returns a Promise
// settled with the call's result, so `await` and `.then` chains behave as on
// hosted PubNub, and work started without being awaited still runs when the
// engine drains the job queue after the handler has settled.
(() => {
  'use strict';
  const native = globalThis.__native;
  delete globalThis.__native;

  /** Runs `f` now and returns a Promise of its result (or of its exception). */
  const settle = (f) => {
    try {
      return Promise.resolve(f());
    } catch (e) {
      return Promise.reject(e);
    }
  };
  const json = (value) => (value === undefined ? 'null' : JSON.stringify(value));
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

  // ---- console -------------------------------------------------------------
  const format = (args) =>
    args
      .map((a) => {
        if (typeof a === 'string') return a;
        if (a instanceof Error) return a.stack ? `${a}\n${a.stack}` : String(a);
        try {
          const text = JSON.stringify(a);
          return text === undefined ? String(a) : text;
        } catch (_) {
          return String(a);
        }
      })
      .join(' ');
  const logAt = (level) => (...args) => native.log(level, format(args));
  const console = {
    log: logAt('info'),
    info: logAt('info'),
    debug: logAt('debug'),
    warn: logAt('warn'),
    error: logAt('error'),
  };
  globalThis.console = console;

  // ---- kvstore -------------------------------------------------------------
  // TTLs are minutes: 1 day when omitted, clamped to [1 minute, 1 year] as hosted.
  const DAY_MINUTES = 24 * 60;
  const YEAR_MINUTES = 365 * DAY_MINUTES;
  const ttlMinutes = (ttl) => {
    if (ttl === undefined || ttl === null) return DAY_MINUTES;
    const minutes = Math.floor(Number(ttl));
    if (!Number.isFinite(minutes)) throw new TypeError(`kvstore: ttl must be a number of minutes, got ${ttl}`);
    return Math.min(Math.max(minutes, 1), YEAR_MINUTES);
  };
  const keyPage = (counters) => (paginationKey) =>
    settle(() => {
      const page = JSON.parse(native.kvKeys(paginationKey ?? null, counters));
      // An array (as most published code iterates it) that also answers the
      // `{keys, next}` shape PubNub's guides use: pass `result.next` back.
      const keys = page.keys.slice();
      Object.defineProperty(keys, 'keys', { value: page.keys.slice() });
      if (page.next) keys.next = page.next;
      return keys;
    });
  const kvstore = {
    get: (key) =>
      settle(() => {
        const text = native.kvGet(String(key));
        return text == null ? null : JSON.parse(text);
      }),
    set: (key, value, ttl) =>
      settle(() => {
        if (value === null || value === undefined) native.kvRemove(String(key));
        else native.kvSet(String(key), json(value), ttlMinutes(ttl));
      }),
    getItem: (key) => kvstore.get(key),
    setItem: (key, value, ttl) => kvstore.set(key, value, ttl),
    removeItem: (key) => settle(() => native.kvRemove(String(key))),
    incrCounter: (key, delta) => settle(() => native.kvIncr(String(key), delta === undefined ? 1 : Number(delta))),
    getCounter: (key) => settle(() => native.kvCounter(String(key))),
    getKeys: keyPage(false),
    getCounterKeys: keyPage(true),
  };

  // ---- xhr -----------------------------------------------------------------
  const STATUS_TEXT = {
    200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found',
    304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
    405: 'Method Not Allowed', 409: 'Conflict', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity',
    429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
    504: 'Gateway Timeout',
  };
  const xhr = {
    fetch: (url, options) =>
      settle(() => {
        const opts = options || {};
        const headers = {};
        for (const [k, v] of Object.entries(opts.headers || {})) headers[k] = String(v);
        let body = opts.body;
        if (body !== undefined && body !== null && typeof body !== 'string') {
          // A non-string body is sent as JSON, as published Functions rely on.
          body = JSON.stringify(body);
          if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
            headers['Content-Type'] = 'application/json';
          }
        }
        const answer = JSON.parse(
          native.xhrFetch(
            String(opts.method || 'GET').toUpperCase(),
            String(url),
            JSON.stringify(Object.entries(headers)),
            body === undefined || body === null ? null : body,
            opts.timeout === undefined ? null : Number(opts.timeout),
          ),
        );
        const responseHeaders = {};
        for (const [k, v] of answer.headers) {
          const name = k.toLowerCase();
          responseHeaders[name] = name in responseHeaders ? `${responseHeaders[name]}, ${v}` : v;
        }
        return {
          status: answer.status,
          statusText: STATUS_TEXT[answer.status] || '',
          ok: answer.status >= 200 && answer.status < 300,
          url: String(url),
          headers: responseHeaders,
          body: answer.body,
          text: () => Promise.resolve(answer.body),
          json: () => settle(() => JSON.parse(answer.body)),
        };
      }),
  };

  // ---- vault ---------------------------------------------------------------
  const vault = { get: (name) => settle(() => native.vaultGet(String(name))) };

  // ---- pubnub --------------------------------------------------------------
  const call = (method, ...args) => JSON.parse(native.pubnub(method, JSON.stringify(args)));
  const sent = (timetoken) => {
    // v1 Functions resolve [1, "Sent", "<timetoken>"]; the JS SDK resolves {timetoken}.
    const answer = [1, 'Sent', timetoken];
    answer.timetoken = timetoken;
    return answer;
  };
  const publishOptions = (o, publisher) => {
    if (!isObject(o) || typeof o.channel !== 'string') throw new TypeError('publish needs {channel, message}');
    return {
      channel: o.channel,
      message: json(o.message),
      meta: o.meta === undefined ? null : json(o.meta),
      publisher: publisher ?? null,
      store: o.storeInHistory === undefined ? null : Boolean(o.storeInHistory),
      ttl: o.ttl === undefined || o.ttl === null ? null : Number(o.ttl),
    };
  };
  const objectResult = (data) => ({ status: 200, data });
  const notFound = (what) => {
    const error = new Error(JSON.stringify({ status: 404, error: { message: `${what} not found` } }));
    error.status = 404;
    throw error;
  };
  const idsOf = (list) =>
    (list || []).map((entry) => (typeof entry === 'string' ? { id: entry } : { id: entry.id, custom: entry.custom, status: entry.status, type: entry.type }));
  // PubNub's permission bits (the grant-token REST body).
  const PERMISSION_BITS = { read: 1, write: 2, manage: 4, delete: 8, create: 16, get: 32, update: 64, join: 128 };
  const permissionMask = (permissions) =>
    Object.entries(permissions || {}).reduce((mask, [name, on]) => (on ? mask | (PERMISSION_BITS[name] || 0) : mask), 0);
  const resourceMasks = (resources) => {
    const out = { channels: {}, groups: {}, uuids: {} };
    for (const [kind, entries] of Object.entries(resources || {})) {
      const target = kind === 'channelGroups' ? 'groups' : kind;
      if (!out[target]) continue;
      for (const [name, permissions] of Object.entries(entries || {})) out[target][name] = permissionMask(permissions);
    }
    return out;
  };

  const makePubNub = (publisher) => ({
    publish: (o) => settle(() => sent(native.publish('publish', JSON.stringify(publishOptions(o, publisher))))),
    fire: (o) => settle(() => sent(native.publish('fire', JSON.stringify(publishOptions(o, publisher))))),
    signal: (o) =>
      settle(() => {
        if (!isObject(o) || typeof o.channel !== 'string') throw new TypeError('signal needs {channel, message}');
        return sent(native.signal(o.channel, json(o.message), publisher ?? null));
      }),
    time: () => settle(() => Number(native.time())),
    hereNow: (o) =>
      settle(() => {
        const channels = (o && o.channels) || [];
        const answer = { totalChannels: 0, totalOccupancy: 0, channels: {} };
        for (const name of channels) {
          const present = call('hereNow', name);
          const occupants = (o && o.includeUUIDs === false) ? [] : present.map((p) => (o && o.includeState ? { uuid: p.uuid, state: p.state } : { uuid: p.uuid }));
          answer.channels[name] = { name, occupancy: present.length, occupants };
          answer.totalChannels += 1;
          answer.totalOccupancy += present.length;
        }
        return answer;
      }),
    whereNow: (o) => settle(() => ({ channels: call('whereNow', (o && o.uuid) || publisher || '') })),
    history: (o) =>
      settle(() => {
        const entries = call('history', o.channel, Math.min(o.count || 100, 100));
        return {
          messages: entries.map((e) => ({ entry: e.message, timetoken: e.timetoken, meta: e.meta })),
          startTimeToken: entries.length ? entries[0].timetoken : 0,
          endTimeToken: entries.length ? entries[entries.length - 1].timetoken : 0,
        };
      }),
    fetchMessages: (o) =>
      settle(() => {
        const channels = {};
        for (const channel of o.channels || []) {
          const entries = call('history', channel, Math.min(o.count || 100, 100));
          channels[channel] = entries.map((e) => ({ channel, message: e.message, timetoken: e.timetoken, meta: e.meta, uuid: e.uuid }));
        }
        return { channels };
      }),
    grantToken: (o) =>
      settle(() =>
        call('grantToken', {
          ttl: o.ttl,
          permissions: {
            resources: resourceMasks(o.resources),
            patterns: resourceMasks(o.patterns),
            meta: o.meta || {},
            uuid: o.authorized_uuid ?? o.authorizedUUID ?? o.authorizedUserId,
          },
        }),
      ),
    // Message actions, answered as the JS SDK answers them.
    addMessageAction: (o) =>
      settle(() => {
        const action = (o && o.action) || {};
        const args = [o.channel, String(o.messageTimetoken), action.type, action.value, publisher ?? null];
        return { data: call('addMessageAction', ...args) };
      }),
    removeMessageAction: (o) =>
      settle(() => {
        call('removeMessageAction', o.channel, String(o.messageTimetoken), String(o.actionTimetoken), publisher ?? null);
        return { data: {} };
      }),
    getMessageActions: (o) =>
      settle(() => {
        const limit = Math.min((o && o.limit) || 100, 100);
        const text = (tt) => (tt === undefined || tt === null ? null : String(tt));
        const page = call('getMessageActions', o.channel, text(o.start), text(o.end), limit);
        const data = page.actions;
        const answer = { data, start: data.length ? data[0].actionTimetoken : null, end: data.length ? data[data.length - 1].actionTimetoken : null };
        if (page.more) answer.more = { start: answer.start, end: text(o.end), limit };
        return answer;
      }),
    parseToken: (token) => JSON.parse(native.parseToken(String(token))),
    revokeToken: (token) => settle(() => call('revokeToken', String(token))),
    objects: {
      getUUIDMetadata: (o) => settle(() => objectResult(call('getUuidMetadata', (o && o.uuid) || publisher) ?? notFound('uuid'))),
      setUUIDMetadata: (o) => settle(() => objectResult(call('setUuidMetadata', o.uuid || publisher, o.data || {}))),
      removeUUIDMetadata: (o) => settle(() => (call('removeUuidMetadata', (o && o.uuid) || publisher), objectResult({}))),
      getChannelMetadata: (o) => settle(() => objectResult(call('getChannelMetadata', o.channel) ?? notFound('channel'))),
      setChannelMetadata: (o) => settle(() => objectResult(call('setChannelMetadata', o.channel, o.data || {}))),
      removeChannelMetadata: (o) => settle(() => (call('removeChannelMetadata', o.channel), objectResult({}))),
      getMemberships: (o) => settle(() => objectResult(call('getMemberships', (o && o.uuid) || publisher))),
      setMemberships: (o) => settle(() => objectResult(call('setMemberships', o.uuid || publisher, idsOf(o.channels)))),
      removeMemberships: (o) =>
        settle(() => objectResult(call('removeMemberships', o.uuid || publisher, (o.channels || []).map((c) => (typeof c === 'string' ? c : c.id))))),
      getChannelMembers: (o) => settle(() => objectResult(call('getChannelMembers', o.channel))),
      setChannelMembers: (o) =>
        settle(() => {
          for (const member of idsOf(o.uuids)) call('setMemberships', member.id, [{ id: o.channel, custom: member.custom, status: member.status, type: member.type }]);
          return objectResult(call('getChannelMembers', o.channel));
        }),
      removeChannelMembers: (o) =>
        settle(() => {
          for (const member of idsOf(o.uuids)) call('removeMemberships', member.id, [o.channel]);
          return objectResult(call('getChannelMembers', o.channel));
        }),
    },
  });
  // `require('pubnub')` is the module and, as in v1 Functions, the SDK's
  // constructor: `new PubNub({uuid})` publishes as that uuid.
  function PubNub(config) {
    if (!(this instanceof PubNub)) return new PubNub(config);
    const uuid = config && (config.uuid ?? config.userId);
    Object.assign(this, makePubNub(uuid));
  }
  Object.assign(PubNub, makePubNub(undefined));

  // ---- crypto --------------------------------------------------------------
  const toUrlSafe = (b64) => b64.replace(/\+/g, '-').replace(/\//g, '_');
  const ALGORITHM = {
    HMAC_SHA1: 'sha1', HMAC_SHA256: 'sha256', HMAC_SHA512: 'sha512',
    ECDSA_P256_SHA1: { scheme: 'ec', curve: 'p256', hash: 'sha1' },
    ECDSA_P256_SHA256: { scheme: 'ec', curve: 'p256', hash: 'sha256' },
    ECDSA_P256_SHA512: { scheme: 'ec', curve: 'p256', hash: 'sha512' },
    ECDSA_SHA256: { scheme: 'ec', curve: 'p256', hash: 'sha256' },
    ED25519: { scheme: 'eddsa', curve: 'ed25519' },
  };
  const hashName = (algorithm) => {
    if (typeof algorithm === 'string' && ['sha1', 'sha256', 'sha512'].includes(algorithm)) return algorithm;
    throw new TypeError(`crypto: unsupported algorithm ${JSON.stringify(algorithm)}; use crypto.ALGORITHM.HMAC_SHA1, HMAC_SHA256 or HMAC_SHA512`);
  };
  const unsupported = (name) => () => Promise.reject(new Error(`crypto.${name} is not supported by Pigdin; only sha1/sha256/sha512 and hmac are`));
  const crypto = {
    ALGORITHM,
    sha1: (message) => settle(() => native.digest('sha1', String(message))),
    sha256: (message) => settle(() => native.digest('sha256', String(message))),
    sha512: (message) => settle(() => native.digest('sha512', String(message))),
    // The key is Base64 (as the docs' example passes `base64.btoa(secret)`); the signature is URL-safe Base64.
    hmac: (key, message, algorithm) =>
      settle(() => toUrlSafe(native.hmac(hashName(algorithm ?? 'sha256'), String(key), true, String(message)))),
    sign: unsupported('sign'),
    verify: unsupported('verify'),
  };

  // ---- codec/* -------------------------------------------------------------
  const base64 = {
    btoa: (s) => native.base64Encode(String(s), false),
    atob: (s) => native.base64Decode(String(s)),
    encodeString: (s) => native.base64Encode(String(s), true),
    decodeString: (s) => native.base64Decode(String(s)),
  };
  globalThis.btoa = globalThis.btoa || base64.btoa;
  globalThis.atob = globalThis.atob || base64.atob;
  const decode = (s) => decodeURIComponent(s.replace(/\+/g, ' '));
  const query_string = {
    parse: (qs, defaults) => {
      const out = {};
      for (const part of String(qs || '').replace(/^\?/, '').split('&')) {
        if (!part) continue;
        const at = part.indexOf('=');
        const key = decode(at < 0 ? part : part.slice(0, at));
        const value = at < 0 ? '' : decode(part.slice(at + 1));
        out[key] = value === '' && defaults && key in defaults ? defaults[key] : value;
      }
      for (const [key, value] of Object.entries(defaults || {})) if (!(key in out)) out[key] = value;
      return out;
    },
    stringify: (obj) =>
      Object.entries(obj || {})
        .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v === null || v === undefined ? '' : v)}`)
        .join('&'),
  };
  const auth = { basic: (username, password) => `Basic ${base64.btoa(`${username}:${password}`)}` };

  // ---- uuid ----------------------------------------------------------------
  const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
  const uuid = {
    v4: () => native.uuid(4, null, null),
    v3: (name, namespace) => native.uuid(3, String(name), String(namespace)),
    v5: (name, namespace) => native.uuid(5, String(name), String(namespace)),
    validate: (s) => typeof s === 'string' && (UUID_PATTERN.test(s) || s === '00000000-0000-0000-0000-000000000000'),
    version: (s) => {
      if (!uuid.validate(s)) throw new TypeError('Invalid UUID');
      return parseInt(s.charAt(14), 16);
    },
    NIL: '00000000-0000-0000-0000-000000000000',
  };
  uuid.v3.DNS = uuid.v5.DNS = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
  uuid.v3.URL = uuid.v5.URL = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

  // ---- jwt (HMAC algorithms: HS256, HS384, HS512) --------------------------
  const b64url = (s) => native.base64Encode(s, true).replace(/=+$/, '');
  const unb64url = (s) => native.base64Decode(s);
  const JWT_HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };
  const jwtHash = (alg) => {
    const hash = JWT_HASH[alg];
    if (!hash) throw new Error(`jwt: algorithm ${alg} is not supported by Pigdin; use HS256, HS384 or HS512`);
    return hash;
  };
  const DURATION = /^(-?\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w|y)?$/;
  const SECONDS = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31557600 };
  const seconds = (span) => {
    if (typeof span === 'number') return span;
    const m = DURATION.exec(String(span));
    if (!m) throw new TypeError(`jwt: cannot read the time span ${JSON.stringify(span)}`);
    return Math.floor(Number(m[1]) * SECONDS[m[2] || 's']);
  };
  const jwtDecode = (token, options) => {
    const parts = String(token).split('.');
    if (parts.length !== 3) return null;
    try {
      const header = JSON.parse(unb64url(parts[0]));
      const payload = JSON.parse(unb64url(parts[1]));
      return options && options.complete ? { header, payload, signature: parts[2] } : payload;
    } catch (_) {
      return null;
    }
  };
  const jwtError = (name, message) => {
    const error = new Error(message);
    error.name = name;
    return error;
  };
  const jwt = {
    sign: (payload, secret, options) => {
      const opts = options || {};
      const alg = opts.algorithm || 'HS256';
      const now = Math.floor(Date.now() / 1000);
      const claims = typeof payload === 'object' ? Object.assign({}, payload) : payload;
      if (typeof claims === 'object') {
        if (!opts.noTimestamp && claims.iat === undefined) claims.iat = now;
        if (opts.expiresIn !== undefined) claims.exp = (claims.iat ?? now) + seconds(opts.expiresIn);
        if (opts.notBefore !== undefined) claims.nbf = (claims.iat ?? now) + seconds(opts.notBefore);
        for (const [option, claim] of [['audience', 'aud'], ['issuer', 'iss'], ['subject', 'sub'], ['jwtid', 'jti']]) {
          if (opts[option] !== undefined) claims[claim] = opts[option];
        }
      }
      const header = Object.assign({ alg, typ: 'JWT' }, opts.header || {});
      const input = `${b64url(JSON.stringify(header))}.${b64url(typeof claims === 'string' ? claims : JSON.stringify(claims))}`;
      const signature = toUrlSafe(native.hmac(jwtHash(alg), String(secret), false, input)).replace(/=+$/, '');
      return `${input}.${signature}`;
    },
    decode: jwtDecode,
    verify: (token, secret, options, callback) => {
      if (typeof options === 'function') [callback, options] = [options, {}];
      const opts = options || {};
      try {
        const decoded = jwtDecode(token, { complete: true });
        if (!decoded) throw jwtError('JsonWebTokenError', 'jwt malformed');
        const alg = decoded.header.alg;
        if (opts.algorithms && !opts.algorithms.includes(alg)) throw jwtError('JsonWebTokenError', 'invalid algorithm');
        const [head, body, signature] = String(token).split('.');
        const expected = toUrlSafe(native.hmac(jwtHash(alg), String(secret), false, `${head}.${body}`)).replace(/=+$/, '');
        if (expected !== signature) throw jwtError('JsonWebTokenError', 'invalid signature');
        const now = Math.floor(Date.now() / 1000);
        const claims = decoded.payload;
        if (!opts.ignoreExpiration && typeof claims.exp === 'number' && now >= claims.exp) {
          const error = jwtError('TokenExpiredError', 'jwt expired');
          error.expiredAt = new Date(claims.exp * 1000);
          throw error;
        }
        if (typeof claims.nbf === 'number' && now < claims.nbf) throw jwtError('NotBeforeError', 'jwt not active');
        if (opts.audience !== undefined && claims.aud !== opts.audience) throw jwtError('JsonWebTokenError', `jwt audience invalid. expected: ${opts.audience}`);
        if (opts.issuer !== undefined && claims.iss !== opts.issuer) throw jwtError('JsonWebTokenError', `jwt issuer invalid. expected: ${opts.issuer}`);
        const result = opts.complete ? decoded : claims;
        return callback ? callback(null, result) : result;
      } catch (error) {
        if (callback) return callback(error);
        throw error;
      }
    },
  };

  // ---- utils, advanced_math --------------------------------------------------
  const utils = {
    // An integer in [min, max), as documented.
    randomInt: (min, max) => Math.floor(Math.random() * (Math.floor(max) - Math.ceil(min))) + Math.ceil(min),
    isNumeric: (value) => !isNaN(parseInt(value, 10)),
  };
  const deg2rad = (deg) => deg * (Math.PI / 180);
  const advanced_math = {
    deg2rad,
    // Great-circle distance in miles (haversine, Earth radius 3959 mi).
    getDistance: (lat1, lon1, lat2, lon2) => {
      const dLat = deg2rad(lat2 - lat1);
      const dLon = deg2rad(lon2 - lon1);
      const a = Math.sin(dLat / 2) ** 2 + Math.cos(deg2rad(lat1)) * Math.cos(deg2rad(lat2)) * Math.sin(dLon / 2) ** 2;
      return 3959 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
    },
  };

  // ---- require ---------------------------------------------------------------
  const modules = {
    kvstore, xhr, pubnub: PubNub, vault, console, crypto,
    'codec/base64': base64, 'codec/query_string': query_string, 'codec/auth': auth,
    uuid, jwt, utils, advanced_math,
  };
  const moduleNames = Object.keys(modules).join(', ');
  globalThis.require = (name) => {
    if (Object.prototype.hasOwnProperty.call(modules, name)) return modules[name];
    throw new Error(`require(${JSON.stringify(name)}): there is no such module; the modules are ${moduleNames}`);
  };

  // ---- timers: run after the job queue drains, in due order ------------------
  let timers = [];
  let nextTimer = 1;
  globalThis.setTimeout = (callback, ms, ...args) => {
    const id = nextTimer++;
    timers.push({ id, due: Date.now() + Math.max(0, Number(ms) || 0), callback, args });
    return id;
  };
  globalThis.clearTimeout = (id) => {
    timers = timers.filter((t) => t.id !== id);
  };

  // ---- events ----------------------------------------------------------------
  const handlers = {};
  const describeError = (e) => {
    if (e instanceof Error) return { message: `${e.name}: ${e.message}`, stack: e.stack || '' };
    let text;
    try {
      text = typeof e === 'string' ? e : JSON.stringify(e);
    } catch (_) {
      text = String(e);
    }
    return { message: `uncaught ${text}`, stack: '' };
  };
  const reasonText = (reason, fallback) => {
    if (reason === undefined || reason === null) return fallback;
    return typeof reason === 'string' ? reason : JSON.stringify(reason);
  };

  /** The request object of Before/After Publish, Fire, Signal and After Presence. */
  const publishRequest = (input) => {
    const params = input.params;
    if (input.meta !== null && params.meta === undefined) params.meta = JSON.stringify(input.meta);
    const verdict = { outcome: null };
    const request = {
      message: input.message,
      channels: [input.channel],
      params,
      meta: { clientip: '127.0.0.1', origin: input.origin, useragent: params.pnsdk || '' },
      verb: input.verb,
      publisher: input.publisher ?? undefined,
      uri: `/${input.verb}/${input.publishKey}/${input.subscribeKey}/0/${encodeURIComponent(input.channel)}/0`,
      pubkey: input.publishKey,
      subkey: input.subscribeKey,
      version: '2.0',
      callback: '0',
      timetoken: input.timetoken ?? undefined,
      ok: (message) => {
        verdict.outcome = { ok: true, message };
        return (verdict.promise = Promise.resolve(request));
      },
      abort: (message) => {
        verdict.outcome = { ok: false, message };
        return (verdict.promise = Promise.resolve(request));
      },
    };
    return { request, verdict, originalMeta: params.meta };
  };

  const finishPublish = ({ request, verdict, originalMeta }) => {
    const outcome = verdict.outcome || { ok: true };
    if (!outcome.ok) return { abort: reasonText(outcome.message, 'aborted by the function') };
    const message = outcome.message !== undefined ? outcome.message : request.message;
    // A handler may change the publish's meta through `request.params.meta` (a JSON string, as it arrives).
    let meta = null;
    const current = request.params && request.params.meta;
    if (current !== undefined) meta = typeof current === 'string' ? current : JSON.stringify(current);
    return { ok: { message: json(message), meta: meta === originalMeta || meta === null ? (originalMeta ?? null) : meta } };
  };

  const httpParts = (input) => {
    const { headers, params } = input;
    const query = input.hasQuery ? `?${query_string.stringify(params)}` : '';
    const request = {
      method: input.method,
      headers,
      params,
      query: params,
      path: `/${input.path}`,
      uri: `/v1/blocks/sub-key/${input.subscribeKey}/${input.path}${query}`,
      body: input.body,
      message: input.body,
      json: () => settle(() => JSON.parse(input.body)),
    };
    const reply = { sent: null };
    const response = {
      status: 200,
      headers: {},
      send: (body, status) => {
        if (status !== undefined) response.status = status;
        reply.sent = { status: response.status, body };
        return (reply.promise = Promise.resolve({ body, status: response.status }));
      },
    };
    return { request, response, reply };
  };

  /** The response as the Rust side reads it: `headers` an object whose values it turns to strings. */
  const finishHttp = ({ response, reply }) => {
    const answer = reply.sent || { status: response.status, body: undefined };
    let headers = response.headers || {};
    let body = answer.body;
    if (body === undefined || body === null) body = '';
    else if (typeof body !== 'string') {
      body = JSON.stringify(body);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
        headers = { ...headers, 'Content-Type': 'application/json' };
      }
    }
    const status = Number(answer.status) || 200;
    return { response: { status, headers, body } };
  };

  const intervalEvent = () => {
    const verdict = { outcome: null };
    const event = {
      ok: () => {
        verdict.outcome = { ok: true };
        return (verdict.promise = Promise.resolve(event));
      },
      abort: (message) => {
        verdict.outcome = { ok: false, message };
        return (verdict.promise = Promise.resolve(event));
      },
    };
    return { event, verdict };
  };

  /** The outcome of a settled handler, as `invoke` resolves it. */
  const outcomeOf = (kind, parts) => {
    if (kind === 'request') return finishHttp(parts);
    if (kind === 'interval') {
      const outcome = parts.verdict.outcome || { ok: true };
      return outcome.ok ? { ok: null } : { abort: reasonText(outcome.message, 'aborted by the function') };
    }
    const done = finishPublish(parts);
    return kind === 'after' && done.ok ? { ok: null } : done;
  };

  // The result methods close over the object they belong to: a cycle that
  // only QuickJS's cycle collector frees, and a collection walks the whole
  // heap, the JS layer included. Once the outcome is taken, the methods are
  // swapped for one that closes over nothing, so reference counting frees the
  // event's objects at once (a late call, from work the handler left running,
  // changes nothing, as before).
  const late = () => Promise.resolve();
  const retire = ({ request, response, event }) => {
    if (request) request.ok = request.abort = late;
    if (response) response.send = late;
    if (event) event.ok = event.abort = late;
  };

  globalThis.__pigdin = {
    /** Records a file's default export as the handler of that file. */
    register: (file, handler) => {
      if (typeof handler !== 'function') {
        throw new TypeError(`${file} has no \`export default\` handler function (found ${typeof handler})`);
      }
      handlers[file] = handler;
    },
    /**
     * Runs one event. `kind` is before | after | request | interval; `input`
     * the object the Rust side built (event_values.rs). Answers the outcome,
     * an object with one of ok, abort, response or failed: at once when the
     * handler returned a plain value or the settled promise of its own
     * ok/abort/send (the common case, which then costs no promise job), else
     * a promise of it, taken when the handler's promise settles. A plain
     * `.then` rather than an async function: it saves a promise and a job.
     */
    invoke: (file, kind, input) => {
      const handler = handlers[file];
      let parts;
      const failed = (e) => {
        if (parts) retire(parts);
        return { failed: describeError(e) };
      };
      const finished = () => {
        try {
          return outcomeOf(kind, parts);
        } catch (e) {
          return failed(e);
        } finally {
          retire(parts);
        }
      };
      try {
        let result;
        if (kind === 'request') {
          parts = httpParts(input);
          result = handler(parts.request, parts.response);
        } else if (kind === 'interval') {
          parts = intervalEvent();
          result = handler(parts.event);
        } else {
          parts = publishRequest(input);
          result = handler(parts.request);
        }
        const own = (parts.verdict || parts.reply).promise;
        if (result === own || result === undefined || result === null || typeof result.then !== 'function') {
          return finished();
        }
        return Promise.resolve(result).then(finished, failed);
      } catch (e) {
        return failed(e);
      }
    },
    /** Pops the next due timer (or null when none is left): the Rust side sleeps until `due`. */
    nextTimer: () => {
      if (!timers.length) return null;
      timers.sort((a, b) => a.due - b.due || a.id - b.id);
      return timers[0].due;
    },
    runTimer: () => {
      const timer = timers.shift();
      if (timer) timer.callback(...timer.args);
    },
  };
})();
