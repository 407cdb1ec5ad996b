//! The dashboard without its window: one [`Desk`] holds the cache, the Treezor client, the sync
//! loop and the settings, and offers what the window shows and does.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use kyc::{CaseEvent, UserId};
use tokio::sync::{broadcast, watch};

use crate::error::{Error, Result};
use crate::officer::Officer;
use crate::secrets::SecretStore;
use crate::settings::{Paths, Settings};
use crate::start::Running;
use crate::store::Store;
use crate::sync::{Feed, Notice, Parts, SyncHealth, SyncOptions};
use crate::trail::Trail;

/// What changed, for the window to refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// These users' queue rows or cases changed.
    Users(Vec<UserId>),
    /// Counts for a desktop notification (never names, never reasons).
    Notice(Notice),
}

/// Which world the dashboard talks to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The embedded sandbox and relay, with demo data.
    Demo {
        sandbox_url: String,
        relay_url: String,
    },
    /// Treezor and a relay, from the settings.
    Live,
}

pub(crate) struct Inner {
    pub officer: Officer,
    pub mode: Mode,
    /// The system's, or the demo's sandbox's (see `crate::clock`).
    pub clock: crate::clock::Clock,
    pub paths: Paths,
    pub settings: RwLock<Settings>,
    pub secrets: SecretStore,
    pub store: Store,
    /// The audit trail's key and anchor.
    pub trail: Arc<Trail>,
    /// Told after each audit entry, for the outbox toward the hub's trail.
    pub trail_appended: Arc<tokio::sync::Notify>,
    /// Shared with the sync loop, which fetches unknown users.
    pub treezor: Arc<RwLock<Option<treezor::Client>>>,
    pub treezor_problem: RwLock<Option<crate::words::Words>>,
    /// A problem met at start (a settings file refused), shown until valid settings are saved.
    pub startup_problem: RwLock<Option<crate::words::Words>>,
    pub changes: broadcast::Sender<Change>,
    pub health: watch::Receiver<SyncHealth>,
    pub health_tx: watch::Sender<SyncHealth>,
    pub sync_options: SyncOptions,
    /// Opened when the window has its first rows; catch-up waits for it at start.
    pub first_rows: crate::first_rows::FirstRows,
    pub running: Mutex<Running>,
    /// Four eyes: runs recorded at the hub whose action has not completed yet, by case and action.
    pub runs: Mutex<
        std::collections::HashMap<
            (UserId, kyc::four_eyes::GuardedAction),
            crate::four_eyes::UnfinishedRun,
        >,
    >,
    /// Held while the officer's claim on a case changes at the hub (claim, release, reassign) and
    /// while a renewal decides whether to go: a renewal that read "mine" before a release must
    /// not reach the hub after it and take the released case back.
    pub claim_writes: tokio::sync::Mutex<()>,
    /// Downloads that the last stop cut short, found at this start.
    pub interrupted: Mutex<Vec<crate::files::InterruptedDownload>>,
}

/// The dashboard's state and everything it can do. Cheap to clone.
#[derive(Clone)]
pub struct Desk {
    pub(crate) inner: Arc<Inner>,
}

impl Desk {
    pub fn officer(&self) -> Officer {
        match &self.inner.health.borrow().signed_in {
            Some(signed_in) => Officer::named(signed_in.name.clone()),
            None => self.inner.officer.clone(),
        }
    }

    pub fn mode(&self) -> &Mode {
        &self.inner.mode
    }

    /// Now, on the desk's clock: the system's, or in the demo its sandbox's.
    pub fn now(&self) -> kyc::Timestamp {
        self.inner.clock.now()
    }

    pub fn paths(&self) -> &Paths {
        &self.inner.paths
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The settings as they stand.
    pub fn settings(&self) -> Settings {
        read(&self.inner.settings).clone()
    }

    /// The Treezor client, or why there is none.
    pub(crate) fn treezor(&self) -> Result<treezor::Client> {
        read(&self.inner.treezor)
            .clone()
            .ok_or(Error::TreezorNotConfigured)
    }

    /// Where documents are saved.
    pub fn download_dir(&self) -> PathBuf {
        self.settings()
            .download_dir
            .unwrap_or_else(|| self.inner.paths.default_download_dir.clone())
    }

    /// Changes, as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.inner.changes.subscribe()
    }

    /// The sync loop's health, as it changes.
    pub fn health(&self) -> watch::Receiver<SyncHealth> {
        self.inner.health.clone()
    }

    pub(crate) fn notify_changed(&self, users: Vec<UserId>) {
        if !users.is_empty() {
            // No receiver is not an error: the window may not be listening yet.
            let _ = self.inner.changes.send(Change::Users(users));
        }
    }

    /// Records an event that did not come by webhook (a link issued, documents requested…).
    pub(crate) async fn record(&self, user: UserId, event: CaseEvent) -> Result<()> {
        let when = self.now();
        self.store()
            .write(move |cache| cache.record_case_event(user, event, when))
            .await?;
        self.notify_changed(vec![user]);
        Ok(())
    }
}

/// What the sync loop needs from the desk.
pub(crate) fn sync_parts(desk: &Desk, feed: Feed) -> Parts {
    Parts {
        feed,
        clock: desk.inner.clock.clone(),
        store: desk.inner.store.clone(),
        treezor: desk.inner.treezor.clone(),
        changes: desk.inner.changes.clone(),
        health: desk.inner.health_tx.clone(),
        first_rows: desk.inner.first_rows.clone(),
        trail_appended: desk.inner.trail_appended.clone(),
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(|p| p.into_inner())
}

pub(crate) fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(|p| p.into_inner())
}
