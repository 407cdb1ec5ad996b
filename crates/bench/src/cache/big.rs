//! The 1,000,000-user cache that B6 (and the window's start-up and memory benchmarks) query:
//! generated once through the cache's own apply path, then reused from a file keyed by the
//! cache's schema version and the generator's version.
//!
//! Generation applies the feed in large batches (one transaction and one projection per user
//! each), which is the bulk path: prepared, cached statements in long transactions. It takes a
//! minute or two on this machine; the file is kept under `target/bench-data/` (or
//! `$KYC_BENCH_DATA`) and reused while its name matches.

use std::path::PathBuf;
use std::time::Instant;

use kyc::case::CaseEvent;
use kyc::{Timestamp, UserId};

use super::population::{Dice, GENERATOR_VERSION, Webhook, feed_event, story};

pub const USERS: u64 = 1_000_000;
pub const WEBHOOKS: u64 = 3_000_000;

/// The instant the population ends at: the benchmark's "now".
pub const NOW: Timestamp = Timestamp::from_unix_seconds(1_750_000_000);

/// Three years of sign-ups before [`NOW`].
const SPAN_SECONDS: u64 = 3 * 365 * 86_400;

/// Users per batch while generating.
const BATCH_USERS: u64 = 20_000;

/// Where the benchmark keeps its generated files.
fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("KYC_BENCH_DATA") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir).join("bench-data");
    }
    // target/release/kyc-bench → target/bench-data
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("bench-data")))
        .unwrap_or_else(|| std::env::temp_dir().join("kyc-desk-bench"))
}

/// The big cache's file of schema version `schema`.
fn file(schema: usize) -> PathBuf {
    data_dir().join(format!(
        "cache-1m-schema{schema}-gen{GENERATOR_VERSION}.sqlite"
    ))
}

/// The big cache's file, made first if it is not there yet: migrated from a copy of the same
/// population at an older schema when there is one (a minute, where generating takes many), as an
/// officer's cache is migrated when the dashboard is updated; else generated.
pub fn path() -> PathBuf {
    let path = file(cache::SCHEMA_VERSION);
    if path.exists() {
        return path;
    }
    match (1..cache::SCHEMA_VERSION)
        .rev()
        .map(file)
        .find(|older| older.exists())
    {
        Some(older) => migrate(&older, &path),
        None => generate(&path),
    }
    path
}

/// Copies `older` (left as it is) and migrates the copy to the current schema into `path`.
fn migrate(older: &std::path::Path, path: &std::path::Path) {
    let partial = path.with_extension("partial");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    eprintln!(
        "B6: migrating a copy of {} to schema {} (once)",
        older.display(),
        cache::SCHEMA_VERSION
    );
    let started = Instant::now();
    std::fs::copy(older, &partial).expect("the older cache is copied");
    let cache = cache::Cache::open(&partial).expect("the copied cache migrates");
    cache.optimize().expect("statistics refresh");
    drop(cache);
    std::fs::rename(&partial, path).expect("the migrated cache is kept");
    eprintln!("B6: migrated in {:.0} s", started.elapsed().as_secs_f64());
}

fn generate(path: &std::path::Path) {
    let partial = path.with_extension("partial");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    eprintln!(
        "B6: generating {USERS} users and {WEBHOOKS} webhooks into {} (once)",
        path.display()
    );
    let started = Instant::now();
    let mut cache = cache::Cache::open(&partial).expect("the benchmark cache opens");
    let mut dice = Dice::new(0xB6);
    let mut seq = 0u64;
    let mut id = 0u64;
    while id < USERS {
        let mut webhooks: Vec<Webhook> = Vec::new();
        let mut recorded: Vec<(UserId, CaseEvent)> = Vec::new();
        for _ in 0..BATCH_USERS.min(USERS - id) {
            id += 1;
            // Ids grow with sign-up time, as Treezor's do.
            let created = NOW.plus_seconds(-((SPAN_SECONDS * (USERS - id) / USERS) as i64));
            let story = story(&mut dice, id, created, NOW);
            webhooks.extend(story.webhooks);
            recorded.extend(story.recorded.into_iter().map(|e| (story.user, e)));
        }
        let events: Vec<_> = webhooks
            .iter()
            .map(|w| {
                seq += 1;
                feed_event(seq, w)
            })
            .collect();
        cache
            .apply_batch(&events, NOW)
            .expect("a generated batch applies");
        cache
            .record_case_events(&recorded, NOW)
            .expect("generated case events apply");
        if id.is_multiple_of(200_000) {
            eprintln!(
                "  {id} users, {seq} webhooks, {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    // Profile updates (a changed email) up to the webhook count.
    while seq < WEBHOOKS {
        let events: Vec<_> = (0..50_000.min(WEBHOOKS - seq))
            .map(|_| {
                seq += 1;
                let user = 1 + dice.roll(USERS);
                feed_event(
                    seq,
                    &Webhook {
                        at: NOW.plus_seconds(-(dice.roll(86_400 * 30) as i64)),
                        name: "user.update",
                        object: "user",
                        payload: format!(
                            r#"{{"users":[{{"userId":"{user}","email":"user{user}.{seq}@example.net"}}]}}"#
                        ),
                    },
                )
            })
            .collect();
        cache
            .apply_batch(&events, NOW)
            .expect("a generated batch applies");
    }
    cache.optimize().expect("statistics refresh");
    drop(cache);
    std::fs::rename(&partial, path).expect("the generated cache is kept");
    eprintln!(
        "B6: generated in {:.0} s ({:.1} GB)",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e9)
    );
}
