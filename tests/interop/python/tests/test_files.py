"""File Sharing through the official Python SDK: send_file (upload ticket,
multipart upload, file message), the file message in history, list_files,
download_file, get_file_url and delete_file.

Live file events are left to the JavaScript suite: in this SDK (10.8.0) the
subscription objects every subscribe registers have no `file_message`, so a
file event raises in the SDK's worker thread before any listener sees it
(against PubNub as here)."""

import urllib.request

import pytest
from pubnub.exceptions import PubNubException

from conftest import unique


def test_a_file_is_sent_stored_listed_downloaded_and_deleted(new_client):
    channel = unique("files")
    alice = new_client("alice")
    bob = new_client("bob")
    content = b"the minutes of the meeting\n"

    sent = (
        alice.send_file()
        .channel(channel)
        .file_name("minutes.txt")
        .file_object(content)
        .message({"text": "minutes attached"})
        .should_store(True)
        .sync()
        .result
    )
    assert sent.name == "minutes.txt"
    assert sent.file_id
    assert len(str(sent.timestamp)) == 17

    history = bob.fetch_messages().channels([channel]).include_message_type(True).sync().result
    [stored] = history.channels[channel]
    assert stored.message == {"message": {"text": "minutes attached"}, "file": {"id": sent.file_id, "name": "minutes.txt"}}
    assert str(stored.message_type) in ("4", "file")

    listed = bob.list_files().channel(channel).sync().result
    assert listed.count == 1
    assert (listed.data[0]["id"], listed.data[0]["name"], listed.data[0]["size"]) == (
        sent.file_id,
        "minutes.txt",
        len(content),
    )

    downloaded = bob.download_file().channel(channel).file_id(sent.file_id).file_name("minutes.txt").sync().result
    assert downloaded.data == content
    url = bob.get_file_url().channel(channel).file_id(sent.file_id).file_name("minutes.txt").sync().result.file_url
    with urllib.request.urlopen(url) as response:
        assert response.read() == content

    alice.delete_file().channel(channel).file_id(sent.file_id).file_name("minutes.txt").sync()
    assert bob.list_files().channel(channel).sync().result.count == 0
    with pytest.raises(PubNubException):
        bob.download_file().channel(channel).file_id(sent.file_id).file_name("minutes.txt").sync()
