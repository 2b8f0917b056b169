"""Starts a real `pigdin serve` (free port, temporary data directory) and hands
out official PubNub SDK clients pointed at it, plus an inbox that records what
a client's listener sees so tests can await it."""

import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
import uuid as uuidlib
from pathlib import Path

import pytest
from pubnub.callbacks import SubscribeCallback
from pubnub.enums import PNStatusCategory
from pubnub.pnconfiguration import PNConfiguration
from pubnub.pubnub import PubNub

REPO_ROOT = Path(__file__).resolve().parents[4]
PIGDIN = os.environ.get("PIGDIN_BIN") or str(REPO_ROOT / "target" / "debug" / "pigdin")
READY_TIMEOUT = 60.0
#: How long anything a test awaits may take to show.
EVENTUALLY = 10.0


def hermetic_env():
    """The environment without `PIGDIN_*` settings that would steer the binary."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PIGDIN_")}


class Server:
    """A running `pigdin serve`; `secret_key` turns Access Manager on (`--secret-key`)."""

    def __init__(self, secret_key=None):
        self.data_dir = tempfile.mkdtemp(prefix="pigdin-interop-")
        # The relay key file, apart from the data directory and never under $HOME.
        self.key_dir = tempfile.mkdtemp(prefix="pigdin-interop-key-")
        args = [PIGDIN, "serve", "--listen", "127.0.0.1:0", "--data-dir", self.data_dir]
        if secret_key is not None:
            args += ["--secret-key", secret_key]
        try:
            self.process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env={
                    **hermetic_env(),
                    "PIGDIN_RELAY_KEY_FILE": os.path.join(self.key_dir, "relay.key"),
                },
            )
        except FileNotFoundError:
            raise RuntimeError(f"{PIGDIN} is missing; build it with `cargo build -p pigdin`")
        self.output = []
        ready = queue.Queue()
        threading.Thread(target=self._read, args=(ready,), daemon=True).start()
        try:
            address = ready.get(timeout=READY_TIMEOUT)
        except queue.Empty:
            address = None
        if address is None:
            self.stop()
            raise RuntimeError("pigdin serve was not ready:\n" + "".join(self.output))
        #: `127.0.0.1:PORT`, the SDKs' `origin`.
        self.address = address
        self.origin = f"http://{address}"

    def _read(self, ready):
        for line in self.process.stdout:
            self.output.append(line)
            match = re.match(r"^pigdin listening on http://(\S+)", line)
            if match:
                ready.put(match.group(1))
        ready.put(None)

    def pigdin(self, *args):
        """`pigdin ARGS --origin ORIGIN`, which must succeed; its stdout."""
        done = subprocess.run(
            [PIGDIN, *args, "--origin", self.origin],
            cwd=REPO_ROOT,
            env=hermetic_env(),
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, f"pigdin {' '.join(args)} failed:\n{done.stderr}"
        return done.stdout

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self.key_dir, ignore_errors=True)


class Inbox(SubscribeCallback):
    """Records everything a client's listener sees, by kind."""

    KINDS = ("message", "presence", "signal", "status", "channel", "uuid", "membership", "message_action")

    def __init__(self):
        super().__init__()
        self.events = {kind: [] for kind in self.KINDS}
        self.changed = threading.Condition()

    def _push(self, kind, event):
        with self.changed:
            self.events[kind].append(event)
            self.changed.notify_all()

    def status(self, pubnub, status):
        self._push("status", status)

    def message(self, pubnub, message):
        self._push("message", message)

    def presence(self, pubnub, presence):
        self._push("presence", presence)

    def signal(self, pubnub, signal):
        self._push("signal", signal)

    def channel(self, pubnub, channel):
        self._push("channel", channel)

    def uuid(self, pubnub, uuid):
        self._push("uuid", uuid)

    def membership(self, pubnub, membership):
        self._push("membership", membership)

    def message_action(self, pubnub, message_action):
        self._push("message_action", message_action)

    def next(self, kind, match=lambda _: True, what=None):
        """The first `kind` event (seen or to come) for which `match` holds."""
        deadline = time.monotonic() + EVENTUALLY
        with self.changed:
            while True:
                for event in self.events[kind]:
                    if match(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [vars(e) for e in self.events[kind]]
                    raise AssertionError(f"no {what or kind} within {EVENTUALLY} s; saw {seen}")
                self.changed.wait(left)

    def connected(self):
        """Waits for the subscribe handshake."""
        return self.next(
            "status",
            lambda s: s.category in (PNStatusCategory.PNConnectedCategory, PNStatusCategory.PNSubscriptionChangedCategory),
            "connected status",
        )


def eventually(what, check):
    """Polls `check` until it returns something truthy, for at most EVENTUALLY seconds."""
    deadline = time.monotonic() + EVENTUALLY
    last = None
    while True:
        try:
            value = check()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - reported on timeout
            last = error
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {last!r}")
        time.sleep(0.05)


def unique(prefix):
    """A name no other test (or earlier run) uses."""
    return f"{prefix}-{uuidlib.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def server():
    server = Server()
    yield server
    server.stop()


@pytest.fixture
def new_client(server):
    """A factory of SDK clients on the local server; stopped after the test.
    `secret_key` makes it the server role (signed requests), `token` a client
    holding that access token."""
    clients = []

    def make(user_id=None, secret_key=None, token=None):
        config = PNConfiguration()
        config.origin = server.address
        config.ssl = False
        config.publish_key = "demo"
        config.subscribe_key = "demo"
        config.user_id = user_id or unique("user")
        if secret_key is not None:
            config.secret_key = secret_key
        pubnub = PubNub(config)
        if token is not None:
            pubnub.set_token(token)
        clients.append(pubnub)
        return pubnub

    yield make
    for pubnub in clients:
        pubnub.unsubscribe_all()
        pubnub.stop()


@pytest.fixture
def subscriber(new_client):
    """`subscriber(channels=..., groups=..., presence=..., user_id=..., secret_key=..., token=...)`:
    a client subscribed, connected, and its inbox."""

    def make(channels=(), groups=(), presence=False, user_id=None, **client_options):
        pubnub = new_client(user_id, **client_options)
        inbox = Inbox()
        pubnub.add_listener(inbox)
        builder = pubnub.subscribe().channels(list(channels)).channel_groups(list(groups))
        if presence:
            builder = builder.with_presence()
        builder.execute()
        inbox.connected()
        return pubnub, inbox

    return make
