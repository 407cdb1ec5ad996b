//! `GET /v1/events?after=SEQ&limit=N&wait=SECONDS`: the feed of stored webhooks, read with the
//! bearer feed token or an officer's credential (see [`crate::access`]).
//!
//! A long poll (`wait` > 0) with nothing new waits on the store's commit notification (a
//! `tokio::sync::watch` set right after each commit: by the writer, and on PostgreSQL also by
//! other instances' `NOTIFY`), never on a loop over the database: it wakes the moment an event
//! is committed, any number of readers wait on the same notification, and a waiting reader costs
//! no query. A reader far behind gets full pages at once from a range scan on the primary key.
//!
//! Long polls waiting at once are capped per credential and in all, and reads of the store run a
//! few at a time, whichever store it is: see [`crate::limits::feed_readers`].
//!
//! Limits: `limit` defaults to 100 and is capped at [`MAX_LIMIT`]; `wait` defaults to 0 and is
//! capped at [`MAX_WAIT_SECONDS`]. Values over a cap are lowered to it, however many digits they
//! have; values that are not numbers get 400. `after` beyond any stored event gives an empty page.

use std::time::Duration;

use axum::extract::{RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use kyc::feed::FeedPage;

use crate::access::{authenticate, recheck};
use crate::app::{AppState, is_transient, json_response, peer_of, refusal, store_unavailable};
use crate::untrusted::untrusted;

pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 1000;
pub const MAX_WAIT_SECONDS: u64 = 60;

/// A feed request's parameters, parsed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FeedQuery {
    pub after: u64,
    pub limit: usize,
    pub wait: Duration,
}

impl FeedQuery {
    /// Parses the query string (form-encoded, as any HTTP client writes it); the error says which
    /// parameter is wrong and what is expected. Unknown parameters are ignored.
    pub fn parse(query: Option<&str>) -> Result<FeedQuery, String> {
        let mut parsed = FeedQuery {
            after: 0,
            limit: DEFAULT_LIMIT,
            wait: Duration::ZERO,
        };
        let mut seen = [false; 3];
        let pairs = form_urlencoded::parse(query.unwrap_or("").as_bytes());
        for (key, value) in pairs.filter(|(key, value)| !key.is_empty() || !value.is_empty()) {
            let slot = match key.as_ref() {
                "after" => 0,
                "limit" => 1,
                "wait" => 2,
                _ => continue,
            };
            if std::mem::replace(&mut seen[slot], true) {
                return Err(format!("{key} is given more than once; give it once"));
            }
            match slot {
                0 => {
                    parsed.after = whole_number(&value).ok_or_else(|| {
                        "after must be a sequence number (a whole number, 0 or more)".to_owned()
                    })?;
                }
                1 => {
                    let limit =
                        whole_number(&value)
                            .filter(|&limit| limit > 0)
                            .ok_or_else(|| {
                                format!("limit must be a whole number from 1 to {MAX_LIMIT}")
                            })?;
                    parsed.limit = usize::try_from(limit).map_or(MAX_LIMIT, |l| l.min(MAX_LIMIT));
                }
                _ => {
                    let seconds = seconds(&value).ok_or_else(|| {
                        format!("wait must be a number of seconds from 0 to {MAX_WAIT_SECONDS}")
                    })?;
                    parsed.wait = Duration::from_secs_f64(seconds.min(MAX_WAIT_SECONDS as f64));
                }
            }
        }
        Ok(parsed)
    }
}

/// Digits only; a number too large for 64 bits is read as the largest one (every cap and every
/// sequence number is below it, so the answer is the same).
fn whole_number(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(value.parse().unwrap_or(u64::MAX))
}

/// A decimal number of seconds, 0 or more (`1`, `0.5`, `2e1`); one too large for a float is
/// infinite, which the caller lowers to the cap. Words that Rust reads as floats (`inf`, `NaN`)
/// are not numbers here.
fn seconds(value: &str) -> Option<f64> {
    let numeric = value.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    value
        .parse::<f64>()
        .ok()
        .filter(|s| numeric && !s.is_nan() && *s >= 0.0)
}

pub(crate) async fn events(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let shared = state.shared();
    let access = match authenticate(&state, request.headers()).await {
        Ok(access) => access,
        Err(refused) => {
            tracing::warn!(peer = ?peer_of(&request), status = refused.status().as_u16(), "feed request refused");
            return *refused;
        }
    };
    let FeedQuery { after, limit, wait } = match FeedQuery::parse(query.as_deref()) {
        Ok(query) => query,
        Err(message) => {
            tracing::warn!(
                peer = ?peer_of(&request),
                reason = untrusted(&message).as_str(),
                "feed request refused"
            );
            return refusal(StatusCode::BAD_REQUEST, "bad_parameter", &message);
        }
    };
    let mut committed = shared.store.committed();
    let mut newest = *committed.borrow_and_update();
    if newest <= after && !wait.is_zero() {
        {
            let _parked = match shared.feed_readers.park(access.reader_key(&state)) {
                Ok(parked) => parked,
                Err(crowded) => return crowded.response(),
            };
            tokio::select! {
                _ = tokio::time::timeout(wait, committed.wait_for(|seq| *seq > after)) => {}
                _ = shared.closing.cancelled() => {}
            }
            newest = *committed.borrow();
        }
        // A credential revoked while its poll waited gets nothing more.
        if let Err(refused) = recheck(&state, access).await {
            return *refused;
        }
    }
    let read = {
        let _turn = shared.feed_readers.read_turn().await;
        shared.store.page(after, limit).await
    };
    let events = match read {
        Ok(events) => events,
        Err(error) => {
            tracing::error!(%error, after, "the feed could not be read");
            let message = format!("the relay could not read its events: {error}");
            return if is_transient(&error) {
                store_unavailable("store_unavailable", &message)
            } else {
                refusal(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "store_unreadable",
                    &message,
                )
            };
        }
    };
    let last_seq = events.last().map_or(newest, |e| e.seq.max(newest));
    match serde_json::to_string(&FeedPage { events, last_seq }) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(error) => refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "encoding",
            &format!("the page could not be encoded: {error}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A limit or a wait with more digits than a machine number was refused
    /// although the contract lowers values over a cap; percent-encoded parameters were not read.
    #[test]
    fn huge_and_encoded_values_are_read_as_any_client_writes_them() {
        let q = FeedQuery::parse(Some(
            "after=18446744073709551616&limit=99999999999999999999999&wait=1e400",
        ))
        .unwrap();
        assert_eq!(
            (q.after, q.limit, q.wait),
            (u64::MAX, MAX_LIMIT, Duration::from_secs(MAX_WAIT_SECONDS))
        );
        let q = FeedQuery::parse(Some("after=%34%32&limit=5&&wait=")).unwrap_err();
        assert!(q.contains("wait must be"), "{q}");
        let q = FeedQuery::parse(Some("after=%34%32&limit=5")).unwrap();
        assert_eq!((q.after, q.limit), (42, 5));
    }

    #[test]
    fn parameters_default_cap_and_explain_themselves() {
        assert_eq!(
            FeedQuery::parse(None).unwrap(),
            FeedQuery {
                after: 0,
                limit: 100,
                wait: Duration::ZERO
            }
        );
        let q = FeedQuery::parse(Some("after=41&limit=5000&wait=600&other=x")).unwrap();
        assert_eq!(
            (q.after, q.limit, q.wait),
            (41, 1000, Duration::from_secs(60))
        );
        assert_eq!(
            FeedQuery::parse(Some("wait=0.5")).unwrap().wait,
            Duration::from_millis(500)
        );
        for (query, says) in [
            ("after=-1", "after must be"),
            ("after=abc", "after must be"),
            ("limit=0", "limit must be"),
            ("limit=", "limit must be"),
            ("wait=-3", "wait must be"),
            ("wait=NaN", "wait must be"),
            ("after=1&after=2", "more than once"),
            ("after=1&%61fter=2", "more than once"),
            ("wait=inf", "wait must be"),
            ("limit=0x10", "limit must be"),
        ] {
            let error = FeedQuery::parse(Some(query)).unwrap_err();
            assert!(error.contains(says), "{query}: {error}");
        }
    }
}
