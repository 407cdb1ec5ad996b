//! Reading the log: pages of the feed, the highest sequence number, and whole-log iteration for
//! export.

use std::path::PathBuf;
use std::sync::Mutex;

use kyc::feed::FeedEvent;
use kyc::officer::OfficerName;
use kyc::{Timestamp, WebhookId};
use rusqlite::{Connection, Row, params};
use serde_json::value::RawValue;

use crate::error::{RelayError, Result};

const SELECT: &str = "SELECT seq, webhook_id, webhook, object, object_id, webhook_created_at, \
     received_at, payload, officer FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2";

/// The highest sequence number ever given (0 for an empty store), pruned rows included: the
/// highest `seq` in the table, or the one retention recorded before deleting, whichever is higher.
pub fn last_seq(conn: &Connection) -> Result<u64> {
    let value: i64 = conn.query_row(
        "SELECT max(coalesce((SELECT max(seq) FROM events), 0), \
                (SELECT value FROM meta WHERE key = 'last_seq'))",
        [],
        |r| r.get(0),
    )?;
    Ok(value as u64)
}

/// Events with `seq > after`, oldest first, at most `limit`. One indexed range scan on the
/// primary key, so a reader far behind pages through at the cost of the rows it reads.
///
/// SQLite's integers are signed: an `after` past `i64::MAX` is clamped to it (no event is after
/// it), never wrapped to a negative number that every event is after.
pub fn page(conn: &Connection, after: u64, limit: usize) -> Result<Vec<FeedEvent>> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(SELECT)?;
    let mut rows = stmt.query(params![after, i64::try_from(limit).unwrap_or(i64::MAX)])?;
    let mut events = Vec::with_capacity(limit.min(1024));
    while let Some(row) = rows.next()? {
        events.push(event_of(row)?);
    }
    Ok(events)
}

/// Calls `each` on every event after `after`, oldest first, reading in pages so that memory stays
/// bounded whatever the size of the log.
pub fn for_each(
    conn: &Connection,
    mut after: u64,
    mut each: impl FnMut(FeedEvent) -> Result<()>,
) -> Result<u64> {
    let mut count = 0;
    loop {
        let events = page(conn, after, 1000)?;
        let Some(last) = events.last() else {
            return Ok(count);
        };
        after = last.seq;
        for event in events {
            count += 1;
            each(event)?;
        }
    }
}

fn event_of(row: &Row<'_>) -> Result<FeedEvent> {
    Columns {
        seq: row.get(0)?,
        webhook_id: row.get(1)?,
        webhook: row.get(2)?,
        object: row.get(3)?,
        object_id: row.get(4)?,
        webhook_created_at: row.get(5)?,
        received_at: row.get(6)?,
        payload: row.get(7)?,
        officer: row.get(8)?,
    }
    .into_event()
}

/// A stored event's columns as both stores keep them (times in microseconds since the epoch).
pub struct Columns {
    pub seq: i64,
    pub webhook_id: String,
    pub webhook: String,
    pub object: String,
    pub object_id: Option<String>,
    pub webhook_created_at: Option<i64>,
    pub received_at: i64,
    pub payload: String,
    /// The author of a team record; `None` for a webhook.
    pub officer: Option<String>,
}

impl Columns {
    /// The feed's event; a row that cannot be one is reported as corrupt, by number.
    pub fn into_event(self) -> Result<FeedEvent> {
        let seq = self.seq as u64;
        let corrupt = |detail: String| RelayError::Corrupt { seq, detail };
        Ok(FeedEvent {
            seq,
            webhook_id: WebhookId::parse(&self.webhook_id).map_err(|e| corrupt(e.to_string()))?,
            webhook: self.webhook,
            object: self.object,
            object_id: self.object_id,
            webhook_created_at: self.webhook_created_at.map(Timestamp::from_unix_micros),
            received_at: Timestamp::from_unix_micros(self.received_at),
            object_payload: RawValue::from_string(self.payload)
                .map_err(|e| corrupt(format!("the payload is not JSON ({e})")))?,
            officer: self
                .officer
                .map(|name| OfficerName::parse(&name))
                .transpose()
                .map_err(|e| corrupt(format!("the author's name ({e})")))?,
        })
    }
}

/// Read connections kept for reuse, so a feed request does not pay for opening one.
pub struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// More idle connections than this are closed: the runtime's blocking pool bounds how many are
/// in use at once anyway.
const MAX_IDLE: usize = 8;

impl Readers {
    pub fn new(path: PathBuf) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on a pooled connection. Blocking: call it from a blocking context.
    pub fn with<T>(&self, read: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self.idle.lock().map(|mut idle| idle.pop()).unwrap_or(None);
        let conn = match pooled {
            Some(conn) => conn,
            None => super::open_for_reading(&self.path)?,
        };
        let result = read(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE
        {
            idle.push(conn);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `after=18446744073709551615` was bound as -1, and the page
    /// started again from the first event.
    #[test]
    fn an_after_past_every_number_gives_an_empty_page() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.sqlite3");
        let conn = crate::store::open_for_writing(&path).unwrap();
        conn.execute(
            "INSERT INTO events (seq, webhook_id, webhook, object, received_at, payload)
             VALUES (1, 'w-1', 'user.update', 'user', 0, '{}')",
            [],
        )
        .unwrap();
        assert_eq!(page(&conn, 0, 10).unwrap().len(), 1);
        for after in [u64::MAX, i64::MAX as u64 + 1, i64::MAX as u64] {
            assert!(page(&conn, after, 10).unwrap().is_empty(), "after={after}");
        }
        assert_eq!(page(&conn, 0, usize::MAX).unwrap().len(), 1);
    }
}
