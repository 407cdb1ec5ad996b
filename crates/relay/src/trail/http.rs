//! The trail's routes.
//!
//! - `POST /v1/trail` with an officer's credential, body [`kyc::trail::TrailWrite`]: **201**
//!   `{"seq": N}` once the entry is committed, **200** `{"seq": null}` for an id this officer
//!   sent before (stored once). The author is the credential's officer; a body naming one is not
//!   a trail entry (400). **403** for the auditor (`forbidden`: it changes nothing) and for the
//!   team's shared feed token (`officer_credential_required`: an entry names its author).
//! - `GET /v1/trail/verify[?seen=N]` with any credential: **200** [`kyc::trail::TrailCheck`], the
//!   number of entries that hold together and, when the chain breaks, the first entry that does
//!   not and why; the MAC of the last entry that holds (`head`) and, with `seen`, of entry N. A
//!   desk holds those MACs to what it saw before: entries cut from the end, even when the trail
//!   grew again since, show there. It names no entry's content, so every officer may ask (the
//!   desk's Verify does). **400** for a `seen` that is not a number.
//! - `GET /v1/trail/export?format=csv|json&case=…&officer=…&from=…&to=…`: the entries, oldest
//!   first, for the senior and auditor roles; **403** `trail_export_forbidden` for an officer (and
//!   the shared feed token, which reads as one): colleagues' entries are read by those who
//!   supervise or audit them.
//!
//! Nothing of a body is logged; an entry holds names, ids, codes and outcomes only.

use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kyc::officer::Act;
use kyc::trail::{TrailWrite, TrailWritten, Verifier};

use super::export::{CSV_HEADER, ExportQuery, Format, csv_line};
use super::{TrailFilter, TrailRecord};
use crate::access::authenticate;
use crate::app::{AppState, json_response, peer_of, refusal, store_failed};
use crate::authored::{self, Authored};
use crate::store::writer::Outcome;

/// The largest entry accepted: a detail of 2,000 characters fits many times over.
pub const BODY_LIMIT: usize = 16 * 1024;

/// Entries read from the store at a time while verifying or exporting.
const PAGE: usize = 5000;

pub(crate) async fn append(State(state): State<AppState>, request: Request) -> Response {
    let Authored { author, body } =
        match authored::read(&state, request, Act::Record, "trail entry", BODY_LIMIT).await {
            Ok(authored) => authored,
            Err(refused) => return refused,
        };
    let write = match serde_json::from_slice::<TrailWrite>(&body)
        .map_err(|error| error.to_string())
        .and_then(|write| write.check().map(|()| write))
    {
        Ok(write) => write,
        Err(error) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "not_a_trail_entry",
                &format!("the body is not a trail entry this hub knows: {error}"),
            );
        }
    };
    let action = write.action.clone();
    match state
        .shared()
        .store
        .trail_append(TrailRecord::of_desk(&author.name, write))
        .await
    {
        Ok(outcome) => {
            let (status, seq) = match outcome {
                Outcome::Stored { seq } => (StatusCode::CREATED, Some(seq)),
                Outcome::Duplicate => (StatusCode::OK, None),
            };
            tracing::info!(officer = %author.name, action = %action, seq, "trail entry stored");
            let body = serde_json::to_string(&TrailWritten { seq }).expect("an answer encodes");
            json_response(status, body)
        }
        Err(error) => store_failed(&error, "the trail entry was not stored"),
    }
}

pub(crate) async fn verify(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let access = match authenticate(&state, request.headers()).await {
        Ok(access) => access,
        Err(refused) => return *refused,
    };
    if let Err(refused) = access.require(Act::Read) {
        return *refused;
    }
    let seen = match seen_of(query.as_deref()) {
        Ok(seen) => seen,
        Err(error) => return refusal(StatusCode::BAD_REQUEST, "bad_trail_query", &error),
    };
    let key = state.shared().trail_key.clone();
    let mut verifier = Verifier::seeing(seen);
    let mut after = 0;
    loop {
        let page = match state
            .shared()
            .store
            .trail_page(after, PAGE, TrailFilter::default())
            .await
        {
            Ok(page) => page,
            Err(error) => return store_failed(&error, "the trail could not be read"),
        };
        let Some(last) = page.last().map(|entry| entry.seq) else {
            break;
        };
        if !page
            .iter()
            .all(|entry| verifier.check(key.as_bytes(), entry))
        {
            break;
        }
        after = last;
    }
    let check = verifier.finish();
    match &check.broken {
        Some(broken) => {
            tracing::error!(seq = broken.seq, kind = ?broken.kind, asked_by = %access.role(), "the trail is broken")
        }
        None => tracing::info!(entries = check.entries, "the trail verified intact"),
    }
    json_response(
        StatusCode::OK,
        serde_json::to_string(&check).expect("a check encodes"),
    )
}

/// The entry whose MAC the asker wants (`seen=N`), if any.
fn seen_of(query: Option<&str>) -> Result<Option<u64>, String> {
    let mut seen = None;
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        if key != "seen" {
            return Err(format!(
                "{key} is not a question verify answers; ask seen=N or nothing"
            ));
        }
        let number = value
            .parse::<u64>()
            .map_err(|_| format!("seen must be an entry's number, not {value:?}"))?;
        if seen.replace(number).is_some() {
            return Err("seen is given more than once; give it once".into());
        }
    }
    Ok(seen)
}

pub(crate) async fn export(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    request: Request,
) -> Response {
    let access = match authenticate(&state, request.headers()).await {
        Ok(access) => access,
        Err(refused) => return *refused,
    };
    if !access.role().may(Act::ReadTrail) {
        tracing::warn!(peer = ?peer_of(&request), role = %access.role(), "trail export refused: role");
        return refusal(
            StatusCode::FORBIDDEN,
            "trail_export_forbidden",
            &format!(
                "the {} role cannot export the team's trail: it holds colleagues' entries; ask a senior officer or the auditor",
                access.role()
            ),
        );
    }
    let query = match ExportQuery::parse(query.as_deref()) {
        Ok(query) => query,
        Err(error) => return refusal(StatusCode::BAD_REQUEST, "bad_export_query", &error),
    };
    let mut entries = Vec::new();
    let mut after = 0;
    loop {
        let page = match state
            .shared()
            .store
            .trail_page(after, PAGE, query.filter.clone())
            .await
        {
            Ok(page) => page,
            Err(error) => return store_failed(&error, "the trail could not be read"),
        };
        let Some(last) = page.last().map(|entry| entry.seq) else {
            break;
        };
        after = last;
        entries.extend(page);
    }
    tracing::info!(role = %access.role(), entries = entries.len(), "trail exported");
    let (body, content_type, name) = match query.format {
        Format::Json => (
            serde_json::to_string(&entries).expect("entries encode"),
            "application/json",
            "trail.json",
        ),
        Format::Csv => {
            let mut csv = format!("{CSV_HEADER}\r\n");
            entries
                .iter()
                .for_each(|entry| csv.push_str(&csv_line(entry)));
            (csv, "text/csv; charset=utf-8", "trail.csv")
        }
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
                    .expect("a plain file name"),
            ),
        ],
        body,
    )
        .into_response()
}
