//! Fuzzing the client over HTTP: a real server on loopback answers every call (the token, the API
//! call, the file download) with an arbitrary status, headers and body, and the client's public
//! calls must come back with a value or a clear error.
//!
//! What it proves, for any answer: no panic; an error names the call (or the token request, or the
//! document) and stays short; the client secret never appears in it; a download that does not
//! complete leaves no file behind, not even a temporary one.
//!
//! `cargo test` runs 128 cases. Each case builds a client (its TLS setup reads the system's
//! certificates) and goes over HTTP, about a hundred times slower than the other fuzz targets, so
//! under `PROPTEST_CASES` (as `scripts/fuzz` sets it) this target runs an eighth of that number.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use kyc::{DocumentId, UserId};
use proptest::prelude::*;
use serde_json::Value;
use treezor::{Client, ClientConfig, ClientSecret, DownloadPolicy, Error, RetryPolicy, UserQuery};

const SECRET: &str = "fuzz-client-secret-7d1c";

fn cases(default: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default;
    } else {
        config.cases = (config.cases / 8).max(1);
    }
    config
}

/// One scripted answer.
#[derive(Clone, Debug)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
}

/// What the server answers to each kind of request; `{base}` in a body becomes its own URL.
#[derive(Clone, Debug)]
struct Script {
    token: Answer,
    api: Answer,
    file: Answer,
}

#[derive(Clone)]
struct Server {
    script: Arc<Mutex<Option<Script>>>,
    base: String,
}

async fn answer(State(server): State<Server>, request: Request) -> Response {
    let script = server
        .script
        .lock()
        .unwrap()
        .clone()
        .expect("a script is set");
    let path = request.uri().path();
    let scripted = if path == "/oauth/token" {
        script.token
    } else if path.starts_with("/files/") {
        script.file
    } else {
        script.api
    };
    let body = String::from_utf8(scripted.body.clone())
        .map(|text| text.replace("{base}", &server.base).into_bytes())
        .unwrap_or(scripted.body);
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(scripted.status).unwrap();
    for (name, value) in scripted.headers {
        if let Ok(value) = HeaderValue::from_bytes(&value) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(name), value);
        }
    }
    response
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        any::<String>().prop_map(Value::from),
        prop::sample::select(vec![
            "42",
            "0",
            "-1",
            "1e999",
            "processed",
            "{base}/files/a.pdf",
            "",
            " ",
            "2024-03-31 02:30:00",
            "2024-13-45 99:99:99",
            "video_certified",
        ])
        .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ];
    let key = prop::sample::select(vec![
        "users",
        "documents",
        "userId",
        "firstname",
        "lastname",
        "birthday",
        "kycReview",
        "userTypeId",
        "totalRows",
        "documentId",
        "documentTypeId",
        "identification",
        "identification-id",
        "identification-url",
        "user_kyc",
        "errors",
        "error",
        "message",
        "requestId",
        "url",
        "access_token",
        "expires_in",
        "x",
    ]);
    leaf.prop_recursive(3, 24, 5, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..6).prop_map(|m| Value::Object(
                m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => json_value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => prop::collection::vec(any::<u8>(), 0..200),
        1 => Just(br#"{"access_token":"tok","expires_in":3600}"#.to_vec()),
        1 => Just(br#"{"url":"{base}/files/doc.pdf"}"#.to_vec()),
    ]
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        3 => Just(200u16),
        1 => prop::sample::select(vec![201, 204, 301, 302, 400, 401, 403, 404, 405, 406, 408, 410, 428, 429, 500, 501, 502, 503, 504, 522]),
        1 => 200u16..600,
    ]
}

fn answer_strategy() -> impl Strategy<Value = Answer> {
    let header = prop_oneof![
        (
            Just("retry-after"),
            prop_oneof![
                Just(b"0".to_vec()),
                Just(b"1".to_vec()),
                Just(b"99999999999999999999".to_vec()),
                Just(b"Wed, 21 Oct 2015 07:28:00 GMT".to_vec()),
                prop::collection::vec(any::<u8>(), 0..10),
            ]
        ),
        (
            Just("content-type"),
            prop::collection::vec(any::<u8>(), 0..20)
        ),
        (
            Just("location"),
            Just(b"http://127.0.0.1:1/elsewhere".to_vec())
        ),
    ];
    (status(), prop::collection::vec(header, 0..3), body()).prop_map(|(status, headers, body)| {
        Answer {
            status,
            headers,
            body,
        }
    })
}

/// The token answer is usually a good one, so that the API call itself is reached.
fn token_strategy() -> impl Strategy<Value = Answer> {
    prop_oneof![
        3 => Just(Answer {
            status: 200,
            headers: Vec::new(),
            body: br#"{"token_type":"Bearer","expires_in":3600,"access_token":"fuzz-token"}"#.to_vec(),
        }),
        1 => answer_strategy(),
    ]
}

#[derive(Clone, Copy, Debug)]
enum Call {
    GetUser,
    SearchUsers,
    StartLiveness,
    RetrieveDocuments,
    ListDocuments,
    DownloadUrl,
    RequestReview,
    Download,
}

fn client(base: &str) -> Client {
    let mut config = ClientConfig::new(base, "fuzz-client", ClientSecret::new(SECRET));
    config.request_timeout = Duration::from_secs(5);
    config.retry = RetryPolicy {
        max_attempts: 2,
        first_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(5),
    };
    config.download = DownloadPolicy {
        max_url_age: Duration::from_secs(25),
        min_remaining: Duration::from_secs(0),
        max_attempts: 2,
        idle_timeout: Duration::from_secs(5),
        max_bytes: treezor::DEFAULT_MAX_DOWNLOAD_BYTES,
    };
    Client::new(config).unwrap()
}

/// The error's text, and what it may name: the call, or the token request behind it (or, for a
/// download, the download URL it asked for first).
fn describe(call: Call, error: &Error) -> (String, [&'static str; 4]) {
    let named = match call {
        Call::GetUser => "GET /v1/users/42",
        Call::SearchUsers => "GET /v1/users",
        Call::StartLiveness => "POST /v1/users/42/kycliveness",
        Call::RetrieveDocuments => "PUT /v1/users/42/kycliveness",
        Call::ListDocuments => "GET /v1/documents",
        Call::DownloadUrl => "GET /v1/documents/7/download",
        Call::RequestReview => "PUT /v1/users/42/Kycreview",
        Call::Download => "document 7",
    };
    let first = match call {
        Call::Download => "GET /v1/documents/7/download",
        _ => named,
    };
    (
        error.to_string(),
        [named, first, "/oauth/token", "client id and secret"],
    )
}

#[test]
fn fuzz_client_calls_over_http() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let script = Arc::new(Mutex::new(None));
    let base = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let app = Router::new().fallback(answer).with_state(Server {
            script: script.clone(),
            base: base.clone(),
        });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        base
    });
    let downloads = tempfile::tempdir().unwrap();
    let calls = prop::sample::select(vec![
        Call::GetUser,
        Call::SearchUsers,
        Call::StartLiveness,
        Call::RetrieveDocuments,
        Call::ListDocuments,
        Call::DownloadUrl,
        Call::RequestReview,
        Call::Download,
    ]);
    let strategy = (
        calls,
        token_strategy(),
        answer_strategy(),
        answer_strategy(),
    );
    let mut runner = proptest::test_runner::TestRunner::new(cases(128));
    runner
        .run(&strategy, |(call, token, api, file)| {
            *script.lock().unwrap() = Some(Script { token, api, file });
            let client = client(&base);
            let user = UserId::new(42).unwrap();
            let document = DocumentId::new(7).unwrap();
            let folder = downloads.path().join(uuid::Uuid::new_v4().to_string());
            std::fs::create_dir_all(&folder).unwrap();
            let outcome: Result<(), Error> = rt.block_on(async {
                match call {
                    Call::GetUser => client.get_user(user).await.map(drop),
                    Call::SearchUsers => client.search_users(&UserQuery::default()).await.map(drop),
                    Call::StartLiveness => client.start_liveness(user, None, None).await.map(drop),
                    Call::RetrieveDocuments => client.retrieve_liveness_documents(user, None).await,
                    Call::ListDocuments => client.list_documents(user).await.map(drop),
                    Call::DownloadUrl => client.download_url(document).await.map(drop),
                    Call::RequestReview => client.request_kyc_review(user, None).await.map(drop),
                    Call::Download => client
                        .download(document, &folder, |_, _| {})
                        .await
                        .map(drop),
                }
            });
            let left: Vec<String> = std::fs::read_dir(&folder)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            match outcome {
                Ok(()) => {
                    prop_assert!(left.iter().all(|name| !name.ends_with(".part")), "{left:?}");
                }
                Err(error) => {
                    let (shown, names) = describe(call, &error);
                    prop_assert!(names.iter().any(|n| shown.contains(n)), "{call:?}: {shown}");
                    prop_assert!(!shown.contains(SECRET));
                    prop_assert!(
                        shown.chars().count() < 3_000,
                        "{} characters",
                        shown.chars().count()
                    );
                    prop_assert!(left.is_empty(), "a failed download left {left:?}");
                }
            }
            Ok(())
        })
        .unwrap();
}
