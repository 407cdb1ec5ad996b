//! A case event as the cache stores it: its canonical JSON form, and the digest of that form which
//! makes a repeated event a no-op.
//!
//! The form is our own rather than the domain's `Serialize` output because instants must keep
//! their microseconds (the domain writes RFC 3339 to the millisecond): an event read back must be
//! equal to the one stored, or a duplicate would not be recognised as one. The form is part of the
//! file format; changing it needs a migration that rewrites `case_events`.

use kyc::case::{CaseEvent, ListedDocument};
use kyc::{
    DocumentId, DocumentTypeId, IdentificationId, KycReview, LivenessStatus, LivenessType, Reason,
    Score, Timestamp,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result, StoredProblem, StoredValue};

/// Bytes of the SHA-256 digest kept as the event's key: 128 bits is collision-proof for this use
/// and keeps the primary key small.
const KEY_BYTES: usize = 16;

#[derive(Serialize, Deserialize)]
#[serde(tag = "k", rename_all = "snake_case")]
enum Form {
    Link {
        at: i64,
        id: String,
        url: String,
        exp: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ty: Option<LivenessType>,
    },
    Liveness {
        at: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<String>,
        status: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        score: Option<i8>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        reasons: Vec<Reason>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    DocsRequested {
        at: i64,
    },
    Document {
        at: i64,
        doc: u64,
        ty: u16,
    },
    Review {
        at: i64,
        review: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    StartUnanswered {
        at: i64,
    },
    DocsListed {
        at: i64,
        docs: Vec<Listed>,
    },
    DocRecovered {
        at: i64,
        doc: Listed,
    },
}

/// A listed document: id, type, Treezor's creation instant.
#[derive(Serialize, Deserialize)]
struct Listed {
    doc: u64,
    ty: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    created: Option<i64>,
}

impl Listed {
    fn of(listed: &ListedDocument) -> Listed {
        Listed {
            doc: listed.document.get(),
            ty: listed.document_type.number(),
            created: listed.created_at.map(Timestamp::unix_micros),
        }
    }

    fn read(self) -> Result<ListedDocument> {
        let bad = |e: kyc::ParseError| stored(StoredProblem::invalid(e));
        Ok(ListedDocument {
            document: DocumentId::new(self.doc).map_err(bad)?,
            document_type: DocumentTypeId::parse(&self.ty.to_string()).map_err(bad)?,
            created_at: self.created.map(Timestamp::from_unix_micros),
        })
    }
}

/// A case event in its stored form.
pub(crate) struct StoredEvent {
    pub key: [u8; KEY_BYTES],
    pub at: i64,
    pub json: String,
}

impl StoredEvent {
    pub fn of(event: &CaseEvent) -> StoredEvent {
        let form = match event {
            CaseEvent::LinkIssued {
                at,
                identification,
                url,
                expires_at,
                liveness_type,
            } => Form::Link {
                at: at.unix_micros(),
                id: identification.as_str().to_owned(),
                url: url.clone(),
                exp: expires_at.unix_micros(),
                ty: *liveness_type,
            },
            CaseEvent::Liveness {
                at,
                identification,
                status,
                score,
                reasons,
                comment,
            } => Form::Liveness {
                at: at.unix_micros(),
                id: identification.as_ref().map(|i| i.as_str().to_owned()),
                status: status.as_str().to_owned(),
                score: score.map(Score::number),
                reasons: reasons.clone(),
                comment: comment.clone(),
            },
            CaseEvent::DocumentsRequested { at } => Form::DocsRequested {
                at: at.unix_micros(),
            },
            CaseEvent::DocumentCreated {
                at,
                document,
                document_type,
            } => Form::Document {
                at: at.unix_micros(),
                doc: document.get(),
                ty: document_type.number(),
            },
            CaseEvent::Review {
                at,
                review,
                comment,
            } => Form::Review {
                at: at.unix_micros(),
                review: review.number(),
                comment: comment.clone(),
            },
            CaseEvent::StartUnanswered { at } => Form::StartUnanswered {
                at: at.unix_micros(),
            },
            CaseEvent::DocumentsListed { at, documents } => Form::DocsListed {
                at: at.unix_micros(),
                docs: documents.iter().map(Listed::of).collect(),
            },
            CaseEvent::DocumentRecovered { at, document } => Form::DocRecovered {
                at: at.unix_micros(),
                doc: Listed::of(document),
            },
        };
        let json = serde_json::to_string(&form).expect("a case event always serializes");
        let digest = Sha256::digest(json.as_bytes());
        let mut key = [0u8; KEY_BYTES];
        key.copy_from_slice(&digest[..KEY_BYTES]);
        StoredEvent {
            key,
            at: event.at().unix_micros(),
            json,
        }
    }
}

/// Reads a stored event back.
pub(crate) fn read_event(json: &str) -> Result<CaseEvent> {
    let form: Form = serde_json::from_str(json).map_err(|e| stored(StoredProblem::json(&e)))?;
    let bad = |e: kyc::ParseError| stored(StoredProblem::invalid(e));
    let time = Timestamp::from_unix_micros;
    Ok(match form {
        Form::Link {
            at,
            id,
            url,
            exp,
            ty,
        } => CaseEvent::LinkIssued {
            at: time(at),
            identification: IdentificationId::parse(&id).map_err(bad)?,
            url,
            expires_at: time(exp),
            liveness_type: ty,
        },
        Form::Liveness {
            at,
            id,
            status,
            score,
            reasons,
            comment,
        } => CaseEvent::Liveness {
            at: time(at),
            identification: id
                .map(|id| IdentificationId::parse(&id))
                .transpose()
                .map_err(bad)?,
            status: LivenessStatus::parse(&status).map_err(bad)?,
            score: score
                .map(|s| Score::parse(&s.to_string()))
                .transpose()
                .map_err(bad)?,
            reasons,
            comment,
        },
        Form::DocsRequested { at } => CaseEvent::DocumentsRequested { at: time(at) },
        Form::Document { at, doc, ty } => CaseEvent::DocumentCreated {
            at: time(at),
            document: DocumentId::new(doc).map_err(bad)?,
            document_type: DocumentTypeId::parse(&ty.to_string()).map_err(bad)?,
        },
        Form::Review {
            at,
            review,
            comment,
        } => CaseEvent::Review {
            at: time(at),
            review: KycReview::parse(&review.to_string()).map_err(bad)?,
            comment,
        },
        Form::StartUnanswered { at } => CaseEvent::StartUnanswered { at: time(at) },
        Form::DocsListed { at, docs } => CaseEvent::DocumentsListed {
            at: time(at),
            documents: docs.into_iter().map(Listed::read).collect::<Result<_>>()?,
        },
        Form::DocRecovered { at, doc } => CaseEvent::DocumentRecovered {
            at: time(at),
            document: doc.read()?,
        },
    })
}

fn stored(problem: StoredProblem) -> Error {
    Error::Stored {
        what: StoredValue::CaseEvent,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use kyc::ReasonCode;

    use super::*;

    fn events() -> Vec<CaseEvent> {
        let at = Timestamp::from_unix_micros(1_700_000_000_123_456);
        let id = IdentificationId::parse("idv-1").unwrap();
        vec![
            CaseEvent::LinkIssued {
                at,
                identification: id.clone(),
                url: "https://id.example/idv-1".into(),
                expires_at: at.plus_seconds(900),
                liveness_type: Some(LivenessType::VideoCertified),
            },
            CaseEvent::Liveness {
                at,
                identification: Some(id),
                status: LivenessStatus::Other("on_hold".into()),
                score: Some(Score::Failed),
                reasons: vec![
                    Reason {
                        code: ReasonCode::parse("2301"),
                        message: "counterfeit".into(),
                    },
                    Reason {
                        code: ReasonCode::parse("X-9"),
                        message: String::new(),
                    },
                ],
                comment: Some("Zoé".into()),
            },
            CaseEvent::Liveness {
                at,
                identification: None,
                status: LivenessStatus::Processing,
                score: None,
                reasons: vec![],
                comment: None,
            },
            CaseEvent::DocumentsRequested { at },
            CaseEvent::DocumentCreated {
                at,
                document: DocumentId::new(7).unwrap(),
                document_type: DocumentTypeId::CERTIFIED_LIVENESS_RESULT,
            },
            CaseEvent::Review {
                at,
                review: KycReview::Unknown(42),
                comment: Some("x".into()),
            },
            CaseEvent::StartUnanswered { at },
            CaseEvent::DocumentsListed {
                at,
                documents: vec![
                    ListedDocument {
                        document: DocumentId::new(7).unwrap(),
                        document_type: DocumentTypeId::CERTIFIED_LIVENESS_RESULT,
                        created_at: Some(at),
                    },
                    ListedDocument {
                        document: DocumentId::new(8).unwrap(),
                        document_type: DocumentTypeId::IDENTITY_CARD,
                        created_at: None,
                    },
                ],
            },
            CaseEvent::DocumentsListed {
                at,
                documents: vec![],
            },
            CaseEvent::DocumentRecovered {
                at,
                document: ListedDocument {
                    document: DocumentId::new(8).unwrap(),
                    document_type: DocumentTypeId::IDENTITY_CARD,
                    created_at: None,
                },
            },
        ]
    }

    #[test]
    fn every_kind_of_event_reads_back_equal_to_the_microsecond() {
        for event in events() {
            let stored = StoredEvent::of(&event);
            assert_eq!(read_event(&stored.json).unwrap(), event, "{}", stored.json);
            assert_eq!(stored.at, 1_700_000_000_123_456);
        }
    }

    #[test]
    fn equal_events_share_a_key_and_different_ones_do_not() {
        let all = events();
        let keys: std::collections::HashSet<_> =
            all.iter().map(|e| StoredEvent::of(e).key).collect();
        assert_eq!(keys.len(), all.len());
        assert_eq!(
            StoredEvent::of(&all[1]).key,
            StoredEvent::of(&all[1].clone()).key
        );
    }

    #[test]
    fn a_damaged_row_is_a_clear_error() {
        let err = read_event(r#"{"k":"document","at":1,"doc":0,"ty":26}"#).unwrap_err();
        assert!(err.to_string().contains("stored case event"), "{err}");
    }
}
