//! B1-PG: the relay on PostgreSQL. Durable ingest of one instance on a local PostgreSQL
//! (`synchronous_commit=on`, the default), the SQLite figure beside it in the same run; then one
//! and two instances behind a real nginx (their ratio is the figure: on one machine a second
//! instance buys availability, not speed); B3's latency on PostgreSQL; and PostgreSQL's own
//! ceiling on this machine measured with pgbench in the same run (single-row commits from 64
//! clients, and 20-row transactions), with the relay's ratio to it.
//!
//! The cluster and nginx are the tests' own ([`rig`]): Debian's binaries in temporary folders on
//! loopback, removed at the end.

use std::net::SocketAddr;
use std::sync::Arc;

use ::relay::{FeedToken, Relay, RelayConfig, RunningRelay, StoreLocation};
use kyc::webhook::WebhookSecret;
use rig::{Cluster, Nginx};

use super::load::{Throughput, closed_loop, open_loop};
use super::requests::Requests;
use super::{
    B3_CONNECTIONS, B3_RATE, CONNECTIONS, MAX_PER_CONNECTION, RUN, WARM_UP, latency_figures,
};
use crate::figure::Figure;

/// pgbench's clients for the ceiling, as many as the relay's load has connections.
const PGBENCH_CLIENTS: usize = 64;

pub fn run(
    server: &tokio::runtime::Runtime,
    secret: &WebhookSecret,
    requests: &Arc<Requests>,
) -> Vec<Figure> {
    let cluster = match Cluster::start() {
        Ok(cluster) => cluster,
        Err(error) => {
            eprintln!("B1-PG: no PostgreSQL cluster: {error}");
            return Vec::new();
        }
    };
    let mut figures = Vec::new();

    let single = pgbench(
        &cluster,
        "INSERT INTO ceiling (payload) VALUES (repeat('x', 400));",
    );
    let batched = pgbench(
        &cluster,
        "INSERT INTO ceiling (payload) SELECT repeat('x', 400) FROM generate_series(1, 20);",
    )
    .map(|tps| tps * 20.0);
    eprintln!(
        "B1-PG: pgbench {single:?} single-row commits/s, {batched:?} rows/s in 20-row transactions"
    );

    let dir = tempfile::tempdir().expect("temporary directory");
    let sqlite = {
        let relay = start(
            server,
            secret,
            StoreLocation::Sqlite(dir.path().join("e.sqlite3")),
        );
        let result = load(relay.addr(), requests, *b"s1");
        server.block_on(relay.shutdown());
        result
    };
    let one = {
        let relay = start(server, secret, postgres(&cluster, "one"));
        let result = load(relay.addr(), requests, *b"p1");
        super::note_groups("B1-PG, one instance", &relay);
        server.block_on(relay.shutdown());
        result
    };
    report("one instance", &one);
    figures.push(Figure {
        id: "B1-PG",
        figure: format!(
            "relay on PostgreSQL, 1 instance, webhooks/s (SQLite beside: {:.0}/s)",
            sqlite.rate()
        ),
        value: one.rate(),
        unit: "/s",
        target: ">= 20000",
        meets_target: one.rate() >= 20_000.0,
    });
    let ceilings = [
        (single, "pgbench single-row commits"),
        (batched, "pgbench rows in 20-row txns"),
    ];
    for (ceiling, what) in ceilings {
        if let Some(ceiling) = ceiling {
            figures.push(Figure {
                id: "B1-PG",
                figure: format!("1 instance / {what} ({ceiling:.0}/s)"),
                value: one.rate() / ceiling,
                unit: "ratio",
                target: "-",
                meets_target: true,
            });
        }
    }

    match behind_nginx(server, secret, requests, &cluster) {
        Ok((one_proxied, two_proxied)) => {
            report("one instance behind nginx", &one_proxied);
            report("two instances behind nginx", &two_proxied);
            let ratio = two_proxied.rate() / one_proxied.rate();
            figures.push(Figure {
                id: "B1-PG",
                figure: format!(
                    "2 instances behind nginx, webhooks/s (1 behind nginx: {:.0}/s)",
                    one_proxied.rate()
                ),
                value: two_proxied.rate(),
                unit: "/s",
                target: "-",
                meets_target: true,
            });
            figures.push(Figure {
                id: "B1-PG",
                figure: "2 instances / 1 instance, both behind nginx".into(),
                value: ratio,
                unit: "ratio",
                target: ">= 0.9",
                meets_target: ratio >= 0.9,
            });
        }
        Err(error) => eprintln!("B1-PG: no nginx: {error}"),
    }

    let latencies = {
        let relay = start(server, secret, postgres(&cluster, "latency"));
        open_loop(
            relay.addr(),
            requests.clone(),
            *b"q0",
            B3_CONNECTIONS,
            B3_RATE,
            WARM_UP,
        );
        let (latencies, sent) = open_loop(
            relay.addr(),
            requests.clone(),
            *b"q3",
            B3_CONNECTIONS,
            B3_RATE,
            RUN,
        );
        eprintln!(
            "B3-PG: {} acknowledged at {B3_RATE}/s offered, {} failed",
            sent.ok, sent.failed
        );
        server.block_on(relay.shutdown());
        latencies
    };
    figures.extend(latency_figures(
        "B3-PG",
        "relay on PostgreSQL, ack latency",
        &latencies,
        [("-", None), ("<= 15", Some(15.0))],
    ));
    figures
}

fn report(what: &str, result: &Throughput) {
    eprintln!(
        "B1-PG: {what}: {} acknowledged in {:.2} s ({:.0}/s), {} failed",
        result.ok,
        result.elapsed.as_secs_f64(),
        result.rate(),
        result.failed
    );
}

fn postgres(cluster: &Cluster, name: &str) -> StoreLocation {
    StoreLocation::Postgres(cluster.database(name))
}

fn start(
    server: &tokio::runtime::Runtime,
    secret: &WebhookSecret,
    store: StoreLocation,
) -> RunningRelay {
    let config = RelayConfig::new(
        store,
        secret.clone(),
        FeedToken::new("bench-feed-token-0123456789").expect("token"),
    );
    server
        .block_on(Relay::start(config))
        .expect("the relay starts")
}

/// A warm-up, then the measured closed loop of B1.
fn load(addr: SocketAddr, requests: &Arc<Requests>, prefix: [u8; 2]) -> Throughput {
    let warm = [prefix[0], b'w'];
    closed_loop(
        addr,
        requests.clone(),
        warm,
        CONNECTIONS,
        WARM_UP,
        MAX_PER_CONNECTION,
    );
    closed_loop(
        addr,
        requests.clone(),
        prefix,
        CONNECTIONS,
        RUN,
        MAX_PER_CONNECTION,
    )
}

/// B1 through nginx in front of one instance, then in front of two on one database.
fn behind_nginx(
    server: &tokio::runtime::Runtime,
    secret: &WebhookSecret,
    requests: &Arc<Requests>,
    cluster: &Cluster,
) -> Result<(Throughput, Throughput), String> {
    let one = {
        let relay = start(server, secret, postgres(cluster, "proxied_one"));
        let nginx = Nginx::start(&[relay.addr()])?;
        let result = load(address(&nginx), requests, *b"n1");
        drop(nginx);
        server.block_on(relay.shutdown());
        result
    };
    let two = {
        let store = postgres(cluster, "proxied_two");
        let a = start(server, secret, store.clone());
        let b = start(server, secret, store);
        let nginx = Nginx::start(&[a.addr(), b.addr()])?;
        let result = load(address(&nginx), requests, *b"n2");
        drop(nginx);
        server.block_on(a.shutdown());
        server.block_on(b.shutdown());
        result
    };
    Ok((one, two))
}

fn address(nginx: &Nginx) -> SocketAddr {
    nginx
        .url()
        .trim_start_matches("http://")
        .parse()
        .expect("nginx listens on an address")
}

/// pgbench's transactions per second for `script`, 64 clients for the same time as B1, on a
/// table of its own; `None` (said on stderr) when pgbench fails.
fn pgbench(cluster: &Cluster, script: &str) -> Option<f64> {
    let database = cluster.database("ceiling");
    let name = database.rsplit('/').next()?.to_owned();
    cluster
        .psql(
            &name,
            "CREATE TABLE ceiling (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload text NOT NULL)",
        )
        .map_err(|e| eprintln!("B1-PG: {e}"))
        .ok()?;
    let dir = tempfile::tempdir().ok()?;
    let file = dir.path().join("script.sql");
    std::fs::write(&file, script).ok()?;
    let output = std::process::Command::new(cluster.program("pgbench"))
        .args(["-n", "-j", "2", "-c"])
        .arg(PGBENCH_CLIENTS.to_string())
        .arg("-T")
        .arg(RUN.as_secs().to_string())
        .arg("-f")
        .arg(&file)
        .arg("-h")
        .arg("127.0.0.1")
        .arg("-p")
        .arg(cluster.port().to_string())
        .args(["-U", "postgres"])
        .arg(&name)
        .output()
        .map_err(|e| eprintln!("B1-PG: pgbench: {e}"))
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let tps = text
        .lines()
        .find_map(|line| line.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok());
    if tps.is_none() {
        eprintln!(
            "B1-PG: pgbench said: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    tps
}
