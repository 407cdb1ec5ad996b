//! Decisions on a case and four eyes, through the team's hub (see `kyc::decision`,
//! `kyc::four_eyes`).
//!
//! A decision, a proposal and an answer go to the hub first and reach this desk's cache through
//! the feed, as a note does; the hub decides whether an answer is allowed (a senior other than
//! the proposer, once). The desk enforces the other half: an action the team's policy binds on
//! this case (requesting the review, starting a verification, closing as accepted) runs only
//! with an approval read from the cache of the hub's feed, never from the desk's own say-so.
//!
//! Four eyes needs a team: it applies whenever the desk reads a hub, unless the hub said that the
//! credential names no officer (the team's shared feed token: one officer, nobody to approve).
//! A hub that is away does not lift it: the approvals already in the cache still count, and a
//! new one waits for the hub.
//!
//! An approval is good for one run of its action. Before the action runs, the desk records the
//! run at the hub (a `run` record naming the proposal) and waits for it in its feed: the hub
//! stores the first run of an approved proposal and refuses any other (`already_run`), so only
//! the desk whose run the hub stored may go on. Another run, on this desk or a colleague's, needs
//! a new approval. (The desk still reads the first run from its feed: runs a hub stored before
//! it decided them are spent the same way.) A run that
//! failed (the hub's answer lost, Treezor unreachable) is tried again under the same record id,
//! which the hub stores once: the same run, so it is not refused.
//!
//! A decision and a proposal are work on the case, as an action is: they renew the claim the
//! officer holds on it (`Desk::renew_claim`).

use cache::{ApprovalRun, Decision, ProposalRecord};
use kyc::UserId;
use kyc::decision::{DecisionKind, Justification};
use kyc::four_eyes::{GuardedAction, Policy, Verdict};
use kyc::team::TeamEvent;
use serde::Serialize;

use crate::desk::{Desk, lock};
use crate::error::{Deed, Error, Result};
use crate::sync::HubRefusal;

/// A decision, proposal or answer the hub recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Recorded {
    /// Its number in the hub's feed; `None` when the hub had it already (a retry).
    pub seq: Option<u64>,
}

/// What the window shows of four eyes on a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FourEyes {
    /// Whether four eyes applies on this desk (a hub that names the officer).
    pub applies: bool,
    pub policy: Policy,
    pub aml_flagged: bool,
    /// The actions the policy binds on this case.
    pub bound: Vec<GuardedAction>,
    /// The bound actions an approval at the hub allows now.
    pub approved: Vec<GuardedAction>,
    pub proposals: Vec<ProposalRecord>,
}

impl Desk {
    /// Records the officer's decision on `user`'s case at the hub. Closing as accepted is bound
    /// by the team's policy like an action.
    pub async fn record_decision(
        &self,
        user: UserId,
        decision: DecisionKind,
        justification: &str,
    ) -> Result<Recorded> {
        let justification = parse(user, justification)?;
        self.hub(Deed::RecordDecision)?;
        self.not_held_by_colleague(user, Deed::RecordDecision, "decision")
            .await?;
        if decision == DecisionKind::CloseAccepted {
            let flagged = self.case_detail(user).await?.view.aml_flagged();
            self.require_approval(GuardedAction::CloseAccepted, user, flagged)
                .await?;
        }
        let event = TeamEvent::Decision {
            user_id: user,
            decision,
            justification,
        };
        let written = self
            .write_record(event, Deed::RecordDecision, "decision", |at| {
                format!("decision {decision}, {at}")
            })
            .await?;
        if decision == DecisionKind::CloseAccepted {
            self.run_done(user, GuardedAction::CloseAccepted);
        }
        self.renew_claim(user);
        Ok(Recorded { seq: written.seq })
    }

    /// Proposes `action` on `user`'s case, for a second officer to approve.
    pub async fn propose(
        &self,
        user: UserId,
        action: GuardedAction,
        justification: &str,
    ) -> Result<Recorded> {
        let justification = parse(user, justification)?;
        self.hub(Deed::ProposeAction)?;
        self.not_held_by_colleague(user, Deed::ProposeAction, "propose")
            .await?;
        let event = TeamEvent::Propose {
            user_id: user,
            action,
            justification,
        };
        let written = self
            .write_record(event, Deed::ProposeAction, "propose", |at| {
                format!("proposed {}, {at}", action.as_str())
            })
            .await?;
        self.renew_claim(user);
        Ok(Recorded { seq: written.seq })
    }

    /// Approves or rejects the proposal numbered `proposal` on `user`'s case. The hub decides
    /// whether this officer may (a senior, not the proposer).
    pub async fn answer_proposal(
        &self,
        user: UserId,
        proposal: u64,
        verdict: Verdict,
        justification: &str,
    ) -> Result<Recorded> {
        let justification = parse(user, justification)?;
        self.hub(Deed::AnswerProposal)?;
        let event = match verdict {
            Verdict::Approved => TeamEvent::Approve {
                user_id: user,
                proposal,
                justification,
            },
            Verdict::Rejected => TeamEvent::Reject {
                user_id: user,
                proposal,
                justification,
            },
        };
        let written = self
            .write_record(event, Deed::AnswerProposal, verdict_action(verdict), |at| {
                format!("{} proposal {proposal}, {at}", verdict.as_str())
            })
            .await?;
        Ok(Recorded { seq: written.seq })
    }

    /// Sets what needs a second officer, for the whole team; the hub takes it from a senior only.
    pub async fn set_four_eyes_policy(&self, policy: Policy) -> Result<Recorded> {
        let event = TeamEvent::Policy { policy };
        let written = self
            .write_record(event, Deed::SetFourEyesPolicy, "four_eyes_policy", |at| {
                format!("four-eyes policy {policy:?}, {at}")
            })
            .await?;
        Ok(Recorded { seq: written.seq })
    }

    /// The decisions on `user`'s case, as the cache last had them from the hub.
    pub async fn decisions(&self, user: UserId) -> Result<Vec<Decision>> {
        self.store()
            .read(move |reader| reader.decisions(user))
            .await
    }

    /// Four eyes on `user`'s case: the policy, what it binds, the proposals and their answers.
    pub async fn four_eyes(&self, user: UserId) -> Result<FourEyes> {
        let aml_flagged = self.case_detail(user).await?.view.aml_flagged();
        let (policy, proposals, runs) = self
            .store()
            .read(move |reader| {
                Ok((
                    reader.four_eyes_policy()?,
                    reader.proposals(user)?,
                    reader.approval_runs(user)?,
                ))
            })
            .await?;
        let applies = self.four_eyes_applies();
        let bound: Vec<GuardedAction> = GuardedAction::ALL
            .into_iter()
            .filter(|action| applies && policy.binds(*action, aml_flagged))
            .collect();
        let approved = bound
            .iter()
            .copied()
            .filter(|action| approval(&proposals, &runs, *action).is_some())
            .collect();
        Ok(FourEyes {
            applies,
            policy,
            aml_flagged,
            bound,
            approved,
            proposals,
        })
    }

    /// Refuses `action` on `user`'s case when the team's policy binds it and no approval the hub
    /// recorded is in the cache.
    pub(crate) async fn require_approval(
        &self,
        action: GuardedAction,
        user: UserId,
        aml_flagged: bool,
    ) -> Result<()> {
        if !self.four_eyes_applies() {
            return Ok(());
        }
        let (policy, proposals) = self
            .store()
            .read(move |reader| Ok((reader.four_eyes_policy()?, reader.proposals(user)?)))
            .await?;
        if !policy.binds(action, aml_flagged) {
            return Ok(());
        }
        let runs = self
            .store()
            .read(move |reader| reader.approval_runs(user))
            .await?;
        let unfinished = self.unfinished_run(user, action);
        if let Some(approved) = unspent(&proposals, &runs, action, unfinished.as_ref()) {
            let id = unfinished
                .filter(|run| run.proposal == approved)
                .map_or_else(crate::team::record_id, |run| run.id);
            if self.spend(user, action, approved, id).await? {
                return Ok(());
            }
        }
        let pending = proposals
            .iter()
            .rev()
            .find(|p| p.action == action && p.answer.is_none());
        Err(Error::NeedsApproval {
            action: deed_of(action),
            user,
            pending: pending.map(|p| (p.seq, p.author.clone())),
        })
    }

    /// Records the run of `action` under the approval of `proposal` at the hub with the record id
    /// `id`, and waits for the feed to bring the proposal's first run: whether it is this one.
    async fn spend(
        &self,
        user: UserId,
        action: GuardedAction,
        proposal: u64,
        id: String,
    ) -> Result<bool> {
        let hub = self.hub(deed_of(action))?;
        let event = TeamEvent::Run {
            user_id: user,
            proposal,
        };
        let Some(me) = self.signed_in_as() else {
            return Ok(false);
        };
        let ours = relay::store::Record::team(&me, &id, &event)
            .webhook_id()
            .to_owned();
        // Kept until the action is done: a run that fails goes again under the same id.
        self.remember_run(
            user,
            action,
            Some(UnfinishedRun {
                proposal,
                id: id.clone(),
            }),
        );
        match hub.write_team(&kyc::team::TeamWrite { id, event }).await {
            Ok(_) => {}
            // The hub decides the run: the approval was spent by another run (or is no approval
            // now), so this desk needs a new one.
            Err(crate::sync::FeedError::Declined {
                refusal:
                    HubRefusal::AlreadyRun { .. }
                    | HubRefusal::NotApproved { .. }
                    | HubRefusal::ProposalRejected { .. },
                ..
            }) => {
                self.remember_run(user, action, None);
                return Ok(false);
            }
            Err(cause) => {
                return Err(Error::Hub {
                    what: deed_of(action),
                    user: Some(user),
                    cause,
                });
            }
        }
        let first = self
            .first_run(user, action, proposal, hub.base_url())
            .await?;
        let mine = first.record_id == ours;
        if !mine {
            self.remember_run(user, action, None);
        }
        Ok(mine)
    }

    /// The first run of `proposal` once the feed brought it (it was just stored at the hub).
    async fn first_run(
        &self,
        user: UserId,
        action: GuardedAction,
        proposal: u64,
        hub: &str,
    ) -> Result<ApprovalRun> {
        let mut health = self.health();
        let deadline = tokio::time::Instant::now() + RUN_IN_FEED;
        loop {
            let runs = self
                .store()
                .read(move |reader| reader.approval_runs(user))
                .await?;
            if let Some(run) = runs.into_iter().find(|run| run.proposal == proposal) {
                return Ok(run);
            }
            // Every page the loop applies moves the health: read again then.
            match tokio::time::timeout_at(deadline, health.changed()).await {
                Ok(Ok(())) => {}
                _ => {
                    // Recorded, not yet seen: the same run goes again under the same id.
                    return Err(Error::Hub {
                        what: deed_of(action),
                        user: Some(user),
                        cause: crate::sync::FeedError::RunNotSeen {
                            url: hub.to_owned(),
                            proposal,
                        },
                    });
                }
            }
        }
    }

    /// After `action` ran on `user`'s case: its approval is spent for good.
    pub(crate) fn run_done(&self, user: UserId, action: GuardedAction) {
        self.remember_run(user, action, None);
    }

    fn unfinished_run(&self, user: UserId, action: GuardedAction) -> Option<UnfinishedRun> {
        lock(&self.inner.runs).get(&(user, action)).cloned()
    }

    fn remember_run(&self, user: UserId, action: GuardedAction, run: Option<UnfinishedRun>) {
        let mut runs = lock(&self.inner.runs);
        match run {
            Some(run) => runs.insert((user, action), run),
            None => runs.remove(&(user, action)),
        };
    }

    fn signed_in_as(&self) -> Option<kyc::officer::OfficerName> {
        let health = self.inner.health.borrow();
        kyc::officer::OfficerName::parse(&health.signed_in.as_ref()?.name).ok()
    }

    /// Whether the desk reads a hub that has not said the credential names no officer.
    fn four_eyes_applies(&self) -> bool {
        lock(&self.inner.running).hub.is_some() && !self.inner.health.borrow().names_no_officer
    }
}

/// How long the desk waits for its run to come back in the feed.
const RUN_IN_FEED: std::time::Duration = std::time::Duration::from_secs(15);

/// A run recorded at the hub whose action has not completed: tried again under the same id.
#[derive(Clone, Debug)]
pub(crate) struct UnfinishedRun {
    proposal: u64,
    id: String,
}

/// The approved proposal that allows `action`, if any: one no run spent yet.
fn approval(
    proposals: &[ProposalRecord],
    runs: &[ApprovalRun],
    action: GuardedAction,
) -> Option<u64> {
    unspent(proposals, runs, action, None)
}

/// The newest approved proposal for `action` that no run spent, or that this desk's `unfinished`
/// run spent (the same run, tried again).
fn unspent(
    proposals: &[ProposalRecord],
    runs: &[ApprovalRun],
    action: GuardedAction,
    unfinished: Option<&UnfinishedRun>,
) -> Option<u64> {
    proposals
        .iter()
        .rev()
        .filter(|p| p.action == action && p.approved())
        .find(|p| {
            !runs.iter().any(|run| run.proposal == p.seq)
                || unfinished.is_some_and(|run| run.proposal == p.seq)
        })
        .map(|p| p.seq)
}

fn parse(user: UserId, text: &str) -> Result<Justification> {
    Justification::parse(text).map_err(|problem| Error::InvalidJustification { user, problem })
}

/// The audit trail's name for an answer.
fn verdict_action(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Approved => "approve",
        Verdict::Rejected => "reject",
    }
}

/// The officer's act a guarded action is, for the words of a refusal.
fn deed_of(action: GuardedAction) -> Deed {
    match action {
        GuardedAction::RequestReview => Deed::RequestReview,
        GuardedAction::StartVerification => Deed::StartVerification,
        GuardedAction::CloseAccepted => Deed::CloseAccepted,
    }
}
