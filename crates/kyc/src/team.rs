//! The team's own records, carried by the hub in the same ordered feed as Treezor's webhooks.
//!
//! An officer's desk sends a [`TeamEvent`] to the hub (`POST /v1/team`) with the officer's own
//! credential; the hub checks the role, names the author from the credential (never from the
//! body), numbers the record in the log and serves it in the feed like a webhook. A feed event is
//! a team record exactly when the hub named an author for it ([`crate::feed::FeedEvent::officer`]):
//! nothing Treezor signs carries one, so a webhook cannot pass for a colleague's record.
//!
//! Records are internal to the team: nothing here is ever customer text.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::claim::ClaimRequest;
use crate::decision::{DecisionKind, Justification};
use crate::four_eyes::{GuardedAction, Policy, Verdict};
use crate::ids::UserId;
use crate::officer::OfficerName;
use crate::text_problem::TextProblem;

/// The `webhook` name every team record is stored under is `team.<kind>`; its `object` is this.
pub const OBJECT: &str = "team";

/// What an officer records about a case, or (the policy) about the team.
///
/// A claim, a release and a reassignment are decided by the hub inside its serialised append
/// ([`crate::claim::decide`]), and so are an approval and a rejection
/// ([`crate::four_eyes::decide`]): one that the log refuses is never stored, so every desk that
/// replays the log finds the same holder and the same verdicts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum TeamEvent {
    /// An internal note on a user's case.
    Note { user_id: UserId, text: NoteText },
    /// The author takes the case (or renews the claim they hold).
    Claim { user_id: UserId },
    /// The author lets go of the case they hold.
    Release { user_id: UserId },
    /// A senior gives the case to `to`.
    Reassign { user_id: UserId, to: OfficerName },
    /// The author's decision on the case (an FIU report is one); never customer text.
    Decision {
        user_id: UserId,
        decision: DecisionKind,
        justification: Justification,
    },
    /// The author asks a second officer to approve `action` on the case.
    Propose {
        user_id: UserId,
        action: GuardedAction,
        justification: Justification,
    },
    /// A senior other than the proposer approves the proposal numbered `proposal` in the feed.
    Approve {
        user_id: UserId,
        proposal: u64,
        justification: Justification,
    },
    /// A senior other than the proposer rejects it.
    Reject {
        user_id: UserId,
        proposal: u64,
        justification: Justification,
    },
    /// A senior sets what needs a second officer, for the whole team, from now on.
    Policy { policy: Policy },
    /// The author runs the action that the approved proposal numbered `proposal` allows: the
    /// approval is spent. The hub stores the first run of an approved proposal and refuses any
    /// other ([`crate::four_eyes::decide_run`]), so of two desks running it at once one goes on.
    Run { user_id: UserId, proposal: u64 },
}

impl TeamEvent {
    /// The word after `team.` in the stored event name.
    pub fn kind(&self) -> &'static str {
        match self {
            TeamEvent::Note { .. } => "note",
            TeamEvent::Claim { .. } => "claim",
            TeamEvent::Release { .. } => "release",
            TeamEvent::Reassign { .. } => "reassign",
            TeamEvent::Decision { .. } => "decision",
            TeamEvent::Propose { .. } => "propose",
            TeamEvent::Approve { .. } => "approve",
            TeamEvent::Reject { .. } => "reject",
            TeamEvent::Policy { .. } => "policy",
            TeamEvent::Run { .. } => "run",
        }
    }

    /// The user whose case the record is about; `None` for the team's policy.
    pub fn user(&self) -> Option<UserId> {
        match self {
            TeamEvent::Note { user_id, .. }
            | TeamEvent::Claim { user_id }
            | TeamEvent::Release { user_id }
            | TeamEvent::Reassign { user_id, .. }
            | TeamEvent::Decision { user_id, .. }
            | TeamEvent::Propose { user_id, .. }
            | TeamEvent::Approve { user_id, .. }
            | TeamEvent::Reject { user_id, .. }
            | TeamEvent::Run { user_id, .. } => Some(*user_id),
            TeamEvent::Policy { .. } => None,
        }
    }

    /// The verdict this record gives, and on which proposal, when it answers one: the hub
    /// decides it against the log before storing it.
    pub fn verdict(&self) -> Option<(u64, Verdict)> {
        match self {
            TeamEvent::Approve { proposal, .. } => Some((*proposal, Verdict::Approved)),
            TeamEvent::Reject { proposal, .. } => Some((*proposal, Verdict::Rejected)),
            _ => None,
        }
    }

    /// What the record asks of the case's claim, when it is a claim record: the hub decides it
    /// against the log before storing it.
    pub fn claim_request(&self) -> Option<ClaimRequest> {
        match self {
            TeamEvent::Claim { .. } => Some(ClaimRequest::Take),
            TeamEvent::Release { .. } => Some(ClaimRequest::Release),
            TeamEvent::Reassign { to, .. } => Some(ClaimRequest::Reassign { to: to.clone() }),
            _ => None,
        }
    }
}

/// What a desk sends to `POST /v1/team`: the record and an id of its choosing, so that a request
/// sent again after a lost answer is stored once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamWrite {
    /// 1 to 64 letters, digits, `-` or `_` (the desk sends a UUID).
    pub id: String,
    pub event: TeamEvent,
}

impl TeamWrite {
    /// Whether `id` is one the hub accepts.
    pub fn id_is_valid(&self) -> bool {
        !self.id.is_empty()
            && self.id.len() <= 64
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
    }
}

/// The hub's answer to a stored (or already stored) team record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamWritten {
    /// Its number in the feed; `None` when the same id had been stored before.
    pub seq: Option<u64>,
}

/// A note's text: 1 to 4000 characters, not only spaces; line breaks and tabs allowed, other
/// control characters not (they could rewrite what a colleague's terminal or export shows).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NoteText(String);

impl NoteText {
    pub const MAX_CHARS: usize = 4000;

    pub fn parse(text: &str) -> Result<NoteText, TextProblem> {
        check_team_text(text, Self::MAX_CHARS).map(|()| NoteText(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for NoteText {
    type Error = TextProblem;
    fn try_from(text: String) -> Result<Self, TextProblem> {
        NoteText::parse(&text)
    }
}

impl From<NoteText> for String {
    fn from(text: NoteText) -> String {
        text.0
    }
}

impl fmt::Display for NoteText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The rule every free text of a team record follows: not only
/// spaces, at most `max` characters, no control characters but line breaks and tabs (others
/// could rewrite what a colleague's terminal or export shows).
pub(crate) fn check_team_text(text: &str, max: usize) -> Result<(), TextProblem> {
    let count = text.chars().count();
    if text.trim().is_empty() {
        return Err(TextProblem::Empty);
    }
    if count > max {
        return Err(TextProblem::TooLong {
            max: max as u64,
            given: count as u64,
        });
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(TextProblem::ControlCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_reads_and_writes_its_own_shape_only() {
        let json = r#"{"id":"0b6f-1","event":{"kind":"note","user_id":"42","text":"called back\nno answer"}}"#;
        let write: TeamWrite = serde_json::from_str(json).unwrap();
        assert!(write.id_is_valid());
        assert_eq!(write.event.kind(), "note");
        assert_eq!(write.event.user().map(UserId::get), Some(42));
        let again: TeamWrite =
            serde_json::from_str(&serde_json::to_string(&write).unwrap()).unwrap();
        assert_eq!(again, write);
        for bad in [
            r#"{"id":"a","event":{"kind":"verdict","user_id":"42"}}"#,
            r#"{"id":"a","event":{"kind":"reassign","user_id":"42"}}"#,
            r#"{"id":"a","event":{"kind":"note","user_id":"42","text":" "}}"#,
            r#"{"id":"a","event":{"kind":"note","user_id":"42","text":"x","author":"Zoé"}}"#,
            r#"{"id":"a","event":{"kind":"note","user_id":"0","text":"x"}}"#,
        ] {
            assert!(serde_json::from_str::<TeamWrite>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn claim_records_carry_what_they_ask_of_the_claim() {
        let read = |json: &str| serde_json::from_str::<TeamEvent>(json).unwrap();
        let claim = read(r#"{"kind":"claim","user_id":42}"#);
        assert_eq!(
            (claim.kind(), claim.claim_request()),
            ("claim", Some(ClaimRequest::Take))
        );
        let release = read(r#"{"kind":"release","user_id":42}"#);
        assert_eq!(release.claim_request(), Some(ClaimRequest::Release));
        let reassign = read(r#"{"kind":"reassign","user_id":42,"to":"Léa"}"#);
        assert_eq!(reassign.user().map(UserId::get), Some(42));
        assert_eq!(
            reassign.claim_request(),
            Some(ClaimRequest::Reassign {
                to: OfficerName::parse("Léa").unwrap()
            })
        );
        assert_eq!(
            read(r#"{"kind":"note","user_id":42,"text":"x"}"#).claim_request(),
            None
        );
    }

    #[test]
    fn decisions_proposals_and_verdicts_read_their_own_shape_only() {
        let read = |json: &str| serde_json::from_str::<TeamEvent>(json);
        let decision = read(
            r#"{"kind":"decision","user_id":42,"decision":"report_to_fiu","justification":"2301"}"#,
        )
        .unwrap();
        assert_eq!((decision.kind(), decision.verdict()), ("decision", None));
        let approve =
            read(r#"{"kind":"approve","user_id":42,"proposal":7,"justification":"seen"}"#).unwrap();
        assert_eq!(approve.verdict(), Some((7, Verdict::Approved)));
        let reject =
            read(r#"{"kind":"reject","user_id":42,"proposal":7,"justification":"no"}"#).unwrap();
        assert_eq!(reject.verdict(), Some((7, Verdict::Rejected)));
        let propose = read(
            r#"{"kind":"propose","user_id":42,"action":"request_review","justification":"docs ok"}"#,
        )
        .unwrap();
        assert_eq!(propose.user().map(UserId::get), Some(42));
        let run = read(r#"{"kind":"run","user_id":42,"proposal":7}"#).unwrap();
        assert_eq!(
            (run.kind(), run.user().map(UserId::get), run.verdict()),
            ("run", Some(42), None),
            "a run spends an approval; it answers nothing"
        );
        let policy = read(
            r#"{"kind":"policy","policy":{"request_review":"always","start_verification":"aml_flagged","close_accepted":"never"}}"#,
        )
        .unwrap();
        assert_eq!((policy.kind(), policy.user()), ("policy", None));
        for bad in [
            r#"{"kind":"decision","user_id":42,"decision":"tell_customer","justification":"x"}"#,
            r#"{"kind":"decision","user_id":42,"decision":"escalate","justification":" "}"#,
            r#"{"kind":"approve","user_id":42,"proposal":7,"justification":"x","by":"Sam"}"#,
            r#"{"kind":"propose","user_id":42,"action":"download_document","justification":"x"}"#,
            r#"{"kind":"policy","policy":{"request_review":"always"}}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn note_text_refuses_escape_sequences_and_excess() {
        assert!(NoteText::parse("line\n\tindented").is_ok());
        assert!(NoteText::parse("a\u{1b}[31mb").is_err());
        assert!(NoteText::parse("a\rb").is_err());
        assert!(NoteText::parse(&"x".repeat(NoteText::MAX_CHARS + 1)).is_err());
        let id = |id: &str| TeamWrite {
            id: id.into(),
            event: TeamEvent::Note {
                user_id: UserId::new(1).unwrap(),
                text: NoteText::parse("x").unwrap(),
            },
        };
        assert!(id("9f1c2d3e-aaaa").id_is_valid());
        for bad in ["", "a:b", "a b", &"x".repeat(65)] {
            assert!(!id(bad).id_is_valid(), "{bad:?}");
        }
    }
}
