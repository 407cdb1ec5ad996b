//! The officers' audit log: who did what, when, to which user or document, and how it ended.
//!
//! Append-only three times over: the cache offers no way to change or remove an entry; SQLite
//! triggers refuse `UPDATE`, `DELETE` and an insert that would take an entry's place (`REPLACE`),
//! and keep `audit_head` on the last entry; and every entry carries a MAC that nobody without the
//! key can compute: `hash = HMAC-SHA256(key, prev_hash ‖ canonical form of the entry)`, the first
//! entry chaining to 32 zero bytes ([`key`]). So [`verify`] finds an entry edited, removed, moved
//! or forged even by someone who dropped the triggers and recomputed every hash.
//!
//! What the file alone cannot prove is that its tail is whole: a log cut after entry 4, its head
//! moved back to entry 4, is a valid chain. The [`AuditAnchor`] proves it: the number of entries
//! and the last MAC, kept by the desk where the cache file cannot reach (the OS keychain) and
//! updated after every append. Verifying against it finds a cut tail, an emptied log, a file
//! replaced by a fresh one. See [`anchor`] for the rules (it may lag, never lead).
//!
//! The canonical form is a JSON object with the fields in a fixed order and the instant in
//! microseconds (see [`canonical`]); the sequence number is not part of it, the chain is the
//! order. Entries written before the chain was keyed (schema 3 and earlier) stay as they were,
//! chained by plain SHA-256 (`chain = 1`); they were verified once and sealed under the keyed
//! chain when the desk first opened the file with a key ([`anchor`]).
//!
//! What goes into an entry is the caller's choice, and the caller's duty: never a secret (client
//! secret, feed token, document URL with its signature), never an AML-sensitive reason's text.
//! Name the reason's code if it matters; the code is what the officer can look up.

mod anchor;
mod chain;
mod export;
mod key;
mod unfinished;

use kyc::{DocumentId, Timestamp, UserId};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::error::{Doing, Error, Result};

pub use anchor::{AuditAnchor, Opened, SEAL_ACTION};
pub(crate) use anchor::{append, count_chains, open};
pub(crate) use chain::verify;
pub use chain::{AuditBreak, BreakKind};
pub(crate) use export::{export_csv, export_json};
pub use key::{AUDIT_KEY_BYTES, AuditKey};
pub(crate) use unfinished::unfinished;

/// How an officer's action ended, or that it began.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The action began; an entry with its end (succeeded or failed) follows. An action that
    /// began but never ended was cut short by a crash (see [`crate::Cache::audit_unfinished`]).
    Started,
    Succeeded,
    /// Treezor or the network answered with an error.
    Failed,
    /// The case's state did not allow it.
    Refused,
    /// The officer did not confirm.
    Cancelled,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Started => "started",
            Outcome::Succeeded => "succeeded",
            Outcome::Failed => "failed",
            Outcome::Refused => "refused",
            Outcome::Cancelled => "cancelled",
        }
    }

    fn parse(raw: &str) -> Result<Outcome> {
        [
            Outcome::Started,
            Outcome::Succeeded,
            Outcome::Failed,
            Outcome::Refused,
            Outcome::Cancelled,
        ]
        .into_iter()
        .find(|o| o.as_str() == raw)
        .ok_or_else(|| Error::Stored {
            what: crate::StoredValue::AuditOutcome,
            problem: crate::StoredProblem::Unknown {
                value: raw.to_owned(),
            },
        })
    }
}

/// One thing an officer did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: Timestamp,
    /// Who: the officer's name as configured on this desk.
    pub officer: String,
    /// What, as a stable snake_case name (e.g. `start_verification`, `download_document`).
    pub action: String,
    pub user_id: Option<UserId>,
    pub document_id: Option<DocumentId>,
    pub outcome: Outcome,
    /// Free text for the officer reading the log. Never a secret, never an AML-sensitive reason's
    /// text (see the module doc).
    pub detail: String,
}

/// How an entry is chained to the one before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Chain {
    /// `SHA-256(prev ‖ entry)`: entries written before the chain was keyed (schema 3 and earlier).
    #[serde(rename = "sha256")]
    Sha256,
    /// `HMAC-SHA256(key, prev ‖ entry)`, the key in the desk's keychain.
    #[serde(rename = "hmac-sha256")]
    Keyed,
}

impl Chain {
    /// Its number in the `chain` column.
    pub(crate) fn code(self) -> i64 {
        match self {
            Chain::Sha256 => 1,
            Chain::Keyed => 2,
        }
    }

    fn from_code(code: i64) -> Option<Chain> {
        match code {
            1 => Some(Chain::Sha256),
            2 => Some(Chain::Keyed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Chain::Sha256 => "sha256",
            Chain::Keyed => "hmac-sha256",
        }
    }
}

/// An entry as stored, with its place in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub seq: u64,
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// Hex MAC (or, for an entry from before the keyed chain, SHA-256) of the previous entry; 64
    /// zeros for the first.
    pub prev_hash: String,
    pub hash: String,
    pub chain: Chain,
}

/// Which entries an export or a listing covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditScope {
    All,
    /// One user's trail: the entries naming this user.
    User(UserId),
}

pub(crate) const GENESIS: [u8; 32] = [0; 32];

/// The entry's canonical form, the bytes its hash covers after the previous hash.
pub(crate) fn canonical(entry: &AuditEntry) -> Vec<u8> {
    #[derive(Serialize)]
    struct Form<'a> {
        at: i64,
        officer: &'a str,
        action: &'a str,
        user_id: Option<u64>,
        document_id: Option<u64>,
        outcome: &'a str,
        detail: &'a str,
    }
    serde_json::to_vec(&Form {
        at: entry.at.unix_micros(),
        officer: &entry.officer,
        action: &entry.action,
        user_id: entry.user_id.map(UserId::get),
        document_id: entry.document_id.map(DocumentId::get),
        outcome: entry.outcome.as_str(),
        detail: &entry.detail,
    })
    .expect("an audit entry serializes")
}

/// `SHA-256(prev ‖ canonical(entry))`: how entries were chained before the chain was keyed.
pub(crate) fn chain_hash(prev: &[u8], entry: &AuditEntry) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(prev);
    hasher.update(canonical(entry));
    hasher.finalize().into()
}

/// The last entry's sequence number and MAC (or hash), if the log has any.
pub(crate) fn last(conn: &Connection) -> Result<Option<(u64, Vec<u8>)>> {
    conn.prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .and_then(|mut s| {
            s.query_row([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))
                .optional()
        })
        .doing("reading the audit log's last entry")
}

/// Writes `entry` after the last one, keyed; the caller holds the write transaction.
pub(crate) fn insert_keyed(
    conn: &Connection,
    key: &AuditKey,
    entry: &AuditEntry,
) -> Result<AuditRecord> {
    let prev = last(conn)?.map_or_else(|| GENESIS.to_vec(), |(_, hash)| hash);
    let hash = key.mac(&prev, entry);
    let seq = conn
        .prepare_cached(
            "INSERT INTO audit_log (at, officer, action, user_id, document_id, outcome, detail,
                 prev_hash, hash, chain)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .and_then(|mut s| {
            s.insert(params![
                entry.at.unix_micros(),
                entry.officer,
                entry.action,
                entry.user_id.map(|u| u.get() as i64),
                entry.document_id.map(|d| d.get() as i64),
                entry.outcome.as_str(),
                entry.detail,
                prev,
                &hash[..],
                Chain::Keyed.code(),
            ])
        })
        .doing("appending to the audit log")?;
    Ok(AuditRecord {
        seq: seq as u64,
        entry: entry.clone(),
        prev_hash: hex::encode(&prev),
        hash: hex::encode(hash),
        chain: Chain::Keyed,
    })
}

/// A stored row, bytes as stored.
pub(crate) struct RawRecord {
    pub seq: u64,
    pub entry: AuditEntry,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
    /// `None` for a `chain` value this build does not know (an edited row).
    pub chain: Option<Chain>,
}

impl RawRecord {
    pub fn record(&self) -> AuditRecord {
        AuditRecord {
            seq: self.seq,
            entry: self.entry.clone(),
            prev_hash: hex::encode(&self.prev_hash),
            hash: hex::encode(&self.hash),
            chain: self.chain.unwrap_or(Chain::Keyed),
        }
    }
}

/// Entries after `after_seq` in sequence order (at most `limit`), through `each`, so a long log
/// is never held whole.
pub(crate) fn for_each(
    conn: &Connection,
    scope: AuditScope,
    after_seq: u64,
    limit: Option<usize>,
    mut each: impl FnMut(RawRecord) -> Result<()>,
) -> Result<()> {
    let mut sql = String::from(
        "SELECT seq, at, officer, action, user_id, document_id, outcome, detail, prev_hash, hash,
             chain
         FROM audit_log WHERE seq > ?1",
    );
    let mut values: Vec<i64> = vec![after_seq as i64];
    if let AuditScope::User(user) = scope {
        sql.push_str(" AND user_id = ?2");
        values.push(user.get() as i64);
    }
    sql.push_str(" ORDER BY seq");
    if let Some(limit) = limit {
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut statement = conn.prepare_cached(&sql).doing("reading the audit log")?;
    let mut rows = statement
        .query(rusqlite::params_from_iter(values))
        .doing("reading the audit log")?;
    while let Some(row) = rows.next().doing("reading the audit log")? {
        let record = read(row).doing("reading the audit log")?;
        let outcome: String = row.get(6).doing("reading the audit log")?;
        let record = RawRecord {
            entry: AuditEntry {
                outcome: Outcome::parse(&outcome)?,
                ..record.entry
            },
            ..record
        };
        each(record)?;
    }
    Ok(())
}

/// Reads the columns `seq, at, officer, action, user_id, document_id, outcome, detail, prev_hash,
/// hash, chain`, in that order; the outcome is left for the caller to check.
fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<RawRecord> {
    let user: Option<i64> = row.get(4)?;
    let document: Option<i64> = row.get(5)?;
    Ok(RawRecord {
        seq: row.get::<_, i64>(0)? as u64,
        entry: AuditEntry {
            at: Timestamp::from_unix_micros(row.get(1)?),
            officer: row.get(2)?,
            action: row.get(3)?,
            user_id: user.and_then(|u| UserId::new(u as u64).ok()),
            document_id: document.and_then(|d| DocumentId::new(d as u64).ok()),
            // Replaced by the caller once the text is checked.
            outcome: Outcome::Succeeded,
            detail: row.get(7)?,
        },
        prev_hash: row.get(8)?,
        hash: row.get(9)?,
        chain: Chain::from_code(row.get(10)?),
    })
}

/// Up to `limit` entries after `after_seq`, oldest first: the audit screen's pages.
pub(crate) fn entries(
    conn: &Connection,
    scope: AuditScope,
    after_seq: u64,
    limit: usize,
) -> Result<Vec<AuditRecord>> {
    let mut out = Vec::new();
    for_each(conn, scope, after_seq, Some(limit), |raw| {
        out.push(raw.record());
        Ok(())
    })?;
    Ok(out)
}
