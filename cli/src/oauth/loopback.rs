//! The loopback redirect listener: `http://127.0.0.1:PORT/callback` receives
//! the browser (or the simulator's redirect) with `code` and `state`.

use anyhow::{Context, bail};
use oauth2::url::Url;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The path the authorization server redirects to.
pub const CALLBACK_PATH: &str = "/callback";
/// Largest request head accepted on the listener.
const MAX_HEAD: usize = 16 * 1024;

/// What the redirect carried.
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

pub struct Listener {
    listener: TcpListener,
    pub redirect_uri: String,
}

impl Listener {
    /// Listens on 127.0.0.1:`port` (0: any free port).
    pub async fn bind(port: u16) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| {
                format!("cannot listen on 127.0.0.1:{port} for the OAuth redirect — is another `pigdin login` running? (or pick another --redirect-port and register it)")
            })?;
        let port = listener.local_addr()?.port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
        })
    }

    /// Waits for a request to the callback path; other requests (a browser's
    /// favicon) get 404 and are skipped.
    pub async fn callback(&self) -> anyhow::Result<Callback> {
        loop {
            let (mut stream, _) = self.listener.accept().await?;
            let Ok(target) = request_target(&mut stream).await else {
                continue;
            };
            let url = Url::parse(&format!("http://127.0.0.1{target}"))
                .with_context(|| format!("unreadable redirect {target:?}"))?;
            if url.path() != CALLBACK_PATH {
                respond(
                    &mut stream,
                    "404 Not Found",
                    "Not the Pigdin login callback.",
                )
                .await;
                continue;
            }
            let get = |name: &str| {
                url.query_pairs()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.into_owned())
            };
            let callback = Callback {
                code: get("code"),
                state: get("state"),
                error: get("error"),
                error_description: get("error_description"),
            };
            let page = if callback.code.is_some() {
                "Pigdin is logged in; you can close this tab and go back to the terminal."
            } else {
                "Pigdin login did not get an authorization code; see the terminal."
            };
            respond(&mut stream, "200 OK", page).await;
            return Ok(callback);
        }
    }
}

/// Reads the request head; returns the request target (`/callback?code=...`).
async fn request_target(stream: &mut TcpStream) -> anyhow::Result<String> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = stream.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        head.extend_from_slice(&buffer[..read]);
        if head.len() > MAX_HEAD {
            bail!("request head too large");
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut parts = head.lines().next().unwrap_or_default().split_whitespace();
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) => Ok(target.to_owned()),
        _ => bail!("not a GET request"),
    }
}

async fn respond(stream: &mut TcpStream, status: &str, text: &str) {
    let body = format!("<!doctype html><title>Pigdin login</title><p>{text}</p>\n");
    let response = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
