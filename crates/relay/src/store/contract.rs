//! What every store does, whichever database holds the log: the [`Store`] the relay serves from,
//! and the [`Officers`] registry beside it.
//!
//! Two implementations: [`super::sqlite::SqliteStore`] (one relay, one file, nothing to install:
//! the default and the demo's) and [`super::postgres::PgStore`] (several relays on one database,
//! for a team). The HTTP handlers know only these traits; the relay's integration tests run every
//! test body once on each store.
//!
//! What every implementation must keep true (the tests check each on both):
//! - `append` answers `Stored` or `Duplicate` only once the row is committed durably; any other
//!   answer is an error, and the sender must deliver again.
//! - Sequence numbers start at 1, grow by one per stored webhook, are never reused, and become
//!   visible to readers in order: a reader that has seen N never later finds a number below N.
//! - A `webhook_id` is stored once, however often and wherever it is delivered.
//! - Every team record (a record with an author) gets its trail entry in the transaction that
//!   stores it, numbered and chained in the order of the appends; a webhook gets none.
//! - `committed` moves forward after each commit of this relay and, for a shared store, of the
//!   others, so that long polls wake without polling the database.
//!
//! The team's own records (notes, claims, decisions, proposals, verdicts) are appended to the same log, numbered in the same
//! order, through the same serialised append (the SQLite writer thread, the PostgreSQL append
//! lock), where a claim's precondition (is this case already claimed?) and an approval's (is
//! the approver a senior other than the proposer, and the proposal still open?) are checked against
//! everything numbered before it: that is how the hub decides once for everyone.

use std::future::Future;
use std::pin::Pin;

use kyc::Timestamp;
use kyc::deadline::DeadlinePolicy;
use kyc::feed::FeedEvent;
use kyc::four_eyes::RunRefusal;
use kyc::officer::{OfficerName, Role};
use tokio::sync::watch;

use super::Record;
use super::claims::{ClaimAsk, Claimed};
use super::four_eyes::{Answered, RunAsk, VerdictAsk};
use super::retention::Pruned;
use super::writer::{Outcome, WriterStats};
use crate::error::Result;
use crate::officers::{Officer, TokenHash};
use crate::trail::{TrailFilter, TrailRecord};
use kyc::trail::TrailEntry;

/// A store operation in flight.
pub type Pending<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// The log the relay serves from.
pub trait Store: Send + Sync {
    /// Stores a verified webhook and answers once its group is committed.
    fn append(&self, record: Record) -> Pending<'_, Outcome>;

    /// Decides a claim record against the case's current claim inside the serialised append and
    /// stores it (with the case's new claim) only if the log allows it; see [`super::claims`].
    fn claim(&self, ask: ClaimAsk) -> Pending<'_, Claimed>;

    /// Decides an approve or reject record against the proposal the log holds inside the
    /// serialised append and stores it (with the proposal's verdict) only if the log allows it;
    /// see [`super::four_eyes`].
    fn verdict(&self, ask: VerdictAsk) -> Pending<'_, Answered>;

    /// Decides a run record against the proposal the log holds (approved, and not run yet)
    /// inside the serialised append and stores it (with the proposal's run) only if the log
    /// allows it; see [`super::four_eyes`].
    fn approval_run(&self, ask: RunAsk) -> Pending<'_, Answered<RunRefusal>>;

    /// Events with `seq > after`, oldest first, at most `limit`.
    fn page(&self, after: u64, limit: usize) -> Pending<'_, Vec<FeedEvent>>;

    /// The highest sequence number known to be committed; changes right after each commit.
    fn committed(&self) -> watch::Receiver<u64>;

    /// Deletes up to [`super::retention::CHUNK`] of the oldest events received before `before`.
    fn prune_chunk(&self, before: Timestamp) -> Pending<'_, Pruned>;

    /// The officers and their credentials.
    fn officers(&self) -> &dyn Officers;

    /// Numbers, seals and stores a desk's trail entry, in the order of every other append; a
    /// second entry with the same `entry_id` is `Duplicate` and stores nothing. (A team record's
    /// entry is stored by [`Store::append`], in the transaction that stores the record.)
    fn trail_append(&self, record: TrailRecord) -> Pending<'_, Outcome>;

    /// Trail entries with `seq > after` that pass `filter`, oldest first, at most `limit`.
    fn trail_page(
        &self,
        after: u64,
        limit: usize,
        filter: TrailFilter,
    ) -> Pending<'_, Vec<TrailEntry>>;

    /// The team's deadlines as a senior last set them; `None` until one does (desks then work
    /// by [`DeadlinePolicy::default`]).
    fn deadlines(&self) -> Pending<'_, Option<DeadlinePolicy>>;

    /// Replaces the team's deadlines, recording who set them and when.
    fn set_deadlines(&self, policy: DeadlinePolicy, by: OfficerName) -> Pending<'_, ()>;

    /// How well appends are grouped so far.
    fn stats(&self) -> WriterStats;

    /// Whether appends can still be taken (false once the writer stopped).
    fn is_running(&self) -> bool;

    /// Commits what was handed over, then stops taking appends.
    fn close(&self) -> Pending<'_, ()>;
}

/// The officers of the team, with the digests of their credentials.
pub trait Officers: Send + Sync {
    /// Records a new officer with the digest of their credential. Refused when an officer of
    /// that name has an active credential.
    fn add(&self, name: OfficerName, role: Role, hash: TokenHash) -> Pending<'_, Officer>;

    /// Every officer, revoked ones included, in the order they were added.
    fn list(&self) -> Pending<'_, Vec<Officer>>;

    /// Revokes the active credential of `name`; refused when there is none.
    fn revoke(&self, name: OfficerName) -> Pending<'_, Officer>;

    /// The officer whose credential has this digest, revoked or not.
    fn by_token(&self, hash: TokenHash) -> Pending<'_, Option<Officer>>;
}
