"""A Before Publish function (functions/examples/filter, bound to `chat.*`)
rewriting and aborting messages, as the official Python SDK sees it."""

import json

import pytest
from pubnub.exceptions import PubNubException

from conftest import REPO_ROOT, unique


@pytest.fixture(scope="module")
def filtered(server):
    server.pigdin("deploy", str(REPO_ROOT / "functions" / "examples" / "filter"))
    return server


def test_the_subscriber_sees_the_message_as_the_function_rewrote_it(filtered, new_client, subscriber):
    channel = f"chat.{unique('room')}"
    _, inbox = subscriber(channels=[channel])
    new_client("writer").publish().channel(channel).message({"text": "darn it"}).meta({"lang": "en"}).sync()
    event = inbox.next("message", lambda m: m.channel == channel)
    assert event.message == {"text": "d**n it", "filtered": True}
    assert event.user_metadata == {"lang": "en", "filtered_by": "filter"}


def test_the_publisher_of_an_aborted_message_gets_a_403_with_the_reason(filtered, new_client, subscriber):
    channel = f"chat.{unique('room')}"
    _, inbox = subscriber(channels=[channel])
    publisher = new_client("writer")
    with pytest.raises(PubNubException) as aborted:
        publisher.publish().channel(channel).message({"text": "a forbidden word"}).sync()
    assert aborted.value.get_status_code() == 403
    body = json.loads(aborted.value._errormsg)
    assert body["message"] == 'message blocked: text contains "forbidden"'

    # Nothing of the aborted message reached the subscriber: the next one is the first it sees.
    publisher.publish().channel(channel).message({"text": "fine"}).sync()
    inbox.next("message", lambda m: m.channel == channel)
    assert [m.message for m in inbox.events["message"] if m.channel == channel] == [{"text": "fine", "filtered": True}]
