//! The trail on SQLite: sealed and inserted by the writer thread (the only writer of the file),
//! in the transaction of what it records; read through the pooled read connections.

use kyc::trail::TrailEntry;
use rusqlite::{Connection, OptionalExtension, params};

use super::{Head, TrailFilter, TrailRecord, entry_of};
use crate::error::Result;

const COLUMNS: &str = "seq, at, officer, action, outcome, user_id, document_id, detail, \
     occurred_at, feed_seq, prev_mac, mac";

/// The last entry.
pub fn head(conn: &Connection) -> Result<Head> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, mac FROM trail ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match last {
        Some((seq, mac)) => Head::from_stored(Some(seq), Some(mac)),
        None => Head::from_stored(None, None),
    })
}

/// Whether an entry with this id is stored.
pub fn contains(conn: &Connection, entry_id: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM trail WHERE entry_id = ?1")?
        .exists([entry_id])
}

/// Inserts `record` sealed after `head`, in the caller's transaction.
pub fn insert(
    conn: &Connection,
    key: &super::TrailKey,
    head: &mut Head,
    record: &TrailRecord,
    at: kyc::Timestamp,
) -> rusqlite::Result<TrailEntry> {
    let entry = record.seal(key, head, at);
    conn.prepare_cached(
        "INSERT INTO trail (seq, entry_id, at, officer, action, outcome, user_id, document_id, \
         detail, occurred_at, feed_seq, prev_mac, mac) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        entry.seq as i64,
        record.entry_id,
        entry.at.unix_micros(),
        entry.officer.as_str(),
        entry.action,
        entry.outcome,
        entry.user_id,
        entry.document_id,
        entry.detail,
        entry.occurred_at.map(kyc::Timestamp::unix_micros),
        entry.feed_seq.map(|s| s as i64),
        entry.prev_mac,
        entry.mac,
    ])?;
    Ok(entry)
}

/// Entries with `seq > after` that pass `filter`, oldest first, at most `limit`.
pub fn page(
    conn: &Connection,
    after: u64,
    limit: usize,
    filter: &TrailFilter,
) -> Result<Vec<TrailEntry>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM trail WHERE seq > ?1 \
           AND (?3 IS NULL OR user_id = ?3) AND (?4 IS NULL OR officer = ?4) \
           AND (?5 IS NULL OR at >= ?5) AND (?6 IS NULL OR at < ?6) \
         ORDER BY seq LIMIT ?2"
    ))?;
    let mut rows = stmt.query(params![
        i64::try_from(after).unwrap_or(i64::MAX),
        i64::try_from(limit).unwrap_or(i64::MAX),
        filter.user_id,
        filter.officer,
        filter.from,
        filter.to,
    ])?;
    let mut entries = Vec::new();
    while let Some(row) = rows.next()? {
        entries.push(entry_of(
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
            row.get(6)?,
            row.get(7)?,
            row.get(8)?,
            row.get(9)?,
            row.get(10)?,
            row.get(11)?,
        )?);
    }
    Ok(entries)
}
