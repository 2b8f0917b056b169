"""Message Actions (reactions, receipts) through the official Python SDK:
added, seen live by another subscriber, listed in pages, in history, removed."""

import pytest
from pubnub.exceptions import PubNubException
from pubnub.models.consumer.message_actions import PNMessageAction

from conftest import unique


def reaction(message_timetoken, value, kind="reaction"):
    return PNMessageAction().create(type=kind, value=value, message_timetoken=str(message_timetoken))


def test_reactions_are_added_seen_listed_in_history_and_removed(new_client, subscriber):
    channel = unique("reactions")
    alice = new_client("alice")
    _, bob_inbox = subscriber(channels=[channel], user_id="bob")
    bob = new_client("bob")

    timetoken = alice.publish().channel(channel).message({"text": "lunch?"}).sync().result.timetoken
    added = alice.add_message_action().channel(channel).message_action(reaction(timetoken, "+1")).sync().result
    assert (added.type, added.value, added.uuid) == ("reaction", "+1", "alice")
    assert str(added.message_timetoken) == str(timetoken)
    thumbs = added.action_timetoken

    seen = bob_inbox.next("message_action", lambda a: a.action_timetoken == thumbs, "the added reaction")
    assert (seen.type, seen.value, seen.uuid) == ("reaction", "+1", "alice")

    with pytest.raises(PubNubException) as refused:
        alice.add_message_action().channel(channel).message_action(reaction(timetoken, "+1")).sync()
    assert refused.value.get_status_code() == 409
    bob.add_message_action().channel(channel).message_action(reaction(timetoken, "+1")).sync()
    bob.add_message_action().channel(channel).message_action(reaction(timetoken, "read", "receipt")).sync()

    page = alice.get_message_actions().channel(channel).limit("2").sync().result
    assert [(a.uuid, a.type) for a in page.actions] == [("bob", "reaction"), ("bob", "receipt")]
    older = alice.get_message_actions().channel(channel).start(page.actions[0].action_timetoken).sync().result
    assert [a.action_timetoken for a in older.actions] == [thumbs]

    history = alice.fetch_messages().channels(channel).include_message_actions(True).sync().result
    [stored] = history.channels[channel]
    assert stored.message == {"text": "lunch?"}
    assert [a["uuid"] for a in stored.actions["reaction"]["+1"]] == ["alice", "bob"]
    assert stored.actions["receipt"]["read"][0]["uuid"] == "bob"

    alice.remove_message_action().channel(channel).message_timetoken(timetoken).action_timetoken(thumbs).sync()
    left = bob.get_message_actions().channel(channel).sync().result
    assert [a.uuid for a in left.actions] == ["bob", "bob"]
