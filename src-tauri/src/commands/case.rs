//! One case, and the redirect-URL decoder.

use desk::views::CaseFile;
use kyc::redirect::{RedirectEvent, RedirectQuery};
use serde::Serialize;
use tauri::State;

use super::user_id;
use crate::error::{ErrorCode, IpcError};
use crate::state::DeskState;

/// A case in full: profile, relatives, verifications, documents, webhooks, actions, customer text.
#[tauri::command]
pub async fn case_file(state: State<'_, DeskState>, user: u64) -> Result<CaseFile, IpcError> {
    Ok(state.desk().await?.case_file(user_id(user)?).await?)
}

/// A decoded redirect URL with what its event means.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct DecodedRedirect {
    pub query: RedirectQuery,
    pub explanation: Option<&'static str>,
}

/// Decodes the query of a redirect URL a customer sent.
#[tauri::command]
pub fn decode_redirect(url: String) -> Result<DecodedRedirect, IpcError> {
    if url.len() > 4096 {
        return Err(IpcError::new(
            ErrorCode::InvalidArgument,
            "The URL is too long to be a redirect URL.",
        ));
    }
    let query = RedirectQuery::parse(&url)
        .map_err(|e| IpcError::new(ErrorCode::InvalidArgument, e.to_string()))?;
    let explanation = query.event.as_ref().map(RedirectEvent::explanation);
    Ok(DecodedRedirect { query, explanation })
}
