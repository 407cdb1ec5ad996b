//! Proves that every cap of the relay answers at once and clearly past it, and gives its room back,
//! on both stores: open connections (503), webhook bodies in memory (503), long polls per
//! credential (429; each officer's credential counts on its own) and in all (503); and that the
//! `kyc-relay` process raises its open-file limit at start.

mod common;

use std::time::Duration;

use common::process::{Process, command};
use common::*;
use kyc::officer::{OfficerName, Role};
use relay::Limits;
use relay::officers::Credential;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Polls `condition` every few milliseconds for at most ten seconds.
async fn eventually(what: &str, mut condition: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !condition().await {
        assert!(tokio::time::Instant::now() < deadline, "{what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Sends one raw HTTP/1.1 request on a new connection and reads the whole answer.
async fn raw_request(addr: std::net::SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer).into_owned()
}

on_both_stores!(
    past_the_connection_cap_a_new_connection_gets_503_with_retry_after,
    past_the_body_memory_budget_a_webhook_gets_503_and_the_room_comes_back,
    past_its_cap_a_tokens_long_poll_gets_429_at_once,
    an_officers_long_polls_count_against_their_own_credential,
    past_the_relays_cap_a_long_poll_gets_503_at_once,
);

const HEALTH: &str = "GET /healthz HTTP/1.1\r\nhost: relay\r\nconnection: close\r\n\r\n";

async fn past_the_connection_cap_a_new_connection_gets_503_with_retry_after(backend: Backend) {
    let relay = TestRelay::start_with(backend, |c| {
        c.limits.connections = 4;
        c.timeouts.header_read = Duration::from_secs(60);
    })
    .await;
    let addr = relay.running.addr();
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    // Connections are accepted in order: the four idle ones hold every permit.
    let refused = raw_request(addr, HEALTH).await;
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
    assert!(refused.contains("retry-after: 1"), "{refused}");
    assert!(refused.contains("too_many_connections"), "{refused}");
    assert!(refused.contains("4 connections open"), "{refused}");
    drop(idle.pop());
    eventually("a closed connection gives its place back", async || {
        raw_request(addr, HEALTH).await.starts_with("HTTP/1.1 200")
    })
    .await;
}

async fn past_the_body_memory_budget_a_webhook_gets_503_and_the_room_comes_back(backend: Backend) {
    const BUDGET: usize = 64 * 1024;
    let relay = TestRelay::start_with(backend, |c| {
        c.limits.body_memory = BUDGET;
        c.body_limit = 48 * 1024;
    })
    .await;
    let state = relay.running.state();
    // A body that has sent 40 KiB of its 48 and stalls.
    let mut stalled = TcpStream::connect(relay.running.addr()).await.unwrap();
    stalled
        .write_all(
            format!(
                "POST /webhooks/treezor HTTP/1.1\r\nhost: relay\r\ncontent-length: {}\r\n\r\n",
                48 * 1024
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    stalled.write_all(&[b' '; 40 * 1024]).await.unwrap();
    eventually("the relay holds the stalled body's bytes", async || {
        state.bodies_in_memory() >= 40 * 1024
    })
    .await;

    let padded = |id: &str| {
        let pad = "x".repeat(30 * 1024);
        envelope(
            id,
            &format!(r#"{{"user_id":"1","kyc-status":"processing","pad":"{pad}"}}"#),
        )
    };
    let refused = relay.post(padded("w-large")).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert!(refused.text().await.unwrap().contains("bodies_in_memory"));
    let small = relay.post(envelope("w-small", &liveness_payload(1))).await;
    assert_eq!(small.status(), 200, "a small webhook still fits");

    drop(stalled);
    eventually("the stalled body's bytes are given back", async || {
        state.bodies_in_memory() == 0
    })
    .await;
    assert_eq!(relay.post(padded("w-large")).await.status(), 200);
    let ids: Vec<String> = relay
        .all_events()
        .await
        .into_iter()
        .map(|e| e.webhook_id.as_str().to_owned())
        .collect();
    assert_eq!(ids, ["w-small", "w-large"]);
}

/// Starts `count` long polls that wait for an event after the last one, and waits until the
/// relay counts them as waiting.
async fn park(
    relay: &TestRelay,
    count: usize,
    token: &str,
) -> Vec<tokio::task::JoinHandle<reqwest::Response>> {
    let already = *relay.running.waiting_readers().borrow();
    let polls: Vec<_> = (0..count)
        .map(|_| {
            let (http, url) = (relay.http.clone(), relay.running.events_url());
            let token = token.to_owned();
            tokio::spawn(async move {
                http.get(format!("{url}?after=0&wait=30"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut waiting = relay.running.waiting_readers();
    tokio::time::timeout(
        Duration::from_secs(10),
        waiting.wait_for(|n| *n == already + count),
    )
    .await
    .expect("the long polls park")
    .unwrap();
    polls
}

/// A relay with these caps and as many long polls parked as they allow, and the answer to one
/// more, which must come at once.
async fn one_poll_past(
    backend: Backend,
    limits: Limits,
    parked: usize,
) -> (
    TestRelay,
    Vec<tokio::task::JoinHandle<reqwest::Response>>,
    reqwest::Response,
) {
    let relay = TestRelay::start_with(backend, |c| c.limits = limits).await;
    let polls = park(&relay, parked, TOKEN).await;
    let refused = tokio::time::timeout(
        Duration::from_secs(5),
        relay
            .http
            .get(format!("{}?after=0&wait=30", relay.running.events_url()))
            .bearer_auth(TOKEN)
            .send(),
    )
    .await
    .expect("a long poll past the cap is answered at once, not held")
    .unwrap();
    (relay, polls, refused)
}

async fn assert_refused(refused: reqwest::Response, status: u16, says: &str) {
    assert_eq!(refused.status(), status);
    assert_eq!(refused.headers()["retry-after"], "2");
    let message = refused.text().await.unwrap();
    assert!(message.contains(says), "{message}");
}

async fn past_its_cap_a_tokens_long_poll_gets_429_at_once(backend: Backend) {
    let limits = Limits {
        waiting_per_token: 2,
        waiting_readers: 10,
        ..Limits::default()
    };
    let (relay, parked, refused) = one_poll_past(backend, limits, 2).await;
    assert_refused(
        refused,
        429,
        "this credential already has 2 long polls waiting",
    )
    .await;
    assert_eq!(
        relay
            .post(envelope("w-1", &liveness_payload(1)))
            .await
            .status(),
        200
    );
    for poll in parked {
        let page: kyc::feed::FeedPage = poll.await.unwrap().json().await.unwrap();
        assert_eq!(page.events[0].webhook_id.as_str(), "w-1");
    }
    assert_eq!(
        *relay.running.waiting_readers().borrow(),
        0,
        "answered polls leave"
    );
}

async fn past_the_relays_cap_a_long_poll_gets_503_at_once(backend: Backend) {
    let limits = Limits {
        waiting_per_token: 10,
        waiting_readers: 3,
        ..Limits::default()
    };
    let (relay, _parked, refused) = one_poll_past(backend, limits, 3).await;
    assert_refused(refused, 503, "the relay already has 3 long polls waiting").await;
    // A poll that does not wait is not capped: there is something to read or nothing.
    let page = relay.feed("after=0").await;
    assert!(page.events.is_empty());
}

async fn an_officers_long_polls_count_against_their_own_credential(backend: Backend) {
    let limits = Limits {
        waiting_per_token: 2,
        waiting_readers: 10,
        ..Limits::default()
    };
    let (relay, _parked, refused) = one_poll_past(backend, limits, 2).await;
    assert_eq!(refused.status(), 429, "the feed token is at its cap");
    let credential = Credential::issue();
    relay
        .running
        .store()
        .officers()
        .add(
            OfficerName::parse("Zoé Martin").unwrap(),
            Role::Officer,
            credential.hash(),
        )
        .await
        .unwrap();
    let _hers = park(&relay, 2, credential.expose()).await;
    let third = tokio::time::timeout(
        Duration::from_secs(5),
        relay
            .http
            .get(format!("{}?after=0&wait=30", relay.running.events_url()))
            .bearer_auth(credential.expose())
            .send(),
    )
    .await
    .expect("answered at once")
    .unwrap();
    assert_refused(third, 429, "already has 2 long polls waiting").await;
}

/// The hard open-file limit of this process, which a child inherits.
fn hard_file_limit() -> u64 {
    rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .maximum
        .unwrap_or(1 << 20)
}

/// "Max open files" soft and hard, as the kernel reports them for `pid`.
fn file_limits_of(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let mut values = line["Max open files".len()..].split_whitespace();
    (
        values.next().unwrap().to_owned(),
        values.next().unwrap().to_owned(),
    )
}

#[test]
fn the_relay_process_raises_its_open_file_limit_to_the_hard_one_and_logs_it() {
    let hard = hard_file_limit();
    assert!(hard > 512, "this machine's hard open-file limit is {hard}");
    let dir = tempfile::tempdir().unwrap();
    let relay = Process::spawn(common::process::with_file_limit(
        command(dir.path().join("events.sqlite3"))
            .env("KYC_RELAY_WEBHOOK_SECRET", SECRET)
            .env("KYC_RELAY_FEED_TOKEN", TOKEN),
        512,
    ));
    let (soft, hard_seen) = file_limits_of(relay.child.id());
    assert_eq!(
        (soft.as_str(), hard_seen.as_str()),
        (&*hard.to_string(), &*hard.to_string())
    );
    let raised = relay.logged(|line| line["message"] == "open-file limit raised to the hard limit");
    assert_eq!(raised["before"], 512);
    assert_eq!(raised["now"], hard);
}
