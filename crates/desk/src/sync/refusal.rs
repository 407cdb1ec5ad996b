//! The hub's refusals, read from its answer: `{"error": code, "message": …}` and, for a code that
//! takes them, its parameters beside the code (a role, an officer, a limit, a proposal).
//!
//! The code is the hub's stable name; the desk maps it to a typed [`HubRefusal`] that the window
//! words in the officer's language. The hub's English message is kept for the logs, and quoted in
//! the window only for a code this desk does not know (a newer hub) or one whose parameters are
//! missing (an older one).

use kyc::claim::ClaimRefusal;
use serde::{Deserialize, Serialize};

use super::FeedError;

/// Why the hub refused a request, typed from its code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum HubRefusal {
    /// The officer's credential was revoked, by the hub's administrator; `on` is when, if known.
    CredentialRevoked {
        officer: String,
        on: Option<String>,
    },
    /// The shared feed token names no one: a record needs the officer's own credential.
    OfficerCredentialRequired,
    /// The credential's role (`officer`, `senior`, `auditor`) may not do this.
    Forbidden {
        role: String,
    },
    SeniorOnly,
    OwnProposal,
    AlreadyAnswered {
        by: String,
        verdict: String,
    },
    UnknownProposal {
        proposal: u64,
    },
    OtherCase {
        proposal: u64,
        user: u64,
    },
    /// The approval of `proposal` was spent by `by`'s run: one approval allows one run.
    AlreadyRun {
        proposal: u64,
        by: String,
    },
    /// A run of a proposal nobody approved yet.
    NotApproved {
        proposal: u64,
    },
    /// A run of a proposal `by` rejected.
    ProposalRejected {
        proposal: u64,
        by: String,
    },
    UnknownAssignee {
        officer: String,
    },
    TooLarge {
        limit: u64,
    },
    /// A code this desk does not know, or without the parameters it needs: the hub's words.
    Other {
        code: String,
        message: String,
    },
}

/// A refusal's body as the hub sends it.
#[derive(Deserialize)]
struct Body {
    error: String,
    message: String,
    #[serde(default)]
    claim: Option<ClaimRefusal>,
    #[serde(flatten)]
    params: serde_json::Map<String, serde_json::Value>,
}

impl HubRefusal {
    /// The refusal named by `code`, with the parameters the hub gave beside it.
    fn read(
        code: String,
        message: &str,
        params: &serde_json::Map<String, serde_json::Value>,
    ) -> HubRefusal {
        let text = |name: &str| params.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        let number = |name: &str| params.get(name).and_then(serde_json::Value::as_u64);
        let typed = match code.as_str() {
            "credential_revoked" => text("officer").map(|officer| HubRefusal::CredentialRevoked {
                officer,
                on: text("revoked_at"),
            }),
            "officer_credential_required" => Some(HubRefusal::OfficerCredentialRequired),
            "forbidden" => text("role").map(|role| HubRefusal::Forbidden { role }),
            "senior_only" => Some(HubRefusal::SeniorOnly),
            "own_proposal" => Some(HubRefusal::OwnProposal),
            "already_answered" => text("by")
                .zip(text("verdict"))
                .map(|(by, verdict)| HubRefusal::AlreadyAnswered { by, verdict }),
            "unknown_proposal" => {
                number("proposal").map(|proposal| HubRefusal::UnknownProposal { proposal })
            }
            "other_case" => number("proposal")
                .zip(number("user"))
                .map(|(proposal, user)| HubRefusal::OtherCase { proposal, user }),
            "already_run" => number("proposal")
                .zip(text("by"))
                .map(|(proposal, by)| HubRefusal::AlreadyRun { proposal, by }),
            "not_approved" => {
                number("proposal").map(|proposal| HubRefusal::NotApproved { proposal })
            }
            "proposal_rejected" => number("proposal")
                .zip(text("by"))
                .map(|(proposal, by)| HubRefusal::ProposalRejected { proposal, by }),
            "unknown_assignee" => {
                text("officer").map(|officer| HubRefusal::UnknownAssignee { officer })
            }
            "too_large" => number("limit").map(|limit| HubRefusal::TooLarge { limit }),
            _ => None,
        };
        typed.unwrap_or_else(|| HubRefusal::Other {
            code,
            message: message.to_owned(),
        })
    }
}

/// The hub's message, bounded: it is quoted, never trusted to be short.
fn bounded(message: &str) -> String {
    message.chars().take(300).collect()
}

/// A 401: the hub's typed refusal when it gave one (a revoked credential says whose), its claim
/// refusal when it carries one, otherwise the generic refusal of the credential.
pub(super) async fn refusal(response: reqwest::Response) -> FeedError {
    match response.json::<Body>().await {
        Ok(Body {
            claim: Some(claim), ..
        }) => FeedError::Claim(claim),
        Ok(body) if body.error != "unauthorized" => {
            let message = bounded(&body.message);
            FeedError::Refused {
                refusal: HubRefusal::read(body.error, &message, &body.params),
                message,
            }
        }
        _ => FeedError::Unauthorized,
    }
}

/// Another refusal (`status` is not 401): the hub's typed refusal when its body says one, its
/// claim refusal when it carries one, otherwise the status and the first of the body.
pub(super) async fn declined(status: u16, response: reqwest::Response) -> FeedError {
    let text = response.text().await.unwrap_or_default();
    match serde_json::from_str::<Body>(&text) {
        Ok(Body {
            claim: Some(claim), ..
        }) => FeedError::Claim(claim),
        Ok(body) => {
            let message = bounded(&body.message);
            FeedError::Declined {
                status,
                refusal: HubRefusal::read(body.error, &message, &body.params),
                message,
            }
        }
        Err(_) => FeedError::Status {
            status,
            detail: text.chars().take(200).collect(),
        },
    }
}
