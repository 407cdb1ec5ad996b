//! What every officer's write to the hub starts with (`POST /v1/team`, `POST /v1/trail`,
//! `PUT /v1/deadlines`): a credential the hub knows, a role that may make it (the auditor
//! changes nothing, only a senior sets the team's deadlines), an officer the credential names (the team's shared feed token names no one, and a write names its author),
//! and the body read within a size and a time, as a webhook's is. Nothing of the body is logged.

use axum::body::{Bytes, to_bytes};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use kyc::officer::Act;

use crate::access::{Access, authenticate};
use crate::app::{AppState, peer_of, refusal, refusal_with};
use crate::officers::Officer;

/// An officer's write: who sent it (named by the credential, never by the body) and its body.
pub(crate) struct Authored {
    pub author: Officer,
    pub body: Bytes,
}

/// Checks the credential and that its role may `act`, then reads the body of at most `limit`
/// bytes. `what` names the write in the answers and the log ("team record", "trail entry").
pub(crate) async fn read(
    state: &AppState,
    request: Request,
    act: Act,
    what: &str,
    limit: usize,
) -> Result<Authored, Response> {
    let peer = peer_of(&request);
    let access = match authenticate(state, request.headers()).await {
        Ok(access) => access,
        Err(refused) => {
            tracing::warn!(peer = ?peer, status = refused.status().as_u16(), "{what} refused");
            return Err(*refused);
        }
    };
    if let Err(refused) = access.require(act) {
        tracing::warn!(peer = ?peer, role = %access.role(), "{what} refused: role");
        return Err(*refused);
    }
    let Access::Officer(author, _) = access else {
        return Err(refusal(
            StatusCode::FORBIDDEN,
            "officer_credential_required",
            &format!(
                "a {what} names its author, and the team's feed token names no one; enter your own officer credential in Settings"
            ),
        ));
    };
    // Bounded in time like a webhook's body: a body sent a byte at a time holds a connection.
    let timeout = state.shared().body_timeout;
    match tokio::time::timeout(timeout, to_bytes(request.into_body(), limit)).await {
        Ok(Ok(body)) => Ok(Authored { author, body }),
        Err(_) => Err(refusal(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            &format!(
                "the {what} did not arrive within {} ms; send it again",
                timeout.as_millis()
            ),
        )),
        Ok(Err(_)) => Err(refusal_with(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!("a {what} is at most {limit} bytes; shorten it"),
            serde_json::json!({ "limit": limit }),
        )),
    }
}
