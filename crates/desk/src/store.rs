//! The cache, as the dashboard uses it: one writer thread (the sync loop and the officer's
//! actions) and one reader thread (the window's queries), each owning its SQLite connection.
//!
//! The cache holds customers' data, so it is owner-only from its first byte: its folder is created
//! 0700 and its file 0600 before SQLite opens it, and SQLite gives the WAL and SHM files the
//! database file's mode. A cache an earlier version left wider is narrowed when opened.

use std::path::Path;

use cache::{Cache, Reader};

use crate::actor::{Actor, ActorGone};
use crate::error::{Error, Result};
use crate::faults::Fault;
use crate::owner_only;

/// The cache's two connections.
#[derive(Clone)]
pub struct Store {
    writer: Actor<Cache>,
    reader: Actor<Reader>,
}

impl Store {
    /// Opens (creating and migrating) the cache file.
    pub fn open(path: &Path) -> Result<Store> {
        owner_only_cache(path).map_err(|e| {
            Error::Internal(Fault::CacheNotOwnerOnly {
                path: path.display().to_string(),
                detail: e.to_string(),
            })
        })?;
        let cache = Cache::open(path)?;
        let reader = cache.reader()?;
        let spawn_failed = |e: std::io::Error| {
            Error::Internal(Fault::CacheThread {
                detail: e.to_string(),
            })
        };
        Ok(Store {
            writer: Actor::spawn("cache-writer", cache).map_err(spawn_failed)?,
            reader: Actor::spawn("cache-reader", reader).map_err(spawn_failed)?,
        })
    }

    /// Runs `job` with the writer.
    pub async fn write<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Cache) -> cache::Result<R> + Send + 'static,
    ) -> Result<R> {
        self.writer
            .run(job)
            .await
            .map_err(gone)?
            .map_err(Error::from)
    }

    /// Runs `job` with the writer, for work that fails with the desk's own errors too (the audit
    /// trail, whose keychain entries are written on the writer's thread, after its commits).
    pub async fn write_with<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Cache) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        self.writer.run(job).await.map_err(gone)?
    }

    /// Runs `job` with the reader.
    pub async fn read<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Reader) -> cache::Result<R> + Send + 'static,
    ) -> Result<R> {
        self.reader
            .run(job)
            .await
            .map_err(gone)?
            .map_err(Error::from)
    }
}

fn owner_only_cache(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        owner_only::create_dir(dir)?;
    }
    owner_only::create_if_missing(path)?;
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        owner_only::narrow(Path::new(&file), 0o600)?;
    }
    Ok(())
}

fn gone(_: ActorGone) -> Error {
    Error::Internal(Fault::CacheStopped)
}
