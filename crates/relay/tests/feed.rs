//! Proves the feed's contract over real HTTP on loopback: the token, the parameters, paging, and
//! long polls that wake on a commit; plus health, TLS and graceful shutdown.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use kyc::feed::FeedPage;
use relay::TlsFiles;

on_both_stores!(
    the_feed_needs_the_right_bearer_token,
    bad_parameters_get_400_with_a_clear_message,
    a_reader_far_behind_pages_through_in_order,
    many_long_polls_wake_when_an_event_is_committed,
    a_long_poll_with_nothing_new_ends_empty_after_its_wait,
    healthz_reports_the_last_sequence_number,
    shutdown_answers_waiting_polls_and_keeps_what_was_stored,
    tls_serves_the_same_contract_over_https,
    retention_deletes_events_older_than_its_window_at_start,
    the_router_can_be_mounted_on_another_listener_over_the_same_store,
);

async fn store(relay: &TestRelay, count: usize) -> Vec<String> {
    let ids: Vec<String> = (0..count).map(|_| new_id()).collect();
    for chunk in ids.chunks(32) {
        let posts: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(i, id)| relay.post(envelope(id, &liveness_payload(i as u64 + 1))))
            .collect();
        for response in futures_util::future::join_all(posts).await {
            assert_eq!(response.status(), 200);
        }
    }
    ids
}

async fn the_feed_needs_the_right_bearer_token(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let url = relay.running.events_url();
    let missing = relay.http.get(&url).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    assert!(missing.headers().contains_key("www-authenticate"));
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("Authorization: Bearer")
    );
    for wrong in [
        "",
        "test-feed-token-0123456789abcde",
        "test-feed-token-0123456789abcdef0",
    ] {
        let response = relay
            .http
            .get(&url)
            .bearer_auth(wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{wrong:?}");
    }
    let basic = relay
        .http
        .get(&url)
        .header("authorization", format!("Basic {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 401);
    let right = relay
        .http
        .get(&url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
}

async fn bad_parameters_get_400_with_a_clear_message(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    for (query, says) in [
        ("after=-1", "after must be a sequence number"),
        ("limit=0", "limit must be a whole number from 1 to 1000"),
        ("wait=soon", "wait must be a number of seconds"),
    ] {
        let response = relay
            .http
            .get(format!("{}?{query}", relay.running.events_url()))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{query}");
        let text = response.text().await.unwrap();
        assert!(text.contains(says), "{query}: {text}");
    }
}

async fn a_reader_far_behind_pages_through_in_order(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let ids = store(&relay, 2500).await;
    let first = relay.feed("after=0&limit=1000").await;
    assert_eq!(first.events.len(), 1000);
    assert_eq!(first.last_seq, 2500);
    let capped = relay.feed("after=0&limit=100000").await;
    assert_eq!(capped.events.len(), 1000, "limit is capped");
    let default = relay.feed("after=10").await;
    assert_eq!(default.events.len(), 100);
    assert_eq!(default.events[0].seq, 11);
    let events = relay.all_events().await;
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=2500).collect::<Vec<_>>());
    let mut stored: Vec<&str> = events.iter().map(|e| e.webhook_id.as_str()).collect();
    let mut sent: Vec<&str> = ids.iter().map(String::as_str).collect();
    stored.sort();
    sent.sort();
    assert_eq!(stored, sent);
    let tail = relay.feed("after=2500&wait=0").await;
    assert!(tail.events.is_empty());
    assert_eq!(tail.last_seq, 2500);
}

async fn many_long_polls_wake_when_an_event_is_committed(backend: Backend) {
    let relay = Arc::new(TestRelay::start(backend).await);
    store(&relay, 3).await;
    const READERS: usize = 20;
    let polls: Vec<_> = (0..READERS)
        .map(|_| {
            let relay = relay.clone();
            tokio::spawn(async move { relay.feed("after=3&wait=60").await })
        })
        .collect();
    let mut waiting = relay.running.waiting_readers();
    tokio::time::timeout(Duration::from_secs(20), waiting.wait_for(|n| *n == READERS))
        .await
        .expect("all readers park")
        .unwrap();
    let id = new_id();
    assert_eq!(
        relay
            .post(envelope(&id, &liveness_payload(4)))
            .await
            .status(),
        200
    );
    for poll in polls {
        let page: FeedPage = tokio::time::timeout(Duration::from_secs(20), poll)
            .await
            .expect("the poll answers well before its 60 s wait")
            .unwrap();
        assert_eq!(page.events.len(), 1);
        assert_eq!(page.events[0].seq, 4);
        assert_eq!(page.events[0].webhook_id.as_str(), id);
    }
    assert_eq!(*waiting.borrow_and_update(), 0);
}

async fn a_long_poll_with_nothing_new_ends_empty_after_its_wait(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    store(&relay, 1).await;
    let page = relay.feed("after=1&wait=0.2").await;
    assert!(page.events.is_empty());
    assert_eq!(page.last_seq, 1);
    let behind = relay.feed("after=0&wait=30").await;
    assert_eq!(
        behind.events.len(),
        1,
        "events already there answer at once"
    );
}

async fn healthz_reports_the_last_sequence_number(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    store(&relay, 2).await;
    let health = health(&relay.http, &relay.running.url()).await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["last_seq"], 2);
}

async fn shutdown_answers_waiting_polls_and_keeps_what_was_stored(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = backend.fresh_store(dir.path());
    let config = || common::config(store.clone());
    let running = relay::Relay::start(config()).await.unwrap();
    let http = reqwest::Client::new();
    let response = http
        .post(running.webhook_url())
        .body(envelope("w-before-shutdown", &liveness_payload(1)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let poll = tokio::spawn(
        http.get(format!("{}?after=1&wait=60", running.events_url()))
            .bearer_auth(TOKEN)
            .send(),
    );
    let mut waiting = running.waiting_readers();
    tokio::time::timeout(Duration::from_secs(20), waiting.wait_for(|n| *n == 1))
        .await
        .expect("the reader parks")
        .unwrap();
    let url = running.webhook_url();
    tokio::time::timeout(Duration::from_secs(20), running.shutdown())
        .await
        .expect("shutdown does not wait for the 60 s poll");
    let answer = poll.await.unwrap().unwrap();
    assert_eq!(answer.status(), 200, "the waiting poll got its answer");
    assert!(http.post(&url).body("{}").send().await.is_err(), "stopped");

    let again = relay::Relay::start(config()).await.unwrap();
    let page = feed_page(&http, again.events_url()).await;
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events[0].webhook_id.as_str(), "w-before-shutdown");
    again.shutdown().await;
}

async fn tls_serves_the_same_contract_over_https(backend: Backend) {
    let keys = tempfile::tempdir().unwrap();
    let files = tls_files(keys.path());
    let certificate_pem = std::fs::read(&files.certificate).unwrap();
    let relay = TestRelay::start_with(backend, |c| c.tls = Some(files)).await;
    assert!(relay.running.url().starts_with("https://127.0.0.1:"));
    let certificate = reqwest::Certificate::from_pem(&certificate_pem).unwrap();
    let https = reqwest::Client::builder()
        .tls_certs_only([certificate])
        .build()
        .unwrap();
    let url = format!("https://localhost:{}", relay.running.port());
    let response = https
        .post(format!("{url}/webhooks/treezor"))
        .body(envelope(&new_id(), &liveness_payload(1)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let page = feed_page(&https, format!("{url}/v1/events")).await;
    assert_eq!(page.events.len(), 1);
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{}/healthz", relay.running.port()))
        .send()
        .await;
    assert!(plain.is_err() || !plain.unwrap().status().is_success());
}

/// SQLite only: on PostgreSQL a second instance is the point (see `hub.rs`).
#[tokio::test]
async fn a_second_relay_on_the_same_data_file_is_refused() {
    let first = TestRelay::start(Backend::Sqlite).await;
    let config = relay::RelayConfig::new(
        first.data_file(),
        secret(),
        relay::FeedToken::new(TOKEN).unwrap(),
    );
    let error = relay::Relay::start(config).await.err().unwrap().to_string();
    assert!(error.contains("another relay is already using"), "{error}");
    assert_eq!(
        first
            .post(envelope(&new_id(), &liveness_payload(1)))
            .await
            .status(),
        200,
        "the first one is unaffected"
    );
}

#[tokio::test]
async fn a_missing_certificate_is_reported_by_path() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = relay::RelayConfig::new(
        dir.path().join("events.sqlite3"),
        secret(),
        relay::FeedToken::new(TOKEN).unwrap(),
    );
    config.tls = Some(TlsFiles {
        certificate: "/nonexistent/relay.crt".into(),
        private_key: "/nonexistent/relay.key".into(),
    });
    let error = relay::Relay::start(config).await.err().unwrap().to_string();
    assert!(error.contains("/nonexistent/relay.crt"), "{error}");
}

async fn retention_deletes_events_older_than_its_window_at_start(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = backend.fresh_store(dir.path());
    let config = |retention_days| {
        let mut config = common::config(store.clone());
        config.retention_days = retention_days;
        config
    };
    let running = relay::Relay::start(config(None)).await.unwrap();
    let http = reqwest::Client::new();
    for id in ["old-1", "old-2", "recent"] {
        let response = http
            .post(running.webhook_url())
            .body(envelope(id, &liveness_payload(1)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    running.shutdown().await;
    // Age the first two by 40 days, as if they had been received then.
    execute_sql(
        &store,
        "UPDATE events SET received_at = received_at - 40 * 86400000000 WHERE seq <= 2",
    );

    let running = relay::Relay::start(config(Some(30))).await.unwrap();
    let mut passes = running.retention_passes();
    tokio::time::timeout(Duration::from_secs(20), passes.wait_for(|n| *n >= 1))
        .await
        .expect("the first retention pass runs at start")
        .unwrap();
    let page = feed_page(&http, running.events_url()).await;
    let ids: Vec<&str> = page.events.iter().map(|e| e.webhook_id.as_str()).collect();
    assert_eq!(ids, ["recent"]);
    assert_eq!(page.events[0].seq, 3);
    assert_eq!(page.last_seq, 3);
    running.shutdown().await;
}

async fn the_router_can_be_mounted_on_another_listener_over_the_same_store(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let stop = tokio_util::sync::CancellationToken::new();
    let serving = tokio::spawn(relay::serve(
        listener,
        relay::app(relay.running.state()),
        None,
        relay::Timeouts::default(),
        stop.clone(),
    ));
    let response = relay
        .http
        .post(format!("{other}/webhooks/treezor"))
        .body(envelope(&new_id(), &liveness_payload(1)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        relay.feed("").await.events.len(),
        1,
        "seen through the first one"
    );
    stop.cancel();
    serving.await.unwrap();
}
