//! The HTTP surface: the router, its shared state, and the answers common to every route.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kyc::webhook::WebhookSecret;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::config::{FeedToken, RelayConfig};
use crate::error::RelayError;
use crate::limits::body_memory::BodyMemory;
use crate::limits::feed_readers::FeedReaders;
use crate::store::Store;
use crate::trail::TrailKey;
use crate::{access, deadlines, feed, receive, team, trail};

/// What every request handler shares. Cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub(crate) struct Shared {
    pub webhook_secret: WebhookSecret,
    pub feed_token: FeedToken,
    pub store: Arc<dyn Store>,
    pub body_limit: usize,
    pub body_timeout: Duration,
    /// Seconds without activity after which a claim lapses.
    pub claim_lapse_seconds: i64,
    /// Cancelled when the relay starts shutting down: long polls answer at once.
    pub closing: CancellationToken,
    /// The budget that webhook bodies in memory share.
    pub body_memory: BodyMemory,
    /// The long polls waiting for a commit, and their caps.
    pub feed_readers: FeedReaders,
    /// What verifies the team's trail.
    pub trail_key: TrailKey,
}

impl AppState {
    pub(crate) fn new(
        config: &RelayConfig,
        store: Arc<dyn Store>,
        closing: CancellationToken,
    ) -> AppState {
        AppState(Arc::new(Shared {
            webhook_secret: config.webhook_secret.clone(),
            feed_token: config.feed_token.clone(),
            store,
            body_limit: config.body_limit,
            body_timeout: config.timeouts.body_read,
            claim_lapse_seconds: config.claim_lapse_seconds,
            closing,
            body_memory: BodyMemory::new(config.limits.body_memory),
            feed_readers: FeedReaders::new(&config.limits),
            trail_key: config.trail_key.clone(),
        }))
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.0
    }

    /// How many long polls are waiting for a commit; changes as readers park and leave.
    pub fn waiting_readers(&self) -> watch::Receiver<usize> {
        self.0.feed_readers.waiting()
    }

    /// Bytes of webhook bodies held in memory right now, all requests together.
    pub fn bodies_in_memory(&self) -> usize {
        let memory = &self.0.body_memory;
        memory.cap() - memory.available()
    }
}

/// The relay's routes: `POST /webhooks/treezor`, `GET /v1/events`, `GET /v1/me`, `POST /v1/team`,
/// the trail's `POST /v1/trail`, `GET /v1/trail/verify` and `GET /v1/trail/export`, the team's
/// `GET`/`PUT /v1/deadlines`, `GET /healthz`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/webhooks/treezor", post(receive::receive))
        .route("/v1/events", get(feed::events))
        .route("/v1/me", get(access::me))
        .route("/v1/team", post(team::write))
        .route("/v1/trail", post(trail::http::append))
        .route("/v1/trail/verify", get(trail::http::verify))
        .route("/v1/trail/export", get(trail::http::export))
        .route("/v1/deadlines", get(deadlines::read).put(deadlines::set))
        .route("/healthz", get(healthz))
        .with_state(state)
}

/// 200 while the writer runs, with the highest committed sequence number and the number of
/// waiting long polls; 503 once the writer stopped.
async fn healthz(State(state): State<AppState>) -> Response {
    let store = &state.shared().store;
    let last_seq = *store.committed().borrow();
    let waiting = state.shared().feed_readers.waiting_now();
    if !store.is_running() {
        return refusal(
            StatusCode::SERVICE_UNAVAILABLE,
            "writer_stopped",
            "the event writer has stopped; restart the relay",
        );
    }
    json_response(
        StatusCode::OK,
        format!(r#"{{"status":"ok","last_seq":{last_seq},"waiting_readers":{waiting}}}"#),
    )
}

/// The peer's address, when the server recorded it.
pub(crate) fn peer_of<B>(request: &axum::http::Request<B>) -> Option<SocketAddr> {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0)
}

/// A JSON body built by the caller.
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// 503 with `Retry-After` for a store that cannot answer now (PostgreSQL unreachable, the writer
/// saturated): the request was not served and should come again.
pub(crate) fn store_unavailable(code: &'static str, message: &str) -> Response {
    let mut response = refusal(StatusCode::SERVICE_UNAVAILABLE, code, message);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// Whether an error is the store being away or busy (answered 503), rather than a fault.
pub(crate) fn is_transient(error: &RelayError) -> bool {
    matches!(
        error,
        RelayError::Unreachable(_)
            | RelayError::Postgres { .. }
            | RelayError::Busy(_)
            | RelayError::Store(_)
    )
}

/// The answer to a refused request: `{"error": code, "message": what failed and what to do}`.
/// The code is stable: a desk words it in its officer's language, the English message is for
/// other clients and logs.
pub(crate) fn refusal(status: StatusCode, code: &'static str, message: &str) -> Response {
    refusal_with(status, code, message, serde_json::json!({}))
}

/// A refusal whose code takes parameters (a role, an officer, a limit), given beside the code so
/// that a desk can word it without reading the English message.
pub(crate) fn refusal_with(
    status: StatusCode,
    code: &'static str,
    message: &str,
    params: serde_json::Value,
) -> Response {
    let mut body = serde_json::json!({ "error": code, "message": message });
    if let (Some(body), serde_json::Value::Object(params)) = (body.as_object_mut(), params) {
        body.extend(params);
    }
    json_response(status, body.to_string())
}

/// 503 for a store that is away or busy (send again), 500 otherwise.
pub(crate) fn store_failed(error: &RelayError, what: &str) -> Response {
    if is_transient(error) {
        tracing::warn!(%error, "{what}");
        store_unavailable("store_unavailable", &format!("{what}: {error}; try again"))
    } else {
        tracing::error!(%error, "{what}");
        refusal(
            StatusCode::INTERNAL_SERVER_ERROR,
            "store_failed",
            &format!(
                "{what}: {error}; try again, and tell the hub's administrator if it keeps failing"
            ),
        )
    }
}
