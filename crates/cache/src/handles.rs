//! The two ways into a cache file: [`Cache`], the one writer (the sync loop and the officer's
//! actions), and [`Reader`], a connection of its own for queries, so that a page of the queue never
//! waits for a long batch to commit (WAL lets readers see the last commit meanwhile).
//!
//! Both are synchronous and own their connection: give each its own thread (or use
//! `spawn_blocking`) and do not share one between threads.

use std::io::Write;
use std::path::{Path, PathBuf};

use kyc::case::CaseEvent;
use kyc::deadline::DeadlinePolicy;
use kyc::feed::FeedEvent;
use kyc::objects::{Document, User};
use kyc::{DocumentId, IdentificationId, Timestamp, UserId, WebhookId};
use rusqlite::{Connection, TransactionBehavior};

use crate::apply::{Applied, apply_events, read_cursor};
use crate::audit::{
    self, AuditAnchor, AuditBreak, AuditEntry, AuditKey, AuditRecord, AuditScope, Opened,
};
use crate::batch::Batch;
use crate::claims::CaseClaim;
use crate::detail::{self, CaseDetail, TimelineEntry};
use crate::documents::{
    Download, LocalDownload, forget_download, local_downloads, observe_document, record_download,
};
use crate::error::{Doing, Result};
use crate::project::expire_links;
use crate::queue::{self, QueueFilter, QueuePage, QueueQuery, QueueRow, StateCounts};
use crate::retention::{self, Pruned, PrunedUser};
use crate::schema;
use crate::tally::Tally;

/// A batch this large leaves the writer's page cache full; it is emptied after it.
const LARGE_BATCH: usize = 5_000;

/// The cache file, open for writing (and reading).
pub struct Cache {
    conn: Connection,
    path: PathBuf,
    search: queue::SearchTuning,
}

/// The cache file, open for queries only.
pub struct Reader {
    conn: Connection,
    search: queue::SearchTuning,
}

impl Cache {
    /// Opens the cache at `path`, creating the file and its folder if needed and migrating it to
    /// this build's schema. Refuses a file written by a newer build.
    pub fn open(path: impl AsRef<Path>) -> Result<Cache> {
        let path = path.as_ref().to_path_buf();
        let conn = schema::open_writer(&path)?;
        Ok(Cache {
            conn,
            path,
            search: queue::SearchTuning::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A second connection to the same file, for queries.
    pub fn reader(&self) -> Result<Reader> {
        Reader::open(&self.path)
    }

    /// Another connection for queries that may scan (counts over the rows), with a small page
    /// cache: given its own thread, a scan never holds back the queries of [`Cache::reader`].
    pub fn scanner(&self) -> Result<Reader> {
        Ok(Reader {
            conn: schema::open_reader(&self.path, schema::SCANNER_CACHE_KIB)?,
            search: queue::SearchTuning::default(),
        })
    }

    /// Applies a page of the relay's feed in one transaction, cursor included. Events already
    /// applied (by `webhook_id`) are skipped; unreadable ones are kept as such. `now` decides
    /// which links have expired.
    pub fn apply_batch(&mut self, events: &[FeedEvent], now: Timestamp) -> Result<Applied> {
        let applied = self.write(|conn, tally| apply_events(conn, events, now, tally))?;
        if events.len() >= LARGE_BATCH {
            // A catch-up batch filled the writer's page cache; give the memory back.
            self.conn
                .execute_batch("PRAGMA shrink_memory;")
                .doing("releasing the page cache")?;
        }
        Ok(applied)
    }

    /// Records case events the desk learnt itself (a link issued, documents requested), each
    /// user's case projected once. Returns the users whose case changed.
    pub fn record_case_events(
        &mut self,
        events: &[(UserId, CaseEvent)],
        now: Timestamp,
    ) -> Result<Vec<UserId>> {
        self.write(|conn, tally| {
            let mut batch = Batch::default();
            for (user, event) in events {
                batch.record(conn, *user, event)?;
            }
            batch.finish(conn, now, tally)
        })
    }

    /// [`Cache::record_case_events`] for one event. Returns whether the case changed.
    pub fn record_case_event(
        &mut self,
        user: UserId,
        event: CaseEvent,
        now: Timestamp,
    ) -> Result<bool> {
        Ok(!self.record_case_events(&[(user, event)], now)?.is_empty())
    }

    /// Records a user as Treezor's REST API returned it at `fetched_at`. Each field keeps the
    /// value of the newest observation that had one. Returns whether the user's row changed.
    pub fn upsert_user(&mut self, user: &User, fetched_at: Timestamp) -> Result<bool> {
        self.write(|conn, tally| {
            let mut batch = Batch::default();
            batch.observe(user, fetched_at);
            Ok(!batch.finish(conn, fetched_at, tally)?.is_empty())
        })
    }

    /// Records a document as Treezor's REST API returned it at `fetched_at`.
    pub fn upsert_document(&mut self, document: &Document, fetched_at: Timestamp) -> Result<bool> {
        self.write(|conn, _| Ok(observe_document(conn, document, fetched_at)?.is_some()))
    }

    /// Records a document saved on this machine.
    pub fn record_download(&mut self, document: DocumentId, download: &Download) -> Result<()> {
        self.write(|conn, _| record_download(conn, document, download))
    }

    /// Prunes the personal data of those of `users` whose case is still closed with no activity
    /// since `before` (see [`crate::retention`]), as of `now`, in one transaction with deleted
    /// content overwritten; then empties the WAL so that no copy of it stays in the files.
    pub fn prune_closed_users(
        &mut self,
        users: &[UserId],
        before: Timestamp,
        now: Timestamp,
    ) -> Result<Pruned> {
        self.conn
            .pragma_update(None, "secure_delete", true)
            .doing("overwriting deleted content")?;
        let pruned = self.write(|conn, tally| retention::prune(conn, users, before, now, tally));
        let restored = self
            .conn
            .pragma_update(None, "secure_delete", false)
            .doing("overwriting deleted content");
        let pruned = pruned?;
        restored?;
        if !pruned.users.is_empty() {
            // Copies the overwritten pages into the file and truncates the WAL, where the old
            // page images were. A reader in the middle of a query can make it a partial one,
            // which the next prune completes; the commit above stands either way.
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .doing("emptying the write-ahead log")?;
        }
        Ok(pruned)
    }

    /// Forgets a download (by [`LocalDownload::id`]) whose file was removed from this machine.
    /// Returns whether it was recorded. The audit log keeps the story.
    pub fn forget_download(&mut self, id: i64) -> Result<bool> {
        self.write(|conn, _| forget_download(conn, id))
    }

    /// Rewrites rows of links whose time has passed as expired. Queries show them expired
    /// anyway; this keeps them fast. Each batch does it too. Returns how many rows changed.
    pub fn expire_links(&mut self, now: Timestamp) -> Result<usize> {
        self.write(|conn, tally| expire_links(conn, now, tally))
    }

    /// Appends an officer's action to the audit log under `key`, after checking that the log still
    /// ends where `anchor` (the caller's current one) says. Returns the entry and the anchor to
    /// keep from now on, which carries any break found (see [`crate::audit`]).
    pub fn audit_append(
        &mut self,
        key: &AuditKey,
        anchor: &AuditAnchor,
        entry: &AuditEntry,
    ) -> Result<(AuditRecord, AuditAnchor)> {
        self.write(|conn, _| audit::append(conn, key, anchor, entry))
    }

    /// Records that `hub` (its origin) has confirmed this desk's audit entries up to `seq` for
    /// `officer` (see [`crate::hub_trail`]).
    pub fn hub_trail_sent(&mut self, hub: &str, officer: &str, seq: u64) -> Result<()> {
        self.write(|conn, _| crate::hub_trail::mark_sent(conn, hub, officer, seq))
    }

    /// Keeps the claim lapse the hub last said (`GET /v1/me`), by which claims read as lapsed.
    pub fn set_claim_lapse(&mut self, seconds: i64) -> Result<()> {
        self.write(|conn, _| crate::claims::set_lapse_seconds(conn, seconds))
    }

    /// Records that `hub`'s team trail was seen holding entry `seq` at `at` (see
    /// [`crate::hub_trail`]); a lower number than one seen before changes nothing.
    pub fn hub_trail_witness(&mut self, hub: &str, seq: u64, at: Timestamp) -> Result<()> {
        self.write(|conn, _| crate::hub_trail::witness(conn, hub, seq, at))
    }

    /// Records that `hub`'s team trail verified intact up to entry `seq`, whose MAC is `mac`.
    pub fn hub_trail_verified(
        &mut self,
        hub: &str,
        seq: u64,
        mac: &str,
        at: Timestamp,
    ) -> Result<()> {
        self.write(|conn, _| crate::hub_trail::verified(conn, hub, seq, mac, at))
    }

    /// Opens the audit trail under `key` with the anchor kept outside the file (`None` the first
    /// time): carries entries from before the keyed chain into it, catches a lagging anchor up,
    /// records a break. `at` and `officer` sign the entry that seals unkeyed entries, if any.
    pub fn audit_open(
        &mut self,
        key: &AuditKey,
        anchor: Option<AuditAnchor>,
        at: Timestamp,
        officer: &str,
    ) -> Result<Opened> {
        self.write(|conn, _| audit::open(conn, key, anchor, at, officer))
    }

    /// Makes `policy` (the team's, as the hub serves it) the one the queue's due times follow.
    /// Returns whether it changed anything.
    pub fn set_deadlines(&mut self, policy: &DeadlinePolicy) -> Result<bool> {
        self.write(|conn, _| crate::deadline::set_policy(conn, policy))
    }

    /// Refreshes the query planner's statistics (cheap when little changed): call after a large
    /// catch-up and now and then.
    pub fn optimize(&self) -> Result<()> {
        schema::optimize(&self.conn)
    }

    /// Runs `work` in one immediate transaction, with the per-state counts it moves: all of it is
    /// committed, or none.
    fn write<T>(&mut self, work: impl FnOnce(&Connection, &mut Tally) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .doing("starting a write")?;
        let mut tally = Tally::default();
        let out = work(&tx, &mut tally)?;
        tally.flush(&tx)?;
        tx.commit().doing("committing a write")?;
        Ok(out)
    }
}

impl Reader {
    /// Opens an existing cache file for queries. The file must have been opened once by
    /// [`Cache::open`] (which migrates it).
    pub fn open(path: impl AsRef<Path>) -> Result<Reader> {
        Ok(Reader {
            conn: schema::open_reader(path.as_ref(), schema::READER_CACHE_KIB)?,
            search: queue::SearchTuning::default(),
        })
    }
}

/// The queries, the same on both handles.
macro_rules! queries {
    ($type:ty) => {
        impl $type {
            /// Sets which way a search runs for how many candidates. Every way returns the same
            /// rows; the default is the measured one. For tests and benchmarks.
            pub fn set_search_tuning(&mut self, tuning: queue::SearchTuning) {
                self.search = tuning;
            }

            /// The highest feed sequence number applied: ask the relay for events after it.
            pub fn cursor(&self) -> Result<u64> {
                read_cursor(&self.conn)
            }

            /// One page of the queue, as of `now`.
            pub fn queue(&self, query: &QueueQuery, now: Timestamp) -> Result<QueuePage> {
                queue::page(&self.conn, query, now, self.search)
            }

            /// Users per state under `filter` (its states ignored), as of `now`.
            pub fn counts(&self, filter: &QueueFilter, now: Timestamp) -> Result<StateCounts> {
                queue::counts(&self.conn, filter, now, self.search)
            }

            /// The deadlines the queue's due times follow.
            pub fn deadlines(&self) -> Result<DeadlinePolicy> {
                crate::deadline::policy(&self.conn)
            }

            /// How many cases are late at `now`: past their state's deadline.
            pub fn late_count(&self, now: Timestamp) -> Result<u64> {
                crate::deadline::late(&self.conn, now)
            }

            /// The row at position `n` of the queue. Costs in proportion to `n`: for tests and
            /// benchmarks that need a deep position; page with cursors instead.
            pub fn queue_row_at(
                &self,
                query: &QueueQuery,
                n: u64,
                now: Timestamp,
            ) -> Result<Option<QueueRow>> {
                queue::nth_row(&self.conn, query, n, now)
            }

            /// Those of `users` the cache has no Treezor profile for (known only from case
            /// webhooks), so the caller can fetch them.
            pub fn users_without_profile(&self, users: &[UserId]) -> Result<Vec<UserId>> {
                detail::users_without_profile(&self.conn, users)
            }

            /// One user's case in full, as of `now`.
            pub fn case_detail(&self, user: UserId, now: Timestamp) -> Result<CaseDetail> {
                detail::case_detail(&self.conn, user, now)
            }

            /// The last audit entry `hub` confirmed for `officer` (0 before any): the outbox
            /// toward the hub's trail holds the entries after it that name `officer`.
            pub fn hub_trail_sent_through(&self, hub: &str, officer: &str) -> Result<u64> {
                crate::hub_trail::sent_through(&self.conn, hub, officer)
            }

            /// What this desk saw of `hub`'s team trail, if anything.
            pub fn hub_trail_witnessed(
                &self,
                hub: &str,
            ) -> Result<Option<crate::hub_trail::Witnessed>> {
                crate::hub_trail::witnessed(&self.conn, hub)
            }

            /// The team's internal notes on `user`'s case, oldest first.
            pub fn notes(&self, user: UserId) -> Result<Vec<crate::team::Note>> {
                crate::team::notes(&self.conn, user)
            }

            /// `user`'s claim, if someone holds the case at `now`.
            pub fn claim(&self, user: UserId, now: Timestamp) -> Result<Option<CaseClaim>> {
                crate::claims::live(&self.conn, user, now)
            }

            /// The live claims at `now` among `users` (a page of the queue), in their order.
            pub fn claims_of(&self, users: &[UserId], now: Timestamp) -> Result<Vec<CaseClaim>> {
                crate::claims::live_of(&self.conn, users, now)
            }

            /// Up to `limit` cases that wait for an officer and nobody holds at `now`, those
            /// waiting longest first, without `skip`.
            pub fn unclaimed(
                &self,
                now: Timestamp,
                skip: &[UserId],
                limit: usize,
            ) -> Result<Vec<UserId>> {
                crate::claims::unclaimed(&self.conn, now, skip, limit)
            }

            /// The hub's claim lapse as it last said it (the default before it has).
            pub fn claim_lapse_seconds(&self) -> Result<i64> {
                crate::claims::lapse_seconds(&self.conn)
            }

            /// The decisions on `user`'s case, oldest first.
            pub fn decisions(&self, user: UserId) -> Result<Vec<crate::decisions::Decision>> {
                crate::decisions::decisions(&self.conn, user)
            }

            /// The four-eyes proposals on `user`'s case with their answers, oldest first.
            pub fn proposals(&self, user: UserId) -> Result<Vec<crate::decisions::ProposalRecord>> {
                crate::decisions::proposals(&self.conn, user)
            }

            /// The run that spent each approval on `user`'s case (the first in the log).
            pub fn approval_runs(
                &self,
                user: UserId,
            ) -> Result<Vec<crate::decisions::ApprovalRun>> {
                crate::decisions::runs(&self.conn, user)
            }

            /// The team's four-eyes policy, as the hub's feed last set it.
            pub fn four_eyes_policy(&self) -> Result<kyc::four_eyes::Policy> {
                crate::decisions::policy(&self.conn)
            }

            /// Webhooks whose payload could not be read, newest first.
            pub fn unreadable_webhooks(&self, limit: u32) -> Result<Vec<TimelineEntry>> {
                detail::unreadable(&self.conn, limit)
            }

            /// A stored webhook's payload as Treezor sent it (for the officer's eyes only: it may
            /// hold AML-sensitive reasons).
            pub fn webhook_payload(&self, webhook: &WebhookId) -> Result<Option<String>> {
                detail::payload(&self.conn, webhook)
            }

            /// The user a verification belongs to.
            pub fn user_of_identification(
                &self,
                identification: &IdentificationId,
            ) -> Result<Option<UserId>> {
                detail::user_of_identification(&self.conn, identification)
            }

            /// Checks the audit chain under `key`, against `anchor` when there is one:
            /// `Ok(Ok(n))` when its `n` entries hold, `Ok(Err(break))` at the first entry found
            /// edited, removed or moved, or a log shorter than its anchor. Reads one snapshot.
            pub fn audit_verify(
                &self,
                key: &AuditKey,
                anchor: Option<&AuditAnchor>,
            ) -> Result<Result<u64, AuditBreak>> {
                let snapshot = self
                    .conn
                    .unchecked_transaction()
                    .doing("reading the audit log")?;
                let verdict = audit::verify(&snapshot, key, anchor)?;
                snapshot.commit().doing("reading the audit log")?;
                Ok(verdict)
            }

            /// Every download recorded on this machine (or of one user's documents), newest
            /// first.
            pub fn local_downloads(&self, user: Option<UserId>) -> Result<Vec<LocalDownload>> {
                local_downloads(&self.conn, user)
            }

            /// Users whose case has been closed with no activity since `before` (and whose
            /// family too), in id order, at most `limit`: what a prune would remove. See
            /// [`crate::retention`].
            pub fn closed_users(&self, before: Timestamp, limit: usize) -> Result<Vec<UserId>> {
                retention::closed_users(&self.conn, before, limit)
            }

            /// Whether `user`'s personal data was pruned, and when.
            pub fn pruned_user(&self, user: UserId) -> Result<Option<PrunedUser>> {
                retention::pruned_user(&self.conn, user)
            }

            /// The anchor the file itself gives: its last entry, its unkeyed entries, no break;
            /// `None` for an empty log. Only for a trail whose real anchor is not kept anywhere
            /// (in memory): it vouches for nothing the file did not already say.
            pub fn audit_file_anchor(&self) -> Result<Option<AuditAnchor>> {
                let (unkeyed, keyed) = audit::count_chains(&self.conn)?;
                Ok(audit::last(&self.conn)?
                    .filter(|_| keyed > 0)
                    .map(|(seq, hash)| AuditAnchor {
                        entries: seq,
                        mac: hex::encode(hash),
                        legacy_entries: unkeyed,
                        known_break: None,
                    }))
            }

            /// How many audit entries are chained by plain SHA-256 (written before the chain was
            /// keyed), and how many are keyed.
            pub fn audit_chains(&self) -> Result<(u64, u64)> {
                audit::count_chains(&self.conn)
            }

            /// The `started` entries of `action` that no `succeeded` or `failed` entry for the
            /// same user and document followed: actions a crash cut short.
            pub fn audit_unfinished(&self, action: &str) -> Result<Vec<AuditRecord>> {
                audit::unfinished(&self.conn, action)
            }

            /// Up to `limit` audit entries after `after_seq`, oldest first.
            pub fn audit_entries(
                &self,
                scope: AuditScope,
                after_seq: u64,
                limit: usize,
            ) -> Result<Vec<AuditRecord>> {
                audit::entries(&self.conn, scope, after_seq, limit)
            }

            /// Writes the audit log (or one user's trail) as CSV. Returns the number of entries.
            pub fn audit_export_csv(&self, scope: AuditScope, out: &mut dyn Write) -> Result<u64> {
                audit::export_csv(&self.conn, scope, out)
            }

            /// Writes the audit log (or one user's trail) as JSON. Returns the number of entries.
            pub fn audit_export_json(&self, scope: AuditScope, out: &mut dyn Write) -> Result<u64> {
                audit::export_json(&self.conn, scope, out)
            }
        }
    };
}

queries!(Cache);
queries!(Reader);
