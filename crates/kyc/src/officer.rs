//! Officers of a team hub: their names, their roles, and what the hub answers to `GET /v1/me`.
//!
//! The hub (the relay) issues each officer a credential and knows them by name and role; the
//! dashboard shows who is signed in and names that officer in its audit trail. A dashboard that
//! reads the hub with the team's shared feed token instead (one officer, no team set up) is
//! answered with no name, and keeps naming its OS user.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text_problem::TextProblem;

/// What an officer may do, decided by the hub.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Works cases.
    Officer,
    /// Works cases, and approves what needs a second pair of eyes.
    Senior,
    /// Reads everything, changes nothing.
    Auditor,
}

/// What a request asks of the hub, for [`Role::may`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// Read the log (the feed) and who one is.
    Read,
    /// Add to the log: a team record (claim, note, decision, proposal).
    Record,
    /// Approve what needs four eyes.
    Approve,
    /// Read and export the team's audit trail, entry by entry.
    ReadTrail,
    /// Set what the team works by (its deadlines).
    SetPolicy,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Officer, Role::Senior, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Senior => "senior",
            Role::Auditor => "auditor",
        }
    }

    /// Reads `officer`, `senior` or `auditor`.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// Whether this role may do `act`. The hub checks it for every request; the dashboard only
    /// uses it to grey out what would be refused.
    pub fn may(self, act: Act) -> bool {
        match act {
            Act::Read => true,
            Act::Record => self != Role::Auditor,
            Act::Approve | Act::SetPolicy => self == Role::Senior,
            // An officer verifies the trail (the answer names no entry's content) but reads
            // colleagues' entries only through a senior or an auditor.
            Act::ReadTrail => self != Role::Officer,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An officer's name as the hub keeps it: 1 to 64 characters, no control characters, no
/// leading or trailing space. It is shown in the window and written into audit trails.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OfficerName(String);

impl OfficerName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(text: &str) -> Result<OfficerName, TextProblem> {
        let count = text.chars().count();
        if count == 0 || text.trim().is_empty() {
            return Err(TextProblem::Empty);
        }
        if count > Self::MAX_CHARS {
            return Err(TextProblem::TooLong {
                max: Self::MAX_CHARS as u64,
                given: count as u64,
            });
        }
        if text.trim() != text {
            return Err(TextProblem::EdgeSpace);
        }
        if text.chars().any(char::is_control) {
            return Err(TextProblem::ControlCharacterInName);
        }
        Ok(OfficerName(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OfficerName {
    type Error = TextProblem;
    fn try_from(text: String) -> Result<Self, TextProblem> {
        OfficerName::parse(&text)
    }
}

impl From<OfficerName> for String {
    fn from(name: OfficerName) -> String {
        name.0
    }
}

impl fmt::Display for OfficerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The hub's answer to `GET /v1/me`: who the presented credential belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The officer's name; `None` for the team's shared feed token, which names no one.
    pub name: Option<OfficerName>,
    /// The shared feed token reads as an officer.
    pub role: Role,
    /// After how many seconds without activity by its holder the hub lets a claim lapse; `None`
    /// from a hub older than claims (desks then assume [`crate::claim::DEFAULT_LAPSE_SECONDS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_lapse_seconds: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_auditor_reads_everything_and_changes_nothing() {
        assert!(Role::Auditor.may(Act::Read));
        assert!(!Role::Auditor.may(Act::Record));
        assert!(!Role::Auditor.may(Act::Approve));
        assert!(Role::Officer.may(Act::Record));
        assert!(!Role::Officer.may(Act::Approve));
        assert!(Role::Senior.may(Act::Approve));
        assert!(Role::Auditor.may(Act::ReadTrail));
        assert!(Role::Senior.may(Act::ReadTrail));
        assert!(!Role::Officer.may(Act::ReadTrail));
        assert!(Role::Senior.may(Act::SetPolicy));
        assert!(!Role::Officer.may(Act::SetPolicy));
        assert!(!Role::Auditor.may(Act::SetPolicy));
    }

    #[test]
    fn roles_read_their_own_words_only() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
        assert_eq!(Role::parse("Senior"), None);
    }

    #[test]
    fn names_are_printable_and_bounded() {
        assert_eq!(
            OfficerName::parse("Zoé Martin").unwrap().as_str(),
            "Zoé Martin"
        );
        for bad in [
            "",
            "  ",
            " Zoé",
            "Zoé ",
            "a\nb",
            "a\u{1b}[31mb",
            &"x".repeat(65),
        ] {
            assert!(OfficerName::parse(bad).is_err(), "{bad:?}");
        }
        let me: Me = serde_json::from_str(r#"{"name":"Zoé","role":"senior"}"#).unwrap();
        assert_eq!(me.role, Role::Senior);
        assert!(serde_json::from_str::<Me>(r#"{"name":"a\nb","role":"senior"}"#).is_err());
        let shared: Me = serde_json::from_str(r#"{"name":null,"role":"officer"}"#).unwrap();
        assert_eq!(shared.name, None);
    }
}
