//! The file host behind download URLs: S3-style presigned links that the sandbox serves itself.
//!
//! A URL is `/files/{documentId}/{fileName}?X-Amz-Algorithm=…&X-Amz-Date=…&X-Amz-Expires=30&
//! X-Amz-Signature=…`, the shape of the presigned links Treezor hands out, so a client can read a
//! link's creation time and lifetime from it. The signature is an HMAC over the path, date and
//! lifetime with a key made at start; an altered or expired link gets 403. The validity is
//! checked when the request arrives: a download started in time completes, however long it takes.
//!
//! Files are real pictures and PDFs, generated deterministically (see [`crate::content`]), so a
//! test can know a file's SHA-256 without keeping it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hmac::{Hmac, Mac};
use kyc::Timestamp;
use serde::Deserialize;
use sha2::Sha256;

use crate::content::{Content, Layout};
use crate::state::{SandboxState, lock};
use crate::world::documents::DocumentRecord;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], path: &str, date: &str, expires: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(format!("{path}\n{date}\n{expires}").as_bytes());
    mac
}

/// `20240701T100000Z` from an instant.
fn amz_date(at: Timestamp) -> String {
    let rfc = at.to_rfc3339(); // 2024-07-01T10:00:00.000Z
    format!(
        "{}{}{}T{}{}{}Z",
        &rfc[0..4],
        &rfc[5..7],
        &rfc[8..10],
        &rfc[11..13],
        &rfc[14..16],
        &rfc[17..19]
    )
}

fn parse_amz_date(raw: &str) -> Option<Timestamp> {
    let b = raw.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let rfc = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &raw[0..4],
        &raw[4..6],
        &raw[6..8],
        &raw[9..11],
        &raw[11..13],
        &raw[13..15]
    );
    Timestamp::parse_rfc3339(&rfc).ok()
}

/// Files generated lately, by what makes them: encoding a picture takes tens of milliseconds
/// (more in a debug build), and a test or the demo asks for the same document again and again.
/// Bounded: emptied when it holds [`KEPT_FILES`].
pub type Generated = HashMap<(u64, Content, u64), Arc<Layout>>;

const KEPT_FILES: usize = 64;

/// The file of `record`, generated or kept from last time.
pub(crate) fn layout_of(state: &SandboxState, record: &DocumentRecord) -> Arc<Layout> {
    let key = (record.id, record.content, record.size);
    if let Some(kept) = lock(&state.shared().files).get(&key) {
        return kept.clone();
    }
    // Generated outside the lock: another request may do the same meanwhile, which is harmless.
    let layout = Arc::new(record.layout());
    let mut kept = lock(&state.shared().files);
    if kept.len() >= KEPT_FILES {
        kept.clear();
    }
    kept.insert(key, layout.clone());
    layout
}

/// A download URL for `document`, valid `download_url_lifetime` from `created`.
pub fn presign(state: &SandboxState, document: &DocumentRecord, created: Timestamp) -> String {
    let path = format!("/files/{}/{}", document.id, document.file_name);
    let date = amz_date(created);
    let expires = state.config().download_url_lifetime.as_secs().to_string();
    let signature = hex::encode(
        mac(&state.shared().file_key, &path, &date, &expires)
            .finalize()
            .into_bytes(),
    );
    format!(
        "{}{path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={date}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}",
        state.shared().base_url
    )
}

#[derive(Debug, Deserialize)]
pub struct Presigned {
    #[serde(rename = "X-Amz-Date")]
    date: Option<String>,
    #[serde(rename = "X-Amz-Expires")]
    expires: Option<String>,
    #[serde(rename = "X-Amz-Signature")]
    signature: Option<String>,
}

/// The hit counter's key for file requests refused because their URL had expired
/// (`Control::hits_for("GET", EXPIRED_FILE_REQUESTS)`).
pub const EXPIRED_FILE_REQUESTS: &str = "/files (expired URL)";

fn denied(code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    let mut response = (StatusCode::FORBIDDEN, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    response
}

/// `GET /files/{documentId}/{fileName}`.
pub async fn serve(
    State(state): State<SandboxState>,
    Path((document, name)): Path<(String, String)>,
    Query(query): Query<Presigned>,
) -> Response {
    let path = format!("/files/{document}/{name}");
    let (Some(date), Some(expires), Some(signature)) = (query.date, query.expires, query.signature)
    else {
        return denied(
            "AccessDenied",
            "Query-string authentication requires the X-Amz-Date, X-Amz-Expires and X-Amz-Signature parameters",
        );
    };
    let valid_signature = hex::decode(&signature)
        .map(|given| {
            mac(&state.shared().file_key, &path, &date, &expires)
                .verify_slice(&given)
                .is_ok()
        })
        .unwrap_or(false);
    if !valid_signature {
        return denied(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided",
        );
    }
    let (Some(created), Ok(lifetime)) = (parse_amz_date(&date), expires.parse::<u64>()) else {
        return denied("AccessDenied", "X-Amz-Date or X-Amz-Expires is malformed");
    };
    if state.now() > crate::clock::after(created, Duration::from_secs(lifetime)) {
        // Counted apart, so a test or a benchmark can prove no expired URL was ever used.
        state.count("GET", EXPIRED_FILE_REQUESTS);
        return denied("AccessDenied", "Request has expired");
    }
    let Some(record) = document
        .parse::<u64>()
        .ok()
        .and_then(|id| state.world(|w| w.documents.get(&id).cloned()))
    else {
        let mut response = (
            StatusCode::NOT_FOUND,
            "<Error><Code>NoSuchKey</Code></Error>",
        )
            .into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        );
        return response;
    };
    let layout = layout_of(&state, &record);
    let size = layout.len();
    let stream =
        futures_util::stream::iter(layout.chunks(record.id).map(Ok::<Bytes, std::io::Error>));
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(record.content.media_type()),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", record.file_name))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates_round_trip() {
        let at = Timestamp::from_unix_seconds(1_720_000_000);
        assert_eq!(amz_date(at), "20240703T094640Z");
        assert_eq!(parse_amz_date(&amz_date(at)), Some(at));
        assert_eq!(parse_amz_date("2024-07-03"), None);
    }
}
