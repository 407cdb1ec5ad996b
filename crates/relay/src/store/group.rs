//! The writer thread itself: gathers a group, commits it, answers its waiters. See [`super::writer`]
//! for the design and what must stay true.

use std::sync::Arc;
use std::sync::mpsc::Receiver;

use kyc::Timestamp;
use kyc::four_eyes::RunRefusal;
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::watch;

use super::claims::{self, ClaimAsk, Claimed};
use super::four_eyes::{self, Answered, ProposalRow, RunAsk, VerdictAsk};
use super::retention::{self, Pruned};
use super::seen::Seen;
use super::writer::{Command, Counters, MAX_GROUP, Outcome, Reply};
use super::{Record, now};
use crate::error::{RelayError, Result};
use crate::trail::{self, Head, TrailKey, TrailRecord};

const INSERT: &str = "INSERT INTO events \
     (seq, webhook_id, webhook, object, object_id, webhook_created_at, received_at, payload, \
      officer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

pub(super) struct State {
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
    trail_key: TrailKey,
    /// The trail's last committed entry.
    trail_head: Head,
}

impl State {
    /// The thread's state over a store whose highest number is `last_seq`.
    pub(super) fn new(
        conn: Connection,
        lock: std::fs::File,
        seen: Seen,
        last_seq: u64,
        publish: watch::Sender<u64>,
        stats: Arc<Counters>,
        trail_key: TrailKey,
    ) -> Result<State> {
        let last_received: Option<i64> =
            conn.query_row("SELECT max(received_at) FROM events", [], |r| r.get(0))?;
        let trail_head = trail::sqlite::head(&conn)?;
        Ok(State {
            conn,
            _lock: lock,
            seen,
            forgettable: 0,
            pruned_through: 0,
            next_seq: last_seq + 1,
            last_received: last_received.unwrap_or(i64::MIN),
            publish,
            stats,
            trail_key,
            trail_head,
        })
    }

    pub(super) fn run(mut self, inbox: Receiver<Command>) {
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
                    Command::Claim { ask, reply } => {
                        self.commit(&mut group);
                        let _ = reply.send(self.claim(&ask));
                    }
                    Command::Verdict { ask, reply } => {
                        self.commit(&mut group);
                        let _ = reply.send(self.verdict(&ask));
                    }
                    Command::Run { ask, reply } => {
                        self.commit(&mut group);
                        let _ = reply.send(self.approval_run(&ask));
                    }
                    Command::Trail { record, reply } => {
                        self.commit(&mut group);
                        let _ = reply.send(self.trail(&record));
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
        self.stats.count(group.len());
        self.publish_committed();
        for ((_, reply), outcome) in group.drain(..).zip(outcomes) {
            // A waiter that went away (client disconnected) still had its webhook stored.
            let _ = reply.send(outcome);
        }
    }

    /// Inserts records in one transaction. On error nothing is stored, the counter is unchanged
    /// and the ids staged for the group are taken back.
    fn insert(&mut self, records: &[&Record], received_at: i64) -> rusqlite::Result<Vec<Outcome>> {
        let mut staged = Vec::with_capacity(records.len());
        let mut trail_head = self.trail_head;
        let result = insert_group(
            &mut self.conn,
            &mut self.seen,
            &mut staged,
            self.next_seq,
            records,
            received_at,
            (&self.trail_key, &mut trail_head),
        );
        match result {
            Ok(outcomes) => {
                self.next_seq += staged.len() as u64;
                self.last_received = received_at;
                self.trail_head = trail_head;
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

    fn publish_committed(&self) {
        self.publish.send_if_modified(|published| {
            let committed = self.next_seq - 1;
            let changed = *published != committed;
            *published = committed;
            changed
        });
    }

    /// Decides a claim record against the case's row in `claims` and, if the log allows it,
    /// stores the record and the case's new claim in one transaction.
    fn claim(&mut self, ask: &ClaimAsk) -> Result<Claimed> {
        let received_at = now().unix_micros().max(self.last_received);
        let seq = self.next_seq;
        let record = &ask.record;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if self.seen.find(&tx, &record.webhook_id)?.is_some() {
            return Ok(Claimed::Duplicate);
        }
        let user = ask.user.get() as i64;
        let current = tx
            .query_row(
                "SELECT holder, since, last_activity FROM claims WHERE user_id = ?1",
                [user],
                |r| Ok(claims::from_row(r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .flatten();
        let holder = match ask.decide(current.as_ref(), Timestamp::from_unix_micros(received_at)) {
            Ok(holder) => holder,
            Err(refusal) => return Ok(Claimed::Refused(refusal)),
        };
        let mut trail_head = self.trail_head;
        insert_team_record(
            &tx,
            record,
            seq,
            received_at,
            (&self.trail_key, &mut trail_head),
        )?;
        match &holder {
            Some(claim) => tx.execute(
                "INSERT INTO claims (user_id, holder, since, last_activity) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id) DO UPDATE SET holder = excluded.holder,
                     since = excluded.since, last_activity = excluded.last_activity",
                params![
                    user,
                    claim.holder.as_str(),
                    claim.since.unix_micros(),
                    claim.last_activity.unix_micros()
                ],
            )?,
            None => tx.execute("DELETE FROM claims WHERE user_id = ?1", [user])?,
        };
        tx.commit()?;
        self.committed_one(record, seq, received_at, trail_head);
        Ok(Claimed::Stored { seq, holder })
    }

    /// Decides an approve or reject record against the proposal in `events` and its row in
    /// `verdicts` and, if the log allows it, stores the record and the verdict in one
    /// transaction.
    fn verdict(&mut self, ask: &VerdictAsk) -> Result<Answered> {
        let number = ask.proposal as i64;
        self.decided(
            &ask.record,
            ask.proposal,
            |row| ask.decide(row.map(|(proposal, _)| proposal)),
            |tx, seq| {
                tx.execute(
                    "INSERT INTO verdicts (proposal, verdict, officer, seq) VALUES (?1, ?2, ?3, ?4)",
                    params![number, ask.verdict.as_str(), ask.by.as_str(), seq as i64],
                )
            },
        )
    }

    /// Decides a run record against the proposal in `events`, its verdict and its row in `runs`
    /// and, if the log allows it, stores the record and the run in one transaction.
    fn approval_run(&mut self, ask: &RunAsk) -> Result<Answered<RunRefusal>> {
        let number = ask.proposal as i64;
        self.decided(
            &ask.record,
            ask.proposal,
            |row| ask.decide(row),
            |tx, seq| {
                tx.execute(
                    "INSERT INTO runs (proposal, officer, seq) VALUES (?1, ?2, ?3)",
                    params![number, ask.record.officer, seq as i64],
                )
            },
        )
    }

    /// Stores `record`, which answers the proposal numbered `number`, if `decide` allows it
    /// against the proposal's row, in one transaction with what `beside` writes of it.
    fn decided<Why>(
        &mut self,
        record: &Record,
        number: u64,
        decide: impl FnOnce(Option<&ProposalRow>) -> std::result::Result<(), Why>,
        beside: impl FnOnce(&rusqlite::Transaction, u64) -> rusqlite::Result<usize>,
    ) -> Result<Answered<Why>> {
        let received_at = now().unix_micros().max(self.last_received);
        let seq = self.next_seq;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if self.seen.find(&tx, &record.webhook_id)?.is_some() {
            return Ok(Answered::Duplicate);
        }
        let row = tx
            .query_row(four_eyes::PROPOSAL_ROW, [number as i64], |r| {
                let verdict: Option<String> = r.get(2)?;
                let by: Option<String> = r.get(3)?;
                Ok(four_eyes::proposal_row(
                    number,
                    r.get(0)?,
                    &r.get::<_, String>(1)?,
                    verdict.zip(by),
                    r.get(4)?,
                ))
            })
            .optional()?
            .flatten();
        if let Err(why) = decide(row.as_ref()) {
            return Ok(Answered::Refused(why));
        }
        let mut trail_head = self.trail_head;
        insert_team_record(
            &tx,
            record,
            seq,
            received_at,
            (&self.trail_key, &mut trail_head),
        )?;
        beside(&tx, seq)?;
        tx.commit()?;
        self.committed_one(record, seq, received_at, trail_head);
        Ok(Answered::Stored { seq })
    }

    /// Moves the counters after a transaction of one decided record committed.
    fn committed_one(&mut self, record: &Record, seq: u64, received_at: i64, trail_head: Head) {
        self.trail_head = trail_head;
        self.seen.insert(&record.webhook_id, seq);
        self.next_seq += 1;
        self.last_received = received_at;
        self.stats.count(1);
        self.publish_committed();
    }

    /// A desk's trail entry in a transaction of its own.
    fn trail(&mut self, record: &TrailRecord) -> Result<Outcome> {
        let mut head = self.trail_head;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        if trail::sqlite::contains(&tx, &record.entry_id)? {
            return Ok(Outcome::Duplicate);
        }
        let entry = trail::sqlite::insert(&tx, &self.trail_key, &mut head, record, now())?;
        tx.commit()?;
        self.trail_head = head;
        Ok(Outcome::Stored { seq: entry.seq })
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
/// the rest with consecutive numbers from `next_seq` (a team record with its trail entry after
/// `trail_head`, which it moves), records them in `staged`, commits. (`meta.last_seq` is not touched: the highest `seq` in the table is the last one, and
/// retention records it before deleting; one page less to write per group.)
fn insert_group<'r>(
    conn: &mut Connection,
    seen: &mut Seen,
    staged: &mut Vec<(&'r Record, u64)>,
    next_seq: u64,
    records: &[&'r Record],
    received_at: i64,
    (trail_key, trail_head): (&TrailKey, &mut Head),
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
            insert_row(&mut insert, record, seq, received_at)?;
            if let Some(entry) = TrailRecord::of_team(record, seq) {
                trail::sqlite::insert(
                    &tx,
                    trail_key,
                    trail_head,
                    &entry,
                    Timestamp::from_unix_micros(received_at),
                )?;
            }
            seen.insert(&record.webhook_id, seq);
            staged.push((record, seq));
            outcomes.push(Outcome::Stored { seq });
            seq += 1;
        }
    }
    tx.commit()?;
    Ok(outcomes)
}

/// Inserts a team record the writer decided as row `seq`, with its entry in the team's trail.
fn insert_team_record(
    tx: &rusqlite::Transaction<'_>,
    record: &Record,
    seq: u64,
    received_at: i64,
    (trail_key, trail_head): (&TrailKey, &mut Head),
) -> rusqlite::Result<()> {
    insert_row(&mut tx.prepare_cached(INSERT)?, record, seq, received_at)?;
    if let Some(entry) = TrailRecord::of_team(record, seq) {
        trail::sqlite::insert(
            tx,
            trail_key,
            trail_head,
            &entry,
            Timestamp::from_unix_micros(received_at),
        )?;
    }
    Ok(())
}

/// Inserts one record as row `seq`.
fn insert_row(
    insert: &mut rusqlite::CachedStatement<'_>,
    record: &Record,
    seq: u64,
    received_at: i64,
) -> rusqlite::Result<usize> {
    insert.execute(params![
        seq as i64,
        record.webhook_id,
        record.event,
        record.object,
        record.object_id,
        record.webhook_created_at,
        received_at,
        record.payload,
        record.officer,
    ])
}
