"""History v2 and v3, message counts and delete, through the official Python SDK."""

import pytest

from conftest import unique


@pytest.fixture
def historian(new_client):
    return new_client("historian")


def publish_numbered(pubnub, channel, count):
    """Publishes `count` messages `{"n": i}` with meta `{"i": i}`; their timetokens."""
    return [
        pubnub.publish().channel(channel).message({"n": i}).meta({"i": i}).sync().result.timetoken
        for i in range(count)
    ]


def test_history_v2_returns_stored_messages_with_timetokens_and_meta(historian):
    channel = unique("hist2")
    timetokens = publish_numbered(historian, channel, 3)
    historian.publish().channel(channel).message("not stored").should_store(False).sync()

    reply = historian.history().channel(channel).include_meta(True).include_timetoken(True).sync().result
    assert [(m.entry, m.timetoken, m.meta) for m in reply.messages] == [
        ({"n": i}, timetokens[i], {"i": i}) for i in range(3)
    ]
    assert reply.start_timetoken == timetokens[0]
    assert reply.end_timetoken == timetokens[2]

    latest = historian.history().channel(channel).count(2).sync().result
    assert [m.entry for m in latest.messages] == [{"n": 1}, {"n": 2}]


def test_fetch_messages_v3_returns_several_channels_with_meta_uuid_and_type(historian):
    a, b = unique("hist3-a"), unique("hist3-b")
    a_timetokens = publish_numbered(historian, a, 2)
    historian.publish().channel(b).message("on b").sync()

    reply = (
        historian.fetch_messages()
        .channels([a, b])
        .include_meta(True)
        .include_uuid(True)
        .include_message_type(True)
        .sync()
        .result
    )
    assert sorted(reply.channels) == sorted([a, b])
    on_a = reply.channels[a]
    assert [m.message for m in on_a] == [{"n": 0}, {"n": 1}]
    assert [int(m.timetoken) for m in on_a] == a_timetokens
    for i, m in enumerate(on_a):
        assert m.uuid == "historian"
        assert m.meta == {"i": i}
        assert m.message_type is None, "a published message has the regular message type (null)"
    assert [m.message for m in reply.channels[b]] == ["on b"]

    # Paging: `start` is exclusive, so starting at the second message yields the first.
    page = historian.fetch_messages().channels([a]).start(a_timetokens[1]).count(1).sync().result
    assert [m.message for m in page.channels[a]] == [{"n": 0}]


def test_message_counts_count_messages_after_a_timetoken(historian):
    a, b = unique("count-a"), unique("count-b")
    a_timetokens = publish_numbered(historian, a, 3)
    b_timetokens = publish_numbered(historian, b, 1)
    single = historian.message_counts().channel([a]).channel_timetokens([a_timetokens[0]]).sync().result
    assert single.channels == {a: 2}
    each = (
        historian.message_counts()
        .channel([a, b])
        .channel_timetokens([a_timetokens[1], b_timetokens[0]])
        .sync()
        .result
    )
    assert each.channels == {a: 1, b: 0}


def test_delete_messages_removes_a_range_then_the_whole_channel(historian):
    channel = unique("delete")
    timetokens = publish_numbered(historian, channel, 3)
    # PubNub deletes `start` exclusive .. `end` inclusive: this removes message 1 only.
    historian.delete_messages().channel(channel).start(timetokens[0]).end(timetokens[1]).sync()
    left = historian.fetch_messages().channels([channel]).sync().result
    assert [m.message for m in left.channels[channel]] == [{"n": 0}, {"n": 2}]

    historian.delete_messages().channel(channel).sync()
    left = historian.fetch_messages().channels([channel]).sync().result
    assert left.channels.get(channel, []) == []
