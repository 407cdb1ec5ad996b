//! Operator commands on the log: list, export, prune. On a SQLite file they open it directly, so
//! they work whether or not the relay is running (SQLite's WAL lets them read beside it); on
//! PostgreSQL they connect like one more instance.

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use kyc::feed::FeedEvent;
use relay::store::postgres::PgStore;
use relay::store::{self, Store, StoreLocation, now, read, retention};
use relay::{RelayError, Result};

fn existing(path: &Path) -> Result<(), String> {
    if path.is_file() {
        Ok(())
    } else {
        Err(format!(
            "no event store at {}; pass --data with the relay's data file",
            path.display()
        ))
    }
}

/// Runs `work` on a PostgreSQL store, on a runtime of its own.
pub(crate) fn on_postgres<T>(
    url: &str,
    work: impl AsyncFnOnce(&PgStore) -> Result<T>,
) -> Result<T, String> {
    crate::block_on(async {
        // Operator commands read the log and the officers; they never append to the trail, so
        // the key they are given seals nothing.
        let store = PgStore::connect(url, relay::trail::TrailKey::random())
            .await
            .map_err(|e| e.to_string())?;
        let outcome = work(&store).await.map_err(|e| e.to_string());
        let _ = store.close().await;
        outcome
    })
}

/// Calls `each` on every event after `after`, oldest first, in pages, at most `limit` of them.
fn for_each_event(
    location: &StoreLocation,
    after: u64,
    limit: Option<u64>,
    mut each: impl FnMut(FeedEvent) -> Result<()>,
) -> Result<u64, String> {
    let mut left = limit.unwrap_or(u64::MAX);
    let mut after = after;
    let mut count = 0;
    let mut take = |events: Vec<FeedEvent>, after: &mut u64, left: &mut u64| -> Result<bool> {
        let Some(last) = events.last() else {
            return Ok(false);
        };
        *after = last.seq;
        *left -= events.len() as u64;
        for event in events {
            count += 1;
            each(event)?;
        }
        Ok(*left > 0)
    };
    match location {
        StoreLocation::Sqlite(path) => {
            existing(path)?;
            let conn = store::open_for_reading(path).map_err(|e| e.to_string())?;
            loop {
                let events =
                    read::page(&conn, after, left.min(1000) as usize).map_err(|e| e.to_string())?;
                if !take(events, &mut after, &mut left).map_err(|e| e.to_string())? {
                    break;
                }
            }
        }
        StoreLocation::Postgres(url) => on_postgres(url, async |store| {
            loop {
                let events = store.page(after, left.min(1000) as usize).await?;
                if !take(events, &mut after, &mut left)? {
                    return Ok(());
                }
            }
        })?,
    }
    Ok(count)
}

pub fn list(location: &StoreLocation, after: u64, limit: Option<u64>) -> Result<(), String> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for_each_event(location, after, limit, |event| {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            event.seq,
            event.received_at,
            event.webhook,
            event.webhook_id,
            event.object,
            event.object_id.as_deref().unwrap_or("-")
        )
        .map_err(|source| RelayError::Io {
            what: "writing to stdout".into(),
            source,
        })
    })?;
    out.flush().map_err(|e| e.to_string())
}

pub fn export(location: &StoreLocation, after: u64, output: Option<&Path>) -> Result<(), String> {
    if let Some(path) = location.sqlite_path() {
        existing(path)?;
    }
    let mut out: Box<dyn Write> = match output {
        Some(file) => Box::new(BufWriter::new(
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(file)
                .map_err(|e| format!("cannot create {}: {e}", file.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let count = for_each_event(location, after, None, |event| {
        serde_json::to_writer(&mut out, &event)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|source| RelayError::Io {
                what: "writing the export".into(),
                source,
            })
    })?;
    out.flush().map_err(|e| e.to_string())?;
    tracing::info!(count, "events exported");
    Ok(())
}

pub fn prune(location: &StoreLocation, older_than_days: u32) -> Result<(), String> {
    let before = now().plus_seconds(-i64::from(older_than_days) * 86_400);
    let deleted = match location {
        StoreLocation::Sqlite(path) => {
            existing(path)?;
            let mut conn = store::open_for_writing(path).map_err(|e| e.to_string())?;
            retention::prune_all(&mut conn, before).map_err(|e| e.to_string())?
        }
        StoreLocation::Postgres(url) => on_postgres(url, async |store| {
            let mut total = 0;
            loop {
                let deleted = store.prune_chunk(before).await?.deleted;
                total += deleted;
                if deleted < retention::CHUNK {
                    return Ok(total);
                }
            }
        })?,
    };
    tracing::info!(deleted, older_than_days, "old events deleted");
    Ok(())
}
