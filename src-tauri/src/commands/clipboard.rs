//! Copying to the clipboard. The window cannot do it itself: WebKitGTK refuses
//! `navigator.clipboard.writeText` to the app's own pages ("not allowed by the user agent"), so the
//! shell writes the text.
//!
//! The window names what to copy, never the text: the desk builds it (`desk::copy`), so script in
//! the page cannot put its own words on the clipboard under "the customer text". Only writing is
//! offered: nothing lets the window read the clipboard.

use desk::copy::Copyable;
use kyc::{IdentificationId, Language};
use serde::Deserialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

use super::user_id;
use crate::error::{ErrorCode, IpcError, ShellWords};
use crate::state::DeskState;

/// What the officer asked to copy.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CopyRequest {
    /// What the customer may be told about their current verification, in `language` (chosen
    /// per case by the officer).
    CustomerText { user: u64, language: Language },
    /// The link of one of the user's verifications.
    VerificationLink { user: u64, identification: String },
    /// The demo sandbox's page where a tester plays the customer. (Braces: a unit variant would
    /// accept any other field.)
    DemoSandboxPage {},
}

impl CopyRequest {
    /// Checks what the window sent: ids are ids.
    fn copyable(self) -> Result<Copyable, IpcError> {
        Ok(match self {
            CopyRequest::CustomerText { user, language } => Copyable::CustomerText {
                user: user_id(user)?,
                language,
            },
            CopyRequest::VerificationLink {
                user,
                identification,
            } => Copyable::VerificationLink {
                user: user_id(user)?,
                identification: IdentificationId::parse(&identification).map_err(|_| {
                    IpcError::new(
                        ErrorCode::InvalidArgument,
                        ShellWords::IdentificationIdInvalid,
                    )
                })?,
            },
            CopyRequest::DemoSandboxPage {} => Copyable::DemoSandboxPage,
        })
    }
}

/// Puts what `what` names on the system clipboard, as the desk builds it.
#[tauri::command]
pub async fn copy_to_clipboard<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, DeskState>,
    what: CopyRequest,
) -> Result<(), IpcError> {
    let text = state.desk().await?.text_to_copy(what.copyable()?).await?;
    app.clipboard().write_text(text).map_err(|e| {
        IpcError::new(
            ErrorCode::Internal,
            ShellWords::Clipboard {
                detail: e.to_string(),
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_request_names_what_to_copy_and_carries_no_text() {
        let request: CopyRequest =
            serde_json::from_str(r#"{"kind":"customer_text","user":42,"language":"fr"}"#).unwrap();
        assert!(matches!(
            request.copyable().unwrap(),
            Copyable::CustomerText { user, language: Language::French } if user.get() == 42
        ));
        for refused in [
            r#"{"kind":"customer_text","user":42,"language":"en","text":"Your verification failed: fraud"}"#,
            r#"{"kind":"customer_text","user":42,"language":"de"}"#,
            r#"{"kind":"text","text":"anything"}"#,
            r#"{"text":"anything"}"#,
            r#"{"kind":"demo_sandbox_page","url":"https://evil.example"}"#,
        ] {
            assert!(
                serde_json::from_str::<CopyRequest>(refused).is_err(),
                "{refused}"
            );
        }
        let zero: CopyRequest =
            serde_json::from_str(r#"{"kind":"customer_text","user":0,"language":"en"}"#).unwrap();
        assert_eq!(
            zero.copyable().unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }
}
