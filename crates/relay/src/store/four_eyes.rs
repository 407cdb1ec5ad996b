//! Approvals and rejections: decided inside the store's serialised append, against the proposal
//! the log holds and the verdict already given on it, so that the hub decides once for every
//! desk ([`kyc::four_eyes::decide`]). Both stores read the proposal from `events` by its number
//! and keep each proposal's verdict in a `verdicts` table written only in the transaction that
//! stores the answer: under the SQLite writer thread, or under PostgreSQL's append lock. Of two
//! answers to one proposal at once, the second is refused and told who answered first.
//!
//! A record whose id was stored before is answered as a duplicate before anything is decided: an
//! approval sent again after a lost answer is not told that the proposal was already approved.

use kyc::UserId;
use kyc::four_eyes::{FourEyesRefusal, Proposal, Verdict, decide};
use kyc::officer::{OfficerName, Role};
use kyc::team::TeamEvent;

use super::Record;

/// An approve or reject record, and what the hub needs to decide it.
#[derive(Clone, Debug)]
pub struct VerdictAsk {
    pub record: Record,
    pub user: UserId,
    pub proposal: u64,
    pub verdict: Verdict,
    pub by: OfficerName,
    pub role: Role,
}

impl VerdictAsk {
    /// Whether the log allows this answer to `proposal` (`None`: the log has no such proposal).
    pub(crate) fn decide(&self, proposal: Option<&Proposal>) -> Result<(), FourEyesRefusal> {
        decide(self.proposal, proposal, self.user, &self.by, self.role)
    }
}

/// What became of an approve or reject record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answered {
    /// Stored under `seq`.
    Stored { seq: u64 },
    /// The same record was stored before; nothing changed.
    Duplicate,
    /// Not stored: the log says why.
    Refused(FourEyesRefusal),
}

/// The proposal numbered `seq`, from its `events` row (author, payload) and its `verdicts` row
/// (verdict, officer) if any; `None` when that event is no proposal.
pub(crate) fn proposal_from_rows(
    seq: u64,
    officer: Option<String>,
    payload: &str,
    verdict: Option<(String, String)>,
) -> Option<Proposal> {
    let proposer = OfficerName::parse(&officer?).ok()?;
    let TeamEvent::Propose {
        user_id, action, ..
    } = serde_json::from_str(payload).ok()?
    else {
        return None;
    };
    // A verdict the hub stored was read when it was stored; one that no longer reads still
    // counts as given, so a proposal is never answered twice.
    let verdict = verdict.map(|(verdict, officer)| {
        (
            Verdict::parse(&verdict).unwrap_or(Verdict::Rejected),
            OfficerName::parse(&officer).unwrap_or_else(|_| proposer.clone()),
        )
    });
    Some(Proposal {
        seq,
        user: user_id,
        action,
        proposer,
        verdict,
    })
}
