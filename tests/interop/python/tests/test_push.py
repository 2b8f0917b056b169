"""Mobile Push through the official Python SDK: FCM and APNs2 devices added to
channels, listed, removed and deleted; a publish with push payloads recorded in
Pigdin's push outbox (admin endpoint and `pigdin push outbox`)."""

import json
import urllib.parse
import urllib.request

import pytest
from pubnub.enums import PNPushEnvironment, PNPushType
from pubnub.exceptions import PubNubException

from conftest import unique

TOPIC = "com.example.pigdin"


@pytest.fixture
def pubnub(new_client):
    return new_client("push-user")


def listed(pubnub, device, push_type, **apns2):
    builder = pubnub.list_push_channels().device_id(device).push_type(push_type)
    if apns2:
        builder = builder.topic(apns2["topic"]).environment(apns2["environment"])
    return builder.sync().result.channels


def outbox(server, channel):
    query = urllib.parse.urlencode({"channel": channel})
    with urllib.request.urlopen(f"{server.origin}/admin/push/outbox?{query}") as response:
        return json.load(response)["entries"]


def test_fcm_devices_add_list_remove_and_delete(pubnub):
    device = unique("fcm-token")
    a, b = unique("a"), unique("b")
    pubnub.add_channels_to_push().push_type(PNPushType.FCM).channels([a, b]).device_id(device).sync()
    assert listed(pubnub, device, PNPushType.FCM) == sorted([a, b])
    # GCM, FCM's former name, reaches the same registrations.
    assert listed(pubnub, device, PNPushType.GCM) == sorted([a, b])

    pubnub.remove_channels_from_push().push_type(PNPushType.FCM).channels([a]).device_id(device).sync()
    assert listed(pubnub, device, PNPushType.FCM) == [b]

    pubnub.remove_device_from_push().push_type(PNPushType.FCM).device_id(device).sync()
    assert listed(pubnub, device, PNPushType.FCM) == []


def test_apns2_devices_are_kept_per_topic_and_environment(pubnub):
    device = unique("ios-token")
    channel = unique("ios")
    production = {"topic": TOPIC, "environment": PNPushEnvironment.PRODUCTION}
    development = {"topic": TOPIC, "environment": PNPushEnvironment.DEVELOPMENT}
    (
        pubnub.add_channels_to_push().push_type(PNPushType.APNS2).channels([channel]).device_id(device)
        .topic(TOPIC).environment(PNPushEnvironment.PRODUCTION).sync()
    )
    assert listed(pubnub, device, PNPushType.APNS2, **production) == [channel]
    assert listed(pubnub, device, PNPushType.APNS2, **development) == []

    (
        pubnub.remove_device_from_push().push_type(PNPushType.APNS2).device_id(device)
        .topic(TOPIC).environment(PNPushEnvironment.PRODUCTION).sync()
    )
    assert listed(pubnub, device, PNPushType.APNS2, **production) == []


def test_a_refused_registration_raises_with_the_servers_reason(pubnub):
    with pytest.raises(PubNubException) as failure:
        pubnub.add_channels_to_push().push_type(PNPushType.FCM).channels(["a b"]).device_id("tok").sync()
    assert failure.value.get_status_code() == 400
    assert "Invalid channel" in str(failure.value)


def test_a_publish_with_push_payloads_lands_in_the_outbox(server, pubnub):
    channel = unique("alerts")
    fcm_device, ios_device = unique("fcm"), unique("ios")
    pubnub.add_channels_to_push().push_type(PNPushType.GCM).channels([channel]).device_id(fcm_device).sync()
    (
        pubnub.add_channels_to_push().push_type(PNPushType.APNS2).channels([channel]).device_id(ios_device)
        .topic(TOPIC).sync()
    )
    apns = {
        "aps": {"alert": "hello"},
        "pn_push": [{"version": "v2", "targets": [{"topic": TOPIC, "environment": "development"}]}],
    }
    gcm = {"data": {"text": "hello"}}
    timetoken = (
        pubnub.publish().channel(channel).message({"text": "hello", "pn_apns": apns, "pn_gcm": gcm})
        .sync().result.timetoken
    )

    entries = outbox(server, channel)
    by_type = {entry["push_type"]: entry for entry in entries}
    assert sorted(by_type) == ["apns2", "fcm"], entries
    assert by_type["fcm"]["token"] == fcm_device
    assert by_type["fcm"]["payload"] == gcm
    assert by_type["apns2"]["token"] == ios_device
    assert by_type["apns2"]["environment"] == "development"
    assert by_type["apns2"]["payload"] == apns
    assert all(entry["timetoken"] == str(timetoken) for entry in entries)

    lines = server.pigdin("push", "outbox", "--channel", channel)
    assert f"{channel} fcm {fcm_device}" in lines
    assert f"{channel} apns2 {ios_device} development/{TOPIC}" in lines
