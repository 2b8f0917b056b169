// Starts a real `pigdin serve` (free port, temporary data directory) and
// hands out official PubNub SDK clients pointed at it, plus small helpers to
// await what a client receives.
'use strict';

const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const PubNub = require('pubnub');

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const PIGDIN = process.env.PIGDIN_BIN || path.join(REPO_ROOT, 'target/debug/pigdin');
const READY_TIMEOUT_MS = 60_000;
/** How long anything a test awaits may take to show. */
const EVENTUALLY_MS = 10_000;

/**
 * A running `pigdin serve`; `stop()` kills it and removes its data directory
 * (and the directory of its relay key file).
 * `secretKey` turns Access Manager on (`--secret-key`).
 */
async function startServer({ secretKey } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pigdin-interop-'));
  // The relay key file, apart from the data directory and never under $HOME.
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pigdin-interop-key-'));
  const args = ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir];
  if (secretKey !== undefined) args.push('--secret-key', secretKey);
  const child = spawn(PIGDIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...hermeticEnv(), PIGDIN_RELAY_KEY_FILE: path.join(keyDir, 'relay.key') },
  });
  let output = '';
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const address = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`pigdin serve not ready in ${READY_TIMEOUT_MS} ms:\n${output}`)),
      READY_TIMEOUT_MS,
    );
    child.on('error', (error) => reject(new Error(`cannot run ${PIGDIN} (build it with cargo build -p pigdin): ${error.message}`)));
    child.on('exit', (code) => reject(new Error(`pigdin serve exited (${code}) before it was ready:\n${output}`)));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      output += `${line}\n`;
      const match = line.match(/^pigdin listening on http:\/\/(\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    /** `127.0.0.1:PORT`, the SDKs' `origin`. */
    address,
    origin: `http://${address}`,
    output: () => output,
    async stop() {
      child.removeAllListeners('exit');
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

/** The environment without `PIGDIN_*` settings that would steer the binary. */
function hermeticEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('PIGDIN_')) delete env[key];
  }
  return env;
}

/** `pigdin ARGS --origin ORIGIN`; resolves with stdout, rejects with stderr. */
function pigdin(server, args) {
  return new Promise((resolve, reject) => {
    execFile(
      PIGDIN,
      [...args, '--origin', server.origin],
      { cwd: REPO_ROOT, env: hermeticEnv(), maxBuffer: 16 << 20 },
      (error, stdout, stderr) => (error ? reject(new Error(`pigdin ${args.join(' ')} failed:\n${stderr}`)) : resolve(stdout)),
    );
  });
}

/** `functions/{rel}` in the repository. */
function moduleDir(rel) {
  return path.join(REPO_ROOT, 'functions', rel);
}

/** An SDK client on the local server, as an application would configure it. */
function client(server, userId, extra = {}) {
  return new PubNub({
    origin: server.address,
    ssl: false,
    publishKey: 'demo',
    subscribeKey: 'demo',
    userId,
    ...extra,
  });
}

/** A name no other test (or earlier run) uses. */
function unique(prefix) {
  return `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Records everything a client's listener sees, by kind, and lets a test await
 * the first event matching a predicate.
 */
class Inbox {
  constructor(pubnub) {
    this.events = { message: [], presence: [], signal: [], objects: [], messageAction: [], file: [], status: [] };
    this.waiters = [];
    const listener = {};
    for (const kind of Object.keys(this.events)) {
      listener[kind] = (event) => this.push(kind, event);
    }
    pubnub.addListener(listener);
  }

  push(kind, event) {
    this.events[kind].push(event);
    this.waiters = this.waiters.filter((waiter) => {
      if (waiter.kind === kind && waiter.match(event)) {
        waiter.resolve(event);
        return false;
      }
      return true;
    });
  }

  /** The first `kind` event (seen or to come) for which `match` holds. */
  next(kind, match = () => true, what = kind) {
    const seen = this.events[kind].find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { kind, match, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no ${what} within ${EVENTUALLY_MS} ms; saw ${JSON.stringify(this.events[kind])}`));
      }, EVENTUALLY_MS).unref();
    });
  }

  /** Resolves once the client reports it is connected (subscribe handshake done). */
  connected() {
    return this.next('status', (s) => s.category === 'PNConnectedCategory' || s.category === 'PNSubscriptionChangedCategory', 'connected status');
  }
}

/** Polls `check` (async, returns a value or undefined) until it answers, for at most EVENTUALLY_MS. */
async function eventually(what, check) {
  const deadline = Date.now() + EVENTUALLY_MS;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

module.exports = { PubNub, startServer, pigdin, moduleDir, client, unique, Inbox, eventually, EVENTUALLY_MS };
