//! Group commit: one thread owns the write connection and stores webhooks in groups.
//!
//! Request tasks verify a webhook, then hand its [`Record`] to this thread with a reply channel.
//! The thread blocks for the first record, takes every other one already waiting (up to
//! [`MAX_GROUP`]), inserts them all in one transaction and commits it: one WAL fsync for the
//! group. Only then are the waiters answered, each with its own outcome. While a group's fsync
//! runs, the next group gathers in the channel, so groups grow with concurrency and durable
//! throughput scales with it instead of being bound by the disk's fsync rate.
//!
//! What must stay true:
//! - A waiter hears `Stored` or `Duplicate` only after the commit that holds its row returned.
//! - The sequence counter moves only with committed rows: a failed group gives its numbers back.
//! - A failed group is retried one record per transaction, so one bad record cannot keep failing
//!   the webhooks that happened to share its group.
//! - A team record's trail entry is inserted in the transaction of its group, chained to the
//!   trail's head, which moves only when that transaction commits.
//! - `received_at` never decreases along `seq` (the clock is clamped to the last value written),
//!   which lets retention delete a prefix of the log.
//!
//! This file is the way in ([`Writer`]); [`super::group`] is the thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use kyc::Timestamp;
use rusqlite::Connection;
use tokio::sync::{oneshot, watch};

use super::claims::{ClaimAsk, Claimed};
use super::four_eyes::{Answered, RunAsk, VerdictAsk};
use super::group::State;
use super::retention::Pruned;
use super::seen::Seen;
use super::{Record, read};
use crate::error::{RelayError, Result};
use crate::trail::{TrailKey, TrailRecord};
use kyc::four_eyes::RunRefusal;

/// The largest group committed at once; a bound on the latency a group adds to its first member.
pub const MAX_GROUP: usize = 1024;

/// Records waiting for the writer beyond this are refused with [`RelayError::Busy`] (the sender
/// retries), so a flood cannot grow memory without bound.
pub const QUEUE_CAPACITY: usize = 16 * 1024;

/// What became of a webhook handed to the writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Stored under this sequence number.
    Stored { seq: u64 },
    /// A webhook with the same `webhook_id` was already stored; nothing was added.
    Duplicate,
}

pub(super) type Reply<T> = oneshot::Sender<Result<T>>;

pub(super) enum Command {
    Insert {
        record: Record,
        reply: Reply<Outcome>,
    },
    Prune {
        before: Timestamp,
        reply: Reply<Pruned>,
    },
    /// A claim record, decided and stored in a transaction of its own.
    Claim {
        ask: Box<ClaimAsk>,
        reply: Reply<Claimed>,
    },
    /// An approve or reject record, decided and stored in a transaction of its own.
    Verdict {
        ask: Box<VerdictAsk>,
        reply: Reply<Answered>,
    },
    /// A run record, decided and stored in a transaction of its own.
    Run {
        ask: Box<RunAsk>,
        reply: Reply<Answered<RunRefusal>>,
    },
    /// A desk's trail entry, in a transaction of its own after the group before it.
    Trail {
        record: TrailRecord,
        reply: Reply<Outcome>,
    },
    Stop,
}

/// The way in to the writer thread. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    commands: SyncSender<Command>,
    committed: watch::Receiver<u64>,
    stats: Arc<Counters>,
}

/// What the writer has done since it started: how well group commit is grouping.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Transactions committed for webhooks (one fsync each).
    pub groups: u64,
    /// Webhooks those transactions answered (stored or duplicate).
    pub webhooks: u64,
}

/// The counters behind [`WriterStats`], shared by a writer and whoever reports on it.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) groups: AtomicU64,
    pub(crate) webhooks: AtomicU64,
}

impl Counters {
    pub(crate) fn count(&self, webhooks: usize) {
        self.groups.fetch_add(1, Ordering::Relaxed);
        self.webhooks.fetch_add(webhooks as u64, Ordering::Relaxed);
    }

    pub(crate) fn stats(&self) -> WriterStats {
        WriterStats {
            groups: self.groups.load(Ordering::Relaxed),
            webhooks: self.webhooks.load(Ordering::Relaxed),
        }
    }
}

/// The writer's thread; join it after [`Writer::stop`] to know every commit has finished.
pub struct WriterThread(JoinHandle<()>);

impl WriterThread {
    pub fn join(self) {
        if self.0.join().is_err() {
            tracing::error!("the event writer thread panicked");
        }
    }
}

impl Writer {
    /// Starts the writer thread on a connection from [`super::open_for_writing`], holding the
    /// lock from [`super::lock_for_writer`] until it stops. Loads the stored ids first.
    pub fn spawn(
        conn: Connection,
        lock: std::fs::File,
        trail_key: TrailKey,
    ) -> Result<(Writer, WriterThread)> {
        let last_seq = read::last_seq(&conn)?;
        let seen = Seen::load(&conn)?;
        let (commands, inbox) = sync_channel(QUEUE_CAPACITY);
        let (publish, committed) = watch::channel(last_seq);
        let stats = Arc::new(Counters::default());
        let state = State::new(
            conn,
            lock,
            seen,
            last_seq,
            publish,
            stats.clone(),
            trail_key,
        )?;
        let thread = std::thread::Builder::new()
            .name("kyc-relay-writer".into())
            .spawn(move || state.run(inbox))
            .map_err(|source| RelayError::Io {
                what: "starting the event writer thread".into(),
                source,
            })?;
        Ok((
            Writer {
                commands,
                committed,
                stats,
            },
            WriterThread(thread),
        ))
    }

    /// Hands a verified record to the writer. The returned channel answers once the record's
    /// group has committed (or failed).
    pub fn submit(&self, record: Record) -> Result<oneshot::Receiver<Result<Outcome>>> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Insert { record, reply })?;
        Ok(answer)
    }

    /// Stores a record and waits for its commit.
    pub async fn store(&self, record: Record) -> Result<Outcome> {
        self.submit(record)?
            .await
            .map_err(|_| RelayError::WriterStopped)?
    }

    /// Decides a claim record against the case's current claim and stores it if the log allows
    /// it, in the writer's order with every other record.
    pub async fn claim(&self, ask: ClaimAsk) -> Result<Claimed> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Claim {
            ask: Box::new(ask),
            reply,
        })?;
        answer.await.map_err(|_| RelayError::WriterStopped)?
    }

    /// Decides an approve or reject record against the proposal the log holds and stores it if
    /// the log allows it, in the writer's order with every other record.
    pub async fn verdict(&self, ask: VerdictAsk) -> Result<Answered> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Verdict {
            ask: Box::new(ask),
            reply,
        })?;
        answer.await.map_err(|_| RelayError::WriterStopped)?
    }

    /// Decides a run record against the proposal the log holds and its run, and stores it if the
    /// log allows it, in the writer's order with every other record.
    pub async fn approval_run(&self, ask: RunAsk) -> Result<Answered<RunRefusal>> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Run {
            ask: Box::new(ask),
            reply,
        })?;
        answer.await.map_err(|_| RelayError::WriterStopped)?
    }

    /// Deletes up to [`super::retention::CHUNK`] of the oldest events received before `before`, in the
    /// writer's order with the inserts.
    pub async fn prune_chunk(&self, before: Timestamp) -> Result<Pruned> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Prune { before, reply })?;
        answer.await.map_err(|_| RelayError::WriterStopped)?
    }

    /// Stores a desk's trail entry and waits for its commit.
    pub async fn trail(&self, record: TrailRecord) -> Result<Outcome> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Trail { record, reply })?;
        answer.await.map_err(|_| RelayError::WriterStopped)?
    }

    /// Asks the thread to finish: records already handed over are committed first.
    pub fn stop(&self) {
        // A stopped writer has nothing left to stop; a full queue drains and then sees the
        // channel close when the last handle drops.
        let _ = self.commands.try_send(Command::Stop);
    }

    /// The highest committed sequence number; it changes right after each commit.
    pub fn committed(&self) -> watch::Receiver<u64> {
        self.committed.clone()
    }

    pub fn stats(&self) -> WriterStats {
        self.stats.stats()
    }

    fn send(&self, command: Command) -> Result<()> {
        self.commands.try_send(command).map_err(|e| match e {
            TrySendError::Full(_) => RelayError::Busy(QUEUE_CAPACITY),
            TrySendError::Disconnected(_) => RelayError::WriterStopped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{lock_for_writer, now, open_for_writing};

    fn spawn(path: &std::path::Path) -> (Writer, WriterThread) {
        let conn = open_for_writing(path).unwrap();
        Writer::spawn(conn, lock_for_writer(path).unwrap(), TrailKey::random()).unwrap()
    }

    fn record(id: &str) -> Record {
        Record {
            webhook_id: id.into(),
            event: "kycliveness.update".into(),
            object: "kycliveness".into(),
            object_id: Some("42".into()),
            webhook_created_at: Some(1_690_000_000_000_000),
            payload: r#"{"user_id":"42","kyc-status":"processed"}"#.into(),
            officer: None,
        }
    }

    #[tokio::test]
    async fn concurrent_records_get_consecutive_numbers_and_duplicates_are_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.sqlite3");
        let (writer, thread) = spawn(&path);
        let answers: Vec<_> = (0..200)
            .map(|i| writer.submit(record(&format!("w-{}", i % 150))).unwrap())
            .collect();
        let mut seqs = Vec::new();
        let mut duplicates = 0;
        for answer in answers {
            match answer.await.unwrap().unwrap() {
                Outcome::Stored { seq } => seqs.push(seq),
                Outcome::Duplicate => duplicates += 1,
            }
        }
        assert_eq!(duplicates, 50);
        assert_eq!(seqs, (1..=150).collect::<Vec<_>>());
        assert_eq!(*writer.committed().borrow(), 150);
        writer.stop();
        thread.join();

        let (writer, thread) = spawn(&path);
        assert_eq!(
            *writer.committed().borrow(),
            150,
            "the counter survives a restart"
        );
        assert_eq!(
            writer.store(record("w-new")).await.unwrap(),
            Outcome::Stored { seq: 151 }
        );
        assert_eq!(
            writer.store(record("w-3")).await.unwrap(),
            Outcome::Duplicate
        );
        writer.stop();
        thread.join();
        assert!(matches!(
            writer.store(record("late")).await,
            Err(RelayError::WriterStopped)
        ));
    }

    #[tokio::test]
    async fn retention_forgets_deleted_ids_and_keeps_numbering() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.sqlite3");
        let (writer, thread) = spawn(&path);
        for id in ["a", "b", "c"] {
            writer.store(record(id)).await.unwrap();
        }
        let everything = now().plus_seconds(1);
        let pruned = writer.prune_chunk(everything).await.unwrap();
        assert_eq!(
            pruned,
            Pruned {
                deleted: 3,
                up_to: 3
            }
        );
        // A redelivery of a deleted webhook is new again: its old row is gone.
        assert_eq!(
            writer.store(record("b")).await.unwrap(),
            Outcome::Stored { seq: 4 }
        );
        assert_eq!(writer.store(record("b")).await.unwrap(), Outcome::Duplicate);
        writer.stop();
        thread.join();
    }
}
