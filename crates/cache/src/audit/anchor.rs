//! The anchor: what the desk keeps of the audit trail outside the cache file, so that the file
//! alone can neither cut its tail nor start over.
//!
//! The anchor holds the number of entries and the last entry's MAC. The desk stores it in the OS
//! keychain beside the key, and writes it again after every append, on the thread that appended.
//!
//! **It may lag, never lead.** An entry is committed to the file first and the anchor written
//! after: a crash (or a keychain that refuses the write) in between leaves the anchor behind by the
//! entries of that commit, which is one entry, and never ahead of the file. So a log that runs past
//! its anchor is not broken: the entries after it carry MACs nobody without the key can compute,
//! and the desk brings the anchor up to them when it next opens the trail. A log that stops short
//! of its anchor, or whose anchored entry changed, is broken: entries were removed (an emptied
//! log, a file replaced by a fresh one) or rewritten. What the lag leaves open: the entries written
//! since the anchor's last update could be cut unseen, which after a crash is the last one.
//!
//! **A break, once found, stays.** When opening (or appending) finds the trail broken, the break is
//! written into the anchor ([`AuditAnchor::known_break`]) and every later verification reports it,
//! even if the file is later "repaired": only the keychain could unsay it.
//!
//! **Carrying the unkeyed trail.** A file from before the keyed chain holds entries chained by
//! plain SHA-256. The first time the desk opens it with a key (there is no anchor yet), that chain
//! is verified once, and a keyed entry is appended whose MAC covers the last unkeyed hash: from
//! then on, rewriting any old entry breaks the keyed chain. The anchor records how many entries
//! were unkeyed, and the verdict on them: a chain already broken stays reported broken.

use kyc::Timestamp;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::chain::{AuditBreak, BreakKind, verify};
use super::{
    AuditEntry, AuditKey, AuditRecord, AuditScope, Chain, Outcome, for_each, insert_keyed, last,
};
use crate::error::Result;

/// The audit log's name for sealing the unkeyed entries under the keyed chain.
pub const SEAL_ACTION: &str = "seal_unkeyed_trail";

/// What the keychain keeps of the audit trail (see the module doc).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAnchor {
    /// Entries in the trail when the anchor was written: the last entry's sequence number.
    pub entries: u64,
    /// That entry's MAC, hex (empty when there is none).
    pub mac: String,
    /// How many entries were chained by plain SHA-256 when the trail was carried into the keyed
    /// chain: the first ones.
    pub legacy_entries: u64,
    /// A break found when the trail was opened or appended to: reported from then on.
    pub known_break: Option<AuditBreak>,
}

impl AuditAnchor {
    /// The anchor of a trail with no entry yet.
    pub fn empty() -> AuditAnchor {
        AuditAnchor {
            entries: 0,
            mac: String::new(),
            legacy_entries: 0,
            known_break: None,
        }
    }

    /// The anchor moved to the file's last entry, keeping what it knows.
    fn at_last(&self, last: Option<(u64, Vec<u8>)>) -> AuditAnchor {
        let (entries, mac) =
            last.map_or((0, String::new()), |(seq, hash)| (seq, hex::encode(hash)));
        AuditAnchor {
            entries,
            mac,
            ..self.clone()
        }
    }

    /// Whether the file's last entry is the one this anchor names.
    fn names(&self, last: Option<&(u64, Vec<u8>)>) -> bool {
        match last {
            None => self.entries == 0,
            Some((seq, hash)) => self.entries == *seq && self.mac == hex::encode(hash),
        }
    }
}

/// What opening the trail did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The anchor to keep from now on.
    pub anchor: AuditAnchor,
    /// The entry that sealed the unkeyed entries, when this opening carried them.
    pub sealed: Option<AuditRecord>,
}

/// Appends `entry` under `key` after checking that the file still ends where `anchor` (the desk's
/// current one, exact) says; a file cut or rewritten behind the desk's back gets its break written
/// into the returned anchor before the new entry hides it. The caller holds the write transaction.
pub(crate) fn append(
    conn: &Connection,
    key: &AuditKey,
    anchor: &AuditAnchor,
    entry: &AuditEntry,
) -> Result<(AuditRecord, AuditAnchor)> {
    let mut anchor = anchor.clone();
    if anchor.known_break.is_none() && !anchor.names(last(conn)?.as_ref()) {
        anchor.known_break = Some(match verify(conn, key, Some(&anchor))? {
            Err(broken) => broken,
            // The log ran past the anchor with valid MACs: only a lagging anchor does that, and
            // the desk's anchor is exact. Entries it did not write are entries it cannot vouch for.
            Ok(_) => AuditBreak {
                at_seq: anchor.entries + 1,
                kind: BreakKind::Unanchored,
            },
        });
    }
    let record = insert_keyed(conn, key, entry)?;
    let anchor = AuditAnchor {
        entries: record.seq,
        mac: record.hash.clone(),
        ..anchor
    };
    Ok((record, anchor))
}

/// Brings the file and the keychain's anchor together when the desk opens the trail: carries an
/// unkeyed trail into the keyed chain (no anchor yet), catches a lagging anchor up, and records a
/// break found on the way. `at` and `officer` sign the sealing entry, if one is written.
pub(crate) fn open(
    conn: &Connection,
    key: &AuditKey,
    anchor: Option<AuditAnchor>,
    at: Timestamp,
    officer: &str,
) -> Result<Opened> {
    let tail = last(conn)?;
    let (unkeyed, keyed) = count_chains(conn)?;
    let Some(anchor) = anchor else {
        if keyed > 0 {
            let anchor = AuditAnchor {
                legacy_entries: unkeyed,
                known_break: Some(AuditBreak {
                    at_seq: tail.as_ref().map_or(0, |(seq, _)| *seq),
                    kind: BreakKind::Unanchored,
                }),
                ..AuditAnchor::empty()
            };
            return Ok(Opened {
                anchor: anchor.at_last(tail),
                sealed: None,
            });
        }
        if unkeyed == 0 {
            return Ok(Opened {
                anchor: AuditAnchor::empty(),
                sealed: None,
            });
        }
        return seal_unkeyed(conn, key, unkeyed, tail, at, officer);
    };
    let anchor = match verify(conn, key, Some(&anchor))? {
        Ok(_) => anchor,
        Err(broken) => AuditAnchor {
            known_break: anchor.known_break.or(Some(broken)),
            ..anchor
        },
    };
    Ok(Opened {
        anchor: anchor.at_last(tail),
        sealed: None,
    })
}

/// Verifies the `unkeyed` entries once and seals them with a keyed entry that names the verdict.
fn seal_unkeyed(
    conn: &Connection,
    key: &AuditKey,
    unkeyed: u64,
    tail: Option<(u64, Vec<u8>)>,
    at: Timestamp,
    officer: &str,
) -> Result<Opened> {
    let before = AuditAnchor {
        legacy_entries: unkeyed,
        ..AuditAnchor::empty()
    }
    .at_last(tail);
    let verdict = verify(conn, key, Some(&before))?;
    let (outcome, detail) = match verdict {
        Ok(n) => (
            Outcome::Succeeded,
            format!(
                "the {n} entries written before the trail was keyed were verified intact (SHA-256 chain) and are sealed under the keyed chain"
            ),
        ),
        Err(broken) => (
            Outcome::Failed,
            format!(
                "the entries written before the trail was keyed were found broken ({broken}); they stay reported broken"
            ),
        ),
    };
    let seal = AuditEntry {
        at,
        officer: officer.to_owned(),
        action: SEAL_ACTION.to_owned(),
        user_id: None,
        document_id: None,
        outcome,
        detail,
    };
    let before = AuditAnchor {
        known_break: verdict.err(),
        ..before
    };
    let (record, anchor) = append(conn, key, &before, &seal)?;
    Ok(Opened {
        anchor,
        sealed: Some(record),
    })
}

/// How many entries are chained by plain SHA-256, and how many are keyed.
pub(crate) fn count_chains(conn: &Connection) -> Result<(u64, u64)> {
    let (mut unkeyed, mut keyed) = (0, 0);
    for_each(conn, AuditScope::All, 0, None, |raw| {
        match raw.chain {
            Some(Chain::Sha256) => unkeyed += 1,
            _ => keyed += 1,
        }
        Ok(())
    })?;
    Ok((unkeyed, keyed))
}

#[cfg(test)]
mod tests {
    use kyc::UserId;
    use rusqlite::params;

    use super::*;
    use crate::Cache;
    use crate::audit::{GENESIS, chain_hash};

    fn key() -> AuditKey {
        AuditKey::from_bytes([3; 32])
    }

    fn entry(i: u64) -> AuditEntry {
        AuditEntry {
            at: Timestamp::from_unix_seconds(1_700_000_000 + i as i64),
            officer: "Claire Dubois".into(),
            action: "start_verification".into(),
            user_id: Some(UserId::new(i).unwrap()),
            document_id: None,
            outcome: Outcome::Succeeded,
            detail: format!("entry {i}"),
        }
    }

    /// A schema-3 file whose log holds `n` entries chained by plain SHA-256, as the desk wrote
    /// them before the chain was keyed.
    fn unkeyed_file(path: &std::path::Path, n: u64) {
        let mut conn = Connection::open(path).unwrap();
        crate::schema::migrations()
            .to_version(&mut conn, 3)
            .unwrap();
        let mut prev = GENESIS.to_vec();
        for i in 1..=n {
            let e = entry(i);
            let hash = chain_hash(&prev, &e);
            conn.execute(
                "INSERT INTO audit_log (at, officer, action, user_id, outcome, detail, prev_hash,
                     hash)
                 VALUES (?1, ?2, ?3, ?4, 'succeeded', ?5, ?6, ?7)",
                params![
                    e.at.unix_micros(),
                    e.officer,
                    e.action,
                    i as i64,
                    e.detail,
                    prev,
                    &hash[..]
                ],
            )
            .unwrap();
            prev = hash.to_vec();
        }
    }

    /// The first start of a desk with a key on the file at `path`.
    fn first_keyed_start(path: &std::path::Path) -> (Cache, Opened) {
        let mut cache = Cache::open(path).unwrap();
        let time = Timestamp::from_unix_seconds(1_800_000_000);
        let opened = cache.audit_open(&key(), None, time, "Claire").unwrap();
        (cache, opened)
    }

    #[test]
    fn an_unkeyed_trail_is_verified_once_and_sealed_under_the_keyed_chain() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite");
        unkeyed_file(&path, 3);
        let (cache, opened) = first_keyed_start(&path);
        let seal = opened.sealed.expect("the unkeyed entries are sealed");
        assert_eq!((seal.seq, seal.entry.outcome), (4, Outcome::Succeeded));
        assert_eq!(seal.entry.action, SEAL_ACTION);
        assert!(
            seal.entry.detail.contains("3 entries"),
            "{}",
            seal.entry.detail
        );
        assert_eq!(
            (
                opened.anchor.entries,
                opened.anchor.legacy_entries,
                opened.anchor.known_break
            ),
            (4, 3, None)
        );
        assert_eq!(
            cache.audit_verify(&key(), Some(&opened.anchor)).unwrap(),
            Ok(4)
        );
        let chains: Vec<Chain> = cache
            .audit_entries(crate::AuditScope::All, 0, 10)
            .unwrap()
            .iter()
            .map(|r| r.chain)
            .collect();
        assert_eq!(
            chains,
            [Chain::Sha256, Chain::Sha256, Chain::Sha256, Chain::Keyed]
        );

        // Rewriting an old entry, hashes and all, as the unkeyed chain allowed: the seal's MAC
        // covers the old last hash, so the keyed chain breaks there.
        let raw = Connection::open(&path).unwrap();
        raw.execute_batch("DROP TRIGGER audit_log_no_update;")
            .unwrap();
        let mut prev = chain_hash(&GENESIS, &entry(1)).to_vec();
        for i in 2..=3 {
            let forged = AuditEntry {
                detail: "nothing happened".into(),
                ..entry(i)
            };
            let hash = chain_hash(&prev, &forged);
            raw.execute(
                "UPDATE audit_log SET detail = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
                params![i as i64, forged.detail, prev, &hash[..]],
            )
            .unwrap();
            prev = hash.to_vec();
        }
        assert_eq!(
            cache.audit_verify(&key(), Some(&opened.anchor)).unwrap(),
            Err(AuditBreak {
                at_seq: 3,
                kind: BreakKind::Edited
            })
        );
        // Turning keyed entries into unkeyed ones does not help either.
        raw.execute("UPDATE audit_log SET chain = 1 WHERE seq = 4", [])
            .unwrap();
        assert!(
            cache
                .audit_verify(&key(), Some(&opened.anchor))
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn an_unkeyed_trail_already_broken_stays_reported_broken() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite");
        unkeyed_file(&path, 3);
        let raw = Connection::open(&path).unwrap();
        raw.execute_batch(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET detail = 'edited' WHERE seq = 2;",
        )
        .unwrap();
        let (cache, opened) = first_keyed_start(&path);
        let broken = AuditBreak {
            at_seq: 2,
            kind: BreakKind::Edited,
        };
        assert_eq!(opened.anchor.known_break, Some(broken));
        let seal = opened.sealed.unwrap();
        assert_eq!(seal.entry.outcome, Outcome::Failed);
        assert!(
            seal.entry.detail.contains("audit entry 2 was changed"),
            "{}",
            seal.entry.detail
        );

        // Put right afterwards, it is still reported: the anchor remembers.
        raw.execute("UPDATE audit_log SET detail = 'entry 2' WHERE seq = 2", [])
            .unwrap();
        assert_eq!(
            cache.audit_verify(&key(), Some(&opened.anchor)).unwrap(),
            Err(broken)
        );
    }
}
