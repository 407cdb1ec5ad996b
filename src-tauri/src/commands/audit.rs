//! The audit log: verify, export.

use desk::audit::{AuditCheck, AuditExport, ExportFormat};
use tauri::State;

use super::user_id;
use crate::error::IpcError;
use crate::state::DeskState;

/// Verifies the audit log's hash chain.
#[tauri::command]
pub async fn verify_audit(state: State<'_, DeskState>) -> Result<AuditCheck, IpcError> {
    Ok(state.desk().await?.verify_audit().await?)
}

/// Exports the audit log (or one user's trail) into the download folder's `audit` folder.
#[tauri::command]
pub async fn export_audit(
    state: State<'_, DeskState>,
    user: Option<u64>,
    format: ExportFormat,
) -> Result<AuditExport, IpcError> {
    let desk = state.desk().await?;
    let user = user.map(user_id).transpose()?;
    let folder = desk.download_dir().join("audit");
    Ok(desk.export_audit(user, format, &folder).await?)
}
