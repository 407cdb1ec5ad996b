//! Drill: two real `kyc-relay` processes on one PostgreSQL database behind a real nginx, one of
//! them killed with SIGKILL in the middle of a load of webhooks while readers follow the feed
//! through nginx.
//!
//! What it proves: every webhook acknowledged with a 200 is in the feed exactly once afterwards,
//! numbered 1..N without a gap; senders that retry what was not acknowledged (as Treezor does)
//! get everything stored through the surviving instance; readers carry on through it and never
//! see a hole in the feed.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::process::Process;
use common::*;
use tokio::sync::{Notify, watch};

fn addr_of(process: &Process) -> SocketAddr {
    process.url.trim_start_matches("http://").parse().unwrap()
}

/// Posts one webhook until it is acknowledged (at most `tries` times), as Treezor redelivers.
async fn deliver(http: &reqwest::Client, url: &str, id: &str, tries: usize) -> bool {
    for _ in 0..tries {
        let sent = http
            .post(format!("{url}/webhooks/treezor"))
            .body(envelope(id, &liveness_payload(1)))
            .send()
            .await;
        if sent.is_ok_and(|r| r.status() == 200) {
            return true;
        }
    }
    false
}

/// Follows the feed through `url` until `total` is known and reached, checking each page starts
/// right after the cursor; an error or a 5xx (the instance it went to died) is simply asked
/// again. Returns how many requests failed that way.
async fn follow(
    http: reqwest::Client,
    url: String,
    mut total: watch::Receiver<Option<u64>>,
) -> usize {
    let mut cursor = 0;
    let mut failures = 0;
    loop {
        if let Some(total) = *total.borrow_and_update()
            && cursor >= total
        {
            return failures;
        }
        let answer = http
            .get(format!("{url}/v1/events?after={cursor}&limit=1000&wait=2"))
            .bearer_auth(TOKEN)
            .send()
            .await;
        let page: kyc::feed::FeedPage = match answer {
            Ok(response) if response.status() == 200 => response.json().await.unwrap(),
            _ => {
                failures += 1;
                assert!(failures < 1000, "the reader keeps failing through nginx");
                continue;
            }
        };
        for (at, event) in page.events.iter().enumerate() {
            assert_eq!(event.seq, cursor + 1 + at as u64, "no hole after {cursor}");
        }
        if let Some(last) = page.events.last() {
            cursor = last.seq;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_one_instance_behind_nginx_loses_no_acknowledged_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let store = Backend::Postgres.fresh_store(dir.path());
    let doomed = Process::start(store.clone());
    let survivor = Process::start(store.clone());
    let nginx = rig::Nginx::start(&[addr_of(&doomed), addr_of(&survivor)]).unwrap();
    let url = nginx.url();
    let http = reqwest::Client::new();

    let (publish_total, total) = watch::channel(None);
    let readers: Vec<_> = (0..2)
        .map(|_| tokio::spawn(follow(http.clone(), url.clone(), total.clone())))
        .collect();

    const SENDERS: usize = 16;
    const PER_SENDER: usize = 150;
    const KILL_AFTER: usize = 600;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let enough = Arc::new(Notify::new());
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let (http, url) = (http.clone(), url.clone());
            let (acknowledged, count, enough) =
                (acknowledged.clone(), count.clone(), enough.clone());
            tokio::spawn(async move {
                for i in 0..PER_SENDER {
                    let id = format!("drill-{s}-{i}-{}", new_id());
                    assert!(
                        deliver(&http, &url, &id, 50).await,
                        "webhook {id} is acknowledged through the surviving instance"
                    );
                    acknowledged.lock().unwrap().push(id);
                    if count.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                        enough.notify_one();
                    }
                }
            })
        })
        .collect();
    tokio::time::timeout(Duration::from_secs(60), enough.notified())
        .await
        .expect("the pair acknowledges webhooks under load");
    doomed.kill(); // SIGKILL, in the middle of the load
    for sender in senders {
        tokio::time::timeout(Duration::from_secs(120), sender)
            .await
            .expect("the senders finish through the survivor")
            .unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert_eq!(acknowledged.len(), SENDERS * PER_SENDER);

    let stored = process::feed_ids(&http, &url).await;
    let mut times: HashMap<&str, usize> = HashMap::new();
    for (_, id) in &stored {
        *times.entry(id.as_str()).or_default() += 1;
    }
    for id in &acknowledged {
        assert_eq!(times.get(id.as_str()), Some(&1), "{id} exactly once");
    }
    assert_eq!(stored.len(), acknowledged.len(), "nothing else stored");
    let seqs: Vec<u64> = stored.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(
        seqs,
        (1..=stored.len() as u64).collect::<Vec<_>>(),
        "no gap"
    );

    publish_total.send_replace(Some(stored.len() as u64));
    for reader in readers {
        tokio::time::timeout(Duration::from_secs(60), reader)
            .await
            .expect("readers carry on through the survivor to the end")
            .unwrap();
    }
    drop(nginx);
    drop(survivor);
}

use common::process;
