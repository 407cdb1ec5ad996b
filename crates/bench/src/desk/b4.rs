//! B4: from the relay's 200 to the dashboard's cache committing the change.
//!
//! 1,000 known users each get one `kycliveness.update`, posted 5 ms apart (open loop: a slow answer
//! does not delay the next post). The relay answers 200 right after its group commit, so the time
//! of the 200 is taken at the relay: a watcher of the relay's committed sequence number notes when
//! each one was reached (the poster's own receipt of the 200 comes later, and would flatter the
//! figure). The time of the cache's commit is when the dashboard announces the user changed, which
//! it does right after the batch's transaction commits. The feed then maps each sequence number to
//! its user.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use desk::Change;

use super::webhooks::{liveness, post_all, user_create};
use super::world::World;
use super::{caught_up, percentile};
use crate::figure::Figure;

const USERS: u64 = 1_000;
const SPACING: Duration = Duration::from_millis(5);
const FIRST_USER: u64 = 4_000_000;

pub async fn run() -> Vec<Figure> {
    let world = World::start(sandbox::SandboxConfig::for_tests()).await;
    let desk = world.desk("b4").await;
    let url = world.relay.webhook_url();
    let users: Vec<u64> = (FIRST_USER..FIRST_USER + USERS).collect();
    let created = post_all(&url, users.iter().map(|u| user_create(*u)).collect(), 16).await;
    assert_eq!(created, USERS as usize, "every user.create is acknowledged");
    assert!(
        caught_up(&desk, &world.relay, Duration::from_secs(60)).await,
        "the dashboard caught up"
    );

    let commits: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let mut changes = desk.subscribe();
    let seen = commits.clone();
    let listener = tokio::spawn(async move {
        while let Ok(change) = changes.recv().await {
            let now = Instant::now();
            if let Change::Users(users) = change {
                let mut seen = seen.lock().expect("not poisoned");
                for user in users {
                    seen.entry(user.get()).or_insert(now);
                }
                if seen.len() >= USERS as usize {
                    break;
                }
            }
        }
    });

    let first_seq = *world.relay.committed().borrow() + 1;
    let relay_commits: Arc<Mutex<Vec<(u64, Instant)>>> = Arc::default();
    let mut committed = world.relay.committed();
    let noted = relay_commits.clone();
    let watcher = tokio::spawn(async move {
        while committed.changed().await.is_ok() {
            let seq = *committed.borrow_and_update();
            noted
                .lock()
                .expect("not poisoned")
                .push((seq, Instant::now()));
            if seq >= first_seq + USERS - 1 {
                break;
            }
        }
    });

    let acks: Arc<Mutex<HashMap<u64, Instant>>> = Arc::default();
    let client = reqwest::Client::new();
    let start = tokio::time::Instant::now();
    let mut posts = Vec::new();
    for (i, user) in users.iter().copied().enumerate() {
        tokio::time::sleep_until(start + SPACING * i as u32).await;
        let (client, url, acks) = (client.clone(), url.clone(), acks.clone());
        let body = liveness(user, "kycliveness.update", "processed", Some("1"), &[]);
        posts.push(tokio::spawn(async move {
            let answer = client.post(&url).body(body).send().await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                acks.lock()
                    .expect("not poisoned")
                    .insert(user, Instant::now());
            }
        }));
    }
    for post in posts {
        let _ = post.await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(60), listener).await;
    let _ = tokio::time::timeout(Duration::from_secs(5), watcher).await;
    let seq_of_user = feed_sequence_numbers(&world, first_seq).await;
    let (acks, commits) = (
        acks.lock().expect("acks").clone(),
        commits.lock().expect("commits").clone(),
    );
    let relay_commits = relay_commits.lock().expect("relay commits").clone();
    let mut latencies: Vec<f64> = users
        .iter()
        .filter(|u| acks.contains_key(u))
        .filter_map(|u| {
            let seq = *seq_of_user.get(u)?;
            let relay = relay_commits.iter().find(|(s, _)| *s >= seq)?.1;
            Some(
                commits
                    .get(u)?
                    .saturating_duration_since(relay)
                    .as_secs_f64()
                    * 1000.0,
            )
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    eprintln!(
        "B4: {} acknowledged, {} committed, {} measured",
        acks.len(),
        commits.len(),
        latencies.len()
    );
    desk.shutdown().await;
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    vec![
        Figure {
            id: "B4",
            figure: "webhook -> cache latency p50 (1000 webhooks, 5 ms apart)".into(),
            value: p50,
            unit: "ms",
            target: "<= 20",
            meets_target: p50 <= 20.0,
        },
        Figure {
            id: "B4",
            figure: "webhook -> cache latency p99".into(),
            value: p99,
            unit: "ms",
            target: "<= 100",
            meets_target: p99 <= 100.0,
        },
    ]
}

/// The feed's sequence number of each user's webhook, from `first_seq` on.
async fn feed_sequence_numbers(world: &World, first_seq: u64) -> HashMap<u64, u64> {
    let client = reqwest::Client::new();
    let mut seqs = HashMap::new();
    let mut after = first_seq - 1;
    loop {
        let page: kyc::feed::FeedPage = client
            .get(world.relay.events_url())
            .query(&[("after", after.to_string()), ("limit", "1000".to_owned())])
            .bearer_auth(super::world::FEED_TOKEN)
            .send()
            .await
            .expect("the feed answers")
            .json()
            .await
            .expect("a feed page");
        let Some(last) = page.events.last().map(|e| e.seq) else {
            break;
        };
        for event in page.events {
            if let Some(user) = event.object_id.and_then(|id| id.parse().ok()) {
                seqs.entry(user).or_insert(event.seq);
            }
        }
        after = last;
    }
    seqs
}
