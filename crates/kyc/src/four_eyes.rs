//! Four eyes: what needs a second officer, and the rule the hub applies to an approval.
//!
//! The team's [`Policy`] says, per action, when it needs a second officer; a senior sets it with a
//! team record, so every desk holds it from the feed (the default binds every action on a case
//! with an AML flag). The desk knows the case's flag from the webhooks the hub relays, and asks
//! for an approval whenever the policy binds the action: the hub needs no view of the case.
//!
//! The first officer proposes the action with a justification ([`crate::team::TeamEvent::Propose`]);
//! a different officer with the senior role approves or rejects it with their own. That rule is
//! decided by the hub inside its serialised append ([`decide`]), against the proposal the log
//! holds, so an approval the log refuses is never stored and no desk can count it. An approval
//! allows one run of its action: the hub stores the first run of an approved proposal and
//! refuses any other ([`decide_run`]).

use serde::{Deserialize, Serialize};

use crate::case::Action;
use crate::ids::UserId;
use crate::officer::{OfficerName, Role};

/// An action the policy can bind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum GuardedAction {
    /// Ask Treezor's KYC review.
    RequestReview,
    /// Start a new live verification.
    StartVerification,
    /// Record the decision to close the case as accepted.
    CloseAccepted,
}

impl GuardedAction {
    pub const ALL: [GuardedAction; 3] = [
        GuardedAction::RequestReview,
        GuardedAction::StartVerification,
        GuardedAction::CloseAccepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GuardedAction::RequestReview => "request_review",
            GuardedAction::StartVerification => "start_verification",
            GuardedAction::CloseAccepted => "close_accepted",
        }
    }

    /// Reads the word [`GuardedAction::as_str`] writes.
    pub fn parse(text: &str) -> Option<GuardedAction> {
        GuardedAction::ALL.into_iter().find(|a| a.as_str() == text)
    }

    /// The guarded action a case action is, if any.
    pub fn of(action: Action) -> Option<GuardedAction> {
        match action {
            Action::RequestReview => Some(GuardedAction::RequestReview),
            Action::StartVerification => Some(GuardedAction::StartVerification),
            Action::RetrieveDocuments | Action::DownloadDocument => None,
        }
    }
}

/// When an action needs a second officer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// On every case.
    Always,
    /// On a case whose person carries the AML flag.
    AmlFlagged,
    /// Never: one officer may run it.
    Never,
}

/// What needs a second officer, per action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub request_review: Rule,
    pub start_verification: Rule,
    pub close_accepted: Rule,
}

impl Default for Policy {
    /// Anything that moves an AML-flagged case forward, and closing one as accepted.
    fn default() -> Policy {
        Policy {
            request_review: Rule::AmlFlagged,
            start_verification: Rule::AmlFlagged,
            close_accepted: Rule::AmlFlagged,
        }
    }
}

impl Policy {
    /// Whether `action` on a case (AML-flagged or not) needs an approval.
    pub fn binds(&self, action: GuardedAction, aml_flagged: bool) -> bool {
        let rule = match action {
            GuardedAction::RequestReview => self.request_review,
            GuardedAction::StartVerification => self.start_verification,
            GuardedAction::CloseAccepted => self.close_accepted,
        };
        match rule {
            Rule::Always => true,
            Rule::AmlFlagged => aml_flagged,
            Rule::Never => false,
        }
    }
}

/// A second officer's answer to a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approved,
    Rejected,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approved => "approved",
            Verdict::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Verdict> {
        [Verdict::Approved, Verdict::Rejected]
            .into_iter()
            .find(|v| v.as_str() == text)
    }
}

/// A proposal as the log holds it: its number in the log, and the verdict once given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub seq: u64,
    pub user: UserId,
    pub action: GuardedAction,
    pub proposer: OfficerName,
    pub verdict: Option<(Verdict, OfficerName)>,
}

/// Why the hub refuses an approval or a rejection; each says what the officer can do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FourEyesRefusal {
    #[error(
        "there is no proposal number {0} at the hub; reload the case and answer a proposal it shows"
    )]
    UnknownProposal(u64),
    #[error("proposal {proposal} is about user {user}, not this case; answer it on its own case")]
    OtherCase { proposal: u64, user: UserId },
    #[error("you proposed this yourself: a different senior officer must approve or reject it")]
    OwnProposal,
    #[error("only a senior officer approves or rejects a proposal; ask one")]
    SeniorOnly,
    #[error("{by} has already {} this proposal; propose again if it must be reconsidered", verdict.as_str())]
    AlreadyDecided { verdict: Verdict, by: OfficerName },
}

/// Whether `by` (with `role`) may give `verdict` on the proposal numbered `number`, on `user`'s
/// case, against what the log holds (`proposal`, `None` when the log has no such proposal).
pub fn decide(
    number: u64,
    proposal: Option<&Proposal>,
    user: UserId,
    by: &OfficerName,
    role: Role,
) -> Result<(), FourEyesRefusal> {
    if role != Role::Senior {
        return Err(FourEyesRefusal::SeniorOnly);
    }
    let proposal = proposal.ok_or(FourEyesRefusal::UnknownProposal(number))?;
    if proposal.user != user {
        return Err(FourEyesRefusal::OtherCase {
            proposal: number,
            user: proposal.user,
        });
    }
    if &proposal.proposer == by {
        return Err(FourEyesRefusal::OwnProposal);
    }
    if let Some((verdict, by)) = &proposal.verdict {
        return Err(FourEyesRefusal::AlreadyDecided {
            verdict: *verdict,
            by: by.clone(),
        });
    }
    Ok(())
}

/// Why the hub refuses the run of an approved action; each says what the officer can do.
///
/// An approval is good for one run: the hub stores the first run of an approved proposal and
/// refuses any other, so two desks running it at once cannot both act on one approval, and a
/// run of a proposal nobody approved never reaches the log.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunRefusal {
    #[error(
        "there is no proposal number {0} at the hub; propose the action and wait for a senior's approval"
    )]
    UnknownProposal(u64),
    #[error("proposal {proposal} is about user {user}, not this case; run it on its own case")]
    OtherCase { proposal: u64, user: UserId },
    #[error("proposal {0} has no approval yet; wait for a senior to approve it")]
    NotApproved(u64),
    #[error("{by} rejected proposal {proposal}; propose again if it must be reconsidered")]
    Rejected { proposal: u64, by: OfficerName },
    #[error(
        "the approval of proposal {proposal} was spent by {by}'s run; propose again for a new approval"
    )]
    AlreadyRun { proposal: u64, by: OfficerName },
}

/// Whether the run of the proposal numbered `number` on `user`'s case may spend its approval,
/// against what the log holds: the proposal (`None` when the log has no such proposal) and the
/// officer whose run spent it, if one did.
pub fn decide_run(
    number: u64,
    proposal: Option<&Proposal>,
    spent_by: Option<&OfficerName>,
    user: UserId,
) -> Result<(), RunRefusal> {
    let proposal = proposal.ok_or(RunRefusal::UnknownProposal(number))?;
    if proposal.user != user {
        return Err(RunRefusal::OtherCase {
            proposal: number,
            user: proposal.user,
        });
    }
    match &proposal.verdict {
        None => return Err(RunRefusal::NotApproved(number)),
        Some((Verdict::Rejected, by)) => {
            return Err(RunRefusal::Rejected {
                proposal: number,
                by: by.clone(),
            });
        }
        Some((Verdict::Approved, _)) => {}
    }
    match spent_by {
        Some(by) => Err(RunRefusal::AlreadyRun {
            proposal: number,
            by: by.clone(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(n: &str) -> OfficerName {
        OfficerName::parse(n).unwrap()
    }

    fn user(n: u64) -> UserId {
        UserId::new(n).unwrap()
    }

    fn proposed_by(n: &str) -> Proposal {
        Proposal {
            seq: 7,
            user: user(42),
            action: GuardedAction::RequestReview,
            proposer: name(n),
            verdict: None,
        }
    }

    #[test]
    fn a_different_senior_approves_and_the_proposer_cannot() {
        let proposal = proposed_by("Zoé");
        let by = |n: &str, role| decide(7, Some(&proposal), user(42), &name(n), role);
        assert_eq!(by("Sam", Role::Senior), Ok(()));
        assert_eq!(by("Max", Role::Officer), Err(FourEyesRefusal::SeniorOnly));
        assert_eq!(by("Ada", Role::Auditor), Err(FourEyesRefusal::SeniorOnly));
        // A senior's own proposal needs another senior.
        let own = proposed_by("Sam");
        assert_eq!(
            decide(7, Some(&own), user(42), &name("Sam"), Role::Senior),
            Err(FourEyesRefusal::OwnProposal)
        );
    }

    #[test]
    fn a_proposal_is_answered_once_on_its_own_case() {
        let mut proposal = proposed_by("Zoé");
        let sam = name("Sam");
        assert_eq!(
            decide(7, Some(&proposal), user(43), &sam, Role::Senior),
            Err(FourEyesRefusal::OtherCase {
                proposal: 7,
                user: user(42)
            })
        );
        assert_eq!(
            decide(8, None, user(42), &sam, Role::Senior),
            Err(FourEyesRefusal::UnknownProposal(8))
        );
        proposal.verdict = Some((Verdict::Rejected, name("Léa")));
        let refusal = decide(7, Some(&proposal), user(42), &sam, Role::Senior).unwrap_err();
        assert_eq!(
            refusal.to_string(),
            "Léa has already rejected this proposal; propose again if it must be reconsidered"
        );
    }

    #[test]
    fn the_default_policy_binds_only_flagged_cases() {
        let policy = Policy::default();
        for action in GuardedAction::ALL {
            assert!(policy.binds(action, true), "{action:?}");
            assert!(!policy.binds(action, false), "{action:?}");
            assert_eq!(GuardedAction::parse(action.as_str()), Some(action));
        }
        let strict = Policy {
            request_review: Rule::Always,
            start_verification: Rule::Never,
            close_accepted: Rule::AmlFlagged,
        };
        assert!(strict.binds(GuardedAction::RequestReview, false));
        assert!(!strict.binds(GuardedAction::StartVerification, true));
        assert_eq!(
            GuardedAction::of(Action::DownloadDocument),
            None,
            "reading what Treezor holds moves nothing forward"
        );
    }

    #[test]
    fn an_approval_allows_one_run_of_its_own_case() {
        let mut proposal = proposed_by("Zoé");
        let run = |p: &Proposal, spent: Option<&OfficerName>, on: u64| {
            decide_run(7, Some(p), spent, user(on))
        };
        assert_eq!(run(&proposal, None, 42), Err(RunRefusal::NotApproved(7)));
        proposal.verdict = Some((Verdict::Rejected, name("Léa")));
        assert_eq!(
            run(&proposal, None, 42),
            Err(RunRefusal::Rejected {
                proposal: 7,
                by: name("Léa")
            })
        );
        proposal.verdict = Some((Verdict::Approved, name("Léa")));
        assert_eq!(run(&proposal, None, 42), Ok(()));
        assert_eq!(
            run(&proposal, None, 43),
            Err(RunRefusal::OtherCase {
                proposal: 7,
                user: user(42)
            })
        );
        assert_eq!(
            decide_run(8, None, None, user(42)),
            Err(RunRefusal::UnknownProposal(8))
        );
        let spent = run(&proposal, Some(&name("Zoé")), 42).unwrap_err();
        assert_eq!(
            spent.to_string(),
            "the approval of proposal 7 was spent by Zoé's run; propose again for a new approval"
        );
    }
}
