//! A running relay: open the store, start the writer, bind, serve; and stop it gracefully.
//!
//! The binary and the dashboard's demo mode both go through [`Relay::start`], so the relay a
//! dashboard embeds in-process is the one that runs as a service.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::app::{AppState, app};
use crate::config::RelayConfig;
use crate::error::{RelayError, Result};
use crate::limits::open_files;
use crate::server::{ServerRules, serve_with};
use crate::store::postgres::PgStore;
use crate::store::retention::CHUNK;
use crate::store::sqlite::SqliteStore;
use crate::store::writer::WriterStats;
use crate::store::{Store, StoreLocation, now};
use crate::tls;
use crate::trail::TrailKey;

/// How often retention runs (it also runs at start).
const RETENTION_PERIOD: Duration = Duration::from_secs(3600);

/// Starts relays; see [`Relay::start`].
pub struct Relay;

impl Relay {
    /// Opens (or creates) the store, starts the writer, binds `config.listen` and serves. Returns
    /// once the relay accepts connections.
    pub async fn start(config: RelayConfig) -> Result<RunningRelay> {
        let tls = config.tls.as_ref().map(tls::acceptor).transpose()?;
        let store = open(&config.store, config.trail_key.clone()).await?;
        let listener = match TcpListener::bind(config.listen).await {
            Ok(listener) => listener,
            Err(source) => {
                let _ = store.close().await;
                return Err(RelayError::Bind {
                    addr: config.listen,
                    source,
                });
            }
        };
        let addr = listener.local_addr().map_err(|source| RelayError::Bind {
            addr: config.listen,
            source,
        })?;
        let open_files = open_files::soft_limit();
        let fitted = open_files::fit(config.limits, open_files);
        if fitted != config.limits {
            tracing::warn!(
                wanted = config.limits.connections,
                max_connections = fitted.connections,
                waiting_readers = fitted.waiting_readers,
                open_files,
                "the open-file limit lowers the connection cap; raise the hard limit (systemd: LimitNOFILE=) to allow more"
            );
        }
        let mut config = config;
        config.limits = fitted;
        let closing = CancellationToken::new();
        let state = AppState::new(&config, store.clone(), closing.clone());
        let waiting = state.waiting_readers();
        let server = tokio::spawn(serve_with(
            listener,
            app(state.clone()),
            ServerRules {
                tls: tls.clone(),
                timeouts: config.timeouts,
                max_connections: config.limits.connections,
            },
            closing.clone(),
        ));
        let (passes, retention_passes) = watch::channel(0);
        let retention = config
            .retention_days
            .map(|days| tokio::spawn(retain(store.clone(), days, passes, closing.clone())));
        let scheme = if tls.is_some() { "https" } else { "http" };
        tracing::info!(
            %addr,
            scheme,
            store = %config.store,
            last_seq = *store.committed().borrow(),
            retention_days = config.retention_days,
            body_limit = config.body_limit,
            max_connections = config.limits.connections,
            body_memory = config.limits.body_memory,
            waiting_readers = config.limits.waiting_readers,
            waiting_per_token = config.limits.waiting_per_token,
            "relay listening"
        );
        Ok(RunningRelay {
            addr,
            state,
            waiting,
            scheme,
            closing,
            store,
            server: Some(server),
            retention,
            retention_passes,
        })
    }
}

/// Opens the store at `location`: a SQLite file (blocking work, off the runtime: opening reads
/// every stored id, see `store::seen`) or a PostgreSQL database.
pub async fn open(location: &StoreLocation, trail_key: TrailKey) -> Result<Arc<dyn Store>> {
    match location {
        StoreLocation::Sqlite(path) => {
            let path = path.clone();
            let store = tokio::task::spawn_blocking(move || SqliteStore::open(&path, trail_key))
                .await
                .map_err(|e| RelayError::Config(format!("opening the store panicked: {e}")))??;
            Ok(Arc::new(store))
        }
        StoreLocation::Postgres(url) => Ok(Arc::new(PgStore::connect(url, trail_key).await?)),
    }
}

/// A relay that serves until [`RunningRelay::shutdown`] (or until it is dropped, which stops it
/// without waiting).
pub struct RunningRelay {
    addr: SocketAddr,
    state: AppState,
    waiting: watch::Receiver<usize>,
    scheme: &'static str,
    closing: CancellationToken,
    store: Arc<dyn Store>,
    server: Option<JoinHandle<()>>,
    retention: Option<JoinHandle<()>>,
    retention_passes: watch::Receiver<u64>,
}

impl RunningRelay {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT` (or `https://…`); a wildcard listen address is given as loopback.
    pub fn url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(Ipv4Addr::LOCALHOST.into());
        }
        format!("{}://{addr}", self.scheme)
    }

    /// Where Treezor (or the sandbox) posts webhooks.
    pub fn webhook_url(&self) -> String {
        format!("{}/webhooks/treezor", self.url())
    }

    /// The feed's URL, without parameters.
    pub fn events_url(&self) -> String {
        format!("{}/v1/events", self.url())
    }

    /// The highest committed sequence number, updated right after each commit.
    pub fn committed(&self) -> watch::Receiver<u64> {
        self.store.committed()
    }

    /// The running relay's state, to mount [`app`] elsewhere (another listener, or
    /// `tower::ServiceExt::oneshot` in a test) over the same store and writer.
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// How well the writer groups commits so far.
    pub fn writer_stats(&self) -> WriterStats {
        self.store.stats()
    }

    /// The store this relay serves from.
    pub fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    /// How many retention passes have finished (the first one runs at start); stays 0 without
    /// retention.
    pub fn retention_passes(&self) -> watch::Receiver<u64> {
        self.retention_passes.clone()
    }

    /// How many long polls are waiting for a commit right now.
    pub fn waiting_readers(&self) -> watch::Receiver<usize> {
        self.waiting.clone()
    }

    /// Stops accepting, lets requests in flight finish (long polls answer at once), commits what
    /// the writer holds and waits for its thread.
    pub async fn shutdown(mut self) {
        self.closing.cancel();
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        if let Some(retention) = self.retention.take() {
            let _ = retention.await;
        }
        let _ = self.store.close().await;
        tracing::info!(addr = %self.addr, "relay stopped");
    }
}

impl Drop for RunningRelay {
    fn drop(&mut self) {
        self.closing.cancel();
        // Without waiting: whatever the store holds is committed by its writer, which ends when
        // the last handle to it goes.
        drop(self.store.close());
    }
}

/// Deletes events older than `days`, at start and then every [`RETENTION_PERIOD`]. Chunks go
/// through the writer one at a time, so ingest interleaves with a long prune.
async fn retain(
    store: Arc<dyn Store>,
    days: u32,
    passes: watch::Sender<u64>,
    closing: CancellationToken,
) {
    let mut period = tokio::time::interval(RETENTION_PERIOD);
    loop {
        tokio::select! {
            _ = closing.cancelled() => return,
            _ = period.tick() => {}
        }
        let before = now().plus_seconds(-i64::from(days) * 86_400);
        let mut deleted = 0;
        loop {
            match store.prune_chunk(before).await {
                Ok(pruned) => {
                    deleted += pruned.deleted;
                    if pruned.deleted < CHUNK || closing.is_cancelled() {
                        break;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "retention could not delete old events; it will try again");
                    break;
                }
            }
        }
        if deleted > 0 {
            tracing::info!(deleted, days, "retention deleted old events");
        }
        passes.send_modify(|n| *n += 1);
    }
}
