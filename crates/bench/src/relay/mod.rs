//! B1–B3: the relay's durable ingest rate, its ratio to a trivial handler, and its ack latency;
//! B1-PG ([`postgres`]): the same on PostgreSQL, one instance and two behind nginx.
//!
//! The relay runs in this process exactly as `kyc-relay` runs it ([`relay::Relay::start`]: the
//! same accept loop, verification, group-commit writer and `synchronous=FULL` store, on a fresh
//! data file), on a two-worker runtime. The load generator runs on a thread of its own (see
//! [`load`]). The trivial handler of B2 is served by the same accept loop ([`relay::serve`]) and
//! reads the body like the relay does, so the ratio isolates what verifying and storing cost.

mod load;
mod postgres;
mod requests;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use ::relay::{FeedToken, Relay, RelayConfig, Timeouts};
use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use kyc::webhook::WebhookSecret;
use tokio_util::sync::CancellationToken;

use crate::figure::Figure;
use load::{Throughput, closed_loop, open_loop};
use requests::Requests;

const CONNECTIONS: usize = 64;
const RUN: Duration = Duration::from_secs(10);
const WARM_UP: Duration = Duration::from_secs(1);
/// Per connection: far above what 10 s can reach, a bound in case the clock misbehaves.
const MAX_PER_CONNECTION: u64 = 200_000;
const B3_RATE: u64 = 2_000;
const B3_CONNECTIONS: usize = 16;
const DISTINCT_PAYLOADS: usize = 512;
/// The name the relay gives its writer thread (Linux keeps the first 15 bytes).
const WRITER_THREAD: &str = "kyc-relay-write";

pub fn run(wants: &dyn Fn(&str) -> bool) -> Vec<Figure> {
    let (b1, b2, b3) = (wants("B1"), wants("B2"), wants("B3"));
    let on_postgres = wants("B1-PG");
    if !(b1 || b2 || b3 || on_postgres) {
        return Vec::new();
    }
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime");
    let secret = WebhookSecret::new("bench-webhook-secret").expect("secret");
    let requests = Arc::new(Requests::build(&secret, DISTINCT_PAYLOADS));
    let mut figures = Vec::new();

    if b1 || b2 {
        let relay = measure_relay(&server, &secret, &requests);
        eprintln!(
            "B1: {} acknowledged in {:.2} s, {} failed",
            relay.ok,
            relay.elapsed.as_secs_f64(),
            relay.failed
        );
        if b1 {
            figures.push(Figure {
                id: "B1",
                figure: format!("relay ingest, signed webhooks/s ({CONNECTIONS} conns, durable)"),
                value: relay.rate(),
                unit: "/s",
                target: ">= 30000",
                meets_target: relay.rate() >= 30_000.0,
            });
        }
        if b2 {
            let trivial = measure_trivial(&server, &requests);
            eprintln!(
                "B2: trivial handler answered {} in {:.2} s ({:.0}/s), {} failed",
                trivial.ok,
                trivial.elapsed.as_secs_f64(),
                trivial.rate(),
                trivial.failed
            );
            let ratio = relay.rate() / trivial.rate();
            figures.push(Figure {
                id: "B2",
                figure: format!(
                    "relay ingest ratio (B1 / trivial handler at {:.0}/s)",
                    trivial.rate()
                ),
                value: ratio,
                unit: "ratio",
                target: ">= 0.35",
                meets_target: ratio >= 0.35,
            });
        }
    }

    if b3 {
        let (latencies, sent) = measure_latency(&server, &secret, &requests);
        eprintln!(
            "B3: {} acknowledged at {B3_RATE}/s offered, {} failed",
            sent.ok, sent.failed
        );
        figures.extend(latency_figures(
            "B3",
            "relay ack latency",
            &latencies,
            [("<= 2", Some(2.0)), ("<= 10", Some(10.0))],
        ));
    }
    if on_postgres {
        figures.extend(postgres::run(&server, &secret, &requests));
    }
    server.shutdown_timeout(Duration::from_secs(5));
    figures
}

fn start_relay(
    server: &tokio::runtime::Runtime,
    secret: &WebhookSecret,
    dir: &tempfile::TempDir,
) -> ::relay::RunningRelay {
    let config = RelayConfig::new(
        dir.path().join("events.sqlite3"),
        secret.clone(),
        FeedToken::new("bench-feed-token-0123456789").expect("token"),
    );
    server
        .block_on(Relay::start(config))
        .expect("the relay starts")
}

/// This process's CPU time (user + system) so far, from `/proc/self/stat` (clock ticks of 10 ms).
/// It tells CPU cost apart from waiting: on two shared cores, a rate can fall because of either.
fn cpu_time() -> Duration {
    cpu_time_of("/proc/self/stat")
}

/// The CPU time of this process's threads named `name` (e.g. the relay's writer thread).
fn thread_cpu_time(name: &str) -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|comm| comm.trim_end() == name)
        })
        .map(|task| cpu_time_of(&task.path().join("stat").to_string_lossy()))
        .sum()
}

fn cpu_time_of(path: &str) -> Duration {
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// Runs a closed loop and notes the CPU it cost per request on stderr.
fn timed_closed_loop(
    label: &str,
    addr: SocketAddr,
    requests: &Arc<Requests>,
    prefix: [u8; 2],
) -> Throughput {
    let before = cpu_time();
    let writer_before = thread_cpu_time(WRITER_THREAD);
    let result = closed_loop(
        addr,
        requests.clone(),
        prefix,
        CONNECTIONS,
        RUN,
        MAX_PER_CONNECTION,
    );
    let spent = cpu_time().saturating_sub(before);
    let writer = thread_cpu_time(WRITER_THREAD).saturating_sub(writer_before);
    let per_request = |d: Duration| d.as_secs_f64() * 1e6 / result.ok.max(1) as f64;
    eprintln!(
        "{label}: {:.1} µs of CPU per answered request (server and client together; {:.1} µs in the writer thread), {:.0}% of two cores",
        per_request(spent),
        per_request(writer),
        spent.as_secs_f64() * 100.0 / (2.0 * result.elapsed.as_secs_f64())
    );
    result
}

fn measure_relay(
    server: &tokio::runtime::Runtime,
    secret: &WebhookSecret,
    requests: &Arc<Requests>,
) -> Throughput {
    let dir = tempfile::tempdir().expect("temporary directory");
    let running = start_relay(server, secret, &dir);
    let addr = running.addr();
    closed_loop(
        addr,
        requests.clone(),
        *b"w1",
        CONNECTIONS,
        WARM_UP,
        MAX_PER_CONNECTION,
    );
    let result = timed_closed_loop("B1", addr, requests, *b"b1");
    note_groups("B1", &running);
    server.block_on(running.shutdown());
    result
}

/// Notes on stderr how many webhooks the relay holds and how well its commits grouped them.
fn note_groups(label: &str, running: &::relay::RunningRelay) {
    let stored = *running.committed().borrow();
    let stats = running.writer_stats();
    eprintln!(
        "{label}: the relay's log holds {stored} webhooks (warm-up included), committed in {} groups of {:.1} on average",
        stats.groups,
        stats.webhooks as f64 / stats.groups.max(1) as f64
    );
}

fn measure_trivial(server: &tokio::runtime::Runtime, requests: &Arc<Requests>) -> Throughput {
    let router = Router::new().route(
        "/webhooks/treezor",
        post(|_body: bytes::Bytes| async { StatusCode::OK }),
    );
    let stop = CancellationToken::new();
    let listener = server
        .block_on(tokio::net::TcpListener::bind(SocketAddr::from((
            [127, 0, 0, 1],
            0,
        ))))
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local address");
    let serving = server.spawn(::relay::serve(
        listener,
        router,
        None,
        Timeouts::default(),
        stop.clone(),
    ));
    closed_loop(
        addr,
        requests.clone(),
        *b"w2",
        CONNECTIONS,
        WARM_UP,
        MAX_PER_CONNECTION,
    );
    let result = timed_closed_loop("B2", addr, requests, *b"b2");
    stop.cancel();
    let _ = server.block_on(serving);
    result
}

fn measure_latency(
    server: &tokio::runtime::Runtime,
    secret: &WebhookSecret,
    requests: &Arc<Requests>,
) -> (Vec<u32>, Throughput) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let running = start_relay(server, secret, &dir);
    let addr = running.addr();
    open_loop(
        addr,
        requests.clone(),
        *b"w3",
        B3_CONNECTIONS,
        B3_RATE,
        WARM_UP,
    );
    let result = open_loop(addr, requests.clone(), *b"b3", B3_CONNECTIONS, B3_RATE, RUN);
    server.block_on(running.shutdown());
    result
}

/// B3's figures for `latencies`: the p50 and the p99 of `what` at [`B3_RATE`], in milliseconds,
/// each against its bound (the target's words, and the bound when there is one).
fn latency_figures(
    id: &'static str,
    what: &str,
    latencies: &[u32],
    bounds: [(&'static str, Option<f64>); 2],
) -> [Figure; 2] {
    [50.0, 99.0].map(|p| {
        let value = percentile(latencies, p);
        let (target, bound) = bounds[usize::from(p > 50.0)];
        Figure {
            id,
            figure: format!("{what} p{p:.0} at {B3_RATE}/s offered"),
            value,
            unit: "ms",
            target,
            meets_target: bound.is_none_or(|bound| value <= bound),
        }
    })
}

/// The `p`th percentile of latencies in microseconds, in milliseconds.
fn percentile(latencies: &[u32], p: f64) -> f64 {
    if latencies.is_empty() {
        return f64::NAN;
    }
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1]) / 1000.0
}
