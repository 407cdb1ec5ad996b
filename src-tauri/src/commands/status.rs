//! The status bar.

use desk::status::AppStatus;
use tauri::State;

use crate::error::IpcError;
use crate::state::DeskState;

/// Which world, who, and how the connections are doing.
#[tauri::command]
pub async fn app_status(state: State<'_, DeskState>) -> Result<AppStatus, IpcError> {
    Ok(state.desk().await?.status())
}
