//! The one error of the domain: a value from the outside that does not parse.

use thiserror::Error;

/// A value received from Treezor, the relay or the officer that is not what the domain expects.
/// The message names the field and what was expected but not the value, because values can be
/// personal data and messages end up in logs; the value stays in [`ParseError::value`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field} is not valid: expected {expected}")]
pub struct ParseError {
    pub field: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl ParseError {
    pub(crate) fn new(field: &'static str, value: &str, expected: &'static str) -> Self {
        // Keep the echo short: a hostile value must not flood a log line.
        let value: String = value.chars().take(64).collect();
        ParseError {
            field,
            value,
            expected,
        }
    }
}

pub type Result<T, E = ParseError> = std::result::Result<T, E>;
