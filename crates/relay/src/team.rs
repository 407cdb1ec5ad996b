//! `POST /v1/team`: an officer adds a team record ([`kyc::team::TeamWrite`]) to the log.
//!
//! The answers, and why:
//! - 201 `{"seq": N}` once the record is committed durably; 200 `{"seq": null}` when the same
//!   officer sent the same id before (a retry after a lost answer is stored once).
//! - 401 without a credential the hub knows (see [`crate::access`]).
//! - 403 for the auditor role (it reads everything and changes nothing) and for the team's shared
//!   feed token: a team record names its author, and the shared token names no one.
//! - 400 for a body that is not a team record, 413 over [`BODY_LIMIT`], 408 when the body does
//!   not arrive in time (as for a webhook's).
//! - 409 for a claim, release or reassignment the log refuses (the case is held by someone else,
//!   the author is not its holder, nobody holds it), naming who holds the case; 403 for a
//!   reassignment by an officer who is not a senior; 400 for one to an officer the hub does not
//!   know or who may not hold cases. Nothing refused is stored.
//! - Four eyes ([`kyc::four_eyes`]): 403 `senior_only` for an approval or rejection by an officer
//!   who is not a senior, and for a policy set by one; 403 `own_proposal` for an approval or
//!   rejection by the proposer; 409 `already_answered` for a proposal answered before (naming
//!   who answered); 404 `unknown_proposal` and 409 `other_case` for a number that is no proposal
//!   of this case. Decided in the store's serialised append; nothing refused is stored.
//! - A run of an approved action ([`kyc::four_eyes::decide_run`]): 409 `already_run` when a run
//!   spent the approval before (naming whose), 409 `not_approved` and `proposal_rejected` for a
//!   proposal without an approval, 404 `unknown_proposal` and 409 `other_case` as above. One
//!   approval allows one run, whichever desks send it; a run sent again under its id is stored
//!   once and answered 200, as every record is.
//! - 503 with `Retry-After` when the store cannot take it now: nothing was stored, send it again.
//!
//! The author is the officer the credential belongs to, never a name from the body. Nothing of
//! the body is logged: a note may hold what the team suspects, which stays inside the team.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use kyc::claim::{ClaimRefusal, ClaimRequest};
use kyc::four_eyes::{FourEyesRefusal, RunRefusal};
use kyc::officer::{Act, OfficerName, Role};
use kyc::team::{TeamEvent, TeamWrite, TeamWritten};

use crate::app::{AppState, is_transient, json_response, refusal, refusal_with, store_unavailable};
use crate::authored::{self, Authored};
use crate::store::writer::Outcome;
use crate::store::{Answered, ClaimAsk, Claimed, Record, RunAsk, VerdictAsk};

/// The largest team record accepted: a note of 4,000 characters, escaped, fits many times over.
pub const BODY_LIMIT: usize = 64 * 1024;

pub(crate) async fn write(State(state): State<AppState>, request: Request) -> Response {
    let Authored { author, body } =
        match authored::read(&state, request, Act::Record, "team record", BODY_LIMIT).await {
            Ok(authored) => authored,
            Err(refused) => return refused,
        };
    let write: TeamWrite = match serde_json::from_slice(&body) {
        Ok(write) => write,
        Err(error) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "not_a_team_record",
                &format!("the body is not a team record this hub knows: {error}"),
            );
        }
    };
    if !write.id_is_valid() {
        return refusal(
            StatusCode::BAD_REQUEST,
            "bad_id",
            "a team record's id is 1 to 64 letters, digits, '-' or '_'",
        );
    }
    let record = Record::team(&author.name, &write.id, &write.event);
    let kind = write.event.kind();
    if matches!(write.event, TeamEvent::Policy { .. }) && !author.role.may(Act::Approve) {
        return refusal(
            StatusCode::FORBIDDEN,
            "senior_only",
            "only a senior officer sets the team's four-eyes policy; ask one",
        );
    }
    let stored = if let Some(request) = write.event.claim_request() {
        if let ClaimRequest::Reassign { to } = &request
            && let Err(refused) = check_assignee(&state, to).await
        {
            return *refused;
        }
        let ask = ClaimAsk {
            record,
            user: case_of(&write.event),
            by: author.name.clone(),
            role: author.role,
            request,
            lapse_seconds: state.shared().claim_lapse_seconds,
        };
        match state.shared().store.claim(ask).await {
            Ok(Claimed::Stored { seq, .. }) => Ok(Outcome::Stored { seq }),
            Ok(Claimed::Duplicate) => Ok(Outcome::Duplicate),
            Ok(Claimed::Refused(why)) => {
                tracing::info!(officer = %author.name, kind, "claim refused by the log");
                return claim_refused(&why);
            }
            Err(error) => Err(error),
        }
    } else if let Some((proposal, verdict)) = write.event.verdict() {
        let ask = VerdictAsk {
            record,
            user: case_of(&write.event),
            proposal,
            verdict,
            by: author.name.clone(),
            role: author.role,
        };
        match state.shared().store.verdict(ask).await {
            Ok(Answered::Stored { seq }) => Ok(Outcome::Stored { seq }),
            Ok(Answered::Duplicate) => Ok(Outcome::Duplicate),
            Ok(Answered::Refused(why)) => {
                tracing::info!(officer = %author.name, kind, proposal, "verdict refused by the log");
                return verdict_refused(&why);
            }
            Err(error) => Err(error),
        }
    } else if let TeamEvent::Run { user_id, proposal } = &write.event {
        let ask = RunAsk {
            record,
            user: *user_id,
            proposal: *proposal,
        };
        match state.shared().store.approval_run(ask).await {
            Ok(Answered::Stored { seq }) => Ok(Outcome::Stored { seq }),
            Ok(Answered::Duplicate) => Ok(Outcome::Duplicate),
            Ok(Answered::Refused(why)) => {
                tracing::info!(officer = %author.name, kind, proposal, "run refused by the log");
                return run_refused(&why);
            }
            Err(error) => Err(error),
        }
    } else {
        state.shared().store.append(record).await
    };
    match stored {
        Ok(outcome) => {
            let (status, seq) = match outcome {
                Outcome::Stored { seq } => (StatusCode::CREATED, Some(seq)),
                Outcome::Duplicate => (StatusCode::OK, None),
            };
            tracing::info!(officer = %author.name, kind, seq, "team record stored");
            let body = serde_json::to_string(&TeamWritten { seq }).expect("an answer encodes");
            json_response(status, body)
        }
        Err(error) if is_transient(&error) => {
            tracing::warn!(officer = %author.name, kind, %error, "team record not stored");
            store_unavailable(
                "not_stored",
                &format!("the {kind} was not stored: {error}; send it again"),
            )
        }
        Err(error) => {
            tracing::error!(officer = %author.name, kind, %error, "team record not stored");
            refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "not_stored",
                &format!(
                    "the {kind} was not stored: {error}; send it again, and tell the hub's administrator if it keeps failing"
                ),
            )
        }
    }
}

/// The answer to a claim request the log refuses: who holds the case, and what to do, in words
/// and typed (`claim`, a [`ClaimRefusal`]) for the desk to show.
fn claim_refused(why: &ClaimRefusal) -> Response {
    let (status, code) = match why {
        ClaimRefusal::HeldBy { .. } => (StatusCode::CONFLICT, "claimed_by_another"),
        ClaimRefusal::NotTheHolder { .. } => (StatusCode::CONFLICT, "not_the_holder"),
        ClaimRefusal::NotHeld => (StatusCode::CONFLICT, "not_claimed"),
        ClaimRefusal::SeniorOnly => (StatusCode::FORBIDDEN, "senior_only"),
    };
    let body = serde_json::json!({ "error": code, "message": why.to_string(), "claim": why });
    json_response(status, body.to_string())
}

/// The answer to an approval or rejection the log refuses, and what to do.
fn verdict_refused(why: &FourEyesRefusal) -> Response {
    let (status, code) = match why {
        FourEyesRefusal::SeniorOnly => (StatusCode::FORBIDDEN, "senior_only"),
        FourEyesRefusal::OwnProposal => (StatusCode::FORBIDDEN, "own_proposal"),
        FourEyesRefusal::AlreadyDecided { .. } => (StatusCode::CONFLICT, "already_answered"),
        FourEyesRefusal::UnknownProposal(_) => (StatusCode::NOT_FOUND, "unknown_proposal"),
        FourEyesRefusal::OtherCase { .. } => (StatusCode::CONFLICT, "other_case"),
    };
    // The parameters beside the code, for a desk to word the refusal in its officer's language.
    let params = match why {
        FourEyesRefusal::UnknownProposal(proposal) => serde_json::json!({ "proposal": proposal }),
        FourEyesRefusal::OtherCase { proposal, user } => {
            serde_json::json!({ "proposal": proposal, "user": user })
        }
        FourEyesRefusal::AlreadyDecided { verdict, by } => {
            serde_json::json!({ "verdict": verdict.as_str(), "by": by })
        }
        FourEyesRefusal::OwnProposal | FourEyesRefusal::SeniorOnly => serde_json::json!({}),
    };
    refusal_with(status, code, &why.to_string(), params)
}

/// The answer to a run the log refuses (see [`kyc::four_eyes::decide_run`]), and what to do.
fn run_refused(why: &RunRefusal) -> Response {
    let (status, code, params) = match why {
        RunRefusal::UnknownProposal(proposal) => (
            StatusCode::NOT_FOUND,
            "unknown_proposal",
            serde_json::json!({ "proposal": proposal }),
        ),
        RunRefusal::OtherCase { proposal, user } => (
            StatusCode::CONFLICT,
            "other_case",
            serde_json::json!({ "proposal": proposal, "user": user }),
        ),
        RunRefusal::NotApproved(proposal) => (
            StatusCode::CONFLICT,
            "not_approved",
            serde_json::json!({ "proposal": proposal }),
        ),
        RunRefusal::Rejected { proposal, by } => (
            StatusCode::CONFLICT,
            "proposal_rejected",
            serde_json::json!({ "proposal": proposal, "by": by }),
        ),
        RunRefusal::AlreadyRun { proposal, by } => (
            StatusCode::CONFLICT,
            "already_run",
            serde_json::json!({ "proposal": proposal, "by": by }),
        ),
    };
    refusal_with(status, code, &why.to_string(), params)
}

/// The case a claim or verdict record is about: every such kind names one.
fn case_of(event: &TeamEvent) -> kyc::UserId {
    event.user().expect("claims and verdicts are about a case")
}

/// A case is reassigned only to an officer the hub knows, whose credential is active and whose
/// role works cases (not an auditor, who changes nothing).
async fn check_assignee(state: &AppState, to: &OfficerName) -> Result<(), Box<Response>> {
    let officers = match state.shared().store.officers().list().await {
        Ok(officers) => officers,
        Err(error) => {
            return Err(Box::new(store_unavailable(
                "not_stored",
                &format!("the reassignment was not stored: {error}; send it again"),
            )));
        }
    };
    let active = officers
        .iter()
        .any(|o| &o.name == to && o.revoked_at.is_none() && o.role != Role::Auditor);
    if active {
        return Ok(());
    }
    Err(Box::new(refusal_with(
        StatusCode::BAD_REQUEST,
        "unknown_assignee",
        &format!(
            "{to} is not an officer of this hub with an active credential who works cases; pick another officer"
        ),
        serde_json::json!({ "officer": to }),
    )))
}
