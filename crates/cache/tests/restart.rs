//! The feed cursor moves only with the events it covers: a batch is applied whole or not at all,
//! and a desk restarted mid-sync (cleanly or killed) resumes from its cursor, losing and repeating
//! nothing.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cache::{Cache, QueueQuery, QueueRow, StateCounts};
use common::*;
use kyc::feed::FeedEvent;

/// `n` users, each created then verified: about three events per user, in feed order.
fn feed(first_seq: u64, users: std::ops::Range<u64>) -> Vec<FeedEvent> {
    let mut events = Vec::new();
    let mut seq = first_seq;
    let mut next = || {
        seq += 1;
        seq - 1
    };
    for user in users {
        let t = user as i64 * 10;
        events.push(user_created(
            next(),
            user,
            "Ann",
            "Lee",
            "ann@example.com",
            t,
        ));
        events.push(liveness(
            next(),
            user,
            &format!("idv-{user}"),
            "processing",
            None,
            &[],
            t + 1,
        ));
        let score = [1, 0, -1][user as usize % 3];
        events.push(liveness(
            next(),
            user,
            &format!("idv-{user}"),
            "processed",
            Some(score),
            &["1301"],
            t + 2,
        ));
    }
    events
}

fn state(cache: &Cache) -> (Vec<QueueRow>, StateCounts, u64) {
    let query = QueueQuery {
        limit: 1_000,
        ..QueueQuery::default()
    };
    let mut rows = Vec::new();
    let mut page = cache.queue(&query, at(100_000)).unwrap();
    loop {
        rows.extend(page.rows);
        let Some(next) = page.next else { break };
        page = cache
            .queue(
                &QueueQuery {
                    after: Some(next),
                    ..query.clone()
                },
                at(100_000),
            )
            .unwrap();
    }
    (
        rows,
        cache.counts(&Default::default(), at(100_000)).unwrap(),
        cache.cursor().unwrap(),
    )
}

fn reference(events: &[FeedEvent]) -> (tempfile::TempDir, Cache) {
    let (dir, mut cache) = fresh_cache();
    cache.apply_batch(events, at(100_000)).unwrap();
    (dir, cache)
}

#[test]
fn after_a_restart_the_sync_resumes_from_the_saved_cursor_and_redelivered_events_change_nothing() {
    let first = feed(1, 1..40);
    let second = feed(first.len() as u64 + 1, 40..80);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    {
        let mut cache = Cache::open(&path).unwrap();
        assert_eq!(cache.cursor().unwrap(), 0);
        let applied = cache.apply_batch(&first, at(100_000)).unwrap();
        assert_eq!(applied.cursor, first.len() as u64);
    }
    let mut cache = Cache::open(&path).unwrap();
    assert_eq!(cache.cursor().unwrap(), first.len() as u64);
    // The relay sends the page again from a little before the cursor (say, a page fetched twice).
    let mut again: Vec<FeedEvent> = first[first.len() - 5..].to_vec();
    again.extend(second.iter().cloned());
    let applied = cache.apply_batch(&again, at(100_000)).unwrap();
    assert_eq!((applied.applied, applied.duplicates), (second.len(), 5));
    let all: Vec<FeedEvent> = first.iter().chain(&second).cloned().collect();
    let (_ref_dir, whole) = reference(&all);
    assert_eq!(state(&cache), state(&whole));
}

#[test]
fn a_batch_that_fails_midway_leaves_the_cache_and_the_cursor_as_they_were() {
    let first = feed(1, 1..20);
    let second = feed(first.len() as u64 + 1, 20..60);
    let (_dir, mut cache) = fresh_cache();
    cache.apply_batch(&first, at(100_000)).unwrap();
    let before = state(&cache);
    // A damaged stored event for one user of the second batch: projecting that user fails after
    // the batch has already written its webhooks, events and other users.
    let raw = rusqlite::Connection::open(cache.path()).unwrap();
    raw.execute(
        "INSERT INTO case_events (user_id, key, at, event) VALUES (55, x'00', 0, 'not json')",
        [],
    )
    .unwrap();
    drop(raw);
    let err = cache.apply_batch(&second, at(100_000)).unwrap_err();
    assert!(err.to_string().contains("stored case event"), "{err}");
    assert_eq!(state(&cache), before);
    assert!(cache.unreadable_webhooks(10).unwrap().is_empty());
    let reader = cache.reader().unwrap();
    assert_eq!(reader.cursor().unwrap(), first.len() as u64);
}

/// Set in the child process: the cache file it applies to, and the file it touches when it starts
/// the batch that will be interrupted.
const CHILD_CACHE: &str = "CACHE_TEST_KILLED_CACHE";
const CHILD_STARTED: &str = "CACHE_TEST_KILLED_STARTED";

#[test]
fn a_desk_killed_during_a_batch_restarts_from_a_cursor_that_matches_its_data() {
    let first = feed(1, 1..30);
    let second = feed(first.len() as u64 + 1, 30..3_000);
    if let Some(path) = std::env::var_os(CHILD_CACHE) {
        // The child: apply the first batch, say so, then the long second one until killed.
        let mut cache = Cache::open(&path).unwrap();
        cache.apply_batch(&first, at(100_000)).unwrap();
        std::fs::write(std::env::var_os(CHILD_STARTED).unwrap(), b"started").unwrap();
        cache.apply_batch(&second, at(100_000)).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    let started = dir.path().join("started");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_desk_killed_during_a_batch_restarts_from_a_cursor_that_matches_its_data",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_CACHE, &path)
        .env(CHILD_STARTED, &started)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(&started, Duration::from_secs(60));
    child.kill().unwrap();
    child.wait().unwrap();

    let mut cache = Cache::open(&path).unwrap();
    let cursor = cache.cursor().unwrap();
    let (_a, only_first) = reference(&first);
    let all: Vec<FeedEvent> = first.iter().chain(&second).cloned().collect();
    let (_b, both) = reference(&all);
    // Killed before the commit (the usual case) or just after it: either way the data matches
    // the cursor exactly.
    if cursor == first.len() as u64 {
        assert_eq!(state(&cache), state(&only_first));
    } else {
        assert_eq!(cursor, all.len() as u64);
        assert_eq!(state(&cache), state(&both));
    }
    // The sync resumes after the cursor and ends where an uninterrupted one would.
    let rest: Vec<FeedEvent> = all.iter().filter(|e| e.seq > cursor).cloned().collect();
    cache.apply_batch(&rest, at(100_000)).unwrap();
    assert_eq!(state(&cache), state(&both));
}

/// Waits until `file` exists, checking every few milliseconds, at most `limit`.
fn wait_for(file: &Path, limit: Duration) {
    let deadline = Instant::now() + limit;
    while !file.exists() {
        assert!(
            Instant::now() < deadline,
            "the child never started its batch"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}
