//! The team's rules, as a senior sets them from the window: what needs a second officer (the
//! four-eyes policy, a team record in the hub's log) and how long a case may wait in each state
//! (the deadlines, `PUT /v1/deadlines`).
//!
//! Both live at the hub, which takes them from a senior only; the desk reads them from its cache
//! (the policy from the feed, the deadlines as the sync last read them) and says why the window
//! shows them read-only: no hub, an officer who is not a senior (or the team's shared feed token,
//! which names no one), or a hub that cannot be reached. Every change is audited, here and in the
//! team's trail at the hub.

use std::collections::BTreeMap;

use cache::Outcome;
use kyc::CaseState;
use kyc::deadline::{DeadlinePolicy, WAITING_STATES};
use kyc::four_eyes::Policy;
use kyc::officer::Role;
use serde::Serialize;

use crate::claims::TeamState;
use crate::desk::{Change, Desk};
use crate::error::{Deed, Error, Result};

/// The team's rules as the window shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TeamRules {
    pub four_eyes: Policy,
    /// Every state a deadline may be set on, in the domain's order, with its deadline.
    pub deadlines: Vec<StateDeadline>,
    /// Why this desk may not change them; `None` when it may.
    pub read_only: Option<ReadOnly>,
}

/// One waiting state's deadline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StateDeadline {
    pub state: CaseState,
    /// `None`: a case may wait in this state for ever.
    pub seconds: Option<i64>,
}

/// Why the team's rules are shown read-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ReadOnly {
    /// No hub is set: the rules are the defaults, and there is no team to set them for.
    NoHub,
    /// Only a senior sets them; `role` is the officer's (`None`: the team's shared feed token, or
    /// a hub that has not said who the credential is).
    NotSenior { role: Option<Role> },
    /// The hub cannot be reached: the rules are as the desk last had them.
    HubAway,
}

impl Desk {
    /// The team's rules, and whether this desk may change them.
    pub async fn team_rules(&self) -> Result<TeamRules> {
        let (four_eyes, deadlines) = self
            .store()
            .read(|reader| Ok((reader.four_eyes_policy()?, reader.deadlines()?)))
            .await?;
        Ok(TeamRules {
            four_eyes,
            deadlines: WAITING_STATES
                .into_iter()
                .map(|state| StateDeadline {
                    state,
                    seconds: deadlines.seconds(state),
                })
                .collect(),
            read_only: self.rules_read_only(),
        })
    }

    /// Sets the team's deadlines at the hub (a senior's credential only; the hub checks the role)
    /// from state names and seconds; a state left out has none. Checked here first, so a bad
    /// value is refused without asking the hub.
    pub async fn set_deadlines(&self, deadlines: BTreeMap<String, i64>) -> Result<TeamRules> {
        let policy = DeadlinePolicy::parse(deadlines)
            .map_err(|problem| Error::InvalidDeadlines { problem })?;
        let hub = self.hub(Deed::SetDeadlines)?;
        self.audit_ready().await?;
        let answer = hub
            .set_deadlines(&policy)
            .await
            .map_err(|cause| Error::Hub {
                what: Deed::SetDeadlines,
                user: None,
                cause,
            });
        let (outcome, detail) = match &answer {
            Ok(set) => (Outcome::Succeeded, format!("deadlines {set}")),
            Err(error) => (Outcome::Failed, error.to_string()),
        };
        self.audit_named("set_deadlines", None, None, outcome, detail)
            .await?;
        let set = answer?;
        // The hub's answer is the policy it holds: kept now rather than at the sync's next read.
        if self
            .store()
            .write(move |cache| cache.set_deadlines(&set))
            .await?
        {
            let _ = self.inner.changes.send(Change::Users(Vec::new()));
        }
        self.team_rules().await
    }

    fn rules_read_only(&self) -> Option<ReadOnly> {
        let role = self
            .inner
            .health
            .borrow()
            .signed_in
            .as_ref()
            .map(|me| me.role);
        match self.team_state() {
            TeamState::NoHub => Some(ReadOnly::NoHub),
            _ if role != Some(Role::Senior) => Some(ReadOnly::NotSenior { role }),
            TeamState::Away { .. } => Some(ReadOnly::HubAway),
            TeamState::Live => None,
        }
    }
}
