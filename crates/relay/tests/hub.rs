//! Proves the team hub on PostgreSQL: several relay instances on one database serve one feed,
//! gap-free and in order for every reader while they all commit at once; long polls on one
//! instance wake on another's commit; a webhook delivered to both is stored once; the schema
//! migrates once however many instances start together, and a newer one is refused.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use relay::{Relay, RunningRelay, StoreLocation};
use tokio::sync::watch;

/// Two in-process instances on one fresh database.
async fn two_instances() -> (StoreLocation, RunningRelay, RunningRelay) {
    let dir = tempfile::tempdir().unwrap();
    let store = Backend::Postgres.fresh_store(dir.path());
    let (a, b) = tokio::join!(
        Relay::start(config(store.clone())),
        Relay::start(config(store.clone()))
    );
    (store, a.unwrap(), b.unwrap())
}

async fn post(http: &reqwest::Client, url: &str, id: &str, user: u64) -> reqwest::StatusCode {
    http.post(url)
        .body(envelope(id, &liveness_payload(user)))
        .send()
        .await
        .unwrap()
        .status()
}

/// Reads the feed of `events_url` from the start until `total` (once known) is reached, checking
/// at every page that it starts right after the cursor and has no hole: an event that turns up
/// below a number already seen, or a number skipped, fails here. Long polls when `wait` is set,
/// tight polls otherwise (those catch a hole in the instant it exists).
async fn read_in_order(
    http: reqwest::Client,
    events_url: String,
    wait: &'static str,
    mut total: watch::Receiver<Option<u64>>,
) -> (u64, usize) {
    let mut cursor = 0;
    let mut pages = 0;
    loop {
        if let Some(total) = *total.borrow_and_update()
            && cursor >= total
        {
            return (cursor, pages);
        }
        let page = feed_page(
            &http,
            format!("{events_url}?after={cursor}&limit=1000&wait={wait}"),
        )
        .await;
        pages += 1;
        for (at, event) in page.events.iter().enumerate() {
            assert_eq!(
                event.seq,
                cursor + 1 + at as u64,
                "a reader at {cursor} was served {} in this page: an event was skipped or appeared late",
                event.seq
            );
        }
        if let Some(last) = page.events.last() {
            cursor = last.seq;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_hammered_at_once_serve_every_reader_a_feed_without_holes() {
    let (_store, a, b) = two_instances().await;
    let http = reqwest::Client::new();
    let (publish_total, total) = watch::channel(None);
    let mut readers = Vec::new();
    for (url, wait) in [
        (a.events_url(), "0"),
        (b.events_url(), "0"),
        (a.events_url(), "5"),
        (b.events_url(), "5"),
    ] {
        readers.push(tokio::spawn(read_in_order(
            http.clone(),
            url,
            wait,
            total.clone(),
        )));
    }
    const WRITERS: usize = 16;
    const PER_WRITER: usize = 250;
    let targets = Arc::new([a.webhook_url(), b.webhook_url()]);
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (http, targets) = (http.clone(), targets.clone());
            tokio::spawn(async move {
                let mut stored = Vec::with_capacity(PER_WRITER);
                for i in 0..PER_WRITER {
                    let id = format!("hammer-{w}-{i}-{}", new_id());
                    let status = post(&http, &targets[(w + i) % 2], &id, i as u64 + 1).await;
                    assert_eq!(status, 200, "webhook {id}");
                    stored.push(id);
                }
                stored
            })
        })
        .collect();
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    let total_stored = acknowledged.len() as u64;
    publish_total.send_replace(Some(total_stored));
    for reader in readers {
        let (reached, pages) = tokio::time::timeout(Duration::from_secs(60), reader)
            .await
            .expect("every reader reaches the end of the feed")
            .unwrap();
        assert_eq!(reached, total_stored);
        assert!(pages > 1, "the reader read while the writers wrote");
    }
    // Both instances serve the same log: every acknowledged webhook once, numbered 1..=N.
    for relay in [&a, &b] {
        let mut seen: HashMap<String, u64> = HashMap::new();
        let mut after = 0;
        loop {
            let page = feed_page(
                &http,
                format!("{}?after={after}&limit=1000", relay.events_url()),
            )
            .await;
            let Some(last) = page.events.last() else {
                break;
            };
            after = last.seq;
            for event in page.events {
                assert!(
                    seen.insert(event.webhook_id.as_str().to_owned(), event.seq)
                        .is_none()
                );
            }
        }
        assert_eq!(after, total_stored);
        for id in &acknowledged {
            assert!(seen.contains_key(id), "acknowledged webhook {id} is served");
        }
    }
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_poll_on_one_instance_wakes_on_a_commit_through_the_other() {
    let (_store, a, b) = two_instances().await;
    let http = reqwest::Client::new();
    let poll = {
        let (http, url) = (http.clone(), format!("{}?after=0&wait=60", b.events_url()));
        tokio::spawn(async move { feed_page(&http, url).await })
    };
    let mut waiting = b.waiting_readers();
    tokio::time::timeout(Duration::from_secs(20), waiting.wait_for(|n| *n == 1))
        .await
        .expect("the reader parks on B")
        .unwrap();
    let id = new_id();
    assert_eq!(post(&http, &a.webhook_url(), &id, 1).await, 200);
    let page = tokio::time::timeout(Duration::from_secs(20), poll)
        .await
        .expect("B's reader wakes well before its 60 s wait, on A's notification")
        .unwrap();
    assert_eq!(page.events.len(), 1);
    assert_eq!(page.events[0].webhook_id.as_str(), id);
    let mut committed = b.committed();
    tokio::time::timeout(Duration::from_secs(20), committed.wait_for(|seq| *seq == 1))
        .await
        .expect("B learns of A's commit")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_delivered_to_both_instances_at_once_is_stored_once() {
    let (store, a, b) = two_instances().await;
    let http = reqwest::Client::new();
    let (to_a, to_b) = (a.webhook_url(), b.webhook_url());
    for round in 0..50 {
        let id = format!("twice-{round}-{}", new_id());
        let (first, second) = tokio::join!(post(&http, &to_a, &id, 1), post(&http, &to_b, &id, 1));
        assert_eq!((first.as_u16(), second.as_u16()), (200, 200), "{id}");
    }
    let page = feed_page(&http, format!("{}?limit=1000", a.events_url())).await;
    assert_eq!(page.events.len(), 50, "each webhook once");
    assert_eq!(page.last_seq, 50);
    // The database itself refuses a second row with the same id.
    let StoreLocation::Postgres(url) = &store else {
        unreachable!()
    };
    let database = url.rsplit('/').next().unwrap();
    let refused = rig::Cluster::shared().psql(
        database,
        "INSERT INTO events (seq, webhook_id, webhook, object, received_at, payload) \
         SELECT 1000, webhook_id, webhook, object, received_at, payload FROM events WHERE seq = 1",
    );
    assert!(
        refused.unwrap_err().contains("events_webhook_id_unique"),
        "the UNIQUE constraint refuses it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_migrate_once_and_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Backend::Postgres.fresh_store(dir.path());
    let starts: Vec<_> = (0..4)
        .map(|_| tokio::spawn(Relay::start(config(store.clone()))))
        .collect();
    let mut running = Vec::new();
    for start in starts {
        running.push(start.await.unwrap().expect("every instance starts"));
    }
    let StoreLocation::Postgres(url) = &store else {
        unreachable!()
    };
    let database = url.rsplit('/').next().unwrap();
    let cluster = rig::Cluster::shared();
    let versions = cluster
        .psql(
            database,
            "SELECT string_agg(version::text, ',' ORDER BY version) FROM relay_schema",
        )
        .unwrap();
    assert_eq!(
        versions.trim(),
        "1,2,3,4,5,6,7,8",
        "each migration applied once"
    );
    for relay in running {
        relay.shutdown().await;
    }
    cluster
        .psql(database, "INSERT INTO relay_schema (version) VALUES (99)")
        .unwrap();
    let error = Relay::start(config(store.clone()))
        .await
        .err()
        .expect("a newer schema is refused")
        .to_string();
    assert!(error.contains("written by a newer relay"), "{error}");
    assert!(error.contains("schema 99"), "{error}");
}

/// An existing SQLite file from before officers (schema 1) migrates and keeps its events.
#[tokio::test]
async fn a_sqlite_store_of_schema_1_migrates_and_keeps_its_events() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.sqlite3");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL;
         CREATE TABLE events (seq INTEGER PRIMARY KEY, webhook_id TEXT NOT NULL, webhook TEXT NOT NULL,
             object TEXT NOT NULL, object_id TEXT, webhook_created_at INTEGER,
             received_at INTEGER NOT NULL, payload TEXT NOT NULL);
         CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
         INSERT INTO meta (key, value) VALUES ('last_seq', 0);
         INSERT INTO events VALUES (1, 'w-old', 'kycliveness.update', 'kycliveness', '1', NULL, 1, '{}');
         PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);
    let relay = Relay::start(config(StoreLocation::Sqlite(path.clone())))
        .await
        .unwrap();
    let page = feed_page(&reqwest::Client::new(), relay.events_url()).await;
    assert_eq!(page.events[0].webhook_id.as_str(), "w-old");
    relay.shutdown().await;
    let version: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 8);
}
