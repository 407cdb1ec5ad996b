//! Approvals and rejections: decided inside the store's serialised append, against the proposal
//! the log holds and the verdict already given on it, so that the hub decides once for every
//! desk ([`kyc::four_eyes::decide`]). Both stores read the proposal from `events` by its number
//! and keep each proposal's verdict in a `verdicts` table written only in the transaction that
//! stores the answer: under the SQLite writer thread, or under PostgreSQL's append lock. Of two
//! answers to one proposal at once, the second is refused and told who answered first.
//!
//! A record whose id was stored before is answered as a duplicate before anything is decided: an
//! approval sent again after a lost answer is not told that the proposal was already approved.
//!
//! The run of an approved action is decided the same way ([`kyc::four_eyes::decide_run`]): the
//! first run of an approved proposal is stored with a `runs` row, in the same transaction, and
//! any other run of it is refused, so one approval allows one action whichever desks ask.

use kyc::UserId;
use kyc::four_eyes::{FourEyesRefusal, Proposal, RunRefusal, Verdict, decide, decide_run};
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

/// A run record: the action an approved proposal allows, run by its author.
#[derive(Clone, Debug)]
pub struct RunAsk {
    pub record: Record,
    pub user: UserId,
    pub proposal: u64,
}

impl RunAsk {
    /// Whether the log allows this run against the proposal's row (`None`: no such proposal).
    pub(crate) fn decide(&self, row: Option<&ProposalRow>) -> Result<(), RunRefusal> {
        let (proposal, spent_by) = match row {
            Some((proposal, spent_by)) => (Some(proposal), spent_by.as_ref()),
            None => (None, None),
        };
        decide_run(self.proposal, proposal, spent_by, self.user)
    }
}

/// What became of an approve, reject or run record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answered<Why = FourEyesRefusal> {
    /// Stored under `seq`.
    Stored { seq: u64 },
    /// The same record was stored before; nothing changed.
    Duplicate,
    /// Not stored: the log says why.
    Refused(Why),
}

/// A proposal as [`proposal_from_rows`] reads it, and the officer whose run spent it.
pub(crate) type ProposalRow = (Proposal, Option<OfficerName>);

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

/// The proposal numbered `seq` and who spent it, from the rows [`PROPOSAL_ROW`] selects; the
/// spender's name always reads (the hub wrote it), and one that no longer does still spent it.
pub(crate) fn proposal_row(
    seq: u64,
    officer: Option<String>,
    payload: &str,
    verdict: Option<(String, String)>,
    runner: Option<String>,
) -> Option<ProposalRow> {
    let proposal = proposal_from_rows(seq, officer, payload, verdict)?;
    let spent_by =
        runner.map(|name| OfficerName::parse(&name).unwrap_or_else(|_| proposal.proposer.clone()));
    Some((proposal, spent_by))
}

/// Selects a proposal by its number (`$1`, which SQLite binds as its first parameter too) with
/// its verdict and its run, as [`proposal_row`] reads them, for both stores.
pub(crate) const PROPOSAL_ROW: &str = "SELECT e.officer, e.payload, v.verdict, v.officer, r.officer \
     FROM events e \
     LEFT JOIN verdicts v ON v.proposal = e.seq \
     LEFT JOIN runs r ON r.proposal = e.seq \
     WHERE e.seq = $1 AND e.webhook = 'team.propose'";
