//! What a webhook means for the dashboard: the users and documents it describes, and the events it
//! adds to users' cases.
//!
//! An event's time is the webhook's `webhook_created_at`, the order Treezor asks integrators to
//! follow; when a webhook carries none, the dates inside the object, then the time the relay
//! received it. Payloads may hold one object or a list under the object's plural name
//! (`{"users":[…]}`, `{"documents":[…]}`); both are read.

use serde::de::DeserializeOwned;
use thiserror::Error;

use super::envelope::Envelope;
use crate::case::CaseEvent;
use crate::ids::UserId;
use crate::objects::{Document, LivenessResult, User};
use crate::time::Timestamp;
use crate::values::KycReview;

/// The webhooks this product acts on; every other one is kept and shown, not applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Consumed {
    LivenessCreate,
    LivenessUpdate,
    DocumentCreate,
    UserCreate,
    UserUpdate,
    UserKycRequest,
    UserKycReview,
}

impl Consumed {
    pub fn from_event(event: &str) -> Option<Consumed> {
        Some(match event {
            "kycliveness.create" => Consumed::LivenessCreate,
            "kycliveness.update" => Consumed::LivenessUpdate,
            "document.create" => Consumed::DocumentCreate,
            "user.create" => Consumed::UserCreate,
            "user.update" => Consumed::UserUpdate,
            "user.kycrequest" => Consumed::UserKycRequest,
            "user.kycreview" => Consumed::UserKycReview,
            _ => return None,
        })
    }
}

/// Why a verified webhook's payload could not be read. Never quotes the payload.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the {event} payload could not be read: {detail}")]
pub struct PayloadError {
    pub event: String,
    pub detail: String,
}

/// What one webhook tells the dashboard.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meaning {
    pub users: Vec<User>,
    pub documents: Vec<Document>,
    pub case_events: Vec<(UserId, CaseEvent)>,
}

/// Reads a (verified) webhook. `received_at` is the relay's reception time, the last resort for
/// an event's time.
pub fn meaning(envelope: &Envelope, received_at: Timestamp) -> Result<Meaning, PayloadError> {
    meaning_of(
        &envelope.event,
        envelope.created_at,
        envelope.payload_json(),
        received_at,
    )
}

/// [`meaning`] from the parts of a webhook, as the relay's feed serves them.
pub fn meaning_of(
    event: &str,
    created_at: Option<Timestamp>,
    payload: &str,
    received_at: Timestamp,
) -> Result<Meaning, PayloadError> {
    let Some(kind) = Consumed::from_event(event) else {
        return Ok(Meaning::default());
    };
    let error = |detail: String| PayloadError {
        event: event.to_owned(),
        detail,
    };
    let mut meaning = Meaning::default();
    match kind {
        Consumed::LivenessCreate | Consumed::LivenessUpdate => {
            for result in objects::<LivenessResult>(payload, "kycliveness").map_err(error)? {
                let at = created_at
                    .or(result.updated_at)
                    .or(result.started_at)
                    .unwrap_or(received_at);
                meaning.case_events.push((
                    result.user_id,
                    CaseEvent::Liveness {
                        at,
                        identification: result.identification,
                        status: result.status,
                        score: result.score,
                        reasons: result.reasons,
                        comment: result.comment,
                    },
                ));
            }
        }
        Consumed::DocumentCreate => {
            for document in objects::<Document>(payload, "documents").map_err(error)? {
                let at = created_at.or(document.created_at).unwrap_or(received_at);
                if let (Some(user), Some(document_type)) =
                    (document.user_id, document.document_type_id)
                {
                    meaning.case_events.push((
                        user,
                        CaseEvent::DocumentCreated {
                            at,
                            document: document.document_id,
                            document_type,
                        },
                    ));
                }
                meaning.documents.push(document);
            }
        }
        Consumed::UserCreate
        | Consumed::UserUpdate
        | Consumed::UserKycRequest
        | Consumed::UserKycReview => {
            for user in objects::<User>(payload, "users").map_err(error)? {
                let at = created_at.or(user.modified_at).unwrap_or(received_at);
                let review = match (kind, user.kyc_review) {
                    (Consumed::UserKycRequest, review) => Some(
                        review
                            .filter(|r| r.is_pending() || r.is_decision())
                            .unwrap_or(KycReview::Pending),
                    ),
                    (_, review) => review,
                };
                if let Some(review) = review {
                    meaning.case_events.push((
                        user.user_id,
                        CaseEvent::Review {
                            at,
                            review,
                            comment: user.kyc_review_comment.clone(),
                        },
                    ));
                }
                meaning.users.push(user);
            }
        }
    }
    Ok(meaning)
}

/// The objects in a payload: one object, or a list (or a single object) under `plural`.
fn objects<T: DeserializeOwned>(payload: &str, plural: &str) -> Result<Vec<T>, String> {
    let value: serde_json::Value =
        serde_json::from_str(payload).map_err(|e| format!("not JSON at column {}", e.column()))?;
    let items = match value.get(plural) {
        Some(serde_json::Value::Array(items)) => items.clone(),
        Some(object @ serde_json::Value::Object(_)) => vec![object.clone()],
        _ => vec![value],
    };
    items
        .into_iter()
        .map(|item| serde_json::from_value(item).map_err(|e| describe(&e)))
        .collect()
}

/// serde's message without any quoted input beyond our own parse errors (which cap the echo).
fn describe(error: &serde_json::Error) -> String {
    let message = error.to_string();
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        "a field has the wrong type".to_owned()
    } else {
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseEvent;
    use crate::values::{LivenessStatus, Score};

    fn envelope(event: &str, created_at: Option<&str>, payload: &str) -> Envelope {
        let created = created_at
            .map(|c| format!(r#","webhook_created_at":"{c}""#))
            .unwrap_or_default();
        let body = format!(
            r#"{{"webhook":"{event}","webhook_id":"w1"{created},"object_payload":{payload}}}"#
        );
        Envelope::parse(body.as_bytes()).unwrap()
    }

    const RECEIVED: Timestamp = Timestamp::from_unix_seconds(2_000_000_000);

    #[test]
    fn a_liveness_update_becomes_a_case_event_at_the_webhooks_time() {
        let e = envelope(
            "kycliveness.update",
            Some("1700000000.5"),
            r#"{"user_id":"42","kyc-status":"processed","score":"0","reasons":[{"reason-code":"2303","reason-message":"m"}],"identification-id":"idv-1"}"#,
        );
        let meaning = meaning(&e, RECEIVED).unwrap();
        let [
            (
                user,
                CaseEvent::Liveness {
                    at,
                    status,
                    score,
                    reasons,
                    identification,
                    ..
                },
            ),
        ] = meaning.case_events.as_slice()
        else {
            panic!("one liveness event expected: {:?}", meaning.case_events);
        };
        assert_eq!(user.get(), 42);
        assert_eq!(*at, Timestamp::from_unix_micros(1_700_000_000_500_000));
        assert_eq!(*status, LivenessStatus::Processed);
        assert_eq!(*score, Some(Score::Refused));
        assert_eq!(reasons.len(), 1);
        assert_eq!(identification.as_ref().map(|i| i.as_str()), Some("idv-1"));
    }

    #[test]
    fn documents_come_alone_or_listed() {
        for payload in [
            r#"{"documents":[{"documentId":"7","userId":"42","documentTypeId":"26"}]}"#,
            r#"{"documentId":7,"userId":42,"documentTypeId":26}"#,
        ] {
            let meaning = meaning(&envelope("document.create", None, payload), RECEIVED).unwrap();
            assert_eq!(meaning.documents.len(), 1);
            assert!(
                matches!(meaning.case_events[0].1, CaseEvent::DocumentCreated { at, .. } if at == RECEIVED)
            );
        }
    }

    #[test]
    fn review_webhooks_carry_the_decision() {
        let request = meaning(
            &envelope(
                "user.kycrequest",
                None,
                r#"{"users":[{"userId":"42","kycReview":"0"}]}"#,
            ),
            RECEIVED,
        )
        .unwrap();
        assert!(matches!(
            request.case_events[0].1,
            CaseEvent::Review {
                review: KycReview::Pending,
                ..
            }
        ));
        let review = meaning(
            &envelope("user.kycreview", None, r#"{"users":[{"userId":"42","kycReview":"3","kycReviewComment":"Document unreadable","modifiedDate":"2024-07-01 10:00:00"}]}"#),
            RECEIVED,
        )
        .unwrap();
        let CaseEvent::Review {
            at,
            review,
            comment,
        } = &review.case_events[0].1
        else {
            panic!()
        };
        assert_eq!(*review, KycReview::Refused);
        assert_eq!(comment.as_deref(), Some("Document unreadable"));
        assert_eq!(at.to_rfc3339(), "2024-07-01T08:00:00.000Z");
        assert_eq!(request.users[0].user_id.get(), 42);
    }

    #[test]
    fn other_webhooks_mean_nothing_and_bad_payloads_say_so() {
        let other = meaning(
            &envelope("card.create", None, r#"{"cardId":"1"}"#),
            RECEIVED,
        )
        .unwrap();
        assert_eq!(other, Meaning::default());
        let bad = meaning(
            &envelope(
                "kycliveness.update",
                None,
                r#"{"user_id":"secret-value-x"}"#,
            ),
            RECEIVED,
        )
        .unwrap_err();
        assert_eq!(bad.event, "kycliveness.update");
        assert!(bad.to_string().contains("userId is not valid"), "{bad}");
        assert!(!bad.to_string().contains("secret-value-x"), "{bad}");
    }
}
