//! The SQLite store behind the [`Store`] trait: the group-commit [`Writer`] thread for appends,
//! pooled read connections for pages, and the officers table in the same file.
//!
//! One relay per file (the writer locks it); operator commands open the file beside it. Blocking
//! SQLite calls run on the runtime's blocking pool, never on its workers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kyc::Timestamp;
use kyc::deadline::DeadlinePolicy;
use kyc::feed::FeedEvent;
use kyc::officer::{OfficerName, Role};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use tokio::sync::watch;

use super::claims::{ClaimAsk, Claimed};
use super::contract::{Officers, Pending, Store};
use super::deadlines;
use super::four_eyes::{Answered, RunAsk, VerdictAsk};
use super::read::{self, Readers};
use super::retention::Pruned;
use super::writer::{Outcome, Writer, WriterStats, WriterThread};
use super::{Record, lock_for_writer, now, open_for_writing};
use crate::error::{RelayError, Result};
use crate::officers::{Officer, TokenHash};
use crate::trail::{self, TrailFilter, TrailKey, TrailRecord};
use kyc::four_eyes::RunRefusal;
use kyc::trail::TrailEntry;

pub struct SqliteStore {
    writer: Writer,
    thread: Mutex<Option<WriterThread>>,
    readers: Arc<Readers>,
    officers: SqliteOfficers,
}

impl SqliteStore {
    /// Opens (or creates) the file, locks it for this relay and starts the writer, which seals
    /// trail entries with `trail_key`. Blocking: it reads every stored id (see [`super::seen`]).
    pub fn open(path: &Path, trail_key: TrailKey) -> Result<SqliteStore> {
        let conn = open_for_writing(path)?;
        let (writer, thread) = Writer::spawn(conn, lock_for_writer(path)?, trail_key)?;
        let readers = Arc::new(Readers::new(path.to_owned()));
        Ok(SqliteStore {
            writer,
            thread: Mutex::new(Some(thread)),
            officers: SqliteOfficers {
                path: path.to_owned(),
                readers: readers.clone(),
            },
            readers,
        })
    }
}

impl Store for SqliteStore {
    fn append(&self, record: Record) -> Pending<'_, Outcome> {
        Box::pin(self.writer.store(record))
    }

    fn claim(&self, ask: ClaimAsk) -> Pending<'_, Claimed> {
        Box::pin(self.writer.claim(ask))
    }

    fn verdict(&self, ask: VerdictAsk) -> Pending<'_, Answered> {
        Box::pin(self.writer.verdict(ask))
    }

    fn approval_run(&self, ask: RunAsk) -> Pending<'_, Answered<RunRefusal>> {
        Box::pin(self.writer.approval_run(ask))
    }

    fn page(&self, after: u64, limit: usize) -> Pending<'_, Vec<FeedEvent>> {
        // The writer's notification is exact for a file only this relay writes: nothing newer
        // than it can be read, so a reader up to date costs no query.
        let nothing_new = *self.writer.committed().borrow() <= after;
        let readers = self.readers.clone();
        Box::pin(async move {
            if nothing_new {
                return Ok(Vec::new());
            }
            blocking(move || readers.with(|conn| read::page(conn, after, limit))).await
        })
    }

    fn committed(&self) -> watch::Receiver<u64> {
        self.writer.committed()
    }

    fn prune_chunk(&self, before: Timestamp) -> Pending<'_, Pruned> {
        Box::pin(self.writer.prune_chunk(before))
    }

    fn officers(&self) -> &dyn Officers {
        &self.officers
    }

    fn trail_append(&self, record: TrailRecord) -> Pending<'_, Outcome> {
        Box::pin(self.writer.trail(record))
    }

    fn trail_page(
        &self,
        after: u64,
        limit: usize,
        filter: TrailFilter,
    ) -> Pending<'_, Vec<TrailEntry>> {
        let readers = self.readers.clone();
        Box::pin(blocking(move || {
            readers.with(|conn| trail::sqlite::page(conn, after, limit, &filter))
        }))
    }

    fn deadlines(&self) -> Pending<'_, Option<DeadlinePolicy>> {
        self.officers.read(deadlines::sqlite_read)
    }

    fn set_deadlines(&self, policy: DeadlinePolicy, by: OfficerName) -> Pending<'_, ()> {
        self.officers
            .change(move |conn| deadlines::sqlite_write(conn, &policy, &by))
    }

    fn stats(&self) -> WriterStats {
        self.writer.stats()
    }

    fn is_running(&self) -> bool {
        self.writer.committed().has_changed().is_ok()
    }

    fn close(&self) -> Pending<'_, ()> {
        self.writer.stop();
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        Box::pin(async move {
            if let Some(thread) = thread {
                let _ = tokio::task::spawn_blocking(move || thread.join()).await;
            }
            Ok(())
        })
    }
}

/// Runs blocking SQLite work off the runtime's workers.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| RelayError::Config(format!("a store task failed: {e}")))?
}

/// The officers table of a SQLite store. Works with the relay running or not: reads go through
/// pooled read connections, changes through a connection of their own (SQLite serialises them
/// with the writer's transactions).
pub struct SqliteOfficers {
    path: PathBuf,
    readers: Arc<Readers>,
}

const OFFICER_COLUMNS: &str = "id, name, role, created_at, revoked_at";

impl SqliteOfficers {
    /// The officers of the store at `path`, creating the store if needed (an administrator may
    /// set up the team before the relay's first start).
    pub fn open(path: &Path) -> Result<SqliteOfficers> {
        drop(open_for_writing(path)?);
        Ok(SqliteOfficers {
            path: path.to_owned(),
            readers: Arc::new(Readers::new(path.to_owned())),
        })
    }

    /// Runs `work` on a connection of its own. Its transactions are taken `IMMEDIATE`: a deferred
    /// one that reads and then writes fails at once ("database is locked") when another process
    /// wrote in between, where an immediate one waits for it.
    fn change<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Pending<'_, T> {
        let path = self.path.clone();
        Box::pin(blocking(move || work(&mut open_for_writing(&path)?)))
    }

    fn read<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Pending<'_, T> {
        let readers = self.readers.clone();
        Box::pin(blocking(move || readers.with(work)))
    }
}

fn officer_of(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Officer, String>> {
    Ok(Officer::from_columns(
        row.get(0)?,
        &row.get::<_, String>(1)?,
        &row.get::<_, String>(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

fn corrupt(detail: String) -> RelayError {
    RelayError::Officers(format!("the officers table holds a bad row: {detail}"))
}

impl Officers for SqliteOfficers {
    fn add(&self, name: OfficerName, role: Role, hash: TokenHash) -> Pending<'_, Officer> {
        self.change(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let active: Option<i64> = tx
                .query_row(
                    "SELECT id FROM officers WHERE name = ?1 AND revoked_at IS NULL",
                    [name.as_str()],
                    |r| r.get(0),
                )
                .optional()?;
            if active.is_some() {
                return Err(already_active(&name));
            }
            tx.execute(
                "INSERT INTO officers (name, role, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![
                    name.as_str(),
                    role.as_str(),
                    hash.as_bytes().as_slice(),
                    now().unix_micros()
                ],
            )?;
            let officer = tx
                .query_row(
                    &format!(
                        "SELECT {OFFICER_COLUMNS} FROM officers WHERE id = last_insert_rowid()"
                    ),
                    [],
                    officer_of,
                )?
                .map_err(corrupt)?;
            tx.commit()?;
            Ok(officer)
        })
    }

    fn list(&self) -> Pending<'_, Vec<Officer>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {OFFICER_COLUMNS} FROM officers ORDER BY id"
            ))?;
            let rows = stmt.query_map([], officer_of)?;
            let mut officers = Vec::new();
            for row in rows {
                officers.push(row?.map_err(corrupt)?);
            }
            Ok(officers)
        })
    }

    fn revoke(&self, name: OfficerName) -> Pending<'_, Officer> {
        self.change(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let id: Option<i64> = tx
                .query_row(
                    "UPDATE officers SET revoked_at = ?2 WHERE name = ?1 AND revoked_at IS NULL RETURNING id",
                    params![name.as_str(), now().unix_micros()],
                    |r| r.get(0),
                )
                .optional()?;
            let id = id.ok_or_else(|| no_active(&name))?;
            let officer = tx
                .query_row(
                    &format!("SELECT {OFFICER_COLUMNS} FROM officers WHERE id = ?1"),
                    [id],
                    officer_of,
                )?
                .map_err(corrupt)?;
            tx.commit()?;
            Ok(officer)
        })
    }

    fn by_token(&self, hash: TokenHash) -> Pending<'_, Option<Officer>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {OFFICER_COLUMNS} FROM officers WHERE token_hash = ?1"
            ))?;
            stmt.query_row([hash.as_bytes().as_slice()], officer_of)
                .optional()?
                .transpose()
                .map_err(corrupt)
        })
    }
}

pub(crate) fn already_active(name: &OfficerName) -> RelayError {
    RelayError::Officers(format!(
        "an officer named {name} already has an active credential; revoke it first (`kyc-relay officers revoke {name}`) to issue a new one"
    ))
}

pub(crate) fn no_active(name: &OfficerName) -> RelayError {
    RelayError::Officers(format!(
        "no officer named {name} has an active credential; `kyc-relay officers list` shows who has one"
    ))
}
