//! Checking the audit chain.
//!
//! Walking the entries in sequence order, each must (1) hash to its stored hash, and (2) chain to
//! the entry before it. A failure is told apart as:
//! - **edited**: an entry's content no longer gives its hash; or the chain breaks right after an
//!   entry whose hash was recomputed to hide an edit (no entry is missing, none moved);
//! - **removed**: the chain points to a hash no entry has and a sequence number is missing, or the
//!   head points past the last entry;
//! - **reordered**: the chain points to an entry that exists, but elsewhere.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::{AuditScope, GENESIS, chain_hash, for_each};
use crate::error::{Doing, Result};

/// Where and how the chain is broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AuditBreak {
    /// The first entry found wrong (for a removal: the first missing sequence number).
    pub at_seq: u64,
    pub kind: BreakKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    Edited,
    Removed,
    Reordered,
}

impl std::fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            BreakKind::Edited => "was changed",
            BreakKind::Removed => "was removed",
            BreakKind::Reordered => "was moved",
        };
        write!(
            f,
            "audit entry {} {what} after it was written; keep this file for investigation",
            self.at_seq
        )
    }
}

/// Checks the whole chain. The outer `Result` is the database; the inner one the verdict, with
/// the number of entries checked when the chain holds.
pub(crate) fn verify(conn: &Connection) -> Result<Result<u64, AuditBreak>> {
    // Every hash in the log, to tell a moved entry from a missing one.
    let mut hashes: HashSet<Vec<u8>> = HashSet::new();
    for_each(conn, AuditScope::All, 0, None, |raw| {
        hashes.insert(raw.hash);
        Ok(())
    })?;

    let mut verdict: Option<AuditBreak> = None;
    let mut expected_prev: Vec<u8> = GENESIS.to_vec();
    let mut last_seq = 0u64;
    let mut checked = 0u64;
    for_each(conn, AuditScope::All, 0, None, |raw| {
        if verdict.is_some() {
            return Ok(());
        }
        let found = |kind, at_seq| Some(AuditBreak { at_seq, kind });
        if chain_hash(&raw.prev_hash, &raw.entry)[..] != raw.hash[..] {
            verdict = found(BreakKind::Edited, raw.seq);
        } else if raw.prev_hash != expected_prev {
            verdict = if raw.prev_hash != GENESIS && hashes.contains(&raw.prev_hash) {
                found(BreakKind::Reordered, raw.seq)
            } else if raw.seq > last_seq + 1 {
                found(BreakKind::Removed, last_seq + 1)
            } else if raw.prev_hash == GENESIS {
                found(BreakKind::Reordered, raw.seq)
            } else {
                found(BreakKind::Edited, last_seq.max(1))
            };
        }
        expected_prev = raw.hash;
        last_seq = raw.seq;
        checked += 1;
        Ok(())
    })?;
    if let Some(broken) = verdict {
        return Ok(Err(broken));
    }

    let head: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1")
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .doing("reading the audit log's head")?;
    if let Some((head_seq, head_hash)) = head {
        let head_seq = head_seq as u64;
        if head_seq > last_seq {
            return Ok(Err(AuditBreak {
                at_seq: last_seq + 1,
                kind: BreakKind::Removed,
            }));
        }
        if head_seq != last_seq || head_hash != expected_prev {
            return Ok(Err(AuditBreak {
                at_seq: head_seq,
                kind: BreakKind::Edited,
            }));
        }
    } else if checked > 0 {
        // Entries but no head: the head row was removed, which the triggers forbid.
        return Ok(Err(AuditBreak {
            at_seq: last_seq,
            kind: BreakKind::Edited,
        }));
    }
    Ok(Ok(checked))
}
