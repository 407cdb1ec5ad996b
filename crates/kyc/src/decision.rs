//! The officer's decision on a case, with its justification: escalate to a senior, close as
//! accepted, close as refused (the justification states the internal reason), keep waiting, or
//! report the suspicion to the FIU. The hub records who decided and when; the case shows the
//! history.
//!
//! A decision is internal to the team. Nothing here converts into customer text
//! ([`crate::customer::CustomerText`]): a refusal's internal reason, or an FIU report, told to the
//! customer would be tipping-off.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text_problem::TextProblem;

/// What the officer decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Hand the case to a senior.
    Escalate,
    /// Close the case: the customer is accepted.
    CloseAccepted,
    /// Close the case: the customer is refused, for the internal reason the justification gives.
    CloseRefused,
    /// Nothing to do until something happens (a webhook, the customer).
    KeepWaiting,
    /// The suspicion is to be reported to the FIU (who, when and why are the record's).
    ReportToFiu,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 5] = [
        DecisionKind::Escalate,
        DecisionKind::CloseAccepted,
        DecisionKind::CloseRefused,
        DecisionKind::KeepWaiting,
        DecisionKind::ReportToFiu,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Escalate => "escalate",
            DecisionKind::CloseAccepted => "close_accepted",
            DecisionKind::CloseRefused => "close_refused",
            DecisionKind::KeepWaiting => "keep_waiting",
            DecisionKind::ReportToFiu => "report_to_fiu",
        }
    }
}

impl fmt::Display for DecisionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an officer decided, proposed, approved or rejected: 1 to 2000 characters, not only
/// spaces; line breaks and tabs allowed, other control characters not (as a note's).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Justification(String);

impl Justification {
    pub const MAX_CHARS: usize = 2000;

    pub fn parse(text: &str) -> Result<Justification, TextProblem> {
        crate::team::check_team_text(text, Self::MAX_CHARS).map(|()| Justification(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Justification {
    type Error = TextProblem;
    fn try_from(text: String) -> Result<Self, TextProblem> {
        Justification::parse(&text)
    }
}

impl From<Justification> for String {
    fn from(text: Justification) -> String {
        text.0
    }
}

impl fmt::Display for Justification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_their_own_words_only() {
        for kind in DecisionKind::ALL {
            let json = format!("\"{kind}\"");
            assert_eq!(serde_json::from_str::<DecisionKind>(&json).unwrap(), kind);
        }
        assert!(serde_json::from_str::<DecisionKind>("\"close\"").is_err());
    }

    #[test]
    fn a_justification_is_bounded_and_printable() {
        assert!(Justification::parse("score -1, 2301\nsee note").is_ok());
        for bad in ["", "  \n", "a\u{1b}[31mb", &"x".repeat(2001)] {
            assert!(Justification::parse(bad).is_err(), "{bad:?}");
        }
        let error = Justification::parse(" ").unwrap_err();
        assert_eq!(error, TextProblem::Empty);
    }
}
