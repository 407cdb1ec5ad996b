//! Drill: PostgreSQL stops for a few seconds under a load of webhooks, then starts again.
//!
//! This test binary has a PostgreSQL cluster of its own (stopping the shared one would fail the
//! tests beside it), and runs the real `kyc-relay` process on it.
//!
//! What it proves: while the database is away the relay answers 503 with `Retry-After` (never a
//! 200 for what it did not commit, never a hang), its readers get 503 too; once the database is
//! back it recovers by itself, without a restart; and afterwards every webhook that got a 200 is in
//! the feed exactly once, with no gap, the ones refused during the outage included once their
//! sender delivered them again.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::process::{Process, feed_ids};
use common::*;
use relay::StoreLocation;
use tokio::sync::Notify;

/// What the senders saw, shared between them and the drill.
#[derive(Default)]
struct Tally {
    acknowledged: Mutex<Vec<String>>,
    refused: Mutex<Vec<String>>,
    acks: AtomicUsize,
    unavailable: AtomicUsize,
    other: Mutex<Vec<String>>,
    changed: Notify,
}

impl Tally {
    async fn until(&self, what: &str, done: impl Fn(&Tally) -> bool) {
        tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                let changed = self.changed.notified();
                if done(self) {
                    return;
                }
                changed.await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("{what} within 60 s"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_going_away_gets_503_with_retry_after_and_the_relay_recovers_by_itself() {
    let cluster = rig::Cluster::start().unwrap_or_else(|e| panic!("{e}"));
    let store = StoreLocation::Postgres(cluster.database("outage"));
    let relay = Process::start(store);
    let http = reqwest::Client::new();
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    const SENDERS: usize = 8;
    const BUDGET: usize = 3000; // requests per sender, a bound whatever happens
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let (http, url, tally, stop) =
                (http.clone(), relay.url.clone(), tally.clone(), stop.clone());
            tokio::spawn(async move {
                for i in 0..BUDGET {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let id = format!("outage-{s}-{i}-{}", new_id());
                    let response = http
                        .post(format!("{url}/webhooks/treezor"))
                        .body(envelope(&id, &liveness_payload(1)))
                        .send()
                        .await
                        .unwrap();
                    let status = response.status().as_u16();
                    let retry_after = response.headers().contains_key("retry-after");
                    match status {
                        200 => {
                            tally.acknowledged.lock().unwrap().push(id);
                            tally.acks.fetch_add(1, Ordering::SeqCst);
                        }
                        503 if retry_after => {
                            tally.refused.lock().unwrap().push(id);
                            tally.unavailable.fetch_add(1, Ordering::SeqCst);
                        }
                        _ => tally
                            .other
                            .lock()
                            .unwrap()
                            .push(format!("{id}: {status}, retry-after {retry_after}")),
                    }
                    tally.changed.notify_waiters();
                }
            })
        })
        .collect();

    tally
        .until("200 webhooks acknowledged", |t| {
            t.acks.load(Ordering::SeqCst) >= 200
        })
        .await;
    cluster.stop().unwrap();
    let acks_when_stopped = tally.acks.load(Ordering::SeqCst);
    tally
        .until("50 refusals while PostgreSQL is away", |t| {
            t.unavailable.load(Ordering::SeqCst) >= 50
        })
        .await;
    let feed = http
        .get(format!("{}/v1/events?after=0", relay.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 503, "readers are told to come back too");
    assert!(feed.headers().contains_key("retry-after"));
    cluster.restart().unwrap();
    tally
        .until("200 more acknowledged after PostgreSQL came back", |t| {
            t.acks.load(Ordering::SeqCst) >= acks_when_stopped + 200
        })
        .await;
    stop.store(true, Ordering::SeqCst);
    for sender in senders {
        sender.await.unwrap();
    }
    let other = tally.other.lock().unwrap().clone();
    assert!(
        other.is_empty(),
        "only 200 or 503 with Retry-After: {other:?}"
    );

    // Treezor delivers again what was refused.
    let refused = tally.refused.lock().unwrap().clone();
    for id in &refused {
        let response = http
            .post(format!("{}/webhooks/treezor", relay.url))
            .body(envelope(id, &liveness_payload(1)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{id} once the store is back");
    }
    let stored = feed_ids(&http, &relay.url).await;
    let mut times: HashMap<&str, usize> = HashMap::new();
    for (_, id) in &stored {
        *times.entry(id.as_str()).or_default() += 1;
    }
    let acknowledged = tally.acknowledged.lock().unwrap().clone();
    for id in acknowledged.iter().chain(&refused) {
        assert_eq!(times.get(id.as_str()), Some(&1), "{id} exactly once");
    }
    assert_eq!(stored.len(), acknowledged.len() + refused.len());
    let seqs: Vec<u64> = stored.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(
        seqs,
        (1..=stored.len() as u64).collect::<Vec<_>>(),
        "no gap"
    );
    relay.kill();
}
