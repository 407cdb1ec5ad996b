//! `POST /webhooks/treezor`: verify, store durably, then answer.
//!
//! The answers, and why:
//! - 200 once the webhook is verified and its group is committed durably; a duplicate
//!   `webhook_id` gets 200 too (Treezor may deliver twice) and is stored once.
//! - 503 for a missing or wrong signature. Treezor's guide asks for a non-2xx and suggests a 5xx:
//!   a mismatch on a genuine delivery almost always means our secret is wrong or was rotated, and
//!   a 5xx makes Treezor deliver again, so nothing is lost once the secret is fixed. A forger
//!   learns nothing from it and nothing of theirs is stored.
//! - 400 for a body that is not a webhook envelope (retrying cannot help), 413 over the body
//!   limit, 408 when the body does not arrive in time.
//! - 503 with `Retry-After` when the store cannot take it (writer saturated or failing, PostgreSQL
//!   unreachable), or when
//!   the bodies in memory have spent their budget ([`crate::limits::body_memory`]): the webhook
//!   was not stored and must come again.
//!
//! Every refusal is logged at `warn` with its reason and the ids (webhook_id, event, object_id)
//! when the envelope could be read, never with the payload. Those ids and the parse error are
//! the sender's text, read before the signature is checked: they are logged escaped and cut
//! ([`crate::untrusted`]).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use http_body_util::BodyExt;
use kyc::webhook::Envelope;

use crate::app::{AppState, json_response, peer_of, refusal, store_unavailable};
use crate::limits::body_memory::{Full, Held};
use crate::store::Record;
use crate::store::writer::Outcome;
use crate::untrusted::untrusted;

pub(crate) async fn receive(State(state): State<AppState>, request: Request) -> Response {
    let shared = state.shared();
    let peer = peer_of(&request);
    // The body's bytes count against the shared budget until the webhook is answered.
    let mut held = Held::default();
    let body = match read_body(&state, request, &mut held).await {
        Ok(body) => body,
        Err(refused) => {
            tracing::warn!(peer = ?peer, reason = refused.reason, "webhook refused");
            return refused.response;
        }
    };
    let envelope = match Envelope::parse(&body) {
        Ok(envelope) => envelope,
        Err(error) => {
            tracing::warn!(
                peer = ?peer,
                reason = untrusted(&error.to_string()).as_str(),
                body_bytes = body.len(),
                "webhook refused: not an envelope"
            );
            return refusal(
                StatusCode::BAD_REQUEST,
                "not_an_envelope",
                &format!("the body is not a Treezor webhook envelope: {error}"),
            );
        }
    };
    let record = match Record::verify(&envelope, &shared.webhook_secret) {
        Ok(record) => record,
        Err(error) => {
            log_refused(peer, &envelope, &error.to_string());
            return refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "bad_signature",
                &format!(
                    "webhook {} was not stored: {error}; check the relay's webhook secret",
                    envelope.webhook_id
                ),
            );
        }
    };
    match shared.store.append(record).await {
        Ok(Outcome::Stored { seq }) => {
            tracing::debug!(webhook_id = %envelope.webhook_id, seq, "webhook stored");
            json_response(
                StatusCode::OK,
                format!(r#"{{"status":"stored","seq":{seq}}}"#),
            )
        }
        Ok(Outcome::Duplicate) => {
            tracing::debug!(webhook_id = %envelope.webhook_id, "duplicate webhook, already stored");
            json_response(StatusCode::OK, r#"{"status":"duplicate"}"#.to_owned())
        }
        Err(error) => {
            log_refused(peer, &envelope, &error.to_string());
            store_unavailable(
                "not_stored",
                &format!("webhook {} was not stored: {error}", envelope.webhook_id),
            )
        }
    }
}

fn log_refused(peer: Option<SocketAddr>, envelope: &Envelope, reason: &str) {
    tracing::warn!(
        peer = ?peer,
        reason,
        webhook_id = %envelope.webhook_id,
        event = untrusted(&envelope.event).as_str(),
        object = untrusted(&envelope.object).as_str(),
        object_id = untrusted(envelope.object_id.as_deref().unwrap_or("")).as_str(),
        "webhook refused"
    );
}

struct Refused {
    reason: &'static str,
    response: Response,
}

/// Reads the whole body, within the size limit, the time limit and the shared memory budget
/// (each chunk's bytes are taken from it as the chunk arrives, into `held`).
async fn read_body<'a>(
    state: &'a AppState,
    request: Request,
    held: &mut Held<'a>,
) -> Result<Bytes, Box<Refused>> {
    let shared = state.shared();
    let too_large = || {
        Box::new(Refused {
            reason: "body over the limit",
            response: refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                &format!(
                    "the body is larger than the relay's limit of {} bytes",
                    shared.body_limit
                ),
            ),
        })
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > shared.body_limit as u64) {
        return Err(too_large());
    }
    let mut body: Body = request.into_body();
    let collect = async {
        // A webhook usually arrives in one frame, kept as it is; more frames are joined at the end.
        let mut frames: Vec<Bytes> = Vec::with_capacity(1);
        let mut length = 0;
        while let Some(frame) = body.frame().await {
            let Ok(data) = frame?.into_data() else {
                continue; // trailers
            };
            length += data.len();
            if length > shared.body_limit {
                return Ok(Err(too_large()));
            }
            if let Err(Full { cap }) = shared.body_memory.take(held, data.len()) {
                return Ok(Err(Box::new(Refused {
                    reason: "body memory spent",
                    response: store_unavailable(
                        "bodies_in_memory",
                        &format!(
                            "the relay holds {cap} bytes of webhook bodies, its limit; send the webhook again in a second"
                        ),
                    ),
                })));
            }
            frames.push(data);
        }
        let body = match frames.len() {
            0 => Bytes::new(),
            1 => frames.swap_remove(0),
            _ => frames.concat().into(),
        };
        Ok::<_, axum::Error>(Ok(body))
    };
    match tokio::time::timeout(shared.body_timeout, collect).await {
        Ok(Ok(read)) => read,
        Ok(Err(_)) => Err(Box::new(Refused {
            reason: "body cut short",
            response: refusal(
                StatusCode::BAD_REQUEST,
                "body_incomplete",
                "the body ended before its announced length; send the whole webhook again",
            ),
        })),
        Err(_) => Err(Box::new(Refused {
            reason: "body too slow",
            response: refusal(
                StatusCode::REQUEST_TIMEOUT,
                "body_timeout",
                &format!(
                    "the body did not arrive within {} ms",
                    shared.body_timeout.as_millis()
                ),
            ),
        })),
    }
}
