//! The one error shape that crosses the IPC boundary: `{"code": "...", "words": {...},
//! "message": "...", "detail": ...}`.
//!
//! The UI switches on `code` (a snake_case string, stable across releases) and words `words` (a
//! typed kind and its parameters, [`desk::words`]) in the officer's language, so that what failed,
//! for which object, and what the officer can do reads in French as in English. `message` is the
//! same in English, for logs and reports, never shown in the window. `detail` carries what a code needs beyond words (the typed cautions to confirm and the
//! children a review would cover without their documents, the attributes Treezor's 428 names). Each library crate keeps its own error
//! enum; this module maps the dashboard's, and nothing else about a library error crosses over.
//!
//! What must stay true: a message never holds a secret (client secret, feed token) nor an
//! AML-sensitive reason meant for the customer; the JSON shape is pinned by the tests below and by
//! the UI's generated type.

use std::fmt;

use desk::error::ChildWithoutDocuments;
use desk::words::Words;
use kyc::Caution;
use serde::Serialize;

/// What kind of failure an [`IpcError`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A failure inside the dashboard itself, not caused by the officer's input nor by Treezor.
    Internal,
    /// The dashboard is still starting, or could not start (the message says why).
    NotReady,
    KeychainLocked,
    KeychainUnavailable,
    MissingSecret,
    InvalidSetting,
    SettingsFile,
    NoHomeFolder,
    TreezorNotConfigured,
    /// The case's state does not allow the action; the message says why.
    NotAllowed,
    /// The action needs the officer's confirmation; the message says what to confirm.
    NeedsConfirmation,
    /// Treezor's 428: the user lacks attributes a live verification needs.
    MissingAttributes,
    /// A document is not shown in the window (not what it claims, damaged, too large).
    NotViewable,
    /// Treezor refused the call (credentials, scope, or a feature not enabled).
    TreezorRefused,
    TreezorNotFound,
    TreezorError,
    /// Treezor could not be reached, or its answer could not be read.
    TreezorUnreachable,
    /// Treezor's answer to a start was lost: it may have started a verification.
    TreezorAnswerLost,
    /// The local cache failed.
    Cache,
    InvalidRedirectUrl,
    /// An argument from the window is not valid.
    InvalidArgument,
    /// The audit trail cannot be kept (its key is lost); the message says what to do.
    AuditTrail,
    /// What needs the team's hub has no hub to go to (no relay set).
    NoHub,
    /// The action needs a second officer's approval at the hub (four eyes); the message says
    /// which proposal waits, or to propose it.
    NeedsApproval,
    /// The team's hub refused the record (the role, the shared feed token, a revoked credential).
    HubRefused,
    /// The team's hub could not be reached, or failed; nothing was recorded.
    HubUnreachable,
    /// The hub refused a claim, release or reassignment; the message says who holds the case.
    ClaimRefused,
    /// Another officer holds the case; the message names them and when the claim lapses.
    HeldByColleague,
}

/// What a code needs beyond its message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorDetail {
    /// What the officer confirms, typed (so that the window, and later a second officer's
    /// approval, can act on each), and the children a review would cover without their
    /// documents.
    Confirmation {
        cautions: Vec<Caution>,
        children: Vec<ChildWithoutDocuments>,
    },
    /// The attributes Treezor's 428 names.
    MissingAttributes { attributes: Vec<String> },
}

/// What an error says, for the window to word: the desk's, or the shell's own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(untagged)]
pub enum ErrorWords {
    /// Boxed: a desk error's words are large, and errors travel through every command.
    Desk(Box<Words>),
    Shell(ShellWords),
}

/// What the shell itself refuses or fails at, before or beside the desk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShellWords {
    /// The desk could not start, for `why` (the start's error, worded like any other); `None`
    /// when it stopped while starting.
    NotReady {
        why: Option<Box<Words>>,
    },
    UserIdNotPositive,
    DocumentIdNotPositive,
    IdentificationIdInvalid,
    NotDownloadedHere,
    FileGone {
        path: String,
    },
    FileManager {
        detail: String,
    },
    PurgeCount {
        max: u64,
    },
    Clipboard {
        detail: String,
    },
    RedirectTooLong,
    NotARedirect,
    /// More users asked about at once than a page of the queue holds.
    TooManyUsers {
        max: u64,
    },
}

impl fmt::Display for ShellWords {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The start's own English is in the error's message (see `state`).
            ShellWords::NotReady { why: Some(_) } => f.write_str("KYC Desk could not start."),
            ShellWords::NotReady { why: None } => {
                f.write_str("KYC Desk could not start: it stopped while starting")
            }
            ShellWords::UserIdNotPositive => f.write_str("The user id must be a positive number."),
            ShellWords::TooManyUsers { max } => write!(
                f,
                "At most a page of the queue's users ({max}) can be asked about at once."
            ),
            ShellWords::DocumentIdNotPositive => {
                f.write_str("The document id must be a positive number.")
            }
            ShellWords::IdentificationIdInvalid => {
                f.write_str("The verification's identification id is not valid.")
            }
            ShellWords::NotDownloadedHere => {
                f.write_str("This document has not been downloaded on this computer.")
            }
            ShellWords::FileGone { path } => {
                write!(f, "{path} is no longer there; download the document again.")
            }
            ShellWords::FileManager { detail } => {
                write!(f, "The file manager could not be opened: {detail}")
            }
            ShellWords::PurgeCount { max } => {
                write!(f, "Choose between 1 and {max} documents to remove.")
            }
            ShellWords::Clipboard { detail } => write!(
                f,
                "The clipboard could not be written: {detail}. Select the text and copy it by hand."
            ),
            ShellWords::RedirectTooLong => f.write_str("The URL is too long to be a redirect URL."),
            ShellWords::NotARedirect => f.write_str(
                "The text is not a redirect URL: it has none of id, event or response_code in its query.",
            ),
        }
    }
}

/// An error as the window receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct IpcError {
    pub code: ErrorCode,
    /// What the window shows, in the officer's language.
    pub words: ErrorWords,
    /// The same in English, for logs and reports.
    pub message: String,
    pub detail: Option<ErrorDetail>,
}

impl IpcError {
    /// An error of the shell's own.
    pub fn new(code: ErrorCode, words: ShellWords) -> Self {
        IpcError {
            code,
            message: words.to_string(),
            words: ErrorWords::Shell(words),
            detail: None,
        }
    }
}

impl fmt::Display for IpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for IpcError {}

impl From<desk::Error> for IpcError {
    fn from(error: desk::Error) -> Self {
        use desk::Error as E;
        let message = error.to_string();
        let words = ErrorWords::Desk(Box::new(error.words()));
        let kind = error.code();
        let (code, detail) = match error {
            E::KeychainLocked { .. } => (ErrorCode::KeychainLocked, None),
            E::KeychainUnavailable { .. } => (ErrorCode::KeychainUnavailable, None),
            E::MissingSecret { .. } | E::SecretForAnotherOrigin { .. } => {
                (ErrorCode::MissingSecret, None)
            }
            E::InvalidSetting { .. } => (ErrorCode::InvalidSetting, None),
            E::SettingsFile { .. } | E::InvalidSettingInFile { .. } => {
                (ErrorCode::SettingsFile, None)
            }
            E::NoHomeFolder => (ErrorCode::NoHomeFolder, None),
            E::TreezorNotConfigured => (ErrorCode::TreezorNotConfigured, None),
            E::NotAllowed { .. } => (ErrorCode::NotAllowed, None),
            E::NeedsConfirmation {
                cautions, children, ..
            } => (
                ErrorCode::NeedsConfirmation,
                Some(ErrorDetail::Confirmation { cautions, children }),
            ),
            E::StartAnswerLost { .. } => (ErrorCode::TreezorAnswerLost, None),
            E::MissingAttributes { missing, .. } => (
                ErrorCode::MissingAttributes,
                Some(ErrorDetail::MissingAttributes {
                    attributes: missing,
                }),
            ),
            // The desk names the kind of a Treezor failure; one naming for both sides.
            E::Treezor(_) => (
                match kind {
                    "treezor_refused" => ErrorCode::TreezorRefused,
                    "treezor_not_found" => ErrorCode::TreezorNotFound,
                    "treezor_error" => ErrorCode::TreezorError,
                    _ => ErrorCode::TreezorUnreachable,
                },
                None,
            ),
            E::NotViewable { .. } => (ErrorCode::NotViewable, None),
            E::Cache(_) => (ErrorCode::Cache, None),
            E::InvalidRedirectUrl(_) => (ErrorCode::InvalidRedirectUrl, None),
            E::Demo { .. } | E::Internal(_) => (ErrorCode::Internal, None),
            E::AuditTrail { .. } => (ErrorCode::AuditTrail, None),
            E::InvalidNote { .. }
            | E::InvalidAssignee { .. }
            | E::InvalidJustification { .. }
            | E::InvalidDeadlines { .. } => (ErrorCode::InvalidArgument, None),
            E::ClaimRefused { .. } | E::ClaimRaceLost { .. } => (ErrorCode::ClaimRefused, None),
            E::HeldByColleague { .. } => (ErrorCode::HeldByColleague, None),
            E::NeedsApproval { .. } => (ErrorCode::NeedsApproval, None),
            E::NoHub { .. } => (ErrorCode::NoHub, None),
            E::Hub { .. } if kind == "hub_refused" => (ErrorCode::HubRefused, None),
            E::Hub { .. } => (ErrorCode::HubUnreachable, None),
            // An action refused because it could not be audited: the code is its cause's (a
            // locked keychain), the message says the action was not done.
            E::ActionNotAudited { cause, .. } => (IpcError::from(*cause).code, None),
        };
        IpcError {
            code,
            words,
            message,
            detail,
        }
    }
}

#[cfg(test)]
mod tests {
    use desk::error::{Barrier, Deed, DeskRefusal};
    use desk::secrets::{Kept, KeychainOperation};
    use kyc::UserId;
    use serde_json::json;

    use super::*;

    #[test]
    fn an_error_reaches_the_window_as_a_code_words_an_english_message_and_a_detail() {
        let error = IpcError::new(
            ErrorCode::InvalidArgument,
            ShellWords::PurgeCount { max: 500 },
        );
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({
                "code": "invalid_argument",
                "words": {"kind": "purge_count", "max": 500},
                "message": "Choose between 1 and 500 documents to remove.",
                "detail": null,
            })
        );
    }

    #[test]
    fn a_locked_keychain_reaches_the_window_as_typed_words_not_an_english_sentence() {
        let error: IpcError = desk::Error::KeychainLocked {
            secret: Kept::TreezorClientSecret,
            operation: KeychainOperation::Read,
        }
        .into();
        assert_eq!(error.code, ErrorCode::KeychainLocked);
        assert_eq!(
            serde_json::to_value(&error.words).unwrap(),
            json!({"kind": "keychain_locked", "secret": "treezor_client_secret", "operation": "read"})
        );
        assert!(error.message.contains("Unlock your login keyring"));
    }

    #[test]
    fn a_treezor_refusal_carries_its_problem_typed_and_treezors_words_verbatim() {
        let error: IpcError = desk::Error::Treezor(
            treezor::TreezorError {
                call: "GET /v1/documents/9/download".into(),
                status: 403,
                code: Some("forbidden".into()),
                message: "Download is not enabled".into(),
                request_id: Some("req-1".into()),
                doc_url: None,
                problem: treezor::Problem::DownloadNotEnabled,
            }
            .into(),
        )
        .into();
        assert_eq!(error.code, ErrorCode::TreezorRefused);
        assert_eq!(
            serde_json::to_value(&error.words).unwrap(),
            json!({
                "kind": "treezor_refusal",
                "call": "GET /v1/documents/9/download",
                "status": 403,
                "problem": {"problem": "download_not_enabled"},
                "message": "Download is not enabled",
                "code": "forbidden",
                "request_id": "req-1",
            })
        );
    }

    #[test]
    fn a_refused_action_names_the_action_and_the_refusal_by_their_codes() {
        let error: IpcError = desk::Error::NotAllowed {
            action: kyc::Action::RequestReview.into(),
            user: UserId::new(7).unwrap(),
            reason: Barrier::Case(kyc::case::Refusal::ReviewInProgress),
        }
        .into();
        assert_eq!(error.code, ErrorCode::NotAllowed);
        assert_eq!(
            serde_json::to_value(&error.words).unwrap(),
            json!({"kind": "not_allowed", "action": "request_review", "user": 7, "reason": "review_in_progress"})
        );
        let desk_own: IpcError = desk::Error::NotAllowed {
            action: Deed::CopyCustomerText,
            user: UserId::new(7).unwrap(),
            reason: Barrier::Desk(DeskRefusal::NoOutcomeYet),
        }
        .into();
        assert_eq!(
            serde_json::to_value(&desk_own.words).unwrap(),
            json!({"kind": "not_allowed", "action": "copy_customer_text", "user": 7, "reason": "no_outcome_yet"})
        );
    }

    #[test]
    fn a_review_confirmation_names_the_children() {
        let error: IpcError = desk::Error::NeedsConfirmation {
            action: Deed::RequestReview,
            user: UserId::new(7).unwrap(),
            reason: "children without documents".into(),
            cautions: vec![Caution::ChildrenWithoutDocuments],
            children: vec![ChildWithoutDocuments {
                user_id: UserId::new(8).unwrap(),
                display_name: "Hugo Martin".into(),
            }],
        }
        .into();
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            json!({
                "code": "needs_confirmation",
                "words": {"kind": "needs_confirmation", "action": "request_review", "user": 7},
                "message": "Requesting the KYC review for user 7 needs your confirmation: children without documents",
                "detail": {"kind": "confirmation", "cautions": ["children_without_documents"], "children": [{"user_id": 8, "display_name": "Hugo Martin"}]},
            })
        );
    }

    #[test]
    fn a_428_lists_the_missing_attributes() {
        let error: IpcError = desk::Error::MissingAttributes {
            user: UserId::new(7).unwrap(),
            missing: vec!["birthday".into()],
        }
        .into();
        assert_eq!(error.code, ErrorCode::MissingAttributes);
        assert_eq!(
            serde_json::to_value(&error.detail).unwrap(),
            json!({"kind": "missing_attributes", "attributes": ["birthday"]})
        );
    }

    #[test]
    fn refused_credentials_are_a_refusal_not_an_unreachable_treezor() {
        let error: IpcError = desk::Error::Treezor(treezor::Error::Credentials {
            status: 401,
            message: "Client authentication failed".into(),
        })
        .into();
        assert_eq!(error.code, ErrorCode::TreezorRefused);
        assert!(error.message.contains("Check the client id and secret"));
        let unreachable: IpcError = desk::Error::Treezor(treezor::Error::Unreachable {
            call: "GET /v1/users/1".into(),
            transport: treezor::Transport {
                fault: treezor::TransportFault::ConnectionFailed,
                causes: String::new(),
            },
        })
        .into();
        assert_eq!(unreachable.code, ErrorCode::TreezorUnreachable);
    }

    #[test]
    fn an_action_refused_for_a_locked_keychain_says_so() {
        let error: IpcError = desk::Error::ActionNotAudited {
            action: Deed::StartVerification,
            user: UserId::new(7).unwrap(),
            cause: Box::new(desk::Error::KeychainLocked {
                secret: Kept::AuditAnchor,
                operation: KeychainOperation::Read,
            }),
        }
        .into();
        assert_eq!(error.code, ErrorCode::KeychainLocked);
        assert_eq!(
            serde_json::to_value(&error.words).unwrap(),
            json!({
                "kind": "action_not_audited",
                "action": "start_verification",
                "user": 7,
                "cause": {"kind": "keychain_locked", "secret": "audit_anchor", "operation": "read"},
            })
        );
        assert!(
            error
                .message
                .starts_with("Starting a verification for user 7 was not done"),
            "{}",
            error.message
        );
        assert!(error.message.contains("Unlock your login keyring"));
    }

    #[test]
    fn codes_are_snake_case_strings() {
        assert_eq!(
            serde_json::to_string(&ErrorCode::NeedsConfirmation).unwrap(),
            r#""needs_confirmation""#
        );
    }
}
