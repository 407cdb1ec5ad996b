//! `POST /v1/users/{userId}/kycliveness` (start a live verification) and
//! `PUT /v1/users/{userId}/kycliveness` (store its documents in Treezor).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::answer::{Answer, ApiError, once_per_tag, path_id};
use super::auth::{Need, authorize};
use super::users::TagQuery;
use crate::state::SandboxState;
use crate::world::{RetrieveError, StartError, StartSettings};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartBody {
    redirect_url: Option<String>,
}

/// `POST kycliveness`. An `accessTag` in the query is accepted and ignored: Treezor's reference
/// declares none on this endpoint (it does on the review, documents and users), so a client must
/// not count on a repeat returning the first verification, and the sandbox does not give it one.
pub async fn start(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(user): Path<String>,
    body: Bytes,
) -> Result<Answer, ApiError> {
    authorize(&state, &headers, Need::Write)?;
    let user = path_id(&user, "userId")?;
    let body: StartBody = if body.iter().all(u8::is_ascii_whitespace) {
        StartBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("The body could not be read: {e}")))?
    };
    let redirect_url = body.redirect_url.filter(|u| !u.trim().is_empty());
    if let Some(url) = &redirect_url {
        match reqwest::Url::parse(url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
            _ => {
                return Err(ApiError::bad_request(
                    "redirectUrl must be an http or https URL",
                ));
            }
        }
    }
    {
        let settings = StartSettings {
            kind: state.config().liveness_type,
            lifetime: state.config().identification_lifetime,
            url_base: state.shared().base_url.clone(),
        };
        let id = uuid::Uuid::new_v4().to_string();
        let now = state.now();
        let started = state.world(|w| w.start(user, redirect_url.clone(), now, &settings, id));
        match started {
            Ok(identification) => {
                let url = identification_url(&settings.url_base, &identification.id);
                Ok(Answer::created(
                    identification.start_answer(&url, state.config().liveness_answer),
                ))
            }
            Err(StartError::UnknownUser) => {
                Err(ApiError::not_found(format!("User {user} not found")))
            }
            Err(StartError::Missing(missing)) => Err(ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "invalid_request",
                "missing_user_attributes",
                format!(
                    "User {user} must have firstname, lastname and birthday before a live verification; missing: {}",
                    missing.join(", ")
                ),
            )),
        }
    }
}

/// Where the end user goes: the hosted page.
pub fn identification_url(base: &str, id: &str) -> String {
    format!("{base}/verify/{id}")
}

pub async fn retrieve(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(user): Path<String>,
    Query(query): Query<TagQuery>,
) -> Result<Answer, ApiError> {
    authorize(&state, &headers, Need::Write)?;
    let user = path_id(&user, "userId")?;
    let operation = format!("PUT /v1/users/{user}/kycliveness");
    once_per_tag(&state, &operation, query.access_tag.as_deref(), || {
        let now = state.now();
        let size = state.config().document_size;
        match state.world(|w| w.retrieve(user, now, size)) {
            Ok((_, events)) => {
                state.send(events);
                Ok(Answer::ok("{}".into()))
            }
            Err(error) => Err(retrieve_error(user, error)),
        }
    })
}

fn retrieve_error(user: u64, error: RetrieveError) -> ApiError {
    let invalid =
        |status, code, message: String| ApiError::new(status, "invalid_request", code, message);
    match error {
        RetrieveError::UnknownUser => ApiError::not_found(format!("User {user} not found")),
        RetrieveError::NoIdentification => {
            ApiError::not_found(format!("No identification found for user {user}"))
        }
        RetrieveError::NotProcessed(phase) => invalid(
            StatusCode::NOT_ACCEPTABLE,
            "identification_not_processed",
            format!(
                "The last initiated identification for user {user} is not in processed state (it is {phase})"
            ),
        ),
        RetrieveError::NothingToStore(score) => invalid(
            StatusCode::METHOD_NOT_ALLOWED,
            "documents_not_stored",
            format!(
                "The documents can not be stored: the last identification for user {user} has score {score}, not 1"
            ),
        ),
        RetrieveError::Gone => invalid(
            StatusCode::GONE,
            "identification_gone",
            format!(
                "The last identification for user {user} no longer exists: it expired before the user finished"
            ),
        ),
    }
}
