//! The dashboard's local cache: one SQLite file holding every user and their case, the
//! verifications and documents, every webhook applied from the relay's feed with the feed cursor,
//! the officer's queue, and the keyed, hash-chained audit log.
//!
//! # Layout
//! - [`handles`]: [`Cache`] (the one writer) and [`Reader`] (queries on a connection of its own).
//! - [`schema`] (`schema.sql`): versioned migrations, WAL, pragmas; newer files are refused.
//! - [`apply`]: a feed batch applied in one transaction with its cursor, idempotently.
//! - `replay`: a signed payload is one event whatever its envelope: the digest that says so.
//! - `redate`: schema 3's migration, bringing histories stored before it into line.
//! - `batch`: the users one transaction touches, each rebuilt and written once.
//! - `stored_event`: a case event's stored form and the digest that deduplicates it.
//! - `project`: a user's case rebuilt from their events into the queue row and identifications.
//! - `rederive`: schema version 5's hook, deriving existing rows again under new rules.
//! - `profile`: users' profiles, merged field by field, newest observation winning.
//! - `row`: a user's row in `users`, its derived sort columns, written by changed column group.
//! - `tally`: the per-state counts table, kept in the transaction that moves a user.
//! - [`documents`]: Treezor documents and local downloads.
//! - [`queue`]: filters, sorts, text search, keyset pages and per-state counts.
//! - [`detail`]: one case in full, with its webhook timeline.
//! - [`team`]: the team's records from the hub (notes, later claims and decisions), kept apart
//!   from webhooks.
//! - [`claims`]: who holds each case, as the hub decided, and the hub's claim lapse.
//! - [`retention`]: the personal data of cases closed for long enough, pruned; the audit log kept.
//! - [`audit`]: the append-only audit log, chained by a keyed MAC and anchored outside the file;
//!   verification and exports.
//! - `deadline`: the team's deadlines as the hub serves them, each case's due time, late counts.
//! - [`codes`]: the numbers that stand for states in the file.
//! - [`fold`]: accent- and case-folding for search keys.
//! - [`error`]: the one error type.
//!
//! # House rules
//! - Order does not matter: a user's case is derived from the *set* of their events, a profile
//!   keeps each field's newest observed value, a document its newest observation, so any arrival
//!   order (and any repetition) of the same webhooks gives the same rows. A property test holds
//!   this.
//! - The feed cursor moves only in the transaction that applied the events it covers.
//! - No clock inside: callers pass `now`.
//! - Nothing here logs. The cache holds AML-sensitive reasons for the officer (queue rows, case
//!   views, raw payloads: their `Debug` output is not for logs); what leaves it for customers is
//!   built elsewhere from `kyc::CustomerText`.
//! - Writes are sized for catch-up: each transaction reads and writes each touched user's row
//!   once, only changed column groups, no triggers or generated columns on `users`.

pub mod apply;
pub mod audit;
pub mod claims;
pub mod codes;
mod deadline;
pub mod detail;
pub mod documents;
pub mod error;
pub mod fold;
pub mod handles;
pub mod queue;
pub mod retention;
pub mod schema;

mod batch;
mod decisions;
mod hub_trail;
mod profile;
mod project;
mod redate;
mod rederive;
mod replay;
mod row;
mod stored_event;
mod tally;
pub mod team;

pub use apply::Applied;
pub use audit::{
    AUDIT_KEY_BYTES, AuditAnchor, AuditBreak, AuditEntry, AuditKey, AuditRecord, AuditScope,
    BreakKind, Chain, Opened, Outcome, SEAL_ACTION,
};
pub use claims::CaseClaim;
pub use codes::ReviewState;
pub use decisions::{Answer, ApprovalRun, Decision, ProposalRecord};
pub use detail::{CaseDetail, Relative, TimelineEntry};
pub use documents::{Download, LocalDownload, StoredDocument};
pub use error::{CursorProblem, Error, Result, StoredProblem, StoredValue};
pub use handles::{Cache, Reader};
pub use hub_trail::Witnessed;
pub use queue::{
    Cursor, Direction, Holding, QueueFilter, QueuePage, QueueQuery, QueueRow, SearchTuning, Sort,
    SortKey, StateCounts, TimeRange,
};
pub use retention::{CLOSED_STATES, Pruned, PrunedUser};
pub use schema::SCHEMA_VERSION;
pub use team::Note;
