//! Fault injection per path: what Treezor's network, servers and file host do on a bad day.
//!
//! A rule names a path prefix (and optionally a method), a fault, and how many requests it hits
//! (`times`; none means every request until cleared). The HTTP layer applies the faults of every
//! rule that matches a request; the download endpoint reads `url_age` rules itself.

use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};

use crate::api::answer::ApiError;
use crate::state::SandboxState;
use crate::state::lock;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// Answer this status (e.g. 500, 502, 503, 504, 429) in Treezor's error shape. With
    /// `after_handling`, the request is carried out first and its answer lost, as when a gateway
    /// times out behind a server that did the work.
    Status {
        status: u16,
        #[serde(default)]
        after_handling: bool,
    },
    /// Wait this long before answering (longer than a client's timeout: a timeout).
    Delay { millis: u64 },
    /// Send the answer's body at this rate.
    SlowBody { bytes_per_second: u64 },
    /// Close the connection after this many bytes of the body.
    DropConnection { after_bytes: u64 },
    /// Hand out download URLs as if created this many seconds ago (near or past their 30 s).
    UrlAge { seconds: u64 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// A path prefix, e.g. `/v1/documents/` or `/files/`.
    pub path: String,
    /// `GET`, `POST`, …; any method when absent.
    #[serde(default)]
    pub method: Option<String>,
    pub fault: Fault,
    /// How many matching requests the fault hits; every one until cleared when absent.
    #[serde(default)]
    pub times: Option<u32>,
}

impl FaultRule {
    pub fn new(path: impl Into<String>, fault: Fault) -> FaultRule {
        FaultRule {
            path: path.into(),
            method: None,
            fault,
            times: None,
        }
    }

    pub fn method(mut self, method: &str) -> FaultRule {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    pub fn times(mut self, times: u32) -> FaultRule {
        self.times = Some(times);
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        path.starts_with(&self.path)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

#[derive(Default)]
pub struct Faults {
    rules: Mutex<Vec<FaultRule>>,
}

impl Faults {
    pub fn add(&self, rule: FaultRule) {
        lock(&self.rules).push(rule);
    }

    pub fn clear(&self) {
        lock(&self.rules).clear();
    }

    pub fn rules(&self) -> Vec<FaultRule> {
        lock(&self.rules).clone()
    }

    /// Takes one use of the first matching rule of each kind that `wanted` accepts: rules of the
    /// same kind queue up (a 503 rule then a 429 rule hit two successive requests).
    pub fn take(&self, method: &str, path: &str, wanted: impl Fn(&Fault) -> bool) -> Vec<Fault> {
        let mut rules = lock(&self.rules);
        let mut taken: Vec<Fault> = Vec::new();
        for rule in rules.iter_mut() {
            let kind = std::mem::discriminant(&rule.fault);
            let kind_taken = taken.iter().any(|f| std::mem::discriminant(f) == kind);
            if !kind_taken
                && rule.matches(method, path)
                && wanted(&rule.fault)
                && rule.times != Some(0)
            {
                taken.push(rule.fault.clone());
                if let Some(times) = rule.times.as_mut() {
                    *times -= 1;
                }
            }
        }
        rules.retain(|r| r.times != Some(0));
        taken
    }

    /// The age to give the next download URL handed out for `path`, if a rule says so.
    pub fn url_age(&self, path: &str) -> Option<Duration> {
        self.take("GET", path, |f| matches!(f, Fault::UrlAge { .. }))
            .into_iter()
            .find_map(|f| match f {
                Fault::UrlAge { seconds } => Some(Duration::from_secs(seconds)),
                _ => None,
            })
    }
}

/// The HTTP layer: counts the request, then applies the faults that match it.
pub async fn layer(State(state): State<SandboxState>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    state.count(&method, &path);
    if path.starts_with("/sandbox") {
        return next.run(request).await;
    }
    // Faults that act before the answer first: a status answered early leaves the body faults
    // for the next request.
    let early = state.shared().faults.take(&method, &path, |f| {
        matches!(f, Fault::Delay { .. } | Fault::Status { .. })
    });
    let mut status_after = None;
    for fault in &early {
        match *fault {
            Fault::Delay { millis } => {
                tokio::select! {
                    _ = state.shared().shutdown.cancelled() => {}
                    _ = tokio::time::sleep(Duration::from_millis(millis)) => {}
                }
            }
            Fault::Status {
                status,
                after_handling: false,
            } => return injected(status),
            Fault::Status {
                status,
                after_handling: true,
            } => status_after = Some(status),
            _ => {}
        }
    }
    let response = next.run(request).await;
    if let Some(status) = status_after {
        return injected(status);
    }
    let late = state.shared().faults.take(&method, &path, |f| {
        matches!(f, Fault::SlowBody { .. } | Fault::DropConnection { .. })
    });
    let mut response = response;
    for fault in late {
        response = match fault {
            Fault::SlowBody { bytes_per_second } => {
                map_body(response, |s| slow(s, bytes_per_second))
            }
            Fault::DropConnection { after_bytes } => map_body(response, |s| cut(s, after_bytes)),
            _ => response,
        };
    }
    response
}

fn injected(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let (kind, code) = if status == StatusCode::TOO_MANY_REQUESTS {
        ("rate_limit_error", "too_many_requests")
    } else {
        ("api_error", "service_unavailable")
    };
    ApiError::new(
        status,
        kind,
        code,
        "The service is temporarily unavailable, please retry later",
    )
    .into_response()
}

type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, axum::Error>> + Send>>;

fn map_body(response: Response, change: impl FnOnce(BodyStream) -> BodyStream) -> Response {
    let (parts, body) = response.into_parts();
    let stream: BodyStream = Box::pin(body.into_data_stream());
    Response::from_parts(parts, Body::from_stream(change(stream)))
}

/// Re-chunks the body into tenths of a second's worth and paces them.
fn slow(stream: BodyStream, bytes_per_second: u64) -> BodyStream {
    let rate = bytes_per_second.max(1);
    let piece = (rate / 10).max(1) as usize;
    let pause = Duration::from_secs_f64(piece as f64 / rate as f64);
    Box::pin(
        stream
            .flat_map(move |chunk| {
                let pieces: Vec<Result<Bytes, axum::Error>> = match chunk {
                    Ok(bytes) => (0..bytes.len())
                        .step_by(piece)
                        .map(|at| Ok(bytes.slice(at..(at + piece).min(bytes.len()))))
                        .collect(),
                    Err(e) => vec![Err(e)],
                };
                futures_util::stream::iter(pieces)
            })
            .then(move |piece| async move {
                tokio::time::sleep(pause).await;
                piece
            }),
    )
}

/// Passes `limit` bytes, then fails the body so the server drops the connection. A body shorter
/// than the limit goes through whole.
fn cut(stream: BodyStream, limit: u64) -> BodyStream {
    #[derive(Clone, Copy)]
    enum Next {
        Pass(u64),
        Fail,
        Done,
    }
    let dropped = || axum::Error::new("connection dropped by a sandbox fault");
    Box::pin(futures_util::stream::unfold(
        (stream, Next::Pass(0)),
        move |(mut inner, next)| async move {
            match next {
                Next::Done => None,
                Next::Fail => {
                    // Let the server flush what was sent, so the client sees a body cut midway
                    // rather than no answer at all.
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    Some((Err(dropped()), (inner, Next::Done)))
                }
                Next::Pass(sent) => match inner.next().await? {
                    Err(e) => Some((Err(e), (inner, Next::Done))),
                    Ok(_) if sent >= limit => Some((Err(dropped()), (inner, Next::Done))),
                    Ok(bytes) => {
                        let room = (limit - sent) as usize;
                        if bytes.len() >= room {
                            Some((Ok(bytes.slice(..room)), (inner, Next::Fail)))
                        } else {
                            let len = bytes.len() as u64;
                            Some((Ok(bytes), (inner, Next::Pass(sent + len))))
                        }
                    }
                },
            }
        },
    ))
}
