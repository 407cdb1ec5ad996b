//! Feed events as the relay serves them, for the cache's tests.

#![allow(dead_code)]

pub mod people;
pub mod queries;

use cache::Cache;
use kyc::feed::FeedEvent;
use kyc::{Timestamp, WebhookId};
use serde_json::value::RawValue;

/// 2023-11-14T22:13:20Z: the tests' clock starts here.
pub const T0: i64 = 1_700_000_000;

pub fn at(seconds_after_t0: i64) -> Timestamp {
    Timestamp::from_unix_seconds(T0 + seconds_after_t0)
}

/// SQL that takes a file back to the tables before deadlines (schema version 9) and the hub
/// trail's witness (version 10).
pub const WITHOUT_DEADLINES: &str = "DROP TABLE hub_trail_witness;
    DROP INDEX users_by_due; DROP INDEX users_by_state_due;
    ALTER TABLE users DROP COLUMN due_at; ALTER TABLE users DROP COLUMN state_since;
    DROP TABLE deadlines;";

/// A fresh cache file in its own temporary folder (kept alive by the returned guard).
pub fn fresh_cache() -> (tempfile::TempDir, Cache) {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(dir.path().join("desk").join("cache.sqlite")).unwrap();
    (dir, cache)
}

pub fn event(
    seq: u64,
    webhook_id: &str,
    name: &str,
    object: &str,
    created_at: Option<Timestamp>,
    payload: &str,
) -> FeedEvent {
    FeedEvent {
        seq,
        webhook_id: WebhookId::parse(webhook_id).unwrap(),
        webhook: name.to_owned(),
        object: object.to_owned(),
        object_id: None,
        webhook_created_at: created_at,
        received_at: created_at.unwrap_or(at(0)).plus_seconds(1),
        object_payload: RawValue::from_string(payload.to_owned()).unwrap(),
        officer: None,
    }
}

pub fn user_created(
    seq: u64,
    user: u64,
    first: &str,
    last: &str,
    email: &str,
    t: i64,
) -> FeedEvent {
    let created = at(t).to_treezor_date();
    event(
        seq,
        &format!("w-{seq}"),
        "user.create",
        "user",
        Some(at(t)),
        &format!(
            r#"{{"users":[{{"userId":"{user}","userTypeId":"1","firstname":"{first}","lastname":"{last}","email":"{email}","birthday":"1990-01-01","kycReview":"0","createdDate":"{created}"}}]}}"#
        ),
    )
}

pub fn liveness(
    seq: u64,
    user: u64,
    identification: &str,
    status: &str,
    score: Option<i8>,
    codes: &[&str],
    t: i64,
) -> FeedEvent {
    let score = score
        .map(|s| format!(r#","score":"{s}""#))
        .unwrap_or_default();
    let reasons: Vec<String> = codes
        .iter()
        .map(|c| format!(r#"{{"reason-code":"{c}","reason-message":"message {c}"}}"#))
        .collect();
    let name = if status == "processing" {
        "kycliveness.create"
    } else {
        "kycliveness.update"
    };
    event(
        seq,
        &format!("w-{seq}"),
        name,
        "kycliveness",
        Some(at(t)),
        &format!(
            r#"{{"user_id":"{user}","kyc-status":"{status}"{score},"reasons":[{}],"identification-id":"{identification}"}}"#,
            reasons.join(",")
        ),
    )
}

pub fn document(seq: u64, document: u64, user: u64, type_id: u16, t: i64) -> FeedEvent {
    let created = at(t).to_treezor_date();
    event(
        seq,
        &format!("w-{seq}"),
        "document.create",
        "document",
        Some(at(t)),
        &format!(
            r#"{{"documents":[{{"documentId":"{document}","userId":"{user}","documentTypeId":"{type_id}","documentStatus":"PENDING","fileName":"doc-{document}.pdf","createdDate":"{created}"}}]}}"#
        ),
    )
}

pub fn review(seq: u64, user: u64, event_name: &str, review: u8, t: i64) -> FeedEvent {
    event(
        seq,
        &format!("w-{seq}"),
        event_name,
        "user",
        Some(at(t)),
        &format!(r#"{{"users":[{{"userId":"{user}","kycReview":"{review}"}}]}}"#),
    )
}
