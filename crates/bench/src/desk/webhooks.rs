//! Signed webhooks as Treezor sends them, posted straight to the relay.

use std::time::{SystemTime, UNIX_EPOCH};

use kyc::webhook::{WebhookSecret, canonical_json, sign_payload};
use serde_json::json;

use super::world::WEBHOOK_SECRET;

/// A webhook body: the flat envelope with a PHP-style payload and its signature.
pub fn envelope(event: &str, object: &str, object_id: u64, payload: serde_json::Value) -> Vec<u8> {
    let secret = WebhookSecret::new(WEBHOOK_SECRET).expect("secret");
    let payload = canonical_json(&payload.to_string()).expect("JSON");
    let signature = sign_payload(&secret, &payload);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let created = now.as_micros() / 100;
    format!(
        r#"{{"webhook":"{event}","webhook_id":"{}","webhook_created_at":{created},"object":"{object}","object_id":"{object_id}","object_payload":{payload},"object_payload_signature":"{signature}"}}"#,
        uuid::Uuid::new_v4()
    )
    .into_bytes()
}

pub fn user_create(user: u64) -> Vec<u8> {
    user_event("user.create", user)
}

/// `user.create`, `user.update` and the like, with the user's whole profile.
pub fn user_event(event: &str, user: u64) -> Vec<u8> {
    envelope(
        event,
        "user",
        user,
        json!({"users": [{
            "userId": user.to_string(), "userTypeId": "1", "userStatus": "VALIDATED",
            "firstname": format!("Bench{user}"), "lastname": "Zoë-Müller", "birthday": "1990-01-01",
            "email": format!("bench{user}@example.com"), "kycLevel": "0", "kycReview": "0",
            "createdDate": "2026-01-01 10:00:00"
        }]}),
    )
}

pub fn liveness(
    user: u64,
    event: &str,
    status: &str,
    score: Option<&str>,
    reasons: &[&str],
) -> Vec<u8> {
    let reasons: Vec<_> = reasons
        .iter()
        .map(|code| json!({"reason-code": code, "reason-message": "bench reason"}))
        .collect();
    envelope(
        event,
        "kycliveness",
        user,
        json!({
            "user_id": user.to_string(), "kyc-status": status, "score": score,
            "identification-id": format!("idv-bench-{user}"), "reasons": reasons, "comment": null
        }),
    )
}

pub fn document_create(user: u64, document: u64, type_id: u16) -> Vec<u8> {
    envelope(
        "document.create",
        "document",
        document,
        json!({"documents": [{
            "documentId": document.to_string(), "userId": user.to_string(),
            "documentTypeId": type_id.to_string(), "documentStatus": "PENDING",
            "fileName": format!("doc-{document}.pdf"), "createdDate": "2026-01-01 10:05:00"
        }]}),
    )
}

/// Posts bodies to the relay with `concurrency` keep-alive connections; returns how many got 200.
pub async fn post_all(url: &str, bodies: Vec<Vec<u8>>, concurrency: usize) -> usize {
    use futures_util::StreamExt;
    let client = reqwest::Client::new();
    futures_util::stream::iter(bodies)
        .map(|body| {
            let client = client.clone();
            async move {
                client
                    .post(url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .buffer_unordered(concurrency)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await
}
