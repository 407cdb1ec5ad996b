//! The officer's queue: every user's case as one row, filtered, sorted, searched and paged.
//!
//! # How it stays fast at 1,000,000 users
//! - Paging is by keyset: a [`Cursor`] holds the last row's sort key and user id, and the next
//!   page starts right after it in an index, so page 10,000 costs what page 1 costs. Read
//!   backward ([`QueueQuery::backward`]), the same index is walked the other way from the cursor,
//!   or from the end: the last page costs what the first one costs too (End in the window).
//!   A page after a cursor is two seeks, the rows tied with the cursor's key then those past it,
//!   so that a key many rows share (every case without a deadline has the same due time) is not
//!   walked through up to the cursor.
//! - Each sort has an index, alone and after the state (`users_by_<sort>`,
//!   `users_by_state_<sort>`). A state filter runs one index walk per state asked for and merges
//!   them; other filters (score, AML flag, review, user type, dates) are checked on the rows the
//!   walk meets.
//! - A search first looks its candidates up (trigram index for words of three characters or more,
//!   the name index for shorter text, the user id for digits), up to a bound ([`SearchTuning`]).
//!   Few: they are fetched by id, checked and sorted. More: the sort index is walked keeping the
//!   entries whose id is a candidate, a check that needs no table read, so non-matching rows cost
//!   next to nothing. Very many: the sort index is walked checking each row's search text, which
//!   finds a page quickly precisely because matches are dense.
//! - Counts per state come from `queue_counts`, which every write to `users` keeps in its own
//!   transaction, whenever the filter is on states, scores, flag, review or type only; with dates
//!   or a search they are counted over the rows (a scan for broad ones: hundreds of ms at 1M).
//!
//! # Links do not expire on the clock
//! A link's 15 minutes start when the customer opens it, which the cache never learns (see
//! `kyc::case`), so a "link issued" row stays so until Treezor says otherwise. The queries still
//! show a row stored as "link issued" whose `link_expires_at` has passed as "link expired": no row
//! written by this version has one (the projection leaves it empty, and schema version 5 emptied
//! those of older files), so that correction never applies.

mod counts;
mod cursor;
mod holding;
mod page;
mod search;
mod sql;

use kyc::officer::OfficerName;
use kyc::{CaseState, IdentificationId, ReasonCode, Score, Timestamp, UserId, UserType};
use serde::{Deserialize, Serialize};

use crate::codes::ReviewState;

pub(crate) use counts::counts;
pub use cursor::Cursor;
pub use holding::Holding;
pub(crate) use page::{nth_row, page};

/// How a search runs, by how many users its index lookup finds (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchTuning {
    /// Up to this many candidates: fetch them by id and sort them.
    pub fetch_up_to: usize,
    /// Up to this many: walk the sort index keeping the rows whose id is a candidate, which
    /// needs no table read for the others. Beyond: walk checking each row's search text.
    pub members_up_to: usize,
}

impl Default for SearchTuning {
    /// Measured with benchmark B6 on 1,000,000 users: fetching and sorting costs about 6 µs a
    /// candidate, a membership walk about 0.15 µs an index entry passed over (100 / density of
    /// them for a page), a text walk a table read per row passed over; these bounds keep each
    /// way in the range where it is the cheapest.
    fn default() -> Self {
        SearchTuning {
            fetch_up_to: 1_500,
            members_up_to: 15_000,
        }
    }
}

/// The most rows one page may ask for.
pub const MAX_PAGE: u32 = 1_000;

/// Which rows the queue shows. Empty lists and `None` mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct QueueFilter {
    /// Case states, as shown (an expired link counts as `link_expired`).
    pub states: Vec<CaseState>,
    /// Scores of the current attempt; `None` in the list matches "no score yet".
    pub scores: Vec<Option<Score>>,
    pub aml_flagged: Option<bool>,
    pub reviews: Vec<ReviewState>,
    pub user_types: Vec<UserType>,
    /// When the user was created (Treezor's `createdDate`, else the first event seen).
    pub created: TimeRange,
    /// When the case last changed.
    pub last_change: TimeRange,
    /// A user id, or part of a name or email; accents and case do not matter.
    pub search: Option<String>,
    /// The officer's own cases, or those nobody holds, at the query's time.
    pub holding: Option<Holding>,
    /// The officer "mine" means: the desk sets it from the officer signed in at the hub; the
    /// window cannot, so it cannot read a colleague's cases as its own.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub officer: Option<OfficerName>,
}

impl QueueFilter {
    /// The same filter without its states: what the per-state counts are computed over.
    pub fn without_states(&self) -> QueueFilter {
        QueueFilter {
            states: Vec::new(),
            ..self.clone()
        }
    }
}

/// An interval of time: `from` included, `until` excluded; either may be open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct TimeRange {
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl TimeRange {
    pub fn is_open(&self) -> bool {
        self.from.is_none() && self.until.is_none()
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// The user's age: when they were created.
    Created,
    /// When their case last changed.
    #[default]
    LastChange,
    /// Display name, accents and case ignored.
    Name,
    /// When the case is due under the team's deadlines; cases without one come after the others
    /// (see `crate::deadline`).
    Due,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Ascending,
    #[default]
    Descending,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Sort {
    pub key: SortKey,
    pub direction: Direction,
}

/// One page of the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct QueueQuery {
    pub filter: QueueFilter,
    pub sort: Sort,
    /// Where the page starts: the previous page's `next`, or `None` for the first page. Read
    /// backward, where it ends: the following page's `previous`, or `None` for the last page.
    pub after: Option<Cursor>,
    /// Rows per page, 1 to [`MAX_PAGE`].
    pub limit: u32,
    /// Read the `limit` rows *before* `after` (the last rows when `after` is `None`), by the same
    /// index walked the other way: End lands on the last page in one read, and the pages above
    /// it follow one read each. The rows come back in the queue's order all the same.
    pub backward: bool,
}

impl Default for QueueQuery {
    fn default() -> Self {
        QueueQuery {
            filter: QueueFilter::default(),
            sort: Sort::default(),
            after: None,
            limit: 100,
            backward: false,
        }
    }
}

/// One user's line in the queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QueueRow {
    pub user_id: UserId,
    pub display_name: String,
    pub user_type: Option<UserType>,
    /// As of the query's `now`.
    pub state: CaseState,
    /// The current attempt's score.
    pub score: Option<Score>,
    /// The current attempt's reason codes. For the officer only.
    pub reasons: Vec<ReasonCode>,
    /// Whether the person was ever refused for an AML-sensitive reason (in this attempt or an
    /// earlier one): the flag is the person's.
    pub aml_flagged: bool,
    pub review: ReviewState,
    pub created_at: Timestamp,
    pub last_change: Timestamp,
    /// The current attempt.
    pub identification: Option<IdentificationId>,
    /// Always empty since schema version 5: a link does not expire on the clock.
    pub link_expires_at: Option<Timestamp>,
    /// When the case is due under the team's deadlines; `None` when its state has none. Late
    /// when it is at or before the time the window shows it.
    pub due_at: Option<Timestamp>,
    /// The folded name the queue sorts on.
    #[serde(skip)]
    pub(crate) name_key: String,
}

/// A page of rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next: Option<Cursor>,
    /// Pass as `after` with `backward` for the page before this one; `None` on the first page
    /// (and on a first page read forward, which has nothing before it by definition).
    pub previous: Option<Cursor>,
    /// How many rows the whole filter matches, when that is known without a scan.
    pub total: Option<u64>,
}

/// How many users are in each state, under a filter (its own state list ignored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StateCounts {
    /// Every state, in the domain's order, zero included.
    pub states: Vec<(CaseState, u64)>,
    pub total: u64,
}

impl StateCounts {
    pub fn get(&self, state: CaseState) -> u64 {
        self.states
            .iter()
            .find(|(s, _)| *s == state)
            .map_or(0, |(_, n)| *n)
    }
}
