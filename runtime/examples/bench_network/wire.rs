//! The few PubNub requests the benchmarks make, and reading their answers.

use anyhow::{Context, ensure};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use crate::http::Conn;

/// `serve`'s default keyset.
const KEY: &str = "demo";

/// A subscribe cursor: timetoken and region.
#[derive(Debug, Clone, Copy)]
pub struct Cursor {
    pub t: u64,
    pub r: u64,
}

/// `GET /publish/...` of `message` (JSON text); `query` is appended as is.
pub fn publish_path(channel: &str, message: &str, query: &str) -> String {
    let message = utf8_percent_encode(message, NON_ALPHANUMERIC);
    format!("/publish/{KEY}/{KEY}/0/{channel}/0/{message}?{query}")
}

/// The long-poll after `cursor`, as a client with `uuid` sends it.
pub fn poll_path(channel: &str, cursor: Cursor, uuid: &str) -> String {
    format!(
        "/v2/subscribe/{KEY}/{channel}/0?tt={}&tr={}&uuid={uuid}",
        cursor.t, cursor.r
    )
}

/// The `tt=0` handshake: answered at once with the cursor to poll from.
pub async fn handshake(conn: &mut Conn, channel: &str, uuid: &str) -> anyhow::Result<Cursor> {
    let path = format!("/v2/subscribe/{KEY}/{channel}/0?tt=0&uuid={uuid}");
    let (status, body) = conn.get(&path).await?;
    ensure!(status == 200, "handshake answered {status}");
    Ok(parse_subscribe(&body)?.0)
}

/// Publishes and checks the `[1,"Sent",...]` answer.
pub async fn publish(conn: &mut Conn, path: &str) -> anyhow::Result<()> {
    let (status, body) = conn.get(path).await?;
    ensure!(
        status == 200,
        "publish answered {status}: {}",
        String::from_utf8_lossy(&body)
    );
    Ok(())
}

/// `{"t":{"t":"…","r":…},"m":[…]}` → the next cursor and the messages' `d`.
pub fn parse_subscribe(body: &[u8]) -> anyhow::Result<(Cursor, Vec<Value>)> {
    let value: Value = serde_json::from_slice(body).context("subscribe answer is not JSON")?;
    let cursor = Cursor {
        t: value["t"]["t"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .context("subscribe answer without t.t")?,
        r: value["t"]["r"]
            .as_u64()
            .context("subscribe answer without t.r")?,
    };
    let messages = value["m"]
        .as_array()
        .context("subscribe answer without m")?
        .iter()
        .map(|envelope| envelope["d"].clone())
        .collect();
    Ok((cursor, messages))
}
