//! The document viewer: a document's bytes for the page, and the identity beside it.

use desk::viewer::identity::IdentityCheck;
use tauri::State;
use tauri::ipc::Response;

use super::{document_id, user_id};
use crate::error::IpcError;
use crate::state::DeskState;

/// A document's bytes, fetched into memory and checked by the desk, answered as raw bytes over
/// the IPC (an `ArrayBuffer` in the page): no URL, no file, no JSON copy of them.
#[tauri::command]
pub async fn view_document(
    state: State<'_, DeskState>,
    user: u64,
    document: u64,
) -> Result<Response, IpcError> {
    let viewed = state
        .desk()
        .await?
        .view_document(user_id(user)?, document_id(document)?)
        .await?;
    Ok(Response::new(viewed.into_bytes()))
}

/// The identity the customer declared beside what the provider read.
#[tauri::command]
pub async fn identity_check(
    state: State<'_, DeskState>,
    user: u64,
) -> Result<IdentityCheck, IpcError> {
    Ok(state.desk().await?.identity_check(user_id(user)?).await?)
}
