"""Access Manager through the official Python SDK: a server started with a
secret key; a server-role client (configured with `secret_key`, so every
request is signed) may do everything and grants tokens; client-role clients
(`set_token`) may do what their token grants and get the SDK's access-denied
error for the rest."""

import base64
import json
import queue
import re
import time

import pytest
from pubnub.enums import PNStatusCategory
from pubnub.errors import PNERR_CLIENT_ERROR
from pubnub.exceptions import PubNubException
from pubnub.models.consumer.v3.channel import Channel
from pubnub.models.consumer.v3.uuid import UUID

from conftest import EVENTUALLY, Inbox, Server, eventually, unique

SECRET_KEY = "sec-interop-python"
TIMETOKEN = re.compile(r"^\d{17}$")


@pytest.fixture(scope="module")
def server():
    """This module's server: Access Manager on (overrides conftest's `server`)."""
    server = Server(secret_key=SECRET_KEY)
    yield server
    server.stop()


@pytest.fixture
def admin(new_client):
    """The server role: every request signed with the secret key."""
    return new_client(unique("server"), secret_key=SECRET_KEY)


class Grant:
    """A namespace for one test's resources and the token `admin` granted for
    it: read+write on `room`, read on every `{ns}.…` channel (a pattern),
    get+update on the authorized uuid."""

    def __init__(self, admin, ttl=15):
        ns = unique("acl")
        self.user = f"{ns}-user"
        self.room = f"{ns}-room"
        self.pattern = re.escape(ns) + r"\..*"
        self.wildcard = f"{ns}.*"
        self.in_pattern = f"{ns}.inbox"
        self.other = f"{ns}-other"
        self.other_user = f"{ns}-someone-else"
        self.token = (
            admin.grant_token()
            .channels([Channel.id(self.room).read().write(), Channel.pattern(self.pattern).read()])
            .uuids([UUID.id(self.user).get().update()])
            .authorized_uuid(self.user)
            .meta({"purpose": "interop"})
            .ttl(ttl)
            .sync()
            .result.token
        )


def refused(call, status_code, category):
    """`call()` builds a request (not yet sent) that must fail with the SDK's error for
    `status_code`, sent once with `sync()` and once with `pn_async()`; the server's error body.
    A synchronous call raises `PubNubException` without its status object
    (`status` is None), so the category is checked through the callback form."""
    with pytest.raises(PubNubException) as failure:
        call().sync()
    error = failure.value
    assert error.get_status_code() == status_code, str(error)
    assert error._pn_error == PNERR_CLIENT_ERROR, str(error)
    body = json.loads(error._errormsg)
    assert body.get("service") == "Access Manager", body
    assert body.get("status") == status_code, body
    # What the server answered is what the exception shows.
    assert error._errormsg in str(error), str(error)

    outcome = queue.Queue()
    call().pn_async(lambda result, status: outcome.put((result, status)))
    result, status = outcome.get(timeout=EVENTUALLY)
    assert result is None
    assert status.is_error()
    assert status.status_code == status_code
    assert status.category == category, status.category
    assert status.error_data.exception.get_status_code() == status_code
    return body


def denied(call):
    return refused(call, 403, PNStatusCategory.PNAccessDeniedCategory)


def bad_request(call):
    return refused(call, 400, PNStatusCategory.PNBadRequestCategory)


def forbidden_on(call, kind, names):
    """A 403 naming what was not permitted, in PubNub's `payload` shape."""
    body = denied(call)
    assert body["message"] == "Forbidden", body
    assert body["payload"].get(kind) == names, body


def test_the_server_role_publishes_subscribes_reads_history_app_context_and_here_now(admin, subscriber):
    channel = unique("server-room")
    subscriber_id = unique("server-sub")
    _, inbox = subscriber(channels=[channel], user_id=subscriber_id, secret_key=SECRET_KEY)

    reply = admin.publish().channel(channel).message({"text": "signed"}).meta({"role": "server"}).sync()
    assert TIMETOKEN.match(str(reply.result.timetoken))
    event = inbox.next("message", lambda m: m.channel == channel)
    assert event.message == {"text": "signed"}
    assert event.publisher == admin.config.user_id
    # A POST publish carries Python's other (v1) signature.
    admin.publish().channel(channel).message({"text": "signed post"}).use_post(True).sync()
    inbox.next("message", lambda m: m.channel == channel and m.message == {"text": "signed post"})

    history = admin.history().channel(channel).include_meta(True).sync().result
    assert [(m.entry, m.meta) for m in history.messages] == [
        ({"text": "signed"}, {"role": "server"}),
        ({"text": "signed post"}, None),
    ]
    fetched = admin.fetch_messages().channels([channel]).include_uuid(True).sync().result
    assert [(m.message, m.uuid) for m in fetched.channels[channel]] == [
        ({"text": "signed"}, admin.config.user_id),
        ({"text": "signed post"}, admin.config.user_id),
    ]

    uuid = unique("server-meta")
    admin.set_uuid_metadata(uuid=uuid, custom={"team": "ops"}, include_custom=True).set_name("Grace").sync()
    got = admin.get_uuid_metadata(uuid=uuid, include_custom=True).sync().result.data
    assert got["name"] == "Grace"
    assert got["custom"] == {"team": "ops"}

    here = eventually(
        "the subscriber in here_now",
        lambda: (reply := admin.here_now().channels([channel]).sync().result).total_occupancy == 1 and reply,
    )
    assert [o.uuid for o in here.channels[0].occupants] == [subscriber_id]


def test_grant_token_issues_a_token_that_parse_token_reads_back(admin):
    grant = Grant(admin, ttl=15)
    parsed = admin.parse_token(grant.token)
    assert parsed["version"] == 2
    assert parsed["ttl"] == 15
    assert parsed["authorized_uuid"] == grant.user
    assert abs(parsed["timestamp"] - time.time()) < 120, parsed["timestamp"]
    assert parsed["meta"] == {"purpose": "interop"}

    none = dict.fromkeys(("read", "write", "manage", "delete", "get", "update", "join"), False)
    resources, patterns = parsed["resources"], parsed["patterns"]
    assert resources["channels"] == {grant.room: {**none, "read": True, "write": True}}
    assert resources["uuids"] == {grant.user: {**none, "get": True, "update": True}}
    assert resources["groups"] == {}
    assert patterns["channels"] == {grant.pattern: {**none, "read": True}}
    assert patterns["uuids"] == {}


def test_a_token_client_may_do_what_its_token_grants(admin, new_client, subscriber):
    grant = Grant(admin)

    # Subscribe to a wildcard inside the granted pattern and receive.
    user, inbox = subscriber(channels=[grant.wildcard], user_id=grant.user, token=grant.token)
    admin.publish().channel(grant.in_pattern).message({"text": "to the user"}).sync()
    event = inbox.next("message", lambda m: m.channel == grant.in_pattern)
    assert event.message == {"text": "to the user"}
    assert event.subscription == grant.wildcard

    # Publish to the granted channel (GET and POST), then read its history.
    reply = user.publish().channel(grant.room).message({"text": "from the user"}).sync()
    assert TIMETOKEN.match(str(reply.result.timetoken))
    user.publish().channel(grant.room).message({"text": "posted"}).use_post(True).sync()
    history = user.history().channel(grant.room).sync().result
    assert [m.entry for m in history.messages] == [{"text": "from the user"}, {"text": "posted"}]
    fetched = user.fetch_messages().channels([grant.room]).include_uuid(True).sync().result
    assert [(m.message, m.uuid) for m in fetched.channels[grant.room]] == [
        ({"text": "from the user"}, grant.user),
        ({"text": "posted"}, grant.user),
    ]

    # Its own uuid metadata.
    user.set_uuid_metadata().uuid(grant.user).set_name("Token User").sync()
    assert user.get_uuid_metadata().uuid(grant.user).sync().result.data["name"] == "Token User"


def test_a_token_client_gets_access_denied_for_what_its_token_does_not_grant(admin, new_client):
    grant = Grant(admin)
    user = new_client(grant.user, token=grant.token)

    forbidden_on(lambda: user.publish().channel(grant.other).message("not granted"), "channels", [grant.other])
    # The pattern grants read only.
    forbidden_on(
        lambda: user.publish().channel(grant.in_pattern).message("read only"), "channels", [grant.in_pattern]
    )
    forbidden_on(lambda: user.history().channel(grant.other), "channels", [grant.other])
    forbidden_on(lambda: user.fetch_messages().channels([grant.other]), "channels", [grant.other])
    forbidden_on(
        lambda: user.set_uuid_metadata().uuid(grant.other_user).set_name("Impostor"),
        "uuids",
        [grant.other_user],
    )
    forbidden_on(lambda: user.get_uuid_metadata().uuid(grant.other_user), "uuids", [grant.other_user])

    # Published as someone else than the token's authorized uuid.
    impostor = new_client(grant.other_user, token=grant.token)
    body = denied(lambda: impostor.publish().channel(grant.room).message("as someone else"))
    assert "authorized for uuid" in body["message"], body
    assert grant.user in body["message"] and grant.other_user in body["message"], body

    # No token at all.
    anonymous = new_client(grant.user)
    forbidden_on(lambda: anonymous.publish().channel(grant.room).message("no token"), "channels", [grant.room])
    forbidden_on(lambda: anonymous.history().channel(grant.room), "channels", [grant.room])


def test_a_subscribe_outside_the_token_reports_access_denied(admin, new_client):
    grant = Grant(admin)
    user = new_client(grant.user, token=grant.token)
    inbox = Inbox()
    user.add_listener(inbox)
    user.subscribe().channels([grant.other]).execute()
    status = inbox.next("status", lambda s: s.is_error(), "subscribe error status")
    assert status.category == PNStatusCategory.PNAccessDeniedCategory
    assert status.status_code == 403
    assert status.original_response["payload"]["channels"] == [grant.other]
    assert not [s for s in inbox.events["status"] if s.category == PNStatusCategory.PNConnectedCategory]


def test_revoke_token_makes_the_server_refuse_the_token(admin, new_client):
    grant = Grant(admin)
    user = new_client(grant.user, token=grant.token)
    user.publish().channel(grant.room).message("before the revoke").sync()

    admin.revoke_token(grant.token).sync()

    body = denied(lambda: user.publish().channel(grant.room).message("after the revoke"))
    assert re.search("revoked", body["message"], re.IGNORECASE), body


def test_malformed_or_forged_tokens_and_a_wrong_secret_key_get_clear_errors(admin, new_client):
    grant = Grant(admin)
    raw = base64.urlsafe_b64decode(grant.token)

    # Cut short: no longer a whole CBOR map.
    truncated = base64.urlsafe_b64encode(raw[:60]).decode()
    body = bad_request(lambda: new_client(grant.user, token=truncated).publish().channel(grant.room).message("x"))
    assert body["message"] == "Invalid token: not CBOR: it ends too soon (cut short?); request a new one", body

    # Altered after signing: the signature no longer matches.
    at = raw.index(grant.room.encode())
    altered = bytearray(raw)
    altered[at] = ord("b") if altered[at] == ord("a") else ord("a")
    forged = base64.urlsafe_b64encode(bytes(altered)).decode()
    body = denied(lambda: new_client(grant.user, token=forged).publish().channel(grant.room).message("x"))
    assert "Invalid token: its signature does not match" in body["message"], body

    # Signed with the wrong secret key: GET and POST publish (v2 and v1 signatures), grant.
    wrong = new_client(unique("wrong"), secret_key="not-the-secret-key")
    for call in (
        lambda: wrong.publish().channel(grant.room).message("x"),
        lambda: wrong.publish().channel(grant.room).message("x").use_post(True),
        lambda: wrong.grant_token().channels([Channel.id(grant.room).read()]).ttl(5),
    ):
        body = denied(call)
        assert "Signature Does Not Match" in body["message"], body
