//! OAuth2 client credentials: `POST /oauth/token`, and the bearer check with the scope each
//! endpoint needs.
//!
//! Tokens are opaque strings that live `token_lifetime` on the sandbox's clock. A request
//! without a token, with an unknown one or an expired one gets 401; one whose token lacks the
//! endpoint's scope gets 403.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use kyc::Timestamp;

use super::answer::{ApiError, json_response};
use crate::clock::after;
use crate::config::Scope;
use crate::state::{SandboxState, lock};
use crate::wire::{Obj, Wire};

struct Issued {
    scopes: Vec<Scope>,
    expires: Timestamp,
}

#[derive(Default)]
pub struct Tokens {
    issued: Mutex<HashMap<String, Issued>>,
}

impl Tokens {
    fn issue(&self, scopes: Vec<Scope>, expires: Timestamp, now: Timestamp) -> String {
        let token = format!(
            "sbx.{}.{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let mut issued = lock(&self.issued);
        issued.retain(|_, t| t.expires > now);
        issued.insert(token.clone(), Issued { scopes, expires });
        token
    }

    /// Makes every token issued so far expired: what a client sees when its token runs out
    /// mid-run.
    pub fn expire_all(&self) {
        lock(&self.issued).clear();
    }

    fn scopes(&self, token: &str, now: Timestamp) -> Option<Vec<Scope>> {
        lock(&self.issued)
            .get(token)
            .filter(|t| t.expires > now)
            .map(|t| t.scopes.clone())
    }
}

/// What an endpoint needs from the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// GET endpoints: `read_only` or `read_write`.
    Read,
    /// POST/PUT endpoints: `read_write` (or `admin`).
    Write,
    /// User creation: `legal` or `admin`.
    Legal,
}

impl Need {
    fn met_by(self, scopes: &[Scope]) -> bool {
        let any = |wanted: &[Scope]| scopes.iter().any(|s| wanted.contains(s));
        match self {
            Need::Read => any(&[Scope::ReadOnly, Scope::ReadWrite, Scope::Admin]),
            Need::Write => any(&[Scope::ReadWrite, Scope::Admin]),
            Need::Legal => any(&[Scope::Legal, Scope::Admin]),
        }
    }

    fn words(self) -> &'static str {
        match self {
            Need::Read => "read_only",
            Need::Write => "read_write",
            Need::Legal => "legal",
        }
    }
}

/// Checks the bearer token and its scope.
pub fn authorize(state: &SandboxState, headers: &HeaderMap, need: Need) -> Result<(), ApiError> {
    let unauthorized = |message: &str| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "unauthenticated",
            message,
        )
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| unauthorized("The Authorization header is missing"))?;
    let scopes = state
        .shared()
        .tokens
        .scopes(token, state.now())
        .ok_or_else(|| unauthorized("The access token is invalid or has expired"))?;
    if need.met_by(&scopes) {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "insufficient_scope",
            format!(
                "The access token lacks the {} scope this endpoint needs",
                need.words()
            ),
        ))
    }
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = Obj::new(Wire::Rest)
        .text("error", error)
        .text("error_description", description)
        .finish();
    json_response(status, body)
}

/// `POST /oauth/token` with form fields `grant_type`, `client_id`, `client_secret`, `scope`.
pub async fn token(State(state): State<SandboxState>, body: Bytes) -> Response {
    let fields: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    let config = state.config();
    let id_ok = field("client_id") == config.client_id;
    let secret_ok: bool = subtle::ConstantTimeEq::ct_eq(
        field("client_secret").as_bytes(),
        config.client_secret.as_bytes(),
    )
    .into();
    if !(id_ok && secret_ok) {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed: check client_id and client_secret",
        );
    }
    let asked = field("scope");
    let scopes = if asked.trim().is_empty() {
        config.client_scopes.clone()
    } else {
        let mut scopes = Vec::new();
        for word in asked.split_whitespace() {
            match Scope::parse(word) {
                Some(scope) if config.client_scopes.contains(&scope) => scopes.push(scope),
                _ => {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_scope",
                        "A requested scope is unknown or not granted to this client",
                    );
                }
            }
        }
        scopes
    };
    let now = state.now();
    let lifetime = config.token_lifetime;
    let token = state
        .shared()
        .tokens
        .issue(scopes, after(now, lifetime), now);
    let body = Obj::new(Wire::Rest)
        .text("token_type", "Bearer")
        .int("expires_in", lifetime.as_secs_f64().ceil() as i64)
        .text("access_token", &token)
        .finish();
    json_response(StatusCode::OK, body)
}
