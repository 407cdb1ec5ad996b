//! The cache, as the dashboard uses it: one writer thread (the sync loop and the officer's
//! actions), one reader thread (the window's queries) and one scanner thread (queries that may
//! scan the users: counts under a search or a date, the listing of waiting cases), each owning its
//! SQLite connection. The scanner keeps a count that takes hundreds of milliseconds on a large
//! cache from holding back the pages of the queue behind it (End, scrolling).
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

/// The cache's three connections.
#[derive(Clone)]
pub struct Store {
    writer: Actor<Cache>,
    reader: Actor<Reader>,
    scanner: Actor<Reader>,
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
        let scanner = cache.scanner()?;
        let spawn_failed = |e: std::io::Error| {
            Error::Internal(Fault::CacheThread {
                detail: e.to_string(),
            })
        };
        Ok(Store {
            writer: Actor::spawn("cache-writer", cache).map_err(spawn_failed)?,
            reader: Actor::spawn("cache-reader", reader).map_err(spawn_failed)?,
            scanner: Actor::spawn("cache-scanner", scanner).map_err(spawn_failed)?,
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
        Self::run(&self.reader, job).await
    }

    /// Runs `job`, a query that may scan, with the scanner.
    pub async fn scan<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Reader) -> cache::Result<R> + Send + 'static,
    ) -> Result<R> {
        Self::run(&self.scanner, job).await
    }

    async fn run<R: Send + 'static>(
        actor: &Actor<Reader>,
        job: impl FnOnce(&mut Reader) -> cache::Result<R> + Send + 'static,
    ) -> Result<R> {
        actor.run(job).await.map_err(gone)?.map_err(Error::from)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_page_of_the_queue_is_answered_while_a_scan_is_under_way() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("cache.sqlite")).unwrap();
        // A scan that runs until told to stop: the scanner is busy meanwhile.
        let (started_tx, started) = tokio::sync::oneshot::channel();
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let scan = tokio::spawn({
            let store = store.clone();
            async move {
                store
                    .scan(move |reader| {
                        let _ = started_tx.send(());
                        let _ = stopped.recv();
                        reader.counts(&cache::QueueFilter::default(), crate::clock::system_now())
                    })
                    .await
            }
        });
        started.await.unwrap();

        // Bounded so that a page queued behind the scan fails the test instead of hanging it.
        let page = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            store.read(|reader| {
                reader.queue(&cache::QueueQuery::default(), crate::clock::system_now())
            }),
        )
        .await;

        stop.send(()).unwrap();
        assert!(page.expect("the page is answered during the scan").is_ok());
        assert!(scan.await.unwrap().is_ok());
    }
}
