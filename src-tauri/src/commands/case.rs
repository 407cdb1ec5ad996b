//! One case, and the redirect-URL decoder.

use desk::views::CaseFile;
use kyc::redirect::RedirectQuery;
use serde::Serialize;
use tauri::State;

use super::user_id;
use crate::error::{ErrorCode, IpcError, ShellWords};
use crate::state::DeskState;

/// A case in full: profile, relatives, verifications, documents, webhooks, actions, customer text.
#[tauri::command]
pub async fn case_file(state: State<'_, DeskState>, user: u64) -> Result<CaseFile, IpcError> {
    Ok(state.desk().await?.case_file(user_id(user)?).await?)
}

/// A decoded redirect URL; the window words what its event means.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DecodedRedirect {
    pub query: RedirectQuery,
}

/// Decodes the query of a redirect URL a customer sent.
#[tauri::command]
pub fn decode_redirect(url: String) -> Result<DecodedRedirect, IpcError> {
    if url.len() > 4096 {
        return Err(IpcError::new(
            ErrorCode::InvalidArgument,
            ShellWords::RedirectTooLong,
        ));
    }
    let query = RedirectQuery::parse(&url)
        .map_err(|_| IpcError::new(ErrorCode::InvalidArgument, ShellWords::NotARedirect))?;
    Ok(DecodedRedirect { query })
}
