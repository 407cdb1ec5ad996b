//! Answers in Treezor's shapes: JSON bodies, errors as `{"errors":[{type, code, message, docUrl,
//! requestId}]}`, and the replay of a first answer for a repeated `accessTag`.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::clock::before;
use crate::state::SandboxState;
use crate::wire::{Obj, Wire};
use crate::world::Replay;

const DOC_URL: &str = "https://docs.treezor.com/guide/api-basics/response-codes.html";

/// How long Treezor keeps an `accessTag`'s first answer.
const TAG_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// A successful answer: a status and a JSON text.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: String,
}

impl Answer {
    pub fn ok(body: String) -> Answer {
        Answer {
            status: StatusCode::OK,
            body,
        }
    }

    pub fn created(body: String) -> Answer {
        Answer {
            status: StatusCode::CREATED,
            body,
        }
    }
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        json_response(self.status, self.body)
    }
}

pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// An error answer in Treezor's shape, with a fresh `requestId`.
#[derive(Clone, Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        code: &'static str,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError {
            status,
            kind,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "invalid_parameter",
            message,
        )
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "invalid_request",
            "resource_not_found_error",
            message,
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = uuid::Uuid::new_v4().to_string();
        let error = Obj::new(Wire::Rest)
            .text("type", self.kind)
            .text("code", self.code)
            .text("message", &self.message)
            .text("docUrl", DOC_URL)
            .text("requestId", &request_id)
            .finish();
        let mut response = json_response(self.status, format!(r#"{{"errors":[{error}]}}"#));
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert("x-request-id", value);
        }
        response
    }
}

/// Runs a POST/PUT once per `accessTag`: a repeat within 24 hours gets the first successful
/// answer again, and the operation is not carried out twice. Failures are not kept, so a retry
/// after a failure does the work.
pub fn once_per_tag(
    state: &SandboxState,
    operation: &str,
    tag: Option<&str>,
    run: impl FnOnce() -> Result<Answer, ApiError>,
) -> Result<Answer, ApiError> {
    let Some(tag) = tag.filter(|t| !t.is_empty()) else {
        return run();
    };
    if tag.chars().count() > 250 {
        return Err(ApiError::bad_request(
            "accessTag must be at most 250 characters",
        ));
    }
    let key = format!("{operation} {tag}");
    let now = state.now();
    let oldest = before(now, TAG_LIFETIME);
    let kept = state.world(|w| {
        w.replays.retain(|_, r| r.at >= oldest);
        w.replays.get(&key).cloned()
    });
    if let Some(replay) = kept {
        return Ok(Answer {
            status: StatusCode::from_u16(replay.status).unwrap_or(StatusCode::OK),
            body: replay.body,
        });
    }
    let answer = run()?;
    state.world(|w| {
        w.replays.insert(
            key,
            Replay {
                status: answer.status.as_u16(),
                body: answer.body.clone(),
                at: now,
            },
        );
    });
    Ok(answer)
}

/// Reads a path id, or answers 400 naming it.
pub fn path_id(raw: &str, name: &str) -> Result<u64, ApiError> {
    raw.trim()
        .parse::<u64>()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| ApiError::bad_request(format!("{name} must be a positive whole number")))
}
