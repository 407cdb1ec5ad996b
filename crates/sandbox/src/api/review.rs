//! `PUT /v1/users/{userId}/Kycreview` (capital K, as Treezor spells it).

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;

use super::answer::{Answer, ApiError, once_per_tag, path_id};
use super::auth::{Need, authorize};
use super::users::TagQuery;
use crate::state::SandboxState;
use crate::wire::{Wire, listed};
use crate::world::ReviewError;

pub async fn request(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(user): Path<String>,
    Query(query): Query<TagQuery>,
) -> Result<Answer, ApiError> {
    authorize(&state, &headers, Need::Write)?;
    let user = path_id(&user, "userId")?;
    let operation = format!("PUT /v1/users/{user}/Kycreview");
    once_per_tag(&state, &operation, query.access_tag.as_deref(), || {
        let now = state.now();
        match state.world(|w| w.request_review(user, now)) {
            Ok((record, events)) => {
                state.send(events);
                state.later(state.config().review_delay, move |w, now| {
                    w.decide_review(user, now)
                });
                Ok(Answer::ok(listed("users", [record.json(Wire::Rest, None)])))
            }
            Err(ReviewError::UnknownUser) => {
                Err(ApiError::not_found(format!("User {user} not found")))
            }
            Err(ReviewError::AlreadyPending) => Err(ApiError::bad_request(format!(
                "A KYC review is already pending for user {user}: wait for Treezor's decision"
            ))),
        }
    })
}
