//! Why a free text of the team's records was refused (a note, a justification, an officer's
//! name), typed so that the window words it in the officer's language; its `Display` is the
//! English for logs and the hub's answers.

use std::fmt;

use serde::Serialize;

/// What is wrong with a team text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum TextProblem {
    /// Nothing but spaces.
    Empty,
    TooLong {
        max: u64,
        given: u64,
    },
    /// A control character other than a line break or a tab (a note, a justification).
    ControlCharacter,
    /// Any control character (an officer's name is one line).
    ControlCharacterInName,
    /// An officer's name that starts or ends with a space.
    EdgeSpace,
}

impl fmt::Display for TextProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextProblem::Empty => f.write_str("it cannot be empty"),
            TextProblem::TooLong { max, given } => write!(
                f,
                "it has at most {max} characters ({given} given); shorten it"
            ),
            TextProblem::ControlCharacter => {
                f.write_str("it can hold line breaks and tabs but no other control characters")
            }
            TextProblem::ControlCharacterInName => f.write_str("it cannot hold control characters"),
            TextProblem::EdgeSpace => f.write_str("it cannot start or end with a space"),
        }
    }
}

impl std::error::Error for TextProblem {}
