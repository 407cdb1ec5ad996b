//! The officer's actions on a case.

use desk::Confirmation;
use desk::actions::{DownloadProgress, ReviewRequested, SavedDocument, StartedVerification};
use desk::awaited::DocumentsChecked;
use kyc::Action;
use tauri::State;
use tauri::ipc::Channel;

use super::{document_id, user_id};
use crate::error::{ErrorCode, IpcError, ShellWords};
use crate::state::DeskState;

/// Starts a live verification; `confirmation` must be `confirmed` to replace one in progress or
/// to start one for a person with an AML flag.
#[tauri::command]
pub async fn start_verification(
    state: State<'_, DeskState>,
    user: u64,
    redirect_url: Option<String>,
    confirmation: Confirmation,
) -> Result<StartedVerification, IpcError> {
    Ok(state
        .desk()
        .await?
        .start_verification(user_id(user)?, redirect_url, confirmation)
        .await?)
}

/// Has Treezor retrieve the verification's documents.
#[tauri::command]
pub async fn retrieve_documents(state: State<'_, DeskState>, user: u64) -> Result<(), IpcError> {
    Ok(state
        .desk()
        .await?
        .retrieve_documents(user_id(user)?)
        .await?)
}

/// Downloads a document, streaming progress to `on_progress`.
#[tauri::command]
pub async fn download_document(
    state: State<'_, DeskState>,
    user: u64,
    document: u64,
    on_progress: Channel<DownloadProgress>,
) -> Result<SavedDocument, IpcError> {
    let desk = state.desk().await?;
    Ok(desk
        .download_document(user_id(user)?, document_id(document)?, move |progress| {
            // A window that went away stops listening; the download goes on.
            let _ = on_progress.send(progress);
        })
        .await?)
}

/// Requests the KYC review; `confirmation` must be `confirmed` when children lack documents or
/// the user is a child.
#[tauri::command]
pub async fn request_review(
    state: State<'_, DeskState>,
    user: u64,
    confirmation: Confirmation,
) -> Result<ReviewRequested, IpcError> {
    Ok(state
        .desk()
        .await?
        .request_review(user_id(user)?, confirmation)
        .await?)
}

/// Reads Treezor's list of the user's documents now and compares it with the webhooks.
#[tauri::command]
pub async fn check_documents(
    state: State<'_, DeskState>,
    user: u64,
) -> Result<DocumentsChecked, IpcError> {
    Ok(state.desk().await?.check_documents(user_id(user)?).await?)
}

/// Records that the officer declined to confirm an action.
#[tauri::command]
pub async fn cancel_action(
    state: State<'_, DeskState>,
    user: u64,
    action: Action,
) -> Result<(), IpcError> {
    Ok(state.desk().await?.cancel(action, user_id(user)?).await?)
}

/// Shows a downloaded document in the file manager. The path is the one the cache recorded for
/// this document, never one from the window.
#[tauri::command]
pub async fn show_in_folder(
    state: State<'_, DeskState>,
    user: u64,
    document: u64,
) -> Result<(), IpcError> {
    let desk = state.desk().await?;
    let document = document_id(document)?;
    let case = desk.case_file(user_id(user)?).await?;
    let path = case
        .detail
        .documents
        .iter()
        .find(|d| d.document.document_id == document)
        .and_then(|d| d.downloads.last())
        .map(|d| std::path::PathBuf::from(&d.path))
        .ok_or_else(|| IpcError::new(ErrorCode::InvalidArgument, ShellWords::NotDownloadedHere))?;
    if !path.exists() {
        return Err(IpcError::new(
            ErrorCode::InvalidArgument,
            ShellWords::FileGone {
                path: path.display().to_string(),
            },
        ));
    }
    tauri_plugin_opener::reveal_item_in_dir(&path).map_err(|e| {
        IpcError::new(
            ErrorCode::Internal,
            ShellWords::FileManager {
                detail: e.to_string(),
            },
        )
    })
}
