//! Drills against the real `kyc-relay` process, on loopback, each bounded in time: a crowd of
//! idle sockets, of slow bodies, of parked long polls; genuine webhooks and readers still get
//! through. The relay starts the way a service manager starts it, with a soft open-file limit of
//! 1024 under a higher hard one, so the drills also prove that it raises its own limit.
//!
//! The relay's memory with 2,000 long polls parked is printed (RSS and PSS, from the kernel): a
//! figure, not an assertion.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::process::{Process, command, feed_ids, memory_of, with_file_limit};
use common::*;
use futures_util::future::join_all;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A service manager's usual soft open-file limit.
const SERVICE_SOFT_LIMIT: u64 = 1024;
const CROWD: usize = 2000;

/// Raises this test process's own open-file limit to its hard limit: it holds the other end of
/// every socket.
fn raise_own_file_limit() {
    use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
    let hard = getrlimit(Resource::Nofile).maximum;
    setrlimit(
        Resource::Nofile,
        Rlimit {
            current: hard,
            maximum: hard,
        },
    )
    .unwrap();
    let now = getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX);
    assert!(
        now >= 2 * CROWD as u64 + 512,
        "the drills need an open-file limit of {} or more; this machine's hard limit is {now}",
        2 * CROWD + 512
    );
}

fn start_relay(dir: &tempfile::TempDir, extra: &[&str]) -> Process {
    let mut command = command(dir.path().join("events.sqlite3"));
    command
        .env("KYC_RELAY_WEBHOOK_SECRET", SECRET)
        .env("KYC_RELAY_FEED_TOKEN", TOKEN)
        .args(extra);
    Process::spawn(with_file_limit(&mut command, SERVICE_SOFT_LIMIT))
}

fn addr_of(relay: &Process) -> SocketAddr {
    relay.url.trim_start_matches("http://").parse().unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn post(http: &reqwest::Client, relay: &Process, id: &str) -> reqwest::StatusCode {
    http.post(format!("{}/webhooks/treezor", relay.url))
        .body(envelope(id, &liveness_payload(7)))
        .send()
        .await
        .expect("the relay answers the webhook")
        .status()
}

/// Whether the relay still holds `stream` open: no answer and no end of stream waiting on it.
fn held_open(stream: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    matches!(stream.try_read(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_idle_sockets_do_not_keep_out_a_webhook_or_a_reader() {
    raise_own_file_limit();
    let dir = tempfile::tempdir().unwrap();
    let relay = start_relay(&dir, &["--header-timeout-secs", "120"]);
    let addr = addr_of(&relay);
    let mut idle = Vec::with_capacity(CROWD);
    for _ in 0..CROWD {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    let (rss, pss) = memory_of(relay.child.id());
    eprintln!("relay memory with {CROWD} idle sockets: RSS {rss} KiB, PSS {pss} KiB");
    let http = client();
    // Accepted after the idle sockets (the relay accepts in order), so answered only if the
    // relay took every one of them and still had room.
    assert_eq!(post(&http, &relay, "w-beside-idle").await, 200);
    let ids = feed_ids(&http, &relay.url).await;
    assert_eq!(ids, [(1, "w-beside-idle".to_owned())]);
    let still_open = idle.iter().filter(|s| held_open(s)).count();
    assert_eq!(still_open, CROWD, "the idle sockets are held, not refused");
}

/// Sends a webhook's headers, then its body one byte every 30 ms, until told to stop.
async fn slow_body(addr: SocketAddr, stop: tokio_util::sync::CancellationToken) -> usize {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(
            b"POST /webhooks/treezor HTTP/1.1\r\nhost: relay\r\ncontent-length: 4000\r\n\r\n",
        )
        .await
        .unwrap();
    let mut every = tokio::time::interval(Duration::from_millis(30));
    let mut sent = 0;
    loop {
        tokio::select! {
            _ = stop.cancelled() => return sent,
            _ = every.tick() => {}
        }
        if stream.write_all(b" ").await.is_err() {
            return sent;
        }
        sent += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_slow_bodies_do_not_keep_out_genuine_webhooks() {
    raise_own_file_limit();
    let dir = tempfile::tempdir().unwrap();
    let relay = start_relay(&dir, &["--body-timeout-secs", "120"]);
    let addr = addr_of(&relay);
    let stop = tokio_util::sync::CancellationToken::new();
    let slow: Vec<_> = (0..300)
        .map(|_| tokio::spawn(slow_body(addr, stop.clone())))
        .collect();
    let http = client();
    let genuine: Vec<String> = (0..60).map(|i| format!("w-genuine-{i}")).collect();
    for id in &genuine {
        assert_eq!(post(&http, &relay, id).await, 200, "{id}");
    }
    assert!(
        slow.iter().all(|task| !task.is_finished()),
        "the slow bodies were still arriving while the genuine webhooks were stored"
    );
    stop.cancel();
    let sent: usize = join_all(slow).await.into_iter().map(Result::unwrap).sum();
    assert!(sent >= 300, "every slow body sent bytes: {sent}");
    let stored: Vec<String> = feed_ids(&http, &relay.url)
        .await
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    assert_eq!(stored, genuine);
}

/// A long poll on a raw connection: the request, then everything the relay answers, or what
/// went wrong.
async fn long_poll(addr: SocketAddr) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!(
        "GET /v1/events?after=0&wait=60 HTTP/1.1\r\nhost: relay\r\n\
         authorization: Bearer {TOKEN}\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

async fn waiting_readers(http: &reqwest::Client, relay: &Process) -> u64 {
    health(http, &relay.url).await["waiting_readers"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_parked_long_polls_all_get_the_one_webhook() {
    raise_own_file_limit();
    let dir = tempfile::tempdir().unwrap();
    let relay = start_relay(&dir, &[]);
    let addr = addr_of(&relay);
    let (rss_before, pss_before) = memory_of(relay.child.id());
    let polls: Vec<_> = (0..CROWD).map(|_| tokio::spawn(long_poll(addr))).collect();
    let http = client();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while waiting_readers(&http, &relay).await < CROWD as u64 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the {CROWD} long polls park within a minute"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (rss, pss) = memory_of(relay.child.id());
    eprintln!(
        "relay memory: RSS {rss_before} KiB, PSS {pss_before} KiB at start; \
         RSS {rss} KiB, PSS {pss} KiB with {CROWD} long polls parked"
    );
    assert_eq!(post(&http, &relay, "w-for-everyone").await, 200);
    let answers = tokio::time::timeout(Duration::from_secs(60), join_all(polls))
        .await
        .expect("every parked reader is answered within a minute");
    for (reader, answer) in answers.into_iter().enumerate() {
        let answer = match answer.unwrap() {
            Ok(answer) => answer,
            Err(error) => panic!("reader {reader} got no answer: {error}"),
        };
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "reader {reader}: {answer}"
        );
        let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
        let page: kyc::feed::FeedPage = serde_json::from_str(body).unwrap();
        assert_eq!(page.events.len(), 1);
        assert_eq!(page.events[0].webhook_id.as_str(), "w-for-everyone");
    }
    let (rss_after, pss_after) = memory_of(relay.child.id());
    eprintln!("relay memory after answering them: RSS {rss_after} KiB, PSS {pss_after} KiB");
}
