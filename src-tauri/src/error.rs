//! The one error shape that crosses the IPC boundary: `{"code": "...", "message": "..."}`.
//!
//! The UI switches on `code` (a snake_case string, stable across releases) and shows `message` to
//! the officer as it is, so a message says what failed, for which object, and what the officer can
//! do. Each library crate keeps its own error enum; a command maps it here with `From`, choosing the
//! code, and nothing else about the library error crosses over.
//!
//! What must stay true: a message never holds a secret (client secret, feed token) nor an
//! AML-sensitive reason meant for the customer; the JSON shape is pinned by the tests below and by
//! the UI's generated type.

use std::fmt;

use serde::Serialize;

/// What kind of failure an [`IpcError`] reports. New commands add the codes they need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A failure inside the dashboard itself, not caused by the officer's input nor by Treezor.
    Internal,
}

/// An error as the window receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for IpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IpcError {}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_error_reaches_the_window_as_a_code_and_a_message() {
        let error = IpcError::new(
            ErrorCode::Internal,
            "The reason-code catalogue could not be read. Restart KYC Desk.",
        );

        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({
                "code": "internal",
                "message": "The reason-code catalogue could not be read. Restart KYC Desk.",
            })
        );
    }

    #[test]
    fn codes_are_snake_case_strings() {
        assert_eq!(
            serde_json::to_string(&ErrorCode::Internal).unwrap(),
            r#""internal""#
        );
    }
}
