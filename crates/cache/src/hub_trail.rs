//! The outbox toward the team's trail at the hub (schema 7): how far a hub has this desk's audit
//! entries, per officer. The audit log is the queue (append-only, numbered, chained); this is
//! only the position, moved on after the hub has answered for each entry, so that entries go in
//! order and a restart or a dead network resends from the first the hub has not confirmed.
//!
//! Beside it, the witness (schema 10): the longest trail this desk has seen each hub hold. A hub's
//! chain shows an altered or removed entry, but not entries cut from its end, since what remains
//! still verifies; the desks that saw the later entries can.

use kyc::Timestamp;
use kyc::trail::Witness;
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

/// What this desk saw of a hub's team trail (see [`kyc::trail::Witness`]), and when it last saw
/// more of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witnessed {
    pub witness: Witness,
    pub seen_at: Timestamp,
}

/// What this desk saw of `hub`'s trail, if anything.
pub(crate) fn witnessed(conn: &Connection, hub: &str) -> Result<Option<Witnessed>> {
    conn.prepare_cached(
        "SELECT seq, seen_at, verified_seq, verified_mac FROM hub_trail_witness WHERE hub = ?1",
    )
    .and_then(|mut s| {
        s.query_row([hub], |r| {
            let verified = match (r.get::<_, Option<i64>>(2)?, r.get::<_, Option<String>>(3)?) {
                (Some(at), Some(mac)) => Some((at as u64, mac)),
                _ => None,
            };
            Ok(Witnessed {
                witness: Witness {
                    seq: r.get::<_, i64>(0)? as u64,
                    verified,
                },
                seen_at: Timestamp::from_unix_micros(r.get(1)?),
            })
        })
        .optional()
    })
    .doing("reading what this desk saw of the hub's trail")
}

/// Records that `hub`'s trail held entry `seq` at `at`; the furthest number never moves back.
pub(crate) fn witness(conn: &Connection, hub: &str, seq: u64, at: Timestamp) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO hub_trail_witness (hub, seq, seen_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (hub) DO UPDATE SET seq = excluded.seq, seen_at = excluded.seen_at
           WHERE excluded.seq > hub_trail_witness.seq",
    )
    .and_then(|mut s| s.execute(params![hub, seq as i64, at.unix_micros()]))
    .doing("recording what this desk saw of the hub's trail")?;
    Ok(())
}

/// Records an intact verification of `hub`'s trail up to entry `seq`, whose MAC is `mac`.
pub(crate) fn verified(
    conn: &Connection,
    hub: &str,
    seq: u64,
    mac: &str,
    at: Timestamp,
) -> Result<()> {
    witness(conn, hub, seq, at)?;
    conn.prepare_cached(
        "UPDATE hub_trail_witness SET verified_seq = ?2, verified_mac = ?3 WHERE hub = ?1",
    )
    .and_then(|mut s| s.execute(params![hub, seq as i64, mac]))
    .doing("recording what this desk saw of the hub's trail")?;
    Ok(())
}
