//! The outbox toward the team's trail at the hub (schema 7): how far a hub has this desk's audit
//! entries, per officer. The audit log is the queue (append-only, numbered, chained); this is
//! only the position, moved on after the hub has answered for each entry, so that entries go in
//! order and a restart or a dead network resends from the first the hub has not confirmed.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Doing, Result};

/// The last audit entry `hub` confirmed for `officer` (0 before any).
pub(crate) fn sent_through(conn: &Connection, hub: &str, officer: &str) -> Result<u64> {
    let seq: Option<i64> = conn
        .prepare_cached("SELECT sent_through FROM hub_trail_outbox WHERE hub = ?1 AND officer = ?2")
        .and_then(|mut s| s.query_row(params![hub, officer], |r| r.get(0)).optional())
        .doing("reading the trail's outbox")?;
    Ok(seq.unwrap_or(0) as u64)
}

/// Records that `hub` has every entry up to `seq` for `officer`; never moves back.
pub(crate) fn mark_sent(conn: &Connection, hub: &str, officer: &str, seq: u64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO hub_trail_outbox (hub, officer, sent_through) VALUES (?1, ?2, ?3)
         ON CONFLICT (hub, officer) DO UPDATE
           SET sent_through = max(sent_through, excluded.sent_through)",
    )
    .and_then(|mut s| s.execute(params![hub, officer, seq as i64]))
    .doing("moving the trail's outbox on")?;
    Ok(())
}
