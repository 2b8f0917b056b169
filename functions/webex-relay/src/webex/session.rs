//! Calls made as one relay user: bearer token, one refresh on 401, retries.

use pigdin_sdk::prelude::*;
use serde::Deserialize;

use super::WebexError;
use super::retry::{self, Retry};
use crate::clock::{self, Deadline};
use crate::settings::Settings;
use crate::users::{self, UserRecord};

/// A user's way into Webex for one execution.
pub struct Session<'a> {
    settings: &'a Settings,
    deadline: Deadline,
    record: UserRecord,
    /// Whether refreshed tokens are written back to KV (not during setup,
    /// which stores the record itself once it is complete).
    persist: bool,
}

/// The `/access_token` answer.
#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: u64,
    refresh_token: String,
    #[serde(default)]
    refresh_token_expires_in: Option<u64>,
}

impl<'a> Session<'a> {
    pub fn new(
        settings: &'a Settings,
        deadline: Deadline,
        record: UserRecord,
        persist: bool,
    ) -> Self {
        Self {
            settings,
            deadline,
            record,
            persist,
        }
    }

    /// The record, with whatever tokens a refresh brought.
    pub fn into_record(self) -> UserRecord {
        self.record
    }

    pub fn get(&mut self, path: &str) -> Result<Value, WebexError> {
        self.call("GET", path, None)
    }

    pub fn post(&mut self, path: &str, body: &Value) -> Result<Value, WebexError> {
        self.call("POST", path, Some(body))
    }

    pub fn delete(&mut self, path: &str) -> Result<(), WebexError> {
        self.call("DELETE", path, None).map(drop)
    }

    /// `{api}{path}` as the user; JSON back (`null` for an empty body).
    fn call(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, WebexError> {
        let what = format!("{method} {}", path.split('?').next().unwrap_or(path));
        let mut refreshed = false;
        loop {
            let mut options = FetchOptions::new()
                .method(method)
                .header(
                    "authorization",
                    format!("Bearer {}", self.record.access_token),
                )
                .header("accept", "application/json");
            if let Some(body) = body {
                options = options.json(body);
            }
            let url = format!("{}{path}", self.settings.api_url);
            let response = self.fetch_with_retries(&what, &url, options)?;
            if response.status == 401 && !refreshed {
                refreshed = true;
                self.refresh()?;
                continue;
            }
            if !response.is_success() {
                return Err(WebexError::from_answer(
                    &what,
                    response.status,
                    &response.body,
                ));
            }
            if response.body.is_empty() {
                return Ok(Value::Null);
            }
            return response.json().map_err(|e| {
                WebexError::new(format!("Webex {what} answered something not JSON: {e}"))
            });
        }
    }

    /// Sends until the answer is final: 429 and 5xx are retried while the
    /// pause fits in what is left of the execution.
    fn fetch_with_retries(
        &self,
        what: &str,
        url: &str,
        options: FetchOptions,
    ) -> Result<FetchResponse, WebexError> {
        let mut retries = 0;
        loop {
            let response = xhr::fetch(url, options.clone())
                .map_err(|e| WebexError::new(format!("Webex {what} failed: {e}")))?;
            match retry::decide(response.status, response.header("retry-after"), retries) {
                Retry::No => return Ok(response),
                Retry::After(pause) if self.deadline.allows(pause) => {
                    log::warn(format!(
                        "Webex {what} answered {}; retrying in {} ms",
                        response.status,
                        pause.as_millis()
                    ));
                    std::thread::sleep(pause);
                    retries += 1;
                }
                Retry::After(pause) => {
                    return Err(WebexError {
                        status: Some(response.status),
                        message: format!(
                            "Webex {what} answered {} and asks to wait {} s, more than this execution has left; try again later",
                            response.status,
                            pause.as_secs_f32()
                        ),
                    });
                }
            }
        }
    }

    /// Trades the refresh token for new tokens (Webex may rotate both), and
    /// stores them when this session persists.
    pub fn refresh(&mut self) -> Result<(), WebexError> {
        let Some((client_id, client_secret)) = &self.settings.client else {
            return Err(WebexError::new(
                "the access token was refused and cannot be refreshed: no WEBEX_CLIENT_ID / WEBEX_CLIENT_SECRET (set them in the environment of `pigdin serve`)",
            ));
        };
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "refresh_token")
            .append_pair("client_id", client_id)
            .append_pair("client_secret", client_secret)
            .append_pair("refresh_token", &self.record.refresh_token)
            .finish();
        let options = FetchOptions::new()
            .method("POST")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(form);
        let url = format!("{}/access_token", self.settings.api_url);
        let response = self.fetch_with_retries("POST /access_token", &url, options)?;
        if !response.is_success() {
            let error =
                WebexError::from_answer("POST /access_token", response.status, &response.body);
            return self.adopt_concurrent_refresh().ok_or(error);
        }
        let answer: TokenAnswer = response.json().map_err(|e| {
            WebexError::new(format!(
                "Webex POST /access_token answered an unexpected body: {e}"
            ))
        })?;
        let now = clock::now_secs();
        self.record.access_token = answer.access_token;
        self.record.refresh_token = answer.refresh_token;
        self.record.expires_at = now + answer.expires_in;
        if let Some(secs) = answer.refresh_token_expires_in {
            self.record.refresh_expires_at = now + secs;
        }
        if self.persist {
            users::save(&self.record)
                .map_err(|e| WebexError::new(format!("cannot store refreshed tokens: {e}")))?;
        }
        log::info(format!(
            "refreshed the Webex tokens of {}",
            self.record.user_id
        ));
        Ok(())
    }

    /// A refresh token that Webex refuses may just have been rotated by a
    /// concurrent execution: if KV holds newer tokens, use them instead.
    fn adopt_concurrent_refresh(&mut self) -> Option<()> {
        if !self.persist {
            return None;
        }
        let stored = users::load(&self.record.user_id).ok()??;
        (stored.refresh_token != self.record.refresh_token).then(|| self.record = stored)
    }
}
