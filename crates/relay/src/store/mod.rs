//! The durable log of verified webhooks, behind one [`Store`] trait ([`contract`]) with two
//! implementations: [`sqlite`] (this module's functions and the writer below: the default, one
//! relay on one file) and [`postgres`] (several relays on one database, for a team). Where the
//! store is comes from a [`StoreLocation`].
//!
//! The rest of this page is the SQLite store: one file in WAL mode.
//!
//! One writer thread ([`writer`]) owns the only write connection and commits webhooks in groups;
//! readers ([`read`]) use their own connections, which WAL lets run beside the writer.
//!
//! What must stay true:
//! - `synchronous=FULL`: with WAL, a commit returns only after the WAL is fsynced, so a webhook
//!   whose commit returned survives a crash or power loss. (`NORMAL` would let the last commits
//!   roll back on power loss, which would break the promise a 200 makes.) Group commit pays that
//!   fsync once per group instead of once per webhook.
//! - Checkpoints (copying the WAL back into the main file, then an fsync of it) are SQLite's own:
//!   one runs inside the commit that takes the WAL past 8192 pages (32 MB) instead of the default
//!   1000. Every commit rewrites the table's last page, so small groups write many WAL frames for
//!   few distinct pages; at 1000 pages a checkpoint (and its extra fsync, which the group waiting
//!   on that commit pays) came several times a second under load. A checkpoint thread of our own
//!   was tried and measured slower: under steady load its PASSIVE checkpoints never caught up,
//!   the WAL never restarted, and commits that grow the file cost more to fsync than commits that
//!   reuse it.
//! - `seq` is assigned by the writer, increases by one per stored webhook and is never reused:
//!   the highest is the table's last row, and retention copies it to `meta.last_seq` before it
//!   deletes rows, so it survives even a prune of everything.
//! - `webhook_id` is unique: a duplicate delivery is stored once. The writer enforces it with the
//!   ids it keeps in memory ([`seen`], which says why there is no UNIQUE index), and the data file
//!   is locked to one writing relay so that no other process can insert behind its back.

pub mod claims;
pub mod contract;
pub mod deadlines;
pub mod four_eyes;
mod group;
pub mod location;
pub mod postgres;
pub mod read;
pub mod retention;
pub mod seen;
pub mod sqlite;
pub mod writer;

pub use claims::{ClaimAsk, Claimed};
pub use contract::{Officers, Pending, Store};
pub use four_eyes::{Answered, RunAsk, VerdictAsk};
pub use location::StoreLocation;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use kyc::Timestamp;
use kyc::officer::OfficerName;
use kyc::team::{self, TeamEvent};
use kyc::webhook::{Envelope, SignatureError, WebhookSecret};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use sha2::{Digest, Sha256};

use crate::error::{RelayError, Result};

const SCHEMA_VERSION: i64 = 8;

/// Later versions of the schema, each applied once in order; version 1 is [`SCHEMA`] below.
const MIGRATIONS: [(i64, &str); 7] = [
    (2, include_str!("../../migrations/sqlite/0002_officers.sql")),
    (
        3,
        include_str!("../../migrations/sqlite/0003_team_records.sql"),
    ),
    (4, include_str!("../../migrations/sqlite/0004_claims.sql")),
    (5, include_str!("../../migrations/sqlite/0005_trail.sql")),
    (6, include_str!("../../migrations/sqlite/0006_verdicts.sql")),
    (
        7,
        include_str!("../../migrations/sqlite/0007_deadlines.sql"),
    ),
    (8, include_str!("../../migrations/sqlite/0008_runs.sql")),
];

const SCHEMA: &str = "
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    webhook_id TEXT NOT NULL,
    webhook TEXT NOT NULL,
    object TEXT NOT NULL,
    object_id TEXT,
    webhook_created_at INTEGER,
    received_at INTEGER NOT NULL,
    payload TEXT NOT NULL
);
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('last_seq', 0);
";

/// One verified webhook, as the writer stores it. Times are microseconds since the epoch.
///
/// The only way to build one is [`Record::verify`]: nothing unverified can reach the store.
#[derive(Clone, Debug)]
pub struct Record {
    pub(crate) webhook_id: String,
    pub(crate) event: String,
    pub(crate) object: String,
    pub(crate) object_id: Option<String>,
    pub(crate) webhook_created_at: Option<i64>,
    /// The payload's JSON text exactly as received; for a team record, its `TeamEvent`.
    pub(crate) payload: String,
    /// The author of a team record, as the hub authenticated them; `None` for a webhook.
    pub(crate) officer: Option<String>,
}

impl Record {
    /// Checks the envelope's signature and, if it holds, makes the record to store.
    pub fn verify(envelope: &Envelope, secret: &WebhookSecret) -> Result<Record, SignatureError> {
        envelope.verify(secret)?;
        Ok(Record {
            webhook_id: envelope.webhook_id.as_str().to_owned(),
            event: envelope.event.clone(),
            object: envelope.object.clone(),
            object_id: envelope.object_id.clone(),
            webhook_created_at: envelope.created_at.map(Timestamp::unix_micros),
            payload: envelope.payload_json().to_owned(),
            officer: None,
        })
    }

    /// The record of a team event written by `author`. `id` is the id the author's desk chose;
    /// the stored id joins it to the author, so that one officer's id can never collide with
    /// (and so silently stand for) another's record, nor with a Treezor webhook's.
    pub fn team(author: &OfficerName, id: &str, event: &TeamEvent) -> Record {
        let digest = Sha256::digest(format!("{author}\0{id}").as_bytes());
        Record {
            webhook_id: format!("team:{}", hex::encode(&digest[..16])),
            event: format!("{}.{}", team::OBJECT, event.kind()),
            object: team::OBJECT.to_owned(),
            object_id: event.user().map(|user| user.to_string()),
            webhook_created_at: None,
            payload: serde_json::to_string(event).expect("a team event encodes"),
            officer: Some(author.as_str().to_owned()),
        }
    }

    pub fn webhook_id(&self) -> &str {
        &self.webhook_id
    }
}

/// The wall clock as a [`Timestamp`].
pub fn now() -> Timestamp {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0);
    Timestamp::from_unix_micros(micros)
}

/// Opens (creating if needed, owner-only) the store for writing, with the durability settings
/// above.
pub fn open_for_writing(path: &Path) -> Result<Connection> {
    let open_error = |source| RelayError::Open {
        path: path.to_owned(),
        source,
    };
    crate::data_file::prepare(path)?;
    let mut conn = Connection::open(path).map_err(open_error)?;
    // Another process may be creating or migrating the file: wait for it (setting the mode below
    // takes the file's lock when the file is new).
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(open_error)?;
    // The mode is a property of the file; it stays WAL once set.
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
        .map_err(open_error)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(RelayError::Config(format!(
            "the event store {} cannot use WAL mode (got {mode}); put it on a local file system",
            path.display()
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous=FULL;
         PRAGMA busy_timeout=5000;
         PRAGMA foreign_keys=OFF;
         PRAGMA cache_size=-16000;
         PRAGMA wal_autocheckpoint=8192;",
    )
    .map_err(open_error)?;
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// Locks the data file for one writing relay, for as long as the returned file stays open. A
/// second relay on the same file would assign the same sequence numbers and miss the first one's
/// ids, so it is refused. (Reading and `prune` need no lock.)
pub fn lock_for_writer(path: &Path) -> Result<std::fs::File> {
    let file = std::fs::File::open(path).map_err(|source| RelayError::Io {
        what: format!("opening {} to lock it", path.display()),
        source,
    })?;
    rustix::fs::flock(&file, rustix::fs::FlockOperation::NonBlockingLockExclusive).map_err(
        |_| {
            RelayError::Config(format!(
                "another relay is already using {}; stop it or give this one another --data file",
                path.display()
            ))
        },
    )?;
    Ok(file)
}

/// Opens the store for reading only. The store must exist (the writer creates it).
pub fn open_for_reading(path: &Path) -> Result<Connection> {
    let open_error = |source| RelayError::Open {
        path: path.to_owned(),
        source,
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(open_error)?;
    conn.execute_batch("PRAGMA busy_timeout=5000; PRAGMA query_only=1;")
        .map_err(open_error)?;
    Ok(conn)
}

/// Brings the store to [`SCHEMA_VERSION`]. The version is read inside the writing transaction
/// that migrates, so of two processes opening a new or older store at once (a relay and
/// `kyc-relay officers add`, or several of those), the second waits for the first and finds the
/// store migrated, instead of creating its tables again.
fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(RelayError::NewerSchema {
            path: path.to_owned(),
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    if version == 0 {
        tx.execute_batch(SCHEMA)?;
        tx.pragma_update(None, "user_version", 1)?;
    }
    for (to, sql) in MIGRATIONS {
        if version < to {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", to)?;
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_store_is_wal_full_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.sqlite3");
        let conn = open_for_writing(&path).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2, "FULL");
        drop(conn);
        let again = open_for_writing(&path).unwrap();
        assert_eq!(read::last_seq(&again).unwrap(), 0);
        let lock = lock_for_writer(&path).unwrap();
        let error = lock_for_writer(&path).unwrap_err().to_string();
        assert!(error.contains("another relay is already using"), "{error}");
        drop(lock);
        lock_for_writer(&path).unwrap();
        let reader = open_for_reading(&path).unwrap();
        assert!(reader.execute("DELETE FROM events", []).is_err());
    }

    #[test]
    fn a_store_from_a_newer_relay_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.sqlite3");
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let error = open_for_writing(&path).unwrap_err();
        assert!(matches!(error, RelayError::NewerSchema { found: 99, .. }));
    }
}
