//! Proves that a 200 means durable: the real `kyc-relay` process killed with SIGKILL in the middle
//! of a load of signed webhooks keeps, after a restart on the same store (SQLite file or
//! PostgreSQL database), every webhook it acknowledged, exactly once, with no gap in the sequence
//! numbers.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::process::{Process, feed_ids};
use common::*;
use tokio::sync::Notify;

on_both_stores!(every_acknowledged_webhook_survives_sigkill_exactly_once);

async fn every_acknowledged_webhook_survives_sigkill_exactly_once(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = backend.fresh_store(dir.path());
    let relay = Process::start(data.clone());
    let http = reqwest::Client::new();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let enough = Arc::new(Notify::new());
    const KILL_AFTER: usize = 400;
    const SENDERS: usize = 16;
    const PER_SENDER: usize = 1000; // the load's bound if the kill came late
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let (http, url) = (http.clone(), relay.url.clone());
            let (acknowledged, count, enough) =
                (acknowledged.clone(), count.clone(), enough.clone());
            tokio::spawn(async move {
                for i in 0..PER_SENDER {
                    let id = format!("kill-{s}-{i}-{}", new_id());
                    let sent = http
                        .post(format!("{url}/webhooks/treezor"))
                        .body(envelope(&id, &liveness_payload(i as u64 + 1)))
                        .send()
                        .await;
                    match sent {
                        Ok(response) if response.status() == 200 => {
                            acknowledged.lock().unwrap().push(id);
                            if count.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                                enough.notify_one();
                            }
                        }
                        // The process is gone: this one was never acknowledged.
                        _ => return,
                    }
                }
            })
        })
        .collect();
    tokio::time::timeout(Duration::from_secs(60), enough.notified())
        .await
        .expect("the relay acknowledges webhooks under load");
    relay.kill();
    for sender in senders {
        sender.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= KILL_AFTER);

    let restarted = Process::start(data);
    let stored = feed_ids(&http, &restarted.url).await;
    let mut times_stored: HashMap<&str, usize> = HashMap::new();
    for (_, id) in &stored {
        *times_stored.entry(id.as_str()).or_default() += 1;
    }
    for id in &acknowledged {
        assert_eq!(
            times_stored.get(id.as_str()),
            Some(&1),
            "acknowledged webhook {id} is in the feed exactly once"
        );
    }
    assert!(times_stored.values().all(|&n| n == 1), "no id twice");
    let seqs: Vec<u64> = stored.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(
        seqs,
        (1..=stored.len() as u64).collect::<Vec<_>>(),
        "no gap and no reuse"
    );

    // Treezor redelivering after the crash changes nothing.
    for id in acknowledged.iter().take(20) {
        let response = http
            .post(format!("{}/webhooks/treezor", restarted.url))
            .body(envelope(id, &liveness_payload(1)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    assert_eq!(feed_ids(&http, &restarted.url).await.len(), stored.len());
}
