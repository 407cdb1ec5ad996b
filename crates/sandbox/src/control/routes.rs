//! The `/sandbox/` control endpoints: the [`Control`] handle over HTTP, for tests in other
//! processes and for the demo. Errors answer `{"error": "…"}` with 400 or 404.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kyc::DocumentTypeId;
use serde::Deserialize;

use super::Control;
use crate::content::Content;
use crate::error::Error;
use crate::faults::FaultRule;
use crate::hosted::escape;
use crate::seed::SeedOptions;
use crate::state::SandboxState;
use crate::webhooks::WebhookFaults;
use crate::world::ReviewDecision;
use crate::world::identification::{Capture, Outcome, ReadIdentity};
use crate::world::users::NewUser;

pub fn router() -> Router<SandboxState> {
    Router::new()
        .route("/sandbox", get(index))
        .route("/sandbox/", get(index))
        .route("/sandbox/users", post(create_user))
        .route("/sandbox/users/{user}/kycliveness", post(start))
        .route(
            "/sandbox/users/{user}/review-decision",
            put(review_decision),
        )
        .route("/sandbox/identifications", get(identifications))
        .route("/sandbox/identifications/{id}/finish", post(finish))
        .route("/sandbox/webhook-target", get(target).put(set_target))
        .route(
            "/sandbox/webhook-faults",
            get(webhook_faults).put(set_webhook_faults),
        )
        .route("/sandbox/webhooks", get(webhooks))
        .route("/sandbox/faults", get(faults).post(inject).delete(clear))
        .route("/sandbox/clock/advance", post(advance))
        .route("/sandbox/tokens/expire", post(expire_tokens))
        .route("/sandbox/hits", get(hits))
        .route("/sandbox/documents/{id}/file", get(document_file))
        .route("/sandbox/documents/{id}/content", put(set_document_content))
        .route("/sandbox/seed", post(seed))
}

fn control(state: SandboxState) -> Control {
    Control::new(state)
}

struct Failure(Error);

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = match self.0 {
            Error::UnknownUser(_) | Error::UnknownIdentification(_) | Error::UnknownDocument(_) => {
                StatusCode::NOT_FOUND
            }
            _ => StatusCode::BAD_REQUEST,
        };
        (
            status,
            Json(serde_json::json!({ "error": self.0.to_string() })),
        )
            .into_response()
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure(error)
    }
}

async fn create_user(
    State(state): State<SandboxState>,
    Json(new): Json<NewUser>,
) -> Result<Response, Failure> {
    let id = control(state).create_user(&new)?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "userId": id })),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct StartBody {
    redirect_url: Option<String>,
}

async fn start(
    State(state): State<SandboxState>,
    Path(user): Path<u64>,
    body: Option<Json<StartBody>>,
) -> Result<Response, Failure> {
    let redirect = body.and_then(|Json(b)| b.redirect_url);
    let view = control(state).start_identification(user, redirect)?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

async fn review_decision(
    State(state): State<SandboxState>,
    Path(user): Path<u64>,
    Json(decision): Json<ReviewDecision>,
) -> Result<StatusCode, Failure> {
    control(state).set_review_decision(user, decision)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn identifications(State(state): State<SandboxState>) -> Response {
    Json(control(state).identifications()).into_response()
}

#[derive(Deserialize)]
struct FinishBody {
    #[serde(flatten)]
    outcome: Outcome,
    /// The identity document's `documentTypeId` (9, 15, 16 or 17).
    #[serde(default)]
    document: Option<u16>,
    /// The file the provider keeps of it, e.g. `{"kind":"png"}`.
    #[serde(default)]
    file: Option<Content>,
    /// What the provider read on it, e.g. `{"last_name":"Lefevre"}`.
    #[serde(default)]
    identity: ReadIdentity,
}

async fn finish(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    Json(body): Json<FinishBody>,
) -> Result<Response, Failure> {
    let document = body
        .document
        .map(|d| DocumentTypeId::parse(&d.to_string()).map_err(|e| Error::Config(e.to_string())))
        .transpose()?;
    let capture = Capture {
        file: body.file,
        identity: body.identity,
    };
    let finished = control(state).finish_with(&id, body.outcome, document, capture)?;
    Ok(Json(finished).into_response())
}

#[derive(Deserialize)]
struct TargetBody {
    url: Option<String>,
}

async fn target(State(state): State<SandboxState>) -> Response {
    Json(serde_json::json!({ "url": control(state).webhook_target() })).into_response()
}

async fn set_target(
    State(state): State<SandboxState>,
    Json(body): Json<TargetBody>,
) -> Result<StatusCode, Failure> {
    control(state).set_webhook_target(body.url.as_deref())?;
    Ok(StatusCode::NO_CONTENT)
}

async fn webhook_faults(State(state): State<SandboxState>) -> Response {
    Json(state.shared().outbox.faults()).into_response()
}

async fn set_webhook_faults(
    State(state): State<SandboxState>,
    Json(faults): Json<WebhookFaults>,
) -> StatusCode {
    control(state).set_webhook_faults(faults);
    StatusCode::NO_CONTENT
}

async fn webhooks(State(state): State<SandboxState>) -> Response {
    Json(control(state).deliveries()).into_response()
}

async fn faults(State(state): State<SandboxState>) -> Response {
    Json(control(state).faults()).into_response()
}

async fn inject(State(state): State<SandboxState>, Json(rule): Json<FaultRule>) -> StatusCode {
    control(state).inject(rule);
    StatusCode::NO_CONTENT
}

async fn clear(State(state): State<SandboxState>) -> StatusCode {
    control(state).clear_faults();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct AdvanceBody {
    seconds: u64,
}

async fn advance(State(state): State<SandboxState>, Json(body): Json<AdvanceBody>) -> StatusCode {
    control(state).advance_clock(Duration::from_secs(body.seconds));
    StatusCode::NO_CONTENT
}

async fn expire_tokens(State(state): State<SandboxState>) -> StatusCode {
    control(state).expire_tokens();
    StatusCode::NO_CONTENT
}

async fn hits(State(state): State<SandboxState>) -> Response {
    Json(control(state).hits()).into_response()
}

async fn document_file(
    State(state): State<SandboxState>,
    Path(id): Path<u64>,
) -> Result<Response, Failure> {
    Ok(Json(control(state).document_facts(id)?).into_response())
}

#[derive(Deserialize)]
struct ContentBody {
    #[serde(flatten)]
    content: Content,
    /// The size the file is padded to.
    #[serde(default)]
    size: Option<u64>,
}

async fn set_document_content(
    State(state): State<SandboxState>,
    Path(id): Path<u64>,
    Json(body): Json<ContentBody>,
) -> Result<StatusCode, Failure> {
    control(state).set_document_content(id, body.content, body.size)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn seed(State(state): State<SandboxState>, body: Option<Json<SeedOptions>>) -> Response {
    let options = body.map(|Json(o)| o).unwrap_or_default();
    Json(control(state).seed(&options)).into_response()
}

/// A page for the demo: every identification, with a link to its hosted page.
async fn index(State(state): State<SandboxState>) -> Response {
    let control = control(state);
    let rows: String = control
        .identifications()
        .iter()
        .take(200)
        .map(|i| {
            format!(
                "<tr><td>{}</td><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                i.user,
                escape(&i.url),
                escape(&i.id),
                escape(&i.status),
                i.score.map(|s| s.to_string()).unwrap_or_default()
            )
        })
        .collect();
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Treezor sandbox</title>\
         <link rel=\"stylesheet\" href=\"/verify/style.css\"></head><body><main>\
         <h1>Treezor sandbox</h1><p class=\"banner\">A stand-in for Treezor, for development and demos. Nothing here is real.</p>\
         <p>{} users. Webhook target: {}.</p>\
         <h2>Live verifications</h2><table><thead><tr><th>User</th><th>Identification</th><th>Status</th><th>Score</th></tr></thead>\
         <tbody>{rows}</tbody></table></main></body></html>",
        control.user_count(),
        escape(&control.webhook_target().unwrap_or_else(|| "none".into())),
    );
    let mut response = Html(page).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(crate::hosted::CSP),
    );
    response
}
