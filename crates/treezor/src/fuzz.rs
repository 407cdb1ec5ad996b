//! Fuzzing of every reader of Treezor's answers, at the level of the functions themselves (many
//! cases a second): answer shapes, error bodies in their three shapes, the start of a live
//! verification, token answers, presigned download URLs and the file names taken from them.
//!
//! What it proves, for any bytes Treezor (or something in its place) might send: no panic, no
//! overflow; an error names the call it belongs to and stays short enough to show; a file name
//! taken from a URL never leaves the download folder. `tests/fuzz_answers.rs` sends the same kind
//! of answers through the client over HTTP.
//!
//! Test names start with `fuzz_`, which `scripts/fuzz` runs for longer with `PROPTEST_CASES`.

use std::path::Path;
use std::time::{Duration, Instant};

use kyc::DocumentId;
use kyc::objects::{Document, User};
use proptest::prelude::*;
use serde_json::Value;

use crate::answers::{objects, parse};
use crate::documents::url_expiry;
use crate::download::{safe_name, target};
use crate::liveness::read_start;
use crate::refusal::{Endpoint, read_body, refusal};
use crate::token::{TokenAnswer, renew_at};

const CALL: &str = "GET /v1/fuzz/42";

/// Arbitrary JSON, with the field names Treezor's answers use and odd values for them.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<String>().prop_map(Value::from),
        "[0-9a-zA-Z :./-]{0,20}".prop_map(Value::from),
        prop::collection::vec(any::<char>(), 1000..3000)
            .prop_map(|c| Value::from(c.into_iter().collect::<String>())),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ];
    let key = prop_oneof![
        prop::sample::select(vec![
            "users",
            "documents",
            "userId",
            "user_id",
            "firstname",
            "lastname",
            "birthday",
            "email",
            "kycReview",
            "kycLevel",
            "userTypeId",
            "parentUserId",
            "createdDate",
            "modifiedDate",
            "totalRows",
            "documentId",
            "documentTypeId",
            "identification",
            "identification-id",
            "identification-url",
            "user_kyc",
            "type",
            "errors",
            "error",
            "error_description",
            "message",
            "code",
            "errorCode",
            "errorMessage",
            "requestId",
            "docUrl",
            "url",
            "downloadUrl",
            "access_token",
            "expires_in",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ];
    leaf.prop_recursive(4, 40, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Bodies: JSON built from Treezor's words, or any bytes at all.
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => prop::collection::vec(any::<u8>(), 0..400),
    ]
}

fn cases(default: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default;
    }
    config
}

/// URLs with presigned-looking queries: huge, negative and non-ASCII dates and lifetimes.
fn presigned_url() -> impl Strategy<Value = String> {
    let date = prop_oneof![
        "[0-9]{8}T[0-9]{6}Z",
        "[0-9éT€Z]{10,16}",
        "%C3%A9[0-9]{2}T%E2%82%AC[0-9]{3}Z",
        any::<String>().prop_map(|s| s.chars().take(16).collect::<String>()),
    ];
    let number = prop_oneof![
        "[0-9]{1,25}",
        Just("18446744073709551615".to_owned()),
        Just("-1".to_owned()),
    ];
    (date, number.clone(), number, any::<bool>()).prop_map(|(date, lifetime, expires, amz)| {
        let date = date.replace(['&', '#', ' '], "");
        if amz {
            format!("https://bucket.example/a.pdf?X-Amz-Date={date}&X-Amz-Expires={lifetime}&X-Amz-Signature=x")
        } else {
            format!("https://bucket.example/a.pdf?Expires={expires}&Signature=x")
        }
    })
}

proptest! {
    #![proptest_config(cases(1024))]

    /// Answers in any shape: the objects, or an error naming the call.
    #[test]
    fn fuzz_answer_shapes(body in body(), key in prop::sample::select(vec!["users", "documents"])) {
        match objects(CALL, &body, key) {
            Ok(items) => {
                for item in items {
                    for result in [
                        parse::<User>(CALL, item.clone()).err(),
                        parse::<Document>(CALL, item).err(),
                    ]
                    .into_iter()
                    .flatten()
                    {
                        prop_assert!(result.to_string().contains(CALL), "{result}");
                    }
                }
            }
            Err(error) => prop_assert!(error.to_string().contains(CALL), "{error}"),
        }
    }

    /// The start of a live verification: an identification and its URL, or an error naming the
    /// call.
    #[test]
    fn fuzz_liveness_start_answers(body in body()) {
        match read_start(CALL, &body) {
            Ok(start) => {
                prop_assert!(!start.identification.as_str().is_empty());
                prop_assert!(!start.url.trim().is_empty());
            }
            Err(error) => prop_assert!(error.to_string().contains(CALL), "{error}"),
        }
    }

    /// Error bodies under any status: a refusal that names the call and its status, short enough
    /// to show to the officer whatever Treezor wrote.
    #[test]
    fn fuzz_error_shapes(
        body in body(),
        status in 100u16..1000,
        endpoint in prop::sample::select(vec![Endpoint::Plain, Endpoint::StartLiveness, Endpoint::RetrieveDocuments, Endpoint::DownloadUrl]),
    ) {
        let _ = read_body(&body);
        let error = refusal(CALL, status, &body, endpoint);
        let shown = error.to_string();
        prop_assert!(shown.starts_with(CALL), "{shown}");
        prop_assert!(shown.contains(&format!("HTTP {status}")), "{shown}");
        prop_assert!(shown.chars().count() < 2_000, "{} characters", shown.chars().count());
    }

    /// Token answers with any `expires_in`: a lifetime, and a renewal time that does not overflow.
    #[test]
    fn fuzz_token_answers(body in body(), expires_in in json_value()) {
        if let Ok(answer) = serde_json::from_slice::<TokenAnswer>(&body) {
            let lifetime = answer.lifetime();
            let _ = renew_at(Instant::now(), lifetime, Duration::from_secs(60));
        }
        let answer = TokenAnswer { access_token: "t".into(), expires_in: Some(expires_in) };
        let lifetime = answer.lifetime();
        prop_assert!(lifetime > Duration::ZERO);
        let renew = renew_at(Instant::now(), lifetime, Duration::from_secs(60));
        prop_assert!(renew > Instant::now() - Duration::from_secs(1));
    }

    /// Presigned URLs with any date and lifetime: an expiry or none, never an overflow.
    #[test]
    fn fuzz_download_url_expiry(url in prop_oneof![presigned_url(), any::<String>()]) {
        let _ = url_expiry(&url);
    }

    /// A file name taken from any URL stays inside the download folder.
    #[test]
    fn fuzz_file_names_from_urls(segment in any::<String>(), url in any::<String>()) {
        if let Some(name) = safe_name(&segment) {
            prop_assert!(!name.starts_with('.'));
            prop_assert!(name.len() <= 200);
            prop_assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')));
        }
        let dir = std::env::temp_dir();
        for candidate in [url.clone(), format!("https://files.example/{segment}"), format!("https://files.example/a/{}", segment.replace('/', "%2F"))] {
            let path = target(&dir, &candidate, DocumentId::new(7).unwrap());
            prop_assert_eq!(path.parent(), Some(dir.as_path()), "{}", path.display());
            prop_assert!(path.file_name().is_some());
            prop_assert!(Path::new(path.file_name().unwrap()).components().count() == 1);
        }
    }
}
