//! What a webhook means for the dashboard: the users and documents it describes, and the events it
//! adds to users' cases, each at the time [`Times`] gives it.
//!
//! Times come from the signed payload first (see [`super::when`]): a liveness result's
//! `updated-at`, then `started-at`; a document's `createdDate`, then `modifiedDate`; a review's
//! `modifiedDate` (never the user's `createdDate`: a review decided today must not be dated from
//! the day the user was created). A profile observation is dated by its `modifiedDate`, a document
//! observation by its `modifiedDate`, then `createdDate`. Only what the payload does not date falls back on the
//! envelope's time, clamped. Payloads may hold one object or a list under the object's plural
//! name (`{"users":[…]}`, `{"documents":[…]}`); both are read.

use serde::de::DeserializeOwned;
use thiserror::Error;

use super::envelope::Envelope;
use super::when::Times;
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Meaning {
    /// The webhook's place in a case's timeline: the latest time of what it tells, or the
    /// envelope's time (clamped) when it tells nothing the product reads.
    pub at: Timestamp,
    /// Each user object with the time it was observed at.
    pub users: Vec<(User, Timestamp)>,
    /// Each document object with the time it was observed at.
    pub documents: Vec<(Document, Timestamp)>,
    pub case_events: Vec<(UserId, CaseEvent)>,
}

impl Meaning {
    /// A webhook that tells nothing the product acts on, placed at `at`.
    pub fn nothing(at: Timestamp) -> Meaning {
        Meaning {
            at,
            users: Vec::new(),
            documents: Vec::new(),
            case_events: Vec::new(),
        }
    }

    /// Whether the webhook tells nothing the product acts on.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.documents.is_empty() && self.case_events.is_empty()
    }
}

/// Reads a (verified) webhook. `received_at` is the relay's reception time: the bound on the
/// envelope's time, and the last resort for an event's time.
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
    let times = Times::new(created_at, received_at);
    let Some(kind) = Consumed::from_event(event) else {
        return Ok(Meaning::nothing(times.envelope()));
    };
    let error = |detail: String| PayloadError {
        event: event.to_owned(),
        detail,
    };
    let mut meaning = Meaning::nothing(times.envelope());
    match kind {
        Consumed::LivenessCreate | Consumed::LivenessUpdate => {
            for result in objects::<LivenessResult>(payload, "kycliveness").map_err(error)? {
                let at = times.of(&[result.updated_at, result.started_at]);
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
                if let (Some(user), Some(document_type)) =
                    (document.user_id, document.document_type_id)
                {
                    meaning.case_events.push((
                        user,
                        CaseEvent::DocumentCreated {
                            at: times.of(&[document.created_at, document.modified_at]),
                            document: document.document_id,
                            document_type,
                        },
                    ));
                }
                let observed = times.of(&[document.modified_at, document.created_at]);
                meaning.documents.push((document, observed));
            }
        }
        Consumed::UserCreate
        | Consumed::UserUpdate
        | Consumed::UserKycRequest
        | Consumed::UserKycReview => {
            for user in objects::<User>(payload, "users").map_err(error)? {
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
                            at: times.of(&[user.modified_at]),
                            review,
                            comment: user.kyc_review_comment.clone(),
                        },
                    ));
                }
                let observed = times.of(&[user.modified_at]);
                meaning.users.push((user, observed));
            }
        }
    }
    let latest = (meaning.case_events.iter().map(|(_, e)| e.at()))
        .chain(meaning.users.iter().map(|(_, at)| *at))
        .chain(meaning.documents.iter().map(|(_, at)| *at))
        .max();
    meaning.at = latest.unwrap_or(meaning.at);
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
    fn the_signed_time_orders_the_event_whatever_the_envelope_says() {
        let payload = r#"{"user_id":"42","kyc-status":"processed","score":"0","reasons":[{"reason-code":"2301"}],"identification-id":"idv-1","started-at":"2024-07-01 09:55:00","updated-at":"2024-07-01 10:00:00"}"#;
        let signed = Timestamp::parse_treezor_date("2024-07-01 10:00:00").unwrap();
        // The genuine envelope (inside the signed second), one re-dated years ahead, one years
        // back, and one without a time.
        for created in [
            Some("1719820800.4321"),
            Some("4102444800"),
            Some("1500000000"),
            None,
        ] {
            let meaning =
                meaning(&envelope("kycliveness.update", created, payload), RECEIVED).unwrap();
            let at = meaning.case_events[0].1.at();
            assert_eq!(
                at.unix_micros() / 1_000_000,
                signed.unix_micros() / 1_000_000,
                "{created:?}"
            );
            assert_eq!(meaning.at, at);
        }
        let genuine = meaning(
            &envelope("kycliveness.update", Some("1719820800.4321"), payload),
            RECEIVED,
        )
        .unwrap();
        assert_eq!(
            genuine.case_events[0].1.at().unix_micros(),
            1_719_820_800_432_100,
            "the envelope gives the sub-second part of the signed second"
        );
    }

    #[test]
    fn an_undated_payload_takes_the_envelope_time_unless_it_is_in_the_future() {
        let payload = r#"{"users":[{"userId":"42","kycReview":"2"}]}"#;
        let honest = meaning(
            &envelope("user.kycreview", Some("1999999999"), payload),
            RECEIVED,
        )
        .unwrap();
        assert_eq!(
            honest.case_events[0].1.at(),
            Timestamp::from_unix_seconds(1_999_999_999)
        );
        assert_eq!(
            honest.users[0].1,
            Timestamp::from_unix_seconds(1_999_999_999)
        );
        let ahead = meaning(
            &envelope("user.kycreview", Some("4102444800"), payload),
            RECEIVED,
        )
        .unwrap();
        assert_eq!(ahead.case_events[0].1.at(), RECEIVED);
        assert_eq!(ahead.users[0].1, RECEIVED);
        assert_eq!(ahead.at, RECEIVED);
    }

    #[test]
    fn a_review_is_dated_by_the_users_change_never_by_its_creation() {
        let payload = r#"{"users":[{"userId":"42","kycReview":"2","createdDate":"2020-01-01 10:00:00","modifiedDate":"0000-00-00 00:00:00"}]}"#;
        let review = meaning(&envelope("user.kycreview", None, payload), RECEIVED).unwrap();
        assert_eq!(review.case_events[0].1.at(), RECEIVED);
        assert_eq!(review.users[0].1, RECEIVED);
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
        assert_eq!(request.users[0].0.user_id.get(), 42);
    }

    #[test]
    fn other_webhooks_mean_nothing_and_bad_payloads_say_so() {
        let other = meaning(
            &envelope("card.create", None, r#"{"cardId":"1"}"#),
            RECEIVED,
        )
        .unwrap();
        assert!(other.is_empty());
        assert_eq!(other.at, RECEIVED, "placed at the reception without a time");
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
