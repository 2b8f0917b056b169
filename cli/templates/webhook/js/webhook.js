// On Request: a webhook receiver. The sender signs the raw request body with
// HMAC-SHA256 under a secret it shares with this module and sends the
// signature, Base64, in the X-Signature header. A request without a valid
// signature answers 401; a signed one is published on webhooks.{{name}},
// where your app subscribes.
const vault = require('vault');
const crypto = require('crypto');
const base64 = require('codec/base64');
const pubnub = require('pubnub');

// Set it with: pigdin vault set {{name}} webhook-secret
const SECRET_NAME = 'webhook-secret';

// Standard or URL-safe Base64, padded or not, as one form.
const canonical = (b64) => b64.trim().replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

// Compares without stopping at the first difference, so timing tells nothing.
const same = (a, b) => {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
};

// Sets the status, then sends: send() with one argument, as every version of hosted Functions takes it.
const reply = (response, status, body) => {
  response.status = status;
  return response.send(body);
};

export default async (request, response) => {
  if (request.method !== 'POST') {
    return reply(response, 405, { error: 'POST the event, signed in X-Signature' });
  }
  let secret;
  try {
    secret = await vault.get(SECRET_NAME);
  } catch (e) {
    console.error(`no secret yet: run pigdin vault set {{name}} ${SECRET_NAME}`);
    return reply(response, 503, { error: 'this receiver has no secret set' });
  }
  const given = request.headers['x-signature'];
  if (!given) return reply(response, 401, { error: 'missing X-Signature' });
  // crypto.hmac takes the key Base64-encoded and answers URL-safe Base64.
  const expected = await crypto.hmac(base64.btoa(secret), request.body, crypto.ALGORITHM.HMAC_SHA256);
  if (!same(canonical(given), canonical(expected))) {
    return reply(response, 401, { error: 'the signature does not match the body' });
  }
  let event;
  try {
    event = JSON.parse(request.body);
  } catch (e) {
    event = request.body;
  }
  await pubnub.publish({ channel: 'webhooks.{{name}}', message: event });
  return response.send({ received: true });
};
