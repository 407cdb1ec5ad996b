//! The officers' decisions on a case (see [`kyc::decision`]), and the four-eyes proposals with
//! their answers (see [`kyc::four_eyes`]), as the hub's feed brought them. The hub decided every
//! answer before storing it, so what is here is what the hub recorded: a desk never writes these
//! itself. Never customer text.

use kyc::decision::DecisionKind;
use kyc::four_eyes::{GuardedAction, Policy, Verdict};
use kyc::team::TeamEvent;
use kyc::{Timestamp, UserId};
use rusqlite::Connection;
use serde::Serialize;

use crate::error::{Doing, Result};
use crate::team::records;

/// A decision on a case, as the window lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Decision {
    pub seq: u64,
    pub author: String,
    pub written_at: Timestamp,
    pub decision: DecisionKind,
    pub justification: String,
}

/// A proposal on a case, with its answer once a second officer gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProposalRecord {
    pub seq: u64,
    pub author: String,
    pub written_at: Timestamp,
    pub action: GuardedAction,
    pub justification: String,
    pub answer: Option<Answer>,
}

/// A second officer's answer to a proposal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Answer {
    pub seq: u64,
    pub verdict: Verdict,
    pub by: String,
    pub written_at: Timestamp,
    pub justification: String,
}

impl ProposalRecord {
    /// Whether a second officer approved it.
    pub fn approved(&self) -> bool {
        self.answer
            .as_ref()
            .is_some_and(|a| a.verdict == Verdict::Approved && a.by != self.author)
    }
}

/// The decisions on `user`'s case, oldest first.
pub(crate) fn decisions(conn: &Connection, user: UserId) -> Result<Vec<Decision>> {
    let doing = "reading a case's decisions";
    Ok(records(conn, Some(user), "decision", doing)?
        .into_iter()
        .filter_map(|(written, record)| match record {
            TeamEvent::Decision {
                decision,
                justification,
                ..
            } => Some(Decision {
                seq: written.seq,
                author: written.author,
                written_at: written.at,
                decision,
                justification: justification.into(),
            }),
            _ => None,
        })
        .collect())
}

/// The proposals on `user`'s case with their answers, oldest first.
pub(crate) fn proposals(conn: &Connection, user: UserId) -> Result<Vec<ProposalRecord>> {
    let doing = "reading a case's proposals";
    let mut proposals: Vec<ProposalRecord> = records(conn, Some(user), "propose", doing)?
        .into_iter()
        .filter_map(|(written, record)| match record {
            TeamEvent::Propose {
                action,
                justification,
                ..
            } => Some(ProposalRecord {
                seq: written.seq,
                author: written.author,
                written_at: written.at,
                action,
                justification: justification.into(),
                answer: None,
            }),
            _ => None,
        })
        .collect();
    let mut answers = records(conn, Some(user), "approve", doing)?;
    answers.extend(records(conn, Some(user), "reject", doing)?);
    answers.sort_by_key(|(written, _)| written.seq);
    for (written, record) in answers {
        let Some((proposal, verdict)) = record.verdict() else {
            continue;
        };
        let (TeamEvent::Approve { justification, .. } | TeamEvent::Reject { justification, .. }) =
            record
        else {
            continue;
        };
        // The hub stores one answer per proposal, after it; the first one counts.
        if let Some(target) = proposals
            .iter_mut()
            .find(|p| p.seq == proposal && p.seq < written.seq && p.answer.is_none())
        {
            target.answer = Some(Answer {
                seq: written.seq,
                verdict,
                by: written.author,
                written_at: written.at,
                justification: justification.into(),
            });
        }
    }
    Ok(proposals)
}

/// The team's policy: the last one a senior set, or the default.
pub(crate) fn policy(conn: &Connection) -> Result<Policy> {
    let set = records(conn, None, "policy", "reading the team's four-eyes policy")?;
    Ok(set
        .into_iter()
        .rev()
        .find_map(|(_, record)| match record {
            TeamEvent::Policy { policy } => Some(policy),
            _ => None,
        })
        .unwrap_or_default())
}

/// The run that spent a proposal's approval: the first `run` record naming it in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalRun {
    pub proposal: u64,
    pub seq: u64,
    pub author: String,
    /// The hub's id of the record (its `webhook_id`), by which a desk knows its own run again.
    pub record_id: String,
}

/// The first run of each proposal on `user`'s case, by proposal.
pub(crate) fn runs(conn: &Connection, user: UserId) -> Result<Vec<ApprovalRun>> {
    let doing = "reading the runs of a case's approvals";
    let rows: Vec<(i64, String, String, String)> = conn
        .prepare_cached(
            "SELECT seq, author, record_id, payload FROM team_records
             WHERE user_id IS ?1 AND kind = 'run' AND error IS NULL ORDER BY seq",
        )
        .and_then(|mut s| {
            s.query_map([user.get() as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect()
        })
        .doing(doing)?;
    let mut runs: Vec<ApprovalRun> = Vec::new();
    for (seq, author, record_id, payload) in rows {
        let Ok(TeamEvent::Run { proposal, .. }) = serde_json::from_str(&payload) else {
            continue;
        };
        // A later run of the same proposal allowed nothing: the first one spent it.
        if runs.iter().all(|run| run.proposal != proposal) {
            runs.push(ApprovalRun {
                proposal,
                seq: seq as u64,
                author,
                record_id,
            });
        }
    }
    Ok(runs)
}
