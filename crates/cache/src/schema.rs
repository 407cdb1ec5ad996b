//! Opening the cache file: versioned migrations, WAL, foreign keys, a busy timeout.
//!
//! The schema is `schema.sql` (version 1), `schema_2.sql` (retention's record of pruned users),
//! `schema_3.sql` (payload digests and timeline times, with [`crate::redate`] bringing the webhooks
//! stored before into line), `schema_4.sql` (the keyed audit chain and its guards) and
//! `schema_5.sql` (no table change; its hook, `rederive`, derives the users' rows again under the
//! guide's rules on AML flags, links, documents and legal names) and `schema_6.sql` (the team's
//! records from the hub, [`crate::team`]) and `schema_7.sql` (the outbox toward the hub's team
//! trail, [`crate::hub_trail`]) and `schema_8.sql` (who holds each case, replayed from the claim
//! records already kept, [`crate::claims`]) and `schema_9.sql` (deadlines: when each case
//! entered its state and when it is due, [`crate::deadline`]) and `schema_10.sql` (the hub trail's
//! witness: what this desk saw of each hub's team trail, [`crate::hub_trail`]); a later change is a new
//! migration appended to [`migrations`], never an edit of an applied one. A file whose
//! `user_version` is beyond what this build knows was written by a newer KYC Desk and is refused,
//! unchanged.
//!
//! `synchronous = NORMAL` under WAL: a power cut can lose the last committed batches but never
//! corrupts the file; since the feed cursor is committed with its batch, lost batches are simply
//! fetched again from the relay. The audit log's entries are written by officer actions that the
//! desk confirms only after the commit returns.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{HookError, M, Migrations};

use crate::error::{Doing, Error, Result};

/// The schema version this build writes. Files of a higher version are refused.
pub const SCHEMA_VERSION: usize = 10;

/// Every migration, oldest first: version `n` is the `n`th.
pub(crate) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("schema.sql")),
        M::up(include_str!("schema_2.sql")),
        M::up_with_hook(
            include_str!("schema_3.sql"),
            |tx: &rusqlite::Transaction| {
                crate::redate::redate_histories(tx).map_err(|e| HookError::Hook(e.to_string()))
            },
        ),
        M::up(include_str!("schema_4.sql")),
        M::up_with_hook(include_str!("schema_5.sql"), crate::rederive::rederive),
        M::up(include_str!("schema_6.sql")),
        M::up(include_str!("schema_7.sql")),
        M::up_with_hook(include_str!("schema_8.sql"), crate::claims::replay),
        M::up_with_hook(include_str!("schema_9.sql"), crate::deadline::migrate),
        M::up(include_str!("schema_10.sql")),
    ])
}

/// How long a connection waits for another one's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens (creating it and its folder if needed) and migrates the cache file for writing.
pub(crate) fn open_writer(path: &Path) -> Result<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| Error::CreateFolder {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let mut conn = Connection::open(path).map_err(|source| Error::Open {
        path: path.to_path_buf(),
        source,
    })?;
    configure(&conn, path, WRITER_CACHE_KIB)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|source| open_error(path, source))?;
    migrate(&mut conn, path)?;
    Ok(conn)
}

/// Opens an existing, migrated cache file for queries only, with a page cache of `cache_kib`.
pub(crate) fn open_reader(path: &Path, cache_kib: i64) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|source| Error::Open {
        path: path.to_path_buf(),
        source,
    })?;
    configure(&conn, path, cache_kib)?;
    let version = user_version(&conn, path)?;
    if version > SCHEMA_VERSION as i64 {
        return Err(Error::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            known: SCHEMA_VERSION,
        });
    }
    if version < SCHEMA_VERSION as i64 {
        return Err(Error::NotMigrated {
            path: path.to_path_buf(),
            found: version,
            target: SCHEMA_VERSION,
        });
    }
    conn.pragma_update(None, "query_only", true)
        .map_err(|source| open_error(path, source))?;
    Ok(conn)
}

/// The writer's page cache: a catch-up transaction dirties a few hundred MiB of pages, and a page
/// that does not fit is spilled to the WAL and written again when dirtied again, which halved the
/// catch-up rate (B5). The writer gives the memory back after each large batch (see `apply`).
const WRITER_CACHE_KIB: i64 = 256 * 1024;
/// The reader's page cache. Paging through the whole queue touches every page of the users table
/// and its sort index, so the cache fills to this bound whatever it is, and it is resident memory
/// of the app (B8); pages beyond it come from the OS's file cache, which costs a copy, not a disk
/// read, and B6 meets its target with 16 MiB (the earlier 64 MiB were all kept after paging).
pub(crate) const READER_CACHE_KIB: i64 = 16 * 1024;
/// The page cache of the reader for scans (counts under a search or a date, the listing of waiting
/// cases): a scan reads each page once, so a cache would only hold resident memory.
pub(crate) const SCANNER_CACHE_KIB: i64 = 2 * 1024;

fn configure(conn: &Connection, path: &Path, cache_kib: i64) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|source| open_error(path, source))?;
    let cache_size = (-cache_kib).to_string();
    for (pragma, value) in [
        ("foreign_keys", "ON"),
        ("synchronous", "NORMAL"),
        ("temp_store", "MEMORY"),
        // No memory map: mapped pages count in the app's resident memory (B8 scrolls the whole
        // 1M-user queue), and B6 meets its target without them.
        ("cache_size", cache_size.as_str()),
        ("mmap_size", "0"),
        // Checkpoint the WAL every ~40 MiB rather than every 4 MiB: a catch-up batch dirties a few
        // thousand pages, and a checkpoint (two fsyncs, every page written again) per batch
        // halved the catch-up rate (B5). Readers find pages in a larger WAL just as fast.
        ("wal_autocheckpoint", "10000"),
        // `REPLACE` deletes the row it replaces; only with this on does that deletion fire the
        // audit log's delete guards (schema 4 also refuses such an insert outright).
        ("recursive_triggers", "ON"),
    ] {
        conn.pragma_update(None, pragma, value)
            .map_err(|source| open_error(path, source))?;
    }
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found = user_version(conn, path)?;
    if found > SCHEMA_VERSION as i64 {
        return Err(Error::NewerSchema {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    migrations().to_latest(conn).map_err(|e| Error::Migration {
        path: path.to_path_buf(),
        target: SCHEMA_VERSION,
        detail: e.to_string(),
    })
}

fn user_version(conn: &Connection, path: &Path) -> Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|source| open_error(path, source))
}

fn open_error(path: &Path, source: rusqlite::Error) -> Error {
    Error::Open {
        path: path.to_path_buf(),
        source,
    }
}

/// Runs `ANALYZE` work that SQLite judges useful; cheap when nothing changed much.
pub(crate) fn optimize(conn: &Connection) -> Result<()> {
    conn.execute_batch("PRAGMA optimize;")
        .doing("refreshing query statistics")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_the_caches_own_connection_replace_fires_the_audit_logs_delete_guard() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_writer(&dir.path().join("cache.sqlite")).unwrap();
        conn.execute_batch(
            "INSERT INTO audit_log (at, officer, action, outcome, detail, prev_hash, hash, chain)
                 VALUES (0, 'o', 'a', 'succeeded', 'd', x'00', x'01', 2);
             DROP TRIGGER audit_log_no_replace;",
        )
        .unwrap();
        let replaced = conn.execute(
            "INSERT OR REPLACE INTO audit_log (seq, at, officer, action, outcome, detail,
                 prev_hash, hash, chain)
             VALUES (1, 0, 'o', 'a', 'succeeded', 'nothing happened', x'00', x'01', 2)",
            [],
        );
        let error = replaced.unwrap_err().to_string();
        assert!(error.contains("cannot be removed"), "{error}");
    }

    #[test]
    fn the_migrations_are_valid() {
        let migrations = migrations();
        migrations.validate().unwrap();
        assert_eq!(
            migrations
                .pending_migrations(&Connection::open_in_memory().unwrap())
                .unwrap(),
            SCHEMA_VERSION as i32
        );
    }
}
