//! Retention: events received more than N days ago are deleted, oldest first.
//!
//! `received_at` never decreases along `seq` (the writer guarantees it), so the events to delete
//! are always a prefix of the log. Each chunk reads the oldest rows in `seq` order up to the first
//! one still inside the retention window and deletes that prefix in one transaction, so a chunk
//! touches only rows it deletes and never scans the rest of the log. Before deleting, the chunk
//! records the highest `seq` in `meta.last_seq`, so that numbers are never reused even when every
//! row goes.

use kyc::Timestamp;
use rusqlite::Connection;

use crate::error::Result;

/// The most events one chunk deletes, so that one chunk holds the writer only briefly.
pub const CHUNK: usize = 5000;

/// What one chunk deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// How many events; below [`CHUNK`] means nothing older is left.
    pub deleted: usize,
    /// Every event up to this `seq` is gone (0 when none was deleted).
    pub up_to: u64,
}

/// Deletes up to [`CHUNK`] of the oldest events received before `before`.
pub fn prune_chunk(conn: &mut Connection, before: Timestamp) -> Result<Pruned> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let boundary: Option<i64> = {
        let mut oldest =
            tx.prepare_cached("SELECT seq, received_at FROM events ORDER BY seq LIMIT ?1")?;
        let mut rows = oldest.query([CHUNK as i64])?;
        let mut boundary = None;
        while let Some(row) = rows.next()? {
            let received_at: i64 = row.get(1)?;
            if received_at >= before.unix_micros() {
                break;
            }
            boundary = Some(row.get(0)?);
        }
        boundary
    };
    let Some(boundary) = boundary else {
        return Ok(Pruned::default());
    };
    tx.execute(
        "UPDATE meta SET value = max(value, (SELECT max(seq) FROM events)) WHERE key = 'last_seq'",
        [],
    )?;
    let deleted = tx.execute("DELETE FROM events WHERE seq <= ?1", [boundary])?;
    tx.commit()?;
    Ok(Pruned {
        deleted,
        up_to: boundary as u64,
    })
}

/// Deletes every event received before `before`, chunk by chunk. Returns the count.
pub fn prune_all(conn: &mut Connection, before: Timestamp) -> Result<usize> {
    let mut total = 0;
    loop {
        let deleted = prune_chunk(conn, before)?.deleted;
        total += deleted;
        if deleted < CHUNK {
            return Ok(total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{open_for_writing, read};

    #[test]
    fn only_events_older_than_the_cutoff_go_and_numbers_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open_for_writing(&dir.path().join("events.sqlite3")).unwrap();
        let tx = conn.transaction().unwrap();
        for seq in 1..=12_000i64 {
            tx.execute(
                "INSERT INTO events (seq, webhook_id, webhook, object, received_at, payload) \
                 VALUES (?1, 'w-' || ?1, 'user.update', 'user', ?1, '{}')",
                [seq],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        let deleted = prune_all(&mut conn, Timestamp::from_unix_micros(11_001)).unwrap();
        assert_eq!(deleted, 11_000);
        let left = read::page(&conn, 0, 10_000).unwrap();
        assert_eq!(left.first().unwrap().seq, 11_001);
        assert_eq!(left.len(), 1000);
        assert_eq!(
            prune_all(&mut conn, Timestamp::from_unix_micros(99_999)).unwrap(),
            1000
        );
        assert_eq!(read::last_seq(&conn).unwrap(), 12_000, "never reused");
        assert_eq!(
            prune_chunk(&mut conn, Timestamp::from_unix_micros(99_999)).unwrap(),
            Pruned::default()
        );
    }
}
