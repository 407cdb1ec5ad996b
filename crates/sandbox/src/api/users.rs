//! `POST /v1/users`, `GET /v1/users` (filters and paging), `GET /v1/users/{userId}` and
//! `PUT /v1/users/{userId}`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde::Deserialize;

use super::answer::{Answer, ApiError, once_per_tag, path_id};
use super::auth::{Need, authorize};
use crate::state::SandboxState;
use crate::wire::{Wire, listed};
use crate::world::UserFilter;
use crate::world::users::NewUser;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagQuery {
    pub access_tag: Option<String>,
}

pub async fn create(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Query(query): Query<TagQuery>,
    body: Bytes,
) -> Result<Answer, ApiError> {
    authorize(&state, &headers, Need::Legal)?;
    let new: NewUser = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("The user could not be read: {e}")))?;
    once_per_tag(
        &state,
        "POST /v1/users",
        query.access_tag.as_deref(),
        || {
            let now = state.now();
            let (user, events) = state
                .world(|w| w.create_user(&new, now))
                .map_err(ApiError::bad_request)?;
            state.send(events);
            Ok(Answer::ok(listed("users", [user.json(Wire::Rest, None)])))
        },
    )
}

pub async fn search(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Query(filter): Query<UserFilter>,
) -> Result<Answer, ApiError> {
    authorize(&state, &headers, Need::Read)?;
    let body = state.world(|w| {
        let (page, total) = w.search(&filter)?;
        Ok::<_, String>(listed(
            "users",
            page.iter().map(|u| u.json(Wire::Rest, Some(total))),
        ))
    });
    body.map(Answer::ok).map_err(ApiError::bad_request)
}

pub async fn get(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(user): Path<String>,
) -> Result<Answer, ApiError> {
    authorize(&state, &headers, Need::Read)?;
    let id = path_id(&user, "userId")?;
    state
        .world(|w| w.users.get(&id).map(|u| u.json(Wire::Rest, None)))
        .map(|user| Answer::ok(listed("users", [user])))
        .ok_or_else(|| ApiError::not_found(format!("User {id} not found")))
}

pub async fn update(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(user): Path<String>,
    Query(query): Query<TagQuery>,
    body: Bytes,
) -> Result<Answer, ApiError> {
    authorize(&state, &headers, Need::Write)?;
    let id = path_id(&user, "userId")?;
    let change: NewUser = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request(format!("The user could not be read: {e}")))?;
    let operation = format!("PUT /v1/users/{id}");
    once_per_tag(&state, &operation, query.access_tag.as_deref(), || {
        let now = state.now();
        match state.world(|w| w.update_user(id, &change, now)) {
            Ok(Some((user, events))) => {
                state.send(events);
                Ok(Answer::ok(listed("users", [user.json(Wire::Rest, None)])))
            }
            Ok(None) => Err(ApiError::not_found(format!("User {id} not found"))),
            Err(problem) => Err(ApiError::bad_request(problem)),
        }
    })
}
