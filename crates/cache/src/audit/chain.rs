//! Checking the audit chain.
//!
//! Walking the entries in sequence order, each must (1) be of the chain its place calls for (the
//! first `legacy_entries` the anchor names are unkeyed, every later one keyed), (2) have the MAC
//! (or, unkeyed, the hash) of its content, and (3) chain to the entry before it. Then the head must
//! name the last entry, and the anchor must find its entry in place: the log may run past the
//! anchor (entries written since its last update carry MACs nobody else can compute), never stop
//! short of it. A failure is told apart as:
//! - **edited**: an entry's content no longer gives its MAC; or the chain breaks right after an
//!   entry whose hash was recomputed to hide an edit (no entry is missing, none moved); or the
//!   anchor's entry is not the one it vouched for;
//! - **removed**: the chain points to a hash no entry has and a sequence number is missing, the
//!   head points past the last entry, or the log stops before the anchor's entry;
//! - **reordered**: the chain points to an entry that exists, but elsewhere;
//! - **unanchored**: keyed entries that no anchor vouches for (the keychain lost the anchor).

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{AuditAnchor, AuditKey, AuditScope, Chain, GENESIS, chain_hash, for_each};
use crate::error::{Doing, Result};

/// Where and how the chain is broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditBreak {
    /// The first entry found wrong (for a removal: the first missing sequence number).
    pub at_seq: u64,
    pub kind: BreakKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "AuditBreakKind"))]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    Edited,
    Removed,
    Reordered,
    Unanchored,
}

impl std::fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.at_seq;
        match self.kind {
            BreakKind::Edited => write!(f, "audit entry {n} was changed after it was written"),
            BreakKind::Removed if n <= 1 => write!(
                f,
                "the audit trail was emptied: its entries from the first on were removed"
            ),
            BreakKind::Removed => write!(
                f,
                "audit entry {n} was removed after it was written (the trail was cut there)"
            ),
            BreakKind::Reordered => write!(f, "audit entry {n} was moved after it was written"),
            BreakKind::Unanchored => write!(
                f,
                "the keychain holds no anchor for this audit trail although it has keyed entries (up to entry {n}): the anchor was removed"
            ),
        }
    }
}

/// Checks the whole chain with `key`, against `anchor` when there is one. The outer `Result` is
/// the database; the inner one the verdict, with the number of entries checked when it holds.
pub(crate) fn verify(
    conn: &Connection,
    key: &AuditKey,
    anchor: Option<&AuditAnchor>,
) -> Result<Result<u64, AuditBreak>> {
    if let Some(known) = anchor.and_then(|a| a.known_break) {
        return Ok(Err(known));
    }
    // Every hash in the log, to tell a moved entry from a missing one.
    let mut hashes: HashSet<Vec<u8>> = HashSet::new();
    for_each(conn, AuditScope::All, 0, None, |raw| {
        hashes.insert(raw.hash);
        Ok(())
    })?;

    let legacy = anchor.map(|a| a.legacy_entries);
    let mut verdict: Option<AuditBreak> = None;
    let mut expected_prev: Vec<u8> = GENESIS.to_vec();
    let mut last_seq = 0u64;
    let mut checked = 0u64;
    let mut keyed_seen = false;
    let mut anchored: Option<Vec<u8>> = None;
    for_each(conn, AuditScope::All, 0, None, |raw| {
        if verdict.is_some() {
            return Ok(());
        }
        let found = |kind, at_seq| Some(AuditBreak { at_seq, kind });
        // Where this entry stands: among the unkeyed entries from before the chain was keyed, or
        // after them. Without an anchor, the file's own marks decide.
        let legacy_place = match legacy {
            Some(legacy) => checked < legacy,
            None => !keyed_seen && raw.chain == Some(Chain::Sha256),
        };
        let computed = match (raw.chain, legacy_place) {
            (Some(Chain::Sha256), true) => Some(chain_hash(&raw.prev_hash, &raw.entry)),
            (Some(Chain::Keyed), false) => Some(key.mac(&raw.prev_hash, &raw.entry)),
            _ => None,
        };
        keyed_seen |= raw.chain == Some(Chain::Keyed);
        match computed {
            // Fewer unkeyed entries than were sealed: some of them are gone.
            None if legacy_place && raw.chain == Some(Chain::Keyed) => {
                verdict = found(BreakKind::Removed, last_seq + 1);
            }
            None => verdict = found(BreakKind::Edited, raw.seq),
            Some(hash) if hash[..] != raw.hash[..] => verdict = found(BreakKind::Edited, raw.seq),
            Some(_) if raw.prev_hash != expected_prev => {
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
            Some(_) => {}
        }
        if anchor.is_some_and(|a| a.entries == raw.seq) {
            anchored = Some(raw.hash.clone());
        }
        expected_prev = raw.hash;
        last_seq = raw.seq;
        checked += 1;
        Ok(())
    })?;
    if let Some(broken) = verdict {
        return Ok(Err(broken));
    }
    if let Some(broken) = check_head(conn, last_seq, &expected_prev, checked)? {
        return Ok(Err(broken));
    }
    if let Some(anchor) = anchor {
        if last_seq < anchor.entries || checked < anchor.legacy_entries {
            return Ok(Err(AuditBreak {
                at_seq: last_seq + 1,
                kind: BreakKind::Removed,
            }));
        }
        if anchor.entries > 0 && anchored.as_deref().map(hex::encode) != Some(anchor.mac.clone()) {
            return Ok(Err(AuditBreak {
                at_seq: anchor.entries,
                kind: BreakKind::Edited,
            }));
        }
    }
    Ok(Ok(checked))
}

/// The head must name the last entry: a head past the end shows a removed tail.
fn check_head(
    conn: &Connection,
    last_seq: u64,
    last_hash: &[u8],
    checked: u64,
) -> Result<Option<AuditBreak>> {
    let head: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1")
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .doing("reading the audit log's head")?;
    Ok(match head {
        Some((head_seq, _)) if head_seq as u64 > last_seq => Some(AuditBreak {
            at_seq: last_seq + 1,
            kind: BreakKind::Removed,
        }),
        Some((head_seq, head_hash)) if head_seq as u64 != last_seq || head_hash != last_hash => {
            Some(AuditBreak {
                at_seq: head_seq as u64,
                kind: BreakKind::Edited,
            })
        }
        Some(_) => None,
        // Entries but no head: the head row was removed, which the triggers forbid.
        None if checked > 0 => Some(AuditBreak {
            at_seq: last_seq,
            kind: BreakKind::Edited,
        }),
        None => None,
    })
}
