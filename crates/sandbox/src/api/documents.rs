//! `GET /v1/documents` (search), `GET /v1/documents/{documentId}` and
//! `GET /v1/documents/{documentId}/download` (a URL valid 30 seconds from its creation).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::answer::{Answer, ApiError, path_id};
use super::auth::{Need, authorize};
use crate::clock::before;
use crate::config::DownloadAccess;
use crate::files::presign;
use crate::state::SandboxState;
use crate::wire::{Obj, Wire, listed};
use crate::world::World;
use crate::world::documents::DocumentRecord;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentFilter {
    user_id: Option<String>,
    document_id: Option<String>,
    document_type_id: Option<String>,
    document_status: Option<String>,
    page_number: Option<String>,
    page_count: Option<String>,
}

fn number(raw: &Option<String>, name: &str) -> Result<Option<u64>, ApiError> {
    raw.as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            r.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("{name} must be a whole number")))
        })
        .transpose()
}

fn rest_json(world: &World, document: &DocumentRecord) -> String {
    let (first, last) = world
        .users
        .get(&document.user)
        .map(|u| (u.firstname.as_str(), u.lastname.as_str()))
        .unwrap_or_default();
    document.json(Wire::Rest, first, last)
}

pub async fn search(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Query(filter): Query<DocumentFilter>,
) -> Result<Answer, ApiError> {
    authorize(&state, &headers, Need::Read)?;
    let user = number(&filter.user_id, "userId")?;
    let id = number(&filter.document_id, "documentId")?;
    let type_id = number(&filter.document_type_id, "documentTypeId")?;
    let page_number = number(&filter.page_number, "pageNumber")?
        .unwrap_or(1)
        .max(1);
    let page_count = number(&filter.page_count, "pageCount")?.unwrap_or(50);
    if !(1..=200).contains(&page_count) {
        return Err(ApiError::bad_request("pageCount must be between 1 and 200"));
    }
    let status = filter
        .document_status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let body = state.world(|w| {
        let matching = w
            .documents
            .values()
            .rev()
            .filter(|d| user.is_none_or(|u| d.user == u))
            .filter(|d| id.is_none_or(|i| d.id == i))
            .filter(|d| type_id.is_none_or(|t| u64::from(d.type_id.number()) == t))
            .filter(|d| status.is_none_or(|s| d.status.eq_ignore_ascii_case(s)))
            .skip(((page_number - 1) * page_count) as usize)
            .take(page_count as usize);
        listed(
            "documents",
            matching.map(|d| rest_json(w, d)).collect::<Vec<_>>(),
        )
    });
    Ok(Answer::ok(body))
}

pub async fn get(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(document): Path<String>,
) -> Result<Answer, ApiError> {
    authorize(&state, &headers, Need::Read)?;
    let id = path_id(&document, "documentId")?;
    state
        .world(|w| w.documents.get(&id).map(|d| rest_json(w, d)))
        .map(|d| Answer::ok(listed("documents", [d])))
        .ok_or_else(|| ApiError::not_found(format!("Document {id} not found")))
}

pub async fn download(
    State(state): State<SandboxState>,
    headers: HeaderMap,
    Path(document): Path<String>,
) -> Result<Answer, ApiError> {
    authorize(&state, &headers, Need::Read)?;
    let id = path_id(&document, "documentId")?;
    match state.config().download {
        DownloadAccess::Enabled => {}
        DownloadAccess::Forbidden => {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "feature_not_enabled",
                "Document download is not enabled for this account",
            ));
        }
        DownloadAccess::NotImplemented => {
            return Err(ApiError::new(
                StatusCode::NOT_IMPLEMENTED,
                "not_implemented",
                "feature_not_enabled",
                "Document download is not enabled for this account",
            ));
        }
    }
    let record = state
        .world(|w| w.documents.get(&id).cloned())
        .ok_or_else(|| ApiError::not_found(format!("Document {id} not found")))?;
    let path = format!("/v1/documents/{id}/download");
    let now = state.now();
    let created = match state.shared().faults.url_age(&path) {
        Some(age) => before(now, age),
        None => now,
    };
    let url = presign(&state, &record, created);
    Ok(Answer::ok(Obj::new(Wire::Rest).text("url", &url).finish()))
}
