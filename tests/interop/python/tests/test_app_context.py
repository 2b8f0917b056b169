"""App Context (users, channels, memberships, members), through the official Python SDK."""

import pytest
from pubnub.exceptions import PubNubException
from pubnub.models.consumer.objects_v2.channel_members import PNUserMember
from pubnub.models.consumer.objects_v2.common import MemberIncludes, MembershipIncludes
from pubnub.models.consumer.objects_v2.memberships import PNChannelMembership

from conftest import unique


def test_user_metadata_set_get_remove_then_404(new_client):
    pubnub = new_client("curator")
    uuid = unique("user")
    set_ = (
        pubnub.set_uuid_metadata(uuid=uuid, custom={"team": "core"}, include_custom=True)
        .set_name("Ada")
        .email("ada@example.com")
        .sync()
    )
    assert set_.status.status_code == 200
    data = set_.result.data
    assert (data["id"], data["name"], data["custom"]) == (uuid, "Ada", {"team": "core"})
    assert data["eTag"] and data["updated"]

    got = pubnub.get_uuid_metadata(uuid=uuid, include_custom=True).sync().result.data
    assert got["email"] == "ada@example.com"
    assert got["custom"] == {"team": "core"}

    removed = pubnub.remove_uuid_metadata().uuid(uuid).sync()
    assert removed.status.status_code == 200

    with pytest.raises(PubNubException) as missing:
        pubnub.get_uuid_metadata().uuid(uuid).sync()
    assert missing.value.get_status_code() == 404
    assert "not found" in str(missing.value).lower(), str(missing.value)


def test_channel_metadata_memberships_and_members(new_client):
    pubnub = new_client("curator")
    ada, bob = unique("ada"), unique("bob")
    general, random = unique("general"), unique("random")
    pubnub.set_channel_metadata().channel(general).set_name("General").description("all hands").sync()
    pubnub.set_channel_metadata().channel(random).set_name("Random").sync()
    channel = pubnub.get_channel_metadata().channel(general).sync().result.data
    assert channel["description"] == "all hands"

    memberships = (
        pubnub.set_memberships()
        .uuid(ada)
        .channel_memberships(
            [PNChannelMembership.channel_with_custom(general, {"role": "admin"}), PNChannelMembership.channel(random)]
        )
        .include(MembershipIncludes(custom=True, channel=True))
        .sync()
        .result
    )
    assert sorted(m["channel"]["id"] for m in memberships.data) == sorted([general, random])

    listed = (
        pubnub.get_memberships()
        .uuid(ada)
        .include(MembershipIncludes(custom=True, channel=True, total_count=True))
        .sync()
        .result
    )
    assert listed.total_count == 2
    in_general = next(m for m in listed.data if m["channel"]["id"] == general)
    assert in_general["custom"] == {"role": "admin"}
    assert in_general["channel"]["name"] == "General"

    pubnub.set_channel_members().channel(general).uuids([PNUserMember(bob)]).sync()
    members = (
        pubnub.get_channel_members().channel(general).include(MemberIncludes(total_count=True)).sync().result
    )
    assert sorted(m["uuid"]["id"] for m in members.data) == sorted([ada, bob])
    assert members.total_count == 2

    pubnub.remove_memberships().uuid(ada).channel_memberships([PNChannelMembership.channel(random)]).sync()
    after = pubnub.get_memberships().uuid(ada).sync().result
    assert [m["channel"]["id"] for m in after.data] == [general]


def test_setting_a_membership_again_changes_only_what_is_sent(new_client):
    pubnub = new_client("curator")
    ada, room = unique("ada"), unique("room")
    include = MembershipIncludes(custom=True, status=True, type=True)
    first = PNChannelMembership(room, custom={"role": "admin"}, status="active", type="owner")
    pubnub.set_memberships().uuid(ada).channel_memberships([first]).include(include).sync()
    again = (
        pubnub.set_memberships()
        .uuid(ada)
        .channel_memberships([PNChannelMembership.channel_with_custom(room, {"role": "guest"})])
        .include(include)
        .sync()
        .result
    )
    [membership] = [m for m in again.data if m["channel"]["id"] == room]
    assert membership["custom"] == {"role": "guest"}, "custom is replaced whole"
    assert (membership["status"], membership["type"]) == ("active", "owner")
