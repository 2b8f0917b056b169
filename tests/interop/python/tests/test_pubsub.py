"""Publish, subscribe (plain, wildcard with presence, channel group), fire,
signal, catch-up after a channel-list change and the size limit, through the
official Python SDK."""

import re

import pytest
from pubnub.exceptions import PubNubException

from conftest import unique

TIMETOKEN = re.compile(r"^\d{17}$")


def test_publish_reaches_a_subscriber_with_publisher_meta_and_timetoken(new_client, subscriber):
    channel = unique("chat")
    _, inbox = subscriber(channels=[channel])
    publisher = new_client("alice")
    reply = publisher.publish().channel(channel).message({"text": "hello"}).meta({"lang": "en"}).sync()
    assert TIMETOKEN.match(str(reply.result.timetoken))

    event = inbox.next("message", lambda m: m.channel == channel)
    assert event.message == {"text": "hello"}
    assert event.publisher == "alice"
    assert event.user_metadata == {"lang": "en"}
    assert event.timetoken == reply.result.timetoken


def test_wildcard_subscribe_with_presence_gets_a_sub_channel_message_and_a_join(new_client, subscriber):
    user = unique("u")
    _, inbox = subscriber(channels=[f"webex.{user}.*"], presence=True, user_id=f"{user}-watcher")

    member = new_client(f"{user}-member")
    member.subscribe().channels([f"webex.{user}.room1"]).execute()
    join = inbox.next("presence", lambda p: p.event == "join" and p.uuid == f"{user}-member", "join event")
    assert join.channel == f"webex.{user}.room1"
    # The server sends `b: "webex.{user}.*-pnpres"`; this SDK strips the suffix.
    assert join.subscription == f"webex.{user}.*"
    assert isinstance(join.occupancy, int) and isinstance(join.timestamp, int)

    new_client("bot").publish().channel(f"webex.{user}.room1").message({"text": "in the room"}).sync()
    event = inbox.next("message", lambda m: m.channel == f"webex.{user}.room1")
    assert event.message == {"text": "in the room"}
    assert event.subscription == f"webex.{user}.*"


def test_channel_group_subscriber_receives_messages_on_the_group_channels(new_client, subscriber):
    group = unique("group")
    a, b = unique("cg-a"), unique("cg-b")
    admin = new_client()
    admin.add_channel_to_channel_group().channel_group(group).channels([a, b]).sync()
    listed = admin.list_channels_in_channel_group().channel_group(group).sync()
    assert sorted(listed.result.channels) == sorted([a, b])

    _, inbox = subscriber(groups=[group])
    admin.publish().channel(b).message("via the group").sync()
    event = inbox.next("message", lambda m: m.channel == b)
    assert event.message == "via the group"
    assert event.subscription == group


def test_fire_is_never_delivered_but_the_following_publish_is(new_client, subscriber):
    channel = unique("fire")
    _, inbox = subscriber(channels=[channel])
    publisher = new_client("firer")
    fired = publisher.fire().channel(channel).message({"n": "fired"}).sync()
    assert TIMETOKEN.match(str(fired.result.timetoken))
    publisher.publish().channel(channel).message({"n": "published"}).sync()

    inbox.next("message", lambda m: m.channel == channel and m.message == {"n": "published"})
    assert [m.message for m in inbox.events["message"] if m.channel == channel] == [{"n": "published"}]


def test_signal_arrives_as_a_signal(new_client, subscriber):
    channel = unique("signal")
    _, inbox = subscriber(channels=[channel])
    reply = new_client("signaller").signal().channel(channel).message({"typing": True}).sync()
    assert TIMETOKEN.match(str(reply.result.timetoken))
    event = inbox.next("signal", lambda s: s.channel == channel)
    assert event.message == {"typing": True}
    assert event.publisher == "signaller"
    assert [m for m in inbox.events["message"] if m.channel == channel] == []


def test_messages_published_while_the_channel_list_changes_are_caught_up(new_client, subscriber):
    a, b = unique("catch-a"), unique("catch-b")
    pubnub, inbox = subscriber(channels=[a])
    publisher = new_client("catcher")
    # Published before the subscriber asks for B: the re-issued request carries
    # the old timetoken and must be answered from B's catch-up buffer.
    publisher.publish().channel(b).message("while switching 1").sync()
    pubnub.subscribe().channels([b]).execute()
    publisher.publish().channel(b).message("while switching 2").sync()

    inbox.next("message", lambda m: m.message == "while switching 1", "first catch-up message")
    inbox.next("message", lambda m: m.message == "while switching 2", "second catch-up message")


def test_a_30_kib_message_passes_and_a_33_kib_one_fails_as_too_large(new_client):
    channel = unique("size")
    pubnub = new_client("sizer")
    passed = pubnub.publish().channel(channel).message("x" * 30 * 1024).sync()
    assert TIMETOKEN.match(str(passed.result.timetoken))
    pubnub.publish().channel(channel).message("y" * 30 * 1024).use_post(True).sync()

    with pytest.raises(PubNubException) as failure:
        pubnub.publish().channel(channel).message("z" * 33 * 1024).sync()
    assert failure.value.get_status_code() == 413
    assert re.search("too large", str(failure.value), re.IGNORECASE), str(failure.value)
