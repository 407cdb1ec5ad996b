//! The team's deadlines ([`kyc::deadline::DeadlinePolicy`]): how long a case may wait in each
//! state before every desk shows it late.
//!
//! - `GET /v1/deadlines` with any credential (the shared feed token included): **200** the policy
//!   in force, `{"link_issued": 900, …}` (state name → seconds); the defaults until a senior sets
//!   one. Desks read it when they connect and again every minute.
//! - `PUT /v1/deadlines` with a senior's credential, the whole policy as body: **200** the policy
//!   now in force. **403** `forbidden` for an officer or an auditor, `officer_credential_required`
//!   for the shared feed token (a change names who made it); **400** `bad_deadlines` for a state
//!   that is not one or waits on no one, or a duration out of bounds, saying what is allowed;
//!   nothing refused is stored. The change is entered in the team's trail (`set_deadlines`, by
//!   whom, the new policy), so who changed what the team works to is kept like any officer action.
//!
//! Why stored at the hub and not in each relay's configuration: several instances serve one
//! team, and a senior changes the policy without an administrator restarting anything.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use kyc::deadline::DeadlinePolicy;
use kyc::officer::Act;

use crate::access::authenticate;
use crate::app::{AppState, json_response, refusal, store_failed};
use crate::authored::{self, Authored};
use crate::store::now;
use crate::trail::TrailRecord;

/// A policy is a few states and numbers; this is far above any.
pub const BODY_LIMIT: usize = 4 * 1024;

pub(crate) async fn read(State(state): State<AppState>, request: Request) -> Response {
    if let Err(refused) = authenticate(&state, request.headers()).await {
        return *refused;
    }
    match state.shared().store.deadlines().await {
        Ok(policy) => answer(&policy.unwrap_or_default()),
        Err(error) => store_failed(&error, "the deadlines could not be read"),
    }
}

pub(crate) async fn set(State(state): State<AppState>, request: Request) -> Response {
    let Authored { author, body } = match authored::read(
        &state,
        request,
        Act::SetPolicy,
        "deadline policy",
        BODY_LIMIT,
    )
    .await
    {
        Ok(authored) => authored,
        Err(refused) => return refused,
    };
    let policy: DeadlinePolicy = match serde_json::from_slice(&body) {
        Ok(policy) => policy,
        Err(error) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "bad_deadlines",
                &format!(
                    "the deadlines were not changed: {error}. Send an object from state name to seconds, e.g. {{\"link_issued\": 900}}"
                ),
            );
        }
    };
    if let Err(error) = state
        .shared()
        .store
        .set_deadlines(policy.clone(), author.name.clone())
        .await
    {
        return store_failed(&error, "the deadlines were not changed");
    }
    tracing::info!(officer = %author.name, %policy, "deadlines set");
    let entry = TrailRecord {
        entry_id: format!("deadlines:{}", hex::encode(rand::random::<[u8; 16]>())),
        officer: author.name.clone(),
        action: "set_deadlines".into(),
        outcome: "succeeded".into(),
        user_id: None,
        document_id: None,
        detail: serde_json::to_string(&policy).expect("a policy serializes"),
        occurred_at: Some(now()),
        feed_seq: None,
    };
    if let Err(error) = state.shared().store.trail_append(entry).await {
        // The policy is in force; say that its trail entry is missing rather than pretend.
        tracing::error!(officer = %author.name, %error, "deadlines set, but their trail entry was not stored");
        return store_failed(
            &error,
            "the deadlines are in force, but the team's trail did not record the change; set them again so that it does",
        );
    }
    answer(&policy)
}

fn answer(policy: &DeadlinePolicy) -> Response {
    json_response(
        StatusCode::OK,
        serde_json::to_string(policy).expect("a policy serializes"),
    )
}
