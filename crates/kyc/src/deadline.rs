//! Deadlines: how long a case may wait in a state before it is late, set for the whole team on
//! the hub by a senior and served to every desk.
//!
//! A deadline belongs to a state in which the case waits on someone (the customer, Treezor, the
//! officer); a state that ends the process waits on no one and takes none. The defaults follow
//! the guide's process: a link the customer has not used within 15 minutes (the link's own
//! lifetime once opened), documents not retrieved a day after a validated verification, and a
//! KYC review still pending at Treezor after 48 hours.
//!
//! A case's due time is the moment it entered its state ([`crate::Case::state_since`]) plus its
//! state's deadline: the clock starts again only when the state changes, not at every event.
//!
//! On the wire a policy is a JSON object from state name to seconds:
//! `{"link_issued": 900, "validated": 86400, "review_requested": 172800}`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::case::CaseState;
use crate::time::Timestamp;

/// The shortest deadline: a minute. Shorter ones would make every case late at once.
pub const MIN_SECONDS: i64 = 60;

/// The longest deadline: a year. Longer is no deadline; leave the state out instead.
pub const MAX_SECONDS: i64 = 365 * 24 * 3600;

/// The states a deadline may be set on: those in which the case waits on someone.
pub const WAITING_STATES: [CaseState; 6] = [
    CaseState::LinkIssued,
    CaseState::Processing,
    CaseState::Validated,
    CaseState::DocumentsRequested,
    CaseState::DocumentsReceived,
    CaseState::ReviewRequested,
];

/// The team's deadlines, by state, in seconds. Only [`DeadlinePolicy::parse`] builds one, so every
/// policy holds waiting states and durations within bounds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, i64>", into = "BTreeMap<String, i64>")]
pub struct DeadlinePolicy(BTreeMap<CaseState, i64>);

/// Why a policy was refused: which state, which value, what is allowed.
///
/// Serialized with its parts, so that the window words it in the officer's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum DeadlineError {
    #[error("there is no case state named {name:?}; deadlines apply to {waiting}", waiting = waiting_names())]
    UnknownState { name: String },
    #[error("a case in {state} waits on no one, so it takes no deadline; deadlines apply to {waiting}", waiting = waiting_names())]
    NotWaiting { state: CaseState },
    #[error(
        "the deadline for {state} is {seconds} seconds; a deadline is {MIN_SECONDS} seconds (1 minute) to {MAX_SECONDS} seconds (365 days)"
    )]
    OutOfBounds { state: CaseState, seconds: i64 },
}

fn waiting_names() -> String {
    WAITING_STATES.map(CaseState::as_str).join(", ")
}

impl DeadlinePolicy {
    /// Reads a policy from state names and seconds, refusing unknown or final states and
    /// durations out of bounds.
    pub fn parse(raw: BTreeMap<String, i64>) -> Result<DeadlinePolicy, DeadlineError> {
        let mut deadlines = BTreeMap::new();
        for (name, seconds) in raw {
            let state = CaseState::parse(&name)
                .ok_or_else(|| DeadlineError::UnknownState { name: name.clone() })?;
            if !WAITING_STATES.contains(&state) {
                return Err(DeadlineError::NotWaiting { state });
            }
            if !(MIN_SECONDS..=MAX_SECONDS).contains(&seconds) {
                return Err(DeadlineError::OutOfBounds { state, seconds });
            }
            deadlines.insert(state, seconds);
        }
        Ok(DeadlinePolicy(deadlines))
    }

    /// The deadline of `state` in seconds, if it has one.
    pub fn seconds(&self, state: CaseState) -> Option<i64> {
        self.0.get(&state).copied()
    }

    /// Each state with a deadline and its seconds, in the domain's order of states.
    pub fn iter(&self) -> impl Iterator<Item = (CaseState, i64)> + '_ {
        self.0.iter().map(|(state, seconds)| (*state, *seconds))
    }

    /// When a case that entered `state` at `since` is due; `None` when the state has no deadline.
    pub fn due(&self, state: CaseState, since: Timestamp) -> Option<Timestamp> {
        self.seconds(state).map(|s| since.plus_seconds(s))
    }
}

impl Default for DeadlinePolicy {
    /// A link not used in 15 minutes, documents not retrieved in a day, a review pending at
    /// Treezor over 48 hours.
    fn default() -> Self {
        DeadlinePolicy(BTreeMap::from([
            (CaseState::LinkIssued, 15 * 60),
            (CaseState::Validated, 24 * 3600),
            (CaseState::ReviewRequested, 48 * 3600),
        ]))
    }
}

impl TryFrom<BTreeMap<String, i64>> for DeadlinePolicy {
    type Error = DeadlineError;

    fn try_from(raw: BTreeMap<String, i64>) -> Result<Self, Self::Error> {
        DeadlinePolicy::parse(raw)
    }
}

impl From<DeadlinePolicy> for BTreeMap<String, i64> {
    fn from(policy: DeadlinePolicy) -> Self {
        policy
            .0
            .into_iter()
            .map(|(state, seconds)| (state.as_str().to_owned(), seconds))
            .collect()
    }
}

impl fmt::Display for DeadlinePolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .iter()
            .map(|(state, seconds)| format!("{state} {seconds}s"))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect()
    }

    #[test]
    fn the_default_policy_follows_the_guides_process() {
        let policy = DeadlinePolicy::default();
        assert_eq!(policy.seconds(CaseState::LinkIssued), Some(900));
        assert_eq!(policy.seconds(CaseState::Validated), Some(86_400));
        assert_eq!(policy.seconds(CaseState::ReviewRequested), Some(172_800));
        assert_eq!(policy.seconds(CaseState::ReviewValidated), None);
        let since = Timestamp::from_unix_micros(1_000_000);
        assert_eq!(
            policy.due(CaseState::LinkIssued, since),
            Some(since.plus_seconds(900))
        );
        assert_eq!(policy.due(CaseState::Refused, since), None);
    }

    #[test]
    fn a_policy_reads_and_writes_state_names_and_seconds() {
        let json = r#"{"documents_received":3600,"link_issued":600}"#;
        let policy: DeadlinePolicy = serde_json::from_str(json).unwrap();
        assert_eq!(policy.seconds(CaseState::LinkIssued), Some(600));
        assert_eq!(policy.seconds(CaseState::DocumentsReceived), Some(3600));
        assert_eq!(serde_json::to_string(&policy).unwrap(), json);
    }

    #[test]
    fn bad_deadlines_are_refused_saying_what_is_allowed() {
        let zero = DeadlinePolicy::parse(raw(&[("link_issued", 0)])).unwrap_err();
        assert_eq!(
            zero,
            DeadlineError::OutOfBounds {
                state: CaseState::LinkIssued,
                seconds: 0
            }
        );
        assert!(zero.to_string().contains("1 minute"), "{zero}");
        let long = DeadlinePolicy::parse(raw(&[("validated", MAX_SECONDS + 1)])).unwrap_err();
        assert!(long.to_string().contains("365 days"), "{long}");
        let unknown = DeadlinePolicy::parse(raw(&[("lunch", 600)])).unwrap_err();
        assert!(unknown.to_string().contains("\"lunch\""), "{unknown}");
        assert!(unknown.to_string().contains("link_issued"), "{unknown}");
        let done = DeadlinePolicy::parse(raw(&[("review_validated", 600)])).unwrap_err();
        assert_eq!(
            done,
            DeadlineError::NotWaiting {
                state: CaseState::ReviewValidated
            }
        );
        assert!(serde_json::from_str::<DeadlinePolicy>(r#"{"link_issued":-5}"#).is_err());
        assert!(serde_json::from_str::<DeadlinePolicy>(r#"{"link_issued":"15m"}"#).is_err());
    }
}
