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
//! - `received_at` never decreases along `seq` (the clock is clamped to the last value written),
//!   which lets retention delete a prefix of the log.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;

use kyc::Timestamp;
use rusqlite::{Connection, params};
use tokio::sync::{oneshot, watch};

use super::retention::{self, Pruned};
use super::seen::Seen;
use super::{Record, now, read};
use crate::error::{RelayError, Result};

/// The largest group committed at once; a bound on the latency a group adds to its first member.
pub const MAX_GROUP: usize = 1024;

/// Records waiting for the writer beyond this are refused with [`RelayError::Busy`] (the sender
/// retries), so a flood cannot grow memory without bound.
pub const QUEUE_CAPACITY: usize = 16 * 1024;

const INSERT: &str = "INSERT INTO events \
     (seq, webhook_id, webhook, object, object_id, webhook_created_at, received_at, payload) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// What became of a webhook handed to the writer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Stored under this sequence number.
    Stored { seq: u64 },
    /// A webhook with the same `webhook_id` was already stored; nothing was added.
    Duplicate,
}

type Reply<T> = oneshot::Sender<Result<T>>;

enum Command {
    Insert {
        record: Record,
        reply: Reply<Outcome>,
    },
    Prune {
        before: Timestamp,
        reply: Reply<Pruned>,
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

#[derive(Default)]
struct Counters {
    groups: AtomicU64,
    webhooks: AtomicU64,
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
    pub fn spawn(conn: Connection, lock: std::fs::File) -> Result<(Writer, WriterThread)> {
        let last_seq = read::last_seq(&conn)?;
        let seen = Seen::load(&conn)?;
        let last_received: Option<i64> =
            conn.query_row("SELECT max(received_at) FROM events", [], |r| r.get(0))?;
        let (commands, inbox) = sync_channel(QUEUE_CAPACITY);
        let (publish, committed) = watch::channel(last_seq);
        let stats = Arc::new(Counters::default());
        let state = State {
            conn,
            _lock: lock,
            seen,
            forgettable: 0,
            pruned_through: 0,
            next_seq: last_seq + 1,
            last_received: last_received.unwrap_or(i64::MIN),
            publish,
            stats: stats.clone(),
        };
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

    /// Deletes up to [`retention::CHUNK`] of the oldest events received before `before`, in the
    /// writer's order with the inserts.
    pub async fn prune_chunk(&self, before: Timestamp) -> Result<Pruned> {
        let (reply, answer) = oneshot::channel();
        self.send(Command::Prune { before, reply })?;
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
        WriterStats {
            groups: self.stats.groups.load(Ordering::Relaxed),
            webhooks: self.stats.webhooks.load(Ordering::Relaxed),
        }
    }

    fn send(&self, command: Command) -> Result<()> {
        self.commands.try_send(command).map_err(|e| match e {
            TrySendError::Full(_) => RelayError::Busy(QUEUE_CAPACITY),
            TrySendError::Disconnected(_) => RelayError::WriterStopped,
        })
    }
}

struct State {
    conn: Connection,
    _lock: std::fs::File,
    seen: Seen,
    /// Entries of `seen` whose rows retention deleted, not yet forgotten.
    forgettable: usize,
    /// Retention has deleted every row up to this `seq`.
    pruned_through: u64,
    next_seq: u64,
    last_received: i64,
    publish: watch::Sender<u64>,
    stats: Arc<Counters>,
}

impl State {
    fn run(mut self, inbox: Receiver<Command>) {
        let mut group: Vec<(Record, Reply<Outcome>)> = Vec::with_capacity(MAX_GROUP);
        while let Ok(first) = inbox.recv() {
            let mut next = Some(first);
            let mut stopping = false;
            while let Some(command) = next.take() {
                match command {
                    Command::Insert { record, reply } => group.push((record, reply)),
                    Command::Prune { before, reply } => {
                        // Keep the order the commands came in: earlier inserts commit first.
                        self.commit(&mut group);
                        let _ = reply.send(self.prune(before));
                    }
                    Command::Stop => {
                        stopping = true;
                        break;
                    }
                }
                if group.len() >= MAX_GROUP {
                    break;
                }
                next = inbox.try_recv().ok();
            }
            self.commit(&mut group);
            if stopping {
                break;
            }
        }
        tracing::debug!(last_seq = self.next_seq - 1, "event writer stopped");
    }

    /// Commits a group and answers its waiters.
    fn commit(&mut self, group: &mut Vec<(Record, Reply<Outcome>)>) {
        if group.is_empty() {
            return;
        }
        let received_at = now().unix_micros().max(self.last_received);
        let records: Vec<&Record> = group.iter().map(|(record, _)| record).collect();
        let outcomes = match self.insert(&records, received_at) {
            Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
            Err(error) => {
                tracing::warn!(%error, size = group.len(), "a group commit failed; retrying its webhooks one by one");
                records
                    .iter()
                    .map(|record| {
                        self.insert(&[record], received_at)
                            .map(|outcomes| outcomes[0])
                            .map_err(|error| {
                                tracing::error!(%error, webhook_id = %record.webhook_id, event = %record.event, "a webhook could not be stored");
                                RelayError::Commit(error.to_string())
                            })
                    })
                    .collect::<Vec<_>>()
            }
        };
        self.stats.groups.fetch_add(1, Ordering::Relaxed);
        self.stats
            .webhooks
            .fetch_add(group.len() as u64, Ordering::Relaxed);
        self.publish.send_if_modified(|published| {
            let committed = self.next_seq - 1;
            let changed = *published != committed;
            *published = committed;
            changed
        });
        for ((_, reply), outcome) in group.drain(..).zip(outcomes) {
            // A waiter that went away (client disconnected) still had its webhook stored.
            let _ = reply.send(outcome);
        }
    }

    /// Inserts records in one transaction. On error nothing is stored, the counter is unchanged
    /// and the ids staged for the group are taken back.
    fn insert(&mut self, records: &[&Record], received_at: i64) -> rusqlite::Result<Vec<Outcome>> {
        let mut staged = Vec::with_capacity(records.len());
        let result = insert_group(
            &mut self.conn,
            &mut self.seen,
            &mut staged,
            self.next_seq,
            records,
            received_at,
        );
        match result {
            Ok(outcomes) => {
                self.next_seq += staged.len() as u64;
                self.last_received = received_at;
                Ok(outcomes)
            }
            Err(error) => {
                for (record, seq) in staged {
                    self.seen.remove(&record.webhook_id, seq);
                }
                Err(error)
            }
        }
    }

    fn prune(&mut self, before: Timestamp) -> Result<Pruned> {
        let pruned = retention::prune_chunk(&mut self.conn, before)?;
        self.forgettable += pruned.deleted;
        // Forgetting walks every entry, so it waits for the end of a pass or a tenth of them.
        let pass_ended = pruned.deleted < retention::CHUNK;
        self.pruned_through = self.pruned_through.max(pruned.up_to);
        if self.forgettable > 0 && (pass_ended || self.forgettable > self.seen.len() / 10) {
            self.seen.forget_up_to(self.pruned_through);
            self.forgettable = 0;
        }
        Ok(pruned)
    }
}

/// One group's transaction: skips ids already stored (or staged earlier in the group), inserts
/// the rest with consecutive numbers from `next_seq`, records them in `staged`, moves
/// `meta.last_seq`, commits.
fn insert_group<'r>(
    conn: &mut Connection,
    seen: &mut Seen,
    staged: &mut Vec<(&'r Record, u64)>,
    next_seq: u64,
    records: &[&'r Record],
    received_at: i64,
) -> rusqlite::Result<Vec<Outcome>> {
    let mut seq = next_seq;
    let mut outcomes = Vec::with_capacity(records.len());
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut insert = tx.prepare_cached(INSERT)?;
        for &record in records {
            if seen.find(&tx, &record.webhook_id)?.is_some() {
                outcomes.push(Outcome::Duplicate);
                continue;
            }
            insert.execute(params![
                seq as i64,
                record.webhook_id,
                record.event,
                record.object,
                record.object_id,
                record.webhook_created_at,
                received_at,
                record.payload,
            ])?;
            seen.insert(&record.webhook_id, seq);
            staged.push((record, seq));
            outcomes.push(Outcome::Stored { seq });
            seq += 1;
        }
        if seq != next_seq {
            tx.prepare_cached("UPDATE meta SET value = ?1 WHERE key = 'last_seq'")?
                .execute([seq as i64 - 1])?;
        }
    }
    tx.commit()?;
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{lock_for_writer, open_for_writing};

    fn spawn(path: &std::path::Path) -> (Writer, WriterThread) {
        let conn = open_for_writing(path).unwrap();
        Writer::spawn(conn, lock_for_writer(path).unwrap()).unwrap()
    }

    fn record(id: &str) -> Record {
        Record {
            webhook_id: id.into(),
            event: "kycliveness.update".into(),
            object: "kycliveness".into(),
            object_id: Some("42".into()),
            webhook_created_at: Some(1_690_000_000_000_000),
            payload: r#"{"user_id":"42","kyc-status":"processed"}"#.into(),
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
