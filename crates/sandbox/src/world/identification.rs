//! One live verification attempt, from `POST kycliveness` to the provider's decision, and the
//! outcome a tester chooses on the hosted page.

use kyc::reasons::ListedReason;
use kyc::{DocumentTypeId, LivenessType, Timestamp};
use serde::{Deserialize, Serialize};

use crate::content::Content;
use crate::wire::{Obj, Wire, array, quote};

/// How the end user's verification ends, as the tester chooses it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Score 1.
    Validated,
    /// Score 0, with the provider's reason codes.
    Refused {
        #[serde(default)]
        reasons: Vec<u16>,
        #[serde(default)]
        comment: Option<String>,
    },
    /// Score -1: an error, or no document shown.
    Failed {
        #[serde(default)]
        reasons: Vec<u16>,
        #[serde(default)]
        comment: Option<String>,
    },
    /// The end user left: score -1.
    Abandoned,
}

impl Outcome {
    pub fn score(&self) -> i64 {
        match self {
            Outcome::Validated => 1,
            Outcome::Refused { .. } => 0,
            Outcome::Failed { .. } | Outcome::Abandoned => -1,
        }
    }

    pub fn reasons(&self) -> &[u16] {
        match self {
            Outcome::Refused { reasons, .. } | Outcome::Failed { reasons, .. } => reasons,
            Outcome::Validated | Outcome::Abandoned => &[],
        }
    }

    pub fn comment(&self) -> String {
        let given = match self {
            Outcome::Refused { comment, .. } | Outcome::Failed { comment, .. } => {
                comment.as_deref().map(str::trim).filter(|c| !c.is_empty())
            }
            Outcome::Validated | Outcome::Abandoned => None,
        };
        given
            .unwrap_or(match self {
                Outcome::Validated => "The applicant was successfully identified",
                Outcome::Refused { .. } => "The applicant could not be verified",
                Outcome::Failed { .. } => "The verification could not be processed",
                Outcome::Abandoned => "The applicant abandoned the verification",
            })
            .to_owned()
    }

    /// The redirect's `event` and the provider's `response_code` (the provider's own codes, not
    /// reason codes).
    pub fn redirect_event(&self) -> (&'static str, &'static str) {
        match self {
            Outcome::Validated => ("identity_verification_capture_completed", "10000"),
            Outcome::Refused { .. } => ("identity_verification_capture_refused", "20000"),
            Outcome::Failed { .. } => ("identity_verification_capture_aborted", "61100"),
            Outcome::Abandoned => ("identity_verification_capture_aborted", "61101"),
        }
    }
}

/// What the provider read on the identity document: the `identity` block of its webhooks. A
/// field left out reads as the user's profile has it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadIdentity {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub birth_date: Option<String>,
}

/// What the end user's capture gave beside its outcome, as the tester chooses it: the file the
/// provider keeps of the identity document, and what it read on it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    /// The identity document's file (a JPEG picture when not given).
    #[serde(default)]
    pub file: Option<Content>,
    #[serde(default)]
    pub identity: ReadIdentity,
}

/// Where an identification stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Handed out; the end user has not finished.
    Started,
    /// The end user finished or left; the provider is deciding.
    Processing {
        finished: Timestamp,
        outcome: Outcome,
    },
    /// The provider decided.
    Processed {
        finished: Timestamp,
        decided: Timestamp,
        outcome: Outcome,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identification {
    pub id: String,
    pub user: u64,
    pub kind: LivenessType,
    pub created: Timestamp,
    /// How long the link stays usable once the end user has opened it.
    pub lifetime: std::time::Duration,
    /// When the end user first opened the link (was redirected to it).
    pub opened: Option<Timestamp>,
    pub redirect_url: Option<String>,
    pub phase: Phase,
    /// A newer `POST kycliveness` for the same user replaced this one.
    pub replaced: bool,
    /// The identity document the end user showed.
    pub id_document: DocumentTypeId,
    /// The file and the reading of that document.
    pub capture: Capture,
    pub documents_retrieved: bool,
}

impl Identification {
    /// When the link expires: 15 minutes (the lifetime) after the end user opened it, as the
    /// guide says ("Once redirected, end users have 15 minutes"); never while unopened.
    pub fn expires(&self) -> Option<Timestamp> {
        self.opened
            .map(|opened| crate::clock::after(opened, self.lifetime))
    }

    fn expired(&self, now: Timestamp) -> bool {
        self.expires().is_some_and(|expiry| now > expiry)
    }

    /// Whether the link can still be used by the end user.
    pub fn open(&self, now: Timestamp) -> Result<(), Closed> {
        if self.replaced {
            Err(Closed::Replaced)
        } else if !matches!(self.phase, Phase::Started) {
            Err(Closed::Finished)
        } else if self.expired(now) {
            Err(Closed::Expired)
        } else {
            Ok(())
        }
    }

    /// Notes that the end user opened the link (the first time counts).
    pub fn opened_at(&mut self, now: Timestamp) {
        if self.open(now).is_ok() && self.opened.is_none() {
            self.opened = Some(now);
        }
    }

    pub fn status_word(&self, now: Timestamp) -> &'static str {
        match (&self.phase, self.replaced) {
            (Phase::Started, true) => "replaced",
            (Phase::Started, false) if self.expired(now) => "expired",
            (Phase::Started, false) => "started",
            (Phase::Processing { .. }, _) => "processing",
            (Phase::Processed { .. }, _) => "processed",
        }
    }

    /// The `kycliveness.create` / `kycliveness.update` payload, values as strings.
    pub fn payload(&self, user: &super::users::UserRecord) -> String {
        let (status, finished, decided, outcome) = match &self.phase {
            Phase::Started => ("started", None, None, None),
            Phase::Processing { finished, outcome } => {
                ("processing", Some(*finished), None, Some(outcome))
            }
            Phase::Processed {
                finished,
                decided,
                outcome,
            } => ("processed", Some(*finished), Some(*decided), Some(outcome)),
        };
        let read = &self.capture.identity;
        let identity = Obj::new(Wire::Webhook)
            .text(
                "first-name",
                read.first_name.as_deref().unwrap_or(&user.firstname),
            )
            .text(
                "last-name",
                read.last_name.as_deref().unwrap_or(&user.lastname),
            )
            .text(
                "birth-date",
                read.birth_date.as_deref().unwrap_or(&user.birthday),
            )
            .finish();
        let mut obj = Obj::new(Wire::Webhook)
            .int("user_id", self.user as i64)
            .text("identification-id", &self.id)
            .text("kyc-status", status);
        if let (Some(outcome), Some(_)) = (outcome, decided) {
            let reasons = outcome.reasons().iter().map(|&code| {
                let message = ListedReason::from_code(code)
                    .map(ListedReason::message)
                    .unwrap_or("Reason not described by the provider");
                Obj::new(Wire::Webhook)
                    .int("reason-code", i64::from(code))
                    .text("reason-message", message)
                    .finish()
            });
            obj = obj
                .int("score", outcome.score())
                .text("comment", &outcome.comment())
                .raw("reasons", &array(reasons));
        } else {
            obj = obj.raw("reasons", "[]");
        }
        obj.text("type", liveness_type_word(self.kind))
            .text("started-at", &self.created.to_treezor_date())
            .text(
                "updated-at",
                &decided
                    .or(finished)
                    .unwrap_or(self.created)
                    .to_treezor_date(),
            )
            .raw("identity", &identity)
            .finish()
    }

    /// The answer to `POST kycliveness`, in the guide's shape or the OpenAPI file's.
    pub fn start_answer(&self, url: &str, shape: crate::config::LivenessAnswer) -> String {
        match shape {
            crate::config::LivenessAnswer::Guide => format!(
                r#"{{"identification":{{"identification-id":{},"identification-url":{},"type":{}}}}}"#,
                quote(&self.id),
                quote(url),
                quote(liveness_type_word(self.kind))
            ),
            crate::config::LivenessAnswer::OpenApi => format!(
                r#"{{"user_kyc":[{{"identification-id":{},"identification-url":{}}}]}}"#,
                quote(&self.id),
                quote(url)
            ),
        }
    }
}

pub fn liveness_type_word(kind: LivenessType) -> &'static str {
    match kind {
        LivenessType::Liveness => "liveness",
        LivenessType::VideoCertified => "video_certified",
    }
}

/// Why an identification link can no longer be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    Replaced,
    Expired,
    Finished,
}

impl Closed {
    pub fn words(self) -> &'static str {
        match self {
            Closed::Replaced => "a newer verification replaced this one",
            Closed::Expired => "its 15 minutes since it was opened have passed",
            Closed::Finished => "it was already finished",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::users::{NewUser, UserRecord};

    #[test]
    fn a_processed_payload_reads_as_the_domain_result() {
        let now = Timestamp::from_unix_seconds(1_720_000_000);
        let user = UserRecord::from_new(
            5,
            &NewUser {
                firstname: Some("Zoé".into()),
                ..NewUser::default()
            },
            now,
        )
        .unwrap();
        let identification = Identification {
            id: "idv-1".into(),
            user: 5,
            kind: LivenessType::VideoCertified,
            created: now,
            lifetime: std::time::Duration::from_secs(900),
            opened: None,
            redirect_url: None,
            phase: Phase::Processed {
                finished: now,
                decided: now.plus_seconds(3),
                outcome: Outcome::Refused {
                    reasons: vec![1301, 2301],
                    comment: None,
                },
            },
            replaced: false,
            id_document: DocumentTypeId::IDENTITY_CARD,
            capture: Capture {
                file: None,
                identity: ReadIdentity {
                    last_name: Some("Lefèvre".into()),
                    ..ReadIdentity::default()
                },
            },
            documents_retrieved: false,
        };
        let payload = identification.payload(&user);
        let result: kyc::objects::LivenessResult = serde_json::from_str(&payload).unwrap();
        assert_eq!(result.score, Some(kyc::Score::Refused));
        assert_eq!(result.reasons.len(), 2);
        assert!(result.reasons[1].is_aml_sensitive());
        assert_eq!(result.status, kyc::LivenessStatus::Processed);
        assert!(payload.contains(r#""score":"0""#), "{payload}");
        // What the provider read: the profile, but for the field the tester changed.
        let read: serde_json::Value = serde_json::from_str(&payload).unwrap();
        assert_eq!(read["identity"]["first-name"], "Zoé");
        assert_eq!(read["identity"]["last-name"], "Lefèvre");
    }
}
