//! The PostgreSQL store: several relay instances on one database, for a team.
//!
//! Each instance accepts webhooks and serves the feed. What must stay true is the same as for
//! SQLite (see [`super::contract`]); what is harder here is the order readers see.
//!
//! # A feed without holes, with instances committing concurrently
//!
//! The classic failure: numbers come from a sequence (`nextval`) when a row is inserted, and
//! transactions commit in another order than they took their numbers. A reader then sees 8
//! committed while 7 is still in flight, moves its cursor to 8, and never sees 7. Serving only up
//! to the oldest transaction still in flight (`pg_snapshot_xmin(pg_current_snapshot())` as a
//! high-water mark, as the transactional outbox of postgresql-event-sourcing does) closes that
//! hole only if the number and the transaction id are tied: a transaction that took its number
//! before it was given a transaction id (a `nextval` in a statement before its first write) is
//! invisible to that mark, and its event has still been skipped.
//!
//! This store takes the other road and never lets a number exist before every lower number is
//! visible. Appends go through the SQL function `append_events` (migration 0001), which:
//! 1. takes a transaction-scoped advisory lock (`pg_advisory_xact_lock`, the log's append lock),
//!    held until its transaction ends;
//! 2. only then reads the head (`log_head.last_seq`) in a fresh snapshot, and numbers the group's
//!    new rows from there;
//! 3. inserts them, moves the head and queues a `NOTIFY`, and the caller commits.
//!
//! Proof that a reader can never see N and later find M < N: M and N were numbered by appends
//! A and B holding the lock in turn, A first (B reads the head only after A released the lock, and
//! A's head already counted M). PostgreSQL makes a committing transaction visible to new snapshots
//! (`ProcArrayEndTransaction`) before it releases its locks, so A was visible before B was granted
//! the lock, and so before B committed. A snapshot that sees B's commit was taken after B
//! committed, and therefore sees A's. Nothing is taken before the lock: no `nextval`, no number
//! and no read of the head, so the failure of the xmin approach above cannot happen here.
//!
//! The test that holds this to account, `tests/hub.rs`
//! (`two_instances_hammered_at_once_serve_every_reader_a_feed_without_holes`), has readers check
//! every page while two instances take writes. Tried against the classic hole (numbers from a
//! plain sequence, no lock) it failed on every run; against the xmin approach's failure (a
//! `nextval` taken just before the lock) it failed on one run of two, the window being the few
//! microseconds between the two statements.
//!
//! The cost: appends from all instances are serialised, commit included. Group commit keeps that
//! cheap: one lock, one statement and one WAL flush for every webhook waiting at that moment on
//! an instance. On one machine a second instance buys availability, not speed.
//!
//! # Waking long polls
//!
//! `append_events` sends `NOTIFY kyc_relay_log, '<last seq>'`, which PostgreSQL delivers to every
//! listening session at commit, in commit order. Each instance keeps one connection that listens
//! ([`listen`]), reconnects when it drops, and then reads the head in case it missed a
//! notification meanwhile; together with its own commits that moves the instance's `committed`
//! watch, on which waiting readers sleep.
//!
//! # Duplicates
//!
//! `events.webhook_id` is UNIQUE: the database refuses a second copy whichever instance received
//! it. Under the append lock, `append_events` also skips ids already stored, so that a redelivery
//! in a group does not fail the group's other webhooks.
//!
//! # Outages
//!
//! When PostgreSQL cannot be reached, appends fail fast (connections time out after
//! [`CONNECT_TIMEOUT`]) and the webhook is answered 503 with `Retry-After`: nothing uncommitted is
//! ever answered 200. A commit whose outcome is unknown (the connection died during `COMMIT`) is
//! answered 503 too; the redelivery is then either stored or recognised as a duplicate. The pool
//! opens fresh connections once the server is back; nothing needs restarting.

mod claims;
mod decided;
mod listen;
pub mod migrate;
mod officers;
mod verdicts;
mod writer;

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use kyc::Timestamp;
use kyc::deadline::DeadlinePolicy;
use kyc::feed::FeedEvent;
use kyc::officer::OfficerName;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio_postgres::NoTls;
use tokio_util::sync::CancellationToken;

pub use officers::PgOfficers;

use super::Record;
use super::claims::{ClaimAsk, Claimed};
use super::contract::{Officers, Pending, Store};
use super::deadlines;
use super::four_eyes::{Answered, RunAsk, VerdictAsk};
use super::read::Columns;
use super::retention::{CHUNK, Pruned};
use super::writer::{Counters, Outcome, QUEUE_CAPACITY, WriterStats};
use crate::error::{RelayError, Result};
use crate::trail::{self, TrailFilter, TrailKey, TrailRecord};
use kyc::four_eyes::RunRefusal;
use kyc::trail::TrailEntry;

/// How long opening a connection, or waiting for one from the pool, may take before the request
/// that needs it is answered 503.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Connections per instance for reads and officer lookups (the writer and the listener add one
/// each). PostgreSQL's `max_connections` must cover every instance's.
pub const POOL_SIZE: usize = 16;

/// The log's append lock (`pg_advisory_xact_lock`), taken by `append_events` and by the trail.
pub const APPEND_LOCK: i64 = 4846191140421633;

/// The channel `append_events` notifies on.
pub const CHANNEL: &str = "kyc_relay_log";

pub struct PgStore {
    pool: Pool,
    commands: mpsc::Sender<writer::Command>,
    /// Where a claim, appended beside the writer task, says what it committed.
    publish: Arc<watch::Sender<u64>>,
    committed: watch::Receiver<u64>,
    stats: Arc<Counters>,
    stopping: CancellationToken,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    officers: PgOfficers,
    trail_key: TrailKey,
}

/// A pool of connections to `url`, with the timeouts above.
pub fn pool(url: &str) -> Result<Pool> {
    let mut config =
        tokio_postgres::Config::from_str(url).map_err(|source| RelayError::Postgres {
            doing: "reading the store's URL",
            source,
        })?;
    config.connect_timeout(CONNECT_TIMEOUT);
    config.application_name("kyc-relay");
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(CONNECT_TIMEOUT))
        .create_timeout(Some(CONNECT_TIMEOUT))
        .recycle_timeout(Some(CONNECT_TIMEOUT))
        .build()
        .map_err(|e| RelayError::Config(format!("the PostgreSQL connection pool: {e}")))
}

/// A connection from the pool, or the error that says the store cannot be reached.
pub(crate) async fn connection(pool: &Pool) -> Result<deadpool_postgres::Object> {
    pool.get()
        .await
        .map_err(|e| RelayError::Unreachable(e.to_string()))
}

pub(crate) fn failed(doing: &'static str) -> impl FnOnce(tokio_postgres::Error) -> RelayError {
    move |source| RelayError::Postgres { doing, source }
}

impl PgStore {
    /// Connects, brings the schema up to date, and starts the writer and the listener. `trail_key`
    /// seals the trail's entries: every instance on one database needs the same.
    pub async fn connect(url: &str, trail_key: TrailKey) -> Result<PgStore> {
        let pool = pool(url)?;
        migrate::run(&pool, url).await?;
        let head = head(&pool).await?;
        let (publish, committed) = watch::channel(head);
        let publish = Arc::new(publish);
        let stats = Arc::new(Counters::default());
        let stopping = CancellationToken::new();
        let (commands, inbox) = mpsc::channel(QUEUE_CAPACITY);
        let writer = tokio::spawn(writer::run(
            pool.clone(),
            inbox,
            publish.clone(),
            stats.clone(),
            trail_key.clone(),
        ));
        let config = tokio_postgres::Config::from_str(url).map_err(failed("reading the URL"))?;
        let listener = tokio::spawn(listen::run(config, publish.clone(), stopping.clone()));
        Ok(PgStore {
            officers: PgOfficers::new(pool.clone()),
            pool,
            commands,
            publish,
            committed,
            stats,
            stopping,
            tasks: Mutex::new(vec![writer, listener]),
            trail_key,
        })
    }
}

/// The highest number ever given.
pub(crate) async fn head(pool: &Pool) -> Result<u64> {
    let client = connection(pool).await?;
    let row = client
        .query_one("SELECT last_seq FROM log_head", &[])
        .await
        .map_err(failed("reading the log's head"))?;
    Ok(row.get::<_, i64>(0) as u64)
}

/// Moves a `committed` watch forward to `seq` (never back: notifications and own commits race).
pub(crate) fn advance(publish: &watch::Sender<u64>, seq: u64) {
    publish.send_if_modified(|known| {
        let newer = seq > *known;
        if newer {
            *known = seq;
        }
        newer
    });
}

const PAGE: &str = "SELECT seq, webhook_id, webhook, object, object_id, webhook_created_at, \
     received_at, payload, officer FROM events WHERE seq > $1 ORDER BY seq LIMIT $2";

impl Store for PgStore {
    fn append(&self, record: Record) -> Pending<'_, Outcome> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            self.commands
                .try_send(writer::Command::Append { record, reply })
                .map_err(|e| match e {
                    mpsc::error::TrySendError::Full(_) => RelayError::Busy(QUEUE_CAPACITY),
                    mpsc::error::TrySendError::Closed(_) => RelayError::WriterStopped,
                })?;
            answer.await.map_err(|_| RelayError::WriterStopped)?
        })
    }

    fn claim(&self, ask: ClaimAsk) -> Pending<'_, Claimed> {
        Box::pin(
            async move { claims::claim(&self.pool, &self.publish, &self.trail_key, &ask).await },
        )
    }

    fn verdict(&self, ask: VerdictAsk) -> Pending<'_, Answered> {
        Box::pin(async move {
            verdicts::verdict(&self.pool, &self.publish, &self.trail_key, &ask).await
        })
    }

    fn approval_run(&self, ask: RunAsk) -> Pending<'_, Answered<RunRefusal>> {
        Box::pin(async move {
            verdicts::approval_run(&self.pool, &self.publish, &self.trail_key, &ask).await
        })
    }

    fn page(&self, after: u64, limit: usize) -> Pending<'_, Vec<FeedEvent>> {
        // Always asked of the database: another instance's commit may be there before its
        // notification reaches this one, and a reader that does not wait must still get it.
        Box::pin(async move {
            let client = connection(&self.pool).await?;
            let statement = client
                .prepare_cached(PAGE)
                .await
                .map_err(failed("preparing the feed's query"))?;
            let after = i64::try_from(after).unwrap_or(i64::MAX);
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = client
                .query(&statement, &[&after, &limit])
                .await
                .map_err(failed("reading a page of the feed"))?;
            rows.iter()
                .map(|row| {
                    Columns {
                        seq: row.get(0),
                        webhook_id: row.get(1),
                        webhook: row.get(2),
                        object: row.get(3),
                        object_id: row.get(4),
                        webhook_created_at: row.get(5),
                        received_at: row.get(6),
                        payload: row.get(7),
                        officer: row.get(8),
                    }
                    .into_event()
                })
                .collect()
        })
    }

    fn committed(&self) -> watch::Receiver<u64> {
        self.committed.clone()
    }

    fn prune_chunk(&self, before: Timestamp) -> Pending<'_, Pruned> {
        // `received_at` never decreases along `seq` (append_events clamps it under the lock), so
        // the rows to delete are a prefix; the head keeps the highest number for good.
        Box::pin(async move {
            let client = connection(&self.pool).await?;
            let row = client
                .query_one(
                    "WITH doomed AS (DELETE FROM events WHERE seq IN \
                       (SELECT seq FROM events ORDER BY seq LIMIT $2) AND received_at < $1 \
                       RETURNING seq) \
                     SELECT count(*), coalesce(max(seq), 0) FROM doomed",
                    &[&before.unix_micros(), &(CHUNK as i64)],
                )
                .await
                .map_err(failed("deleting old events"))?;
            Ok(Pruned {
                deleted: row.get::<_, i64>(0) as usize,
                up_to: row.get::<_, i64>(1) as u64,
            })
        })
    }

    fn officers(&self) -> &dyn Officers {
        &self.officers
    }

    fn trail_append(&self, record: TrailRecord) -> Pending<'_, Outcome> {
        Box::pin(trail::postgres::append(&self.pool, &self.trail_key, record))
    }

    fn trail_page(
        &self,
        after: u64,
        limit: usize,
        filter: TrailFilter,
    ) -> Pending<'_, Vec<TrailEntry>> {
        Box::pin(async move { trail::postgres::page(&self.pool, after, limit, &filter).await })
    }

    fn deadlines(&self) -> Pending<'_, Option<DeadlinePolicy>> {
        Box::pin(deadlines::postgres_read(&self.pool))
    }

    fn set_deadlines(&self, policy: DeadlinePolicy, by: OfficerName) -> Pending<'_, ()> {
        Box::pin(async move { deadlines::postgres_write(&self.pool, &policy, &by).await })
    }

    fn stats(&self) -> WriterStats {
        self.stats.stats()
    }

    fn is_running(&self) -> bool {
        !self.commands.is_closed()
    }

    fn close(&self) -> Pending<'_, ()> {
        Box::pin(async move {
            let (reply, stopped) = oneshot::channel();
            if self
                .commands
                .send(writer::Command::Stop { reply })
                .await
                .is_ok()
            {
                let _ = stopped.await;
            }
            self.stopping.cancel();
            let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|p| p.into_inner()));
            for task in tasks {
                let _ = task.await;
            }
            Ok(())
        })
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.stopping.cancel();
    }
}
