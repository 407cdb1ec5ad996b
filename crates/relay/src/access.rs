//! Who a request comes from: the team's shared feed token, or an officer's own credential.
//!
//! Both are presented the same way, `Authorization: Bearer <token>`. The feed token is compared
//! in constant time with the one the relay was started with; anything else is looked up by its
//! digest among the officers' credentials (see [`crate::officers`] for why a digest is enough).
//! The lookup is made for every request, on the shared store, so a credential revoked through
//! any instance is refused by every instance at its next request; a long poll that waited is
//! checked again before it is answered.
//!
//! `GET /v1/me` answers who the credential belongs to ([`kyc::officer::Me`]); the dashboard shows
//! it and names that officer in its audit trail. A refusal carries a `code` the dashboard acts on
//! (`credential_revoked` asks the officer for a new credential) and a message it shows.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use kyc::officer::{Act, Me, Role};

use crate::app::{
    AppState, is_transient, json_response, peer_of, refusal, refusal_with, store_unavailable,
};
use crate::limits::feed_readers::ReaderKey;
use crate::officers::{Officer, TokenHash};

/// Whom a request was authenticated as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Access {
    /// The team's shared feed token: a single-officer setup; it names no one.
    FeedToken,
    /// An officer's own credential (by its digest), active when it was checked.
    Officer(Officer, TokenHash),
}

impl Access {
    pub fn role(&self) -> Role {
        match self {
            Access::FeedToken => Role::Officer,
            Access::Officer(officer, _) => officer.role,
        }
    }

    /// Who this credential is, with the hub's claim lapse (desks show a claim as lapsed by it).
    pub fn me(&self, claim_lapse_seconds: i64) -> Me {
        Me {
            name: match self {
                Access::FeedToken => None,
                Access::Officer(officer, _) => Some(officer.name.clone()),
            },
            role: self.role(),
            claim_lapse_seconds: Some(claim_lapse_seconds),
        }
    }

    /// Whose long polls these are, for the per-credential cap: each officer's credential counts
    /// on its own, the shared feed token for everyone who uses it.
    pub fn reader_key(&self, state: &AppState) -> ReaderKey {
        match self {
            Access::FeedToken => ReaderKey(state.shared().feed_token.digest()),
            Access::Officer(_, hash) => ReaderKey(*hash.as_bytes()),
        }
    }

    /// `Ok` when the role allows `act`, otherwise the 403 to answer.
    pub fn require(&self, act: Act) -> Result<(), Box<Response>> {
        if self.role().may(act) {
            return Ok(());
        }
        Err(Box::new(refusal_with(
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!(
                "the {} role may not do this; ask a colleague whose role allows it",
                self.role()
            ),
            serde_json::json!({ "role": self.role() }),
        )))
    }
}

/// Authenticates a request's bearer token; the `Err` is the answer to send instead.
pub async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Access, Box<Response>> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let Some(token) = presented.filter(|token| !token.is_empty()) else {
        return Err(unauthorized(
            "unauthorized",
            "send the feed token or your officer credential as `Authorization: Bearer <token>`",
        ));
    };
    if state.shared().feed_token.matches(token) {
        return Ok(Access::FeedToken);
    }
    check_officer(state, TokenHash::of(token)).await
}

/// Looks the credential up again: for a request that waited, in case it was revoked meanwhile.
pub async fn recheck(state: &AppState, access: Access) -> Result<Access, Box<Response>> {
    match access {
        Access::FeedToken => Ok(Access::FeedToken),
        Access::Officer(_, hash) => check_officer(state, hash).await,
    }
}

async fn check_officer(state: &AppState, hash: TokenHash) -> Result<Access, Box<Response>> {
    // A look-up reads the store: it takes a turn like the feed's reads, which bound the store
    // connections and blocking threads that requests may hold at once.
    let found = {
        let _turn = state.shared().feed_readers.read_turn().await;
        state.shared().store.officers().by_token(hash).await
    };
    match found {
        Ok(Some(officer)) if officer.revoked_at.is_none() => Ok(Access::Officer(officer, hash)),
        Ok(Some(officer)) => Err(revoked(&officer)),
        Ok(None) => Err(unknown()),
        Err(error) if is_transient(&error) => Err(Box::new(store_unavailable(
            "store_unavailable",
            &format!("the relay could not check the credential: {error}"),
        ))),
        Err(error) => Err(Box::new(refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "store_unreadable",
            &format!("the relay could not check the credential: {error}"),
        ))),
    }
}

fn unknown() -> Box<Response> {
    unauthorized(
        "unauthorized",
        "the bearer token is neither this relay's feed token nor an officer's credential",
    )
}

fn revoked(officer: &Officer) -> Box<Response> {
    let when = officer
        .revoked_at
        .map(|at| format!(" on {at}"))
        .unwrap_or_default();
    unauthorized_with(
        "credential_revoked",
        &format!(
            "the credential of {} was revoked{when}; ask the hub's administrator for a new one and enter it in Settings",
            officer.name
        ),
        serde_json::json!({
            "officer": officer.name,
            "revoked_at": officer.revoked_at.map(|at| at.to_rfc3339()),
        }),
    )
}

fn unauthorized(code: &'static str, message: &str) -> Box<Response> {
    unauthorized_with(code, message, serde_json::json!({}))
}

fn unauthorized_with(
    code: &'static str,
    message: &str,
    params: serde_json::Value,
) -> Box<Response> {
    let mut response = refusal_with(StatusCode::UNAUTHORIZED, code, message, params);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer realm="kyc-relay""#),
    );
    Box::new(response)
}

/// `GET /v1/me`: `{"name": …, "role": …}` for the presented credential.
pub(crate) async fn me(State(state): State<AppState>, request: Request) -> Response {
    match authenticate(&state, request.headers()).await {
        Ok(access) => match serde_json::to_string(&access.me(state.shared().claim_lapse_seconds)) {
            Ok(body) => json_response(StatusCode::OK, body),
            Err(error) => refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "encoding",
                &format!("the answer could not be encoded: {error}"),
            ),
        },
        Err(refused) => {
            tracing::warn!(peer = ?peer_of(&request), status = refused.status().as_u16(), "who-am-I request refused");
            *refused
        }
    }
}
