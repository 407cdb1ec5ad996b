//! One call to Treezor's API, and the way every call is sent: with the shared token, renewed
//! and retried once on 401, and retried with bounded backoff on transient failures when the call
//! is safe to repeat.

use std::time::Duration;

use bytes::Bytes;
use reqwest::{Method, StatusCode};

use crate::client::Client;
use crate::config_problem::ConfigProblem;
use crate::error::{Error, Result};
use crate::refusal::{Endpoint, refusal};
use crate::transport::Transport;

/// An idempotency key for POST and PUT (`accessTag`): Treezor answers a repeat with the first
/// result for 24 hours, which makes the call safe to retry.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AccessTag(String);

impl AccessTag {
    /// 1 to 250 visible ASCII characters.
    pub fn parse(raw: &str) -> Result<AccessTag> {
        let valid =
            !raw.is_empty() && raw.len() <= 250 && raw.bytes().all(|b| b.is_ascii_graphic());
        if valid {
            Ok(AccessTag(raw.to_owned()))
        } else {
            Err(Error::Config(ConfigProblem::AccessTag))
        }
    }

    /// A fresh random tag.
    pub fn random() -> AccessTag {
        AccessTag(uuid::Uuid::new_v4().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether a call may be sent again after a transient failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// GETs, and POST/PUT with an `accessTag`.
    Safe,
    /// POST/PUT without a tag: a second attempt could act twice.
    Once,
}

pub(crate) struct Call {
    method: Method,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<String>,
    repeat: Repeat,
    pub(crate) endpoint: Endpoint,
}

impl Call {
    fn new(method: Method, path: String, repeat: Repeat) -> Call {
        Call {
            method,
            path,
            query: Vec::new(),
            body: None,
            repeat,
            endpoint: Endpoint::Plain,
        }
    }

    pub fn get(path: String) -> Call {
        Call::new(Method::GET, path, Repeat::Safe)
    }

    pub fn post(path: String) -> Call {
        Call::new(Method::POST, path, Repeat::Once)
    }

    pub fn put(path: String) -> Call {
        Call::new(Method::PUT, path, Repeat::Once)
    }

    pub fn query(mut self, key: &'static str, value: impl ToString) -> Call {
        self.query.push((key, value.to_string()));
        self
    }

    pub fn json(mut self, body: String) -> Call {
        self.body = Some(body);
        self
    }

    /// Adds the `accessTag`, which makes the call safe to repeat.
    pub fn tagged(mut self, tag: Option<&AccessTag>) -> Call {
        if let Some(tag) = tag {
            self.query.push(("accessTag", tag.as_str().to_owned()));
            self.repeat = Repeat::Safe;
        }
        self
    }

    pub fn endpoint(mut self, endpoint: Endpoint) -> Call {
        self.endpoint = endpoint;
        self
    }

    pub fn describe(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// Statuses worth another try.
pub(crate) fn is_transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504 | 522)
}

/// `Retry-After` in seconds, when given.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

impl Client {
    /// Sends `call` and returns the body of its 2xx answer.
    pub(crate) async fn send(&self, call: Call) -> Result<Bytes> {
        let what = call.describe();
        let url = self.url(&call.path)?;
        let retry = self.config().retry;
        let mut attempt = 1;
        let mut renewed = false;
        loop {
            let token = self.token().await?;
            let mut request = self
                .api()
                .request(call.method.clone(), url.clone())
                .bearer_auth(&*token.value);
            if !call.query.is_empty() {
                request = request.query(&call.query);
            }
            if let Some(body) = &call.body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            let may_repeat = call.repeat == Repeat::Safe && attempt < retry.max_attempts;
            let failure = match request.send().await {
                Err(error) => Failure::Transport {
                    transport: Transport::of(&error),
                    // A connection never made carried nothing; anything later may have.
                    sent: !error.is_connect(),
                },
                Ok(answer) => {
                    let status = answer.status();
                    let wait = retry_after(answer.headers());
                    match answer.bytes().await {
                        Err(error) => Failure::Transport {
                            transport: Transport::of(&error),
                            sent: true,
                        },
                        Ok(body) if status.is_success() => return Ok(body),
                        Ok(_) if status == StatusCode::UNAUTHORIZED && !renewed => {
                            // The token expired or was revoked: renew once and retry once.
                            self.tokens().refused(&token).await;
                            renewed = true;
                            continue;
                        }
                        Ok(body) if is_transient(status) => Failure::Status(status, body, wait),
                        Ok(body) => {
                            return Err(
                                refusal(&what, status.as_u16(), &body, call.endpoint).into()
                            );
                        }
                    }
                }
            };
            if !may_repeat {
                return Err(failure.into_error(&what, call.endpoint, call.repeat));
            }
            let pause = self.backoff(attempt, failure.retry_after());
            tracing::debug!(call = %what, attempt, ?pause, "transient failure, retrying");
            tokio::time::sleep(pause).await;
            attempt += 1;
        }
    }

    /// The wait before attempt `attempt + 1`: doubling from the first delay, capped, and a
    /// `Retry-After` honoured up to the cap.
    pub(crate) fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let retry = self.config().retry;
        let doubled = retry.first_delay.saturating_mul(1 << (attempt - 1).min(16));
        retry_after.unwrap_or(doubled).min(retry.max_delay)
    }
}

enum Failure {
    /// `sent`: the request may have reached Treezor.
    Transport {
        transport: Transport,
        sent: bool,
    },
    Status(StatusCode, Bytes, Option<Duration>),
}

impl Failure {
    fn retry_after(&self) -> Option<Duration> {
        match self {
            Failure::Status(_, _, wait) => *wait,
            Failure::Transport { .. } => None,
        }
    }

    fn into_error(self, what: &str, endpoint: Endpoint, repeat: Repeat) -> Error {
        match self {
            // A call that acts, sent once: its outcome is unknown, not a failure to reach.
            Failure::Transport {
                transport,
                sent: true,
            } if repeat == Repeat::Once => Error::AnswerLost {
                call: what.to_owned(),
                transport,
            },
            Failure::Transport { transport, .. } => Error::Unreachable {
                call: what.to_owned(),
                transport,
            },
            Failure::Status(status, body, _) => {
                refusal(what, status.as_u16(), &body, endpoint).into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tags_are_bounded_visible_ascii() {
        assert!(AccessTag::parse("officer-12:start:42").is_ok());
        assert!(AccessTag::parse(&"a".repeat(250)).is_ok());
        for bad in ["", "has space", "é", &"a".repeat(251)] {
            assert!(AccessTag::parse(bad).is_err(), "{bad:?}");
        }
        assert_ne!(AccessTag::random(), AccessTag::random());
    }
}
