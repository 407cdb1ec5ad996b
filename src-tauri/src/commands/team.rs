//! The team's records on a case: its internal notes, read from the cache and written at the hub.
//! Notes are internal: nothing here ever reaches customer text.

use cache::Note;
use desk::team::NoteWritten;
use tauri::State;

use super::user_id;
use crate::error::IpcError;
use crate::state::DeskState;

/// The team's notes on a case, oldest first, as this desk last had them from the hub.
#[tauri::command]
pub async fn case_notes(state: State<'_, DeskState>, user: u64) -> Result<Vec<Note>, IpcError> {
    Ok(state.desk().await?.notes(user_id(user)?).await?)
}

/// Writes an internal note on a case at the hub; it comes back through the feed with its author.
#[tauri::command]
pub async fn write_note(
    state: State<'_, DeskState>,
    user: u64,
    text: String,
) -> Result<NoteWritten, IpcError> {
    Ok(state
        .desk()
        .await?
        .write_note(user_id(user)?, &text)
        .await?)
}
