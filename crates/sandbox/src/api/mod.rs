//! Treezor's REST endpoints, at Treezor's paths.

pub mod answer;
pub mod auth;
pub mod documents;
pub mod liveness;
pub mod review;
pub mod users;

use axum::Router;
use axum::routing::{get, post};

use crate::state::SandboxState;

pub fn router() -> Router<SandboxState> {
    Router::new()
        .route("/oauth/token", post(auth::token))
        .route("/v1/users", get(users::search).post(users::create))
        .route("/v1/users/{user}", get(users::get).put(users::update))
        .route(
            "/v1/users/{user}/kycliveness",
            post(liveness::start).put(liveness::retrieve),
        )
        .route(
            "/v1/users/{user}/Kycreview",
            axum::routing::put(review::request),
        )
        .route("/v1/documents", get(documents::search))
        .route("/v1/documents/{document}", get(documents::get))
        .route(
            "/v1/documents/{document}/download",
            get(documents::download),
        )
}
