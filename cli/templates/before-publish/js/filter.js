// Before Publish on chat.*: a moderation filter. A message whose text holds a
// banned word is rejected (the publisher gets the reason; nothing is stored or
// delivered). Any other text is tidied (trimmed, runs of spaces made one) and
// milder words are masked with asterisks before it goes on.
const BANNED = ['spam', 'scam'];
const MASKED = ['darn', 'heck'];

const word = (w, flags = 'i') => new RegExp(`\\b${w}\\b`, flags);

export default (request) => {
  const message = request.message;
  // A message is text itself, or an object with a `text` (as chat apps send it).
  const text = typeof message === 'string' ? message : message?.text;
  if (typeof text !== 'string') return request.ok();

  const banned = BANNED.find((w) => word(w).test(text));
  if (banned) {
    return request.abort(`message rejected: "${banned}" is not allowed on ${request.channels[0]}`);
  }

  let clean = text.trim().replace(/\s+/g, ' ');
  for (const w of MASKED) clean = clean.replace(word(w, 'gi'), (found) => '*'.repeat(found.length));
  if (typeof message === 'string') request.message = clean;
  else message.text = clean;
  return request.ok();
};
