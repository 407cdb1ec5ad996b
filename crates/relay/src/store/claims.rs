//! Claim records: decided inside the store's serialised append, against the claim the log holds
//! for the case, so that the hub decides once for every desk. Both stores keep each case's
//! current claim in a `claims` table changed only in the transaction that stores the claim record
//! it follows from: under the SQLite writer thread, or under PostgreSQL's append lock. Of two
//! claims at once, the second is decided after the first committed, and is refused with its
//! holder's name.
//!
//! A record whose id was stored before is answered as a duplicate before anything is decided: a
//! release sent again after a lost answer is not told that nobody holds the case.

use kyc::claim::{Claim, ClaimRefusal, ClaimRequest, decide};
use kyc::officer::{OfficerName, Role};
use kyc::{Timestamp, UserId};

use super::Record;

/// A claim record, and what the hub needs to decide it.
#[derive(Clone, Debug)]
pub struct ClaimAsk {
    pub record: Record,
    pub user: UserId,
    pub by: OfficerName,
    pub role: Role,
    pub request: ClaimRequest,
    /// Seconds without activity after which a claim lapses.
    pub lapse_seconds: i64,
}

impl ClaimAsk {
    /// The case's claim after this request at `now`, or why the hub refuses it.
    pub(crate) fn decide(
        &self,
        current: Option<&Claim>,
        now: Timestamp,
    ) -> Result<Option<Claim>, ClaimRefusal> {
        decide(
            current,
            &self.by,
            self.role,
            &self.request,
            now,
            self.lapse_seconds,
        )
    }
}

/// What became of a claim record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claimed {
    /// Stored under `seq`; `holder` is the case's claim after it (`None`: released).
    Stored { seq: u64, holder: Option<Claim> },
    /// The same record was stored before; nothing changed.
    Duplicate,
    /// Not stored: the log says why.
    Refused(ClaimRefusal),
}

/// A claim as a `claims` row keeps it: holder, and times in microseconds.
pub(crate) fn from_row(holder: String, since: i64, last_activity: i64) -> Option<Claim> {
    // A name the hub stored was parsed when it was stored; one that no longer parses is no
    // holder anyone can be told about, so the case counts as free.
    Some(Claim {
        holder: OfficerName::parse(&holder).ok()?,
        since: Timestamp::from_unix_micros(since),
        last_activity: Timestamp::from_unix_micros(last_activity),
    })
}
