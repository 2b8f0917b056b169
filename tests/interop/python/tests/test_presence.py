"""here_now, where_now and presence state, through the official Python SDK."""

from conftest import eventually, unique


def test_here_now_where_now_and_state(new_client, subscriber):
    lobby, kitchen = unique("lobby"), unique("kitchen")
    user_id = unique("present")
    present, _ = subscriber(channels=[lobby, kitchen], user_id=user_id)

    observer = new_client()
    here = eventually(
        "the subscriber in here_now",
        lambda: (reply := observer.here_now().channels([lobby]).sync().result).total_occupancy == 1 and reply,
    )
    assert [o.uuid for o in here.channels[0].occupants] == [user_id]
    assert here.channels[0].occupancy == 1

    both = observer.here_now().channels([lobby, kitchen]).sync().result
    assert both.total_channels == 2
    assert both.total_occupancy == 2

    where = observer.where_now().uuid(user_id).sync().result
    assert sorted(where.channels) == sorted([lobby, kitchen])

    set_ = present.set_state().channels([lobby]).state({"mood": "curious"}).sync().result
    assert set_.state == {"mood": "curious"}
    got = observer.get_state().channels([lobby]).uuid(user_id).sync().result
    assert got.channels[lobby] == {"mood": "curious"}

    with_state = observer.here_now().channels([lobby]).include_state(True).sync().result
    assert [(o.uuid, o.state) for o in with_state.channels[0].occupants] == [(user_id, {"mood": "curious"})]


def test_a_subscriber_with_presence_receives_its_own_join(subscriber):
    room, user_id = unique("own-join"), unique("joiner")
    _, inbox = subscriber(channels=[room], presence=True, user_id=user_id)
    join = inbox.next("presence", lambda e: e.event == "join" and e.uuid == user_id, "its own join")
    assert join.channel == room
    assert join.occupancy == 1
