//! Fuzzing of the relay's two doors, through its real router and store: the feed's parameters and
//! headers (`GET /v1/events`) and webhook bodies and headers (`POST /webhooks/treezor`).
//!
//! What it proves, for any request: no panic and no 5xx but the documented 503s; the feed answers
//! 401 to anyone without the token, whatever else the request holds, and 200 or a 400 that names
//! the parameter to whoever has it; a page holds only events after `after`, at most `limit`; a
//! webhook is stored only when its signature verifies, and nothing else is ever served.
//!
//! Requests go to the router in process (`tower::ServiceExt::oneshot`), which is the same router
//! the listener serves (the listener's own limits are proven over TCP in `receive.rs` and
//! `feed.rs`). The feed is fuzzed on a relay that is shutting down, where a long poll answers at
//! once instead of waiting up to a minute: the parameters, the token and the page read are the same
//! code either way, and the wait itself is proven in `feed.rs`.
//!
//! `cargo test` runs a bounded number of cases; `PROPTEST_CASES` and `scripts/fuzz` run more.

mod common;

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};
use common::*;
use http_body_util::BodyExt;
use kyc::feed::FeedPage;
use proptest::prelude::*;
use relay::feed::{FeedQuery, MAX_LIMIT, MAX_WAIT_SECONDS};
use tower::ServiceExt;

fn cases(default: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default;
    }
    config
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Query strings: well-formed parameters with odd values, repeated and unknown keys, percent
/// escapes, and arbitrary URI-safe noise.
fn query() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "after", "limit", "wait", "other", "", "AFTER", "a%66ter",
    ]);
    let value = prop_oneof![
        "[0-9]{0,25}",
        "-?[0-9]{1,4}(\\.[0-9]{0,4})?(e-?[0-9]{1,3})?",
        prop::sample::select(vec![
            "",
            "0",
            "1",
            "1000",
            "1001",
            "60",
            "60.5",
            "1e400",
            "inf",
            "NaN",
            "-0",
            "+5",
            " 1",
            "%31",
            "18446744073709551615",
            "18446744073709551616",
            "9223372036854775807",
            "9223372036854775808",
            "0x10",
            "1_000",
        ])
        .prop_map(str::to_owned),
        "[A-Za-z0-9%._~!$'()*+,;:@/?-]{0,12}",
    ];
    let pair =
        (key, value, any::<bool>()).prop_map(
            |(k, v, eq)| {
                if eq { format!("{k}={v}") } else { k.to_owned() }
            },
        );
    prop_oneof![
        3 => prop::collection::vec(pair, 0..5).prop_map(|pairs| pairs.join("&")),
        1 => "[A-Za-z0-9%._~!$'()*+,;=:@/?&-]{0,40}",
    ]
}

/// `Authorization` values: the right token in odd spellings, wrong ones, and arbitrary bytes.
fn authorization() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        Just(None),
        Just(Some(format!("Bearer {TOKEN}").into_bytes())),
        Just(Some(format!("bearer   {TOKEN}  ").into_bytes())),
        Just(Some(format!("Basic {TOKEN}").into_bytes())),
        Just(Some(format!("Bearer {TOKEN}x").into_bytes())),
        Just(Some(TOKEN.as_bytes().to_vec())),
        Just(Some(b"Bearer".to_vec())),
        prop::collection::vec(any::<u8>(), 0..60).prop_map(Some),
    ]
}

/// The relay's rule, restated: visible ASCII, `Bearer` in any case, one space, the token.
fn token_is_right(header: Option<&HeaderValue>) -> bool {
    let Some(value) = header.and_then(|h| h.to_str().ok()) else {
        return false;
    };
    value.split_once(' ').is_some_and(|(scheme, token)| {
        scheme.eq_ignore_ascii_case("bearer") && token.trim() == TOKEN
    })
}

async fn answer(app: axum::Router, request: Request<Body>) -> (StatusCode, Vec<u8>) {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body.to_vec())
}

#[test]
fn fuzz_feed_requests_on_sqlite() {
    fuzz_feed_requests(Backend::Sqlite);
}

#[test]
fn fuzz_feed_requests_on_postgres() {
    fuzz_feed_requests(Backend::Postgres);
}

fn fuzz_feed_requests(backend: Backend) {
    let rt = runtime();
    let (app, stored, _relay) = rt.block_on(async {
        let relay = TestRelay::start(backend).await;
        for n in 1..=5 {
            let response = relay.post(envelope(&new_id(), &liveness_payload(n))).await;
            assert_eq!(response.status(), 200);
        }
        let app = relay::app(relay.running.state());
        // Kept for its data folder; shut down so that a long poll answers at once.
        let TestRelay {
            running, dir, http, ..
        } = relay;
        running.shutdown().await;
        (app, 5u64, (dir, http))
    });
    let mut runner = proptest::test_runner::TestRunner::new(cases(512));
    runner
        .run(&(query(), authorization()), |(query, auth)| {
            let uri = format!("/v1/events?{query}");
            let Ok(mut request) = Request::get(&uri).body(Body::empty()) else {
                return Ok(()); // not a URI a client could send
            };
            let header = auth
                .as_deref()
                .and_then(|a| HeaderValue::from_bytes(a).ok());
            if let Some(value) = header.clone() {
                request.headers_mut().insert("authorization", value);
            }
            let (status, body) = rt.block_on(answer(app.clone(), request));
            let json: serde_json::Value = serde_json::from_slice(&body)
                .map_err(|e| TestCaseError::fail(format!("{status}: body is not JSON ({e})")))?;
            if !token_is_right(header.as_ref()) {
                prop_assert_eq!(status, StatusCode::UNAUTHORIZED, "{}", json);
                return Ok(());
            }
            let raw_query = request_query(&uri);
            match FeedQuery::parse(raw_query.as_deref()) {
                Ok(parsed) => {
                    prop_assert_eq!(status, StatusCode::OK, "{}", json);
                    let page: FeedPage = serde_json::from_slice(&body).unwrap();
                    prop_assert!(page.events.len() <= parsed.limit);
                    prop_assert!(
                        page.events.iter().all(|e| e.seq > parsed.after),
                        "after={} gave {:?}",
                        parsed.after,
                        page.events.iter().map(|e| e.seq).collect::<Vec<_>>()
                    );
                    prop_assert_eq!(page.last_seq, stored);
                }
                Err(message) => {
                    prop_assert_eq!(status, StatusCode::BAD_REQUEST);
                    prop_assert_eq!(&json["error"], "bad_parameter");
                    prop_assert_eq!(json["message"].as_str(), Some(message.as_str()));
                }
            }
            Ok(())
        })
        .unwrap();
}

/// The query as the router sees it.
fn request_query(uri: &str) -> Option<String> {
    uri.parse::<axum::http::Uri>()
        .ok()
        .and_then(|u| u.query().map(str::to_owned))
}

proptest! {
    #![proptest_config(cases(2048))]

    /// Any query string: parameters within their bounds, or a message naming the parameter.
    #[test]
    fn fuzz_feed_parameters(query in prop_oneof![query(), any::<String>()]) {
        match FeedQuery::parse(Some(&query)) {
            Ok(parsed) => {
                prop_assert!((1..=MAX_LIMIT).contains(&parsed.limit));
                prop_assert!(parsed.wait.as_secs_f64() <= MAX_WAIT_SECONDS as f64);
            }
            Err(message) => prop_assert!(
                ["after", "limit", "wait"].iter().any(|p| message.starts_with(p)),
                "{message}"
            ),
        }
    }

    /// Whole numbers over a cap are lowered to it, however many digits they have.
    #[test]
    fn fuzz_numbers_over_a_cap_are_lowered(digits in "[1-9][0-9]{3,40}") {
        let parsed = FeedQuery::parse(Some(&format!("limit={digits}&wait={digits}"))).unwrap();
        prop_assert_eq!(parsed.limit, MAX_LIMIT);
        prop_assert_eq!(parsed.wait.as_secs(), MAX_WAIT_SECONDS);
    }
}

/// A webhook body: genuine, genuine under another secret, mutated, or noise.
fn webhook_body() -> impl Strategy<Value = (Vec<u8>, bool)> {
    let id = "[a-z0-9-]{1,12}";
    prop_oneof![
        (id, 1..1000u64)
            .prop_map(|(id, user)| (envelope(&id, &liveness_payload(user)).into_bytes(), true)),
        (id, 1..1000u64).prop_map(|(id, user)| {
            let other = kyc::webhook::WebhookSecret::new("not the relay's secret").unwrap();
            (
                envelope_signed_with(&other, &id, &liveness_payload(user)).into_bytes(),
                false,
            )
        }),
        (id, 1..1000u64, any::<usize>(), any::<u8>()).prop_map(|(id, user, at, byte)| {
            let mut body = envelope(&id, &liveness_payload(user)).into_bytes();
            let i = at % body.len();
            body[i] = byte;
            (body, false)
        }),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(|b| (b, false)),
    ]
}

fn content_type() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        Just(None),
        Just(Some(b"application/json".to_vec())),
        Just(Some(b"text/plain; charset=utf-8".to_vec())),
        prop::collection::vec(any::<u8>(), 0..30).prop_map(Some),
    ]
}

#[test]
fn fuzz_webhook_posts_on_sqlite() {
    fuzz_webhook_posts(Backend::Sqlite);
}

#[test]
fn fuzz_webhook_posts_on_postgres() {
    fuzz_webhook_posts(Backend::Postgres);
}

fn fuzz_webhook_posts(backend: Backend) {
    let rt = runtime();
    let relay = rt.block_on(TestRelay::start(backend));
    let app = relay::app(relay.running.state());
    let accepted = std::cell::RefCell::new(std::collections::BTreeSet::new());
    let mut runner = proptest::test_runner::TestRunner::new(cases(256));
    runner
        .run(
            &(
                webhook_body(),
                content_type(),
                prop::option::of(0..2_000_000u64),
            ),
            |((body, genuine), content_type, declared)| {
                let mut request = Request::post("/webhooks/treezor")
                    .body(Body::from(body.clone()))
                    .unwrap();
                if let Some(value) = content_type.and_then(|c| HeaderValue::from_bytes(&c).ok()) {
                    request.headers_mut().insert("content-type", value);
                }
                if let Some(length) = declared {
                    request
                        .headers_mut()
                        .insert("content-length", HeaderValue::from(length));
                }
                let (status, answer) = rt.block_on(answer(app.clone(), request));
                let over_limit = declared.is_some_and(|l| l > relay::DEFAULT_BODY_LIMIT as u64);
                let verifies =
                    kyc::webhook::Envelope::parse(&body).is_ok_and(|e| e.verify(&secret()).is_ok());
                prop_assert!(serde_json::from_slice::<serde_json::Value>(&answer).is_ok());
                if over_limit {
                    prop_assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
                } else if verifies {
                    prop_assert_eq!(status, StatusCode::OK);
                    let envelope = kyc::webhook::Envelope::parse(&body).unwrap();
                    accepted
                        .borrow_mut()
                        .insert(envelope.webhook_id.as_str().to_owned());
                } else {
                    prop_assert!(!genuine);
                    prop_assert!(
                        matches!(
                            status,
                            StatusCode::BAD_REQUEST | StatusCode::SERVICE_UNAVAILABLE
                        ),
                        "{status}"
                    );
                }
                Ok(())
            },
        )
        .unwrap();
    let stored = rt.block_on(relay.all_events());
    let ids: std::collections::BTreeSet<String> = stored
        .iter()
        .map(|e| e.webhook_id.as_str().to_owned())
        .collect();
    assert_eq!(
        ids,
        accepted.into_inner(),
        "exactly the verified webhooks are served"
    );
    assert_eq!(ids.len(), stored.len(), "each once");
    rt.block_on(relay.running.shutdown());
}
