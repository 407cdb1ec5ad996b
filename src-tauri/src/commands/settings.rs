//! Settings and connection checks. Secrets go in, never out.

use desk::configure::{ConnectionCheck, Saved, SettingsInput, SettingsView};
use tauri::State;

use crate::error::IpcError;
use crate::state::DeskState;

/// The settings, and whether each secret is saved (never the secrets).
#[tauri::command]
pub async fn settings_view(state: State<'_, DeskState>) -> Result<SettingsView, IpcError> {
    Ok(state.desk().await?.settings_view())
}

/// Saves settings; secrets given go to the keychain.
#[tauri::command]
pub async fn save_settings(
    state: State<'_, DeskState>,
    input: SettingsInput,
) -> Result<Saved, IpcError> {
    Ok(state.desk().await?.save_settings(input).await?)
}

/// Checks, step by step, that Treezor answers.
#[tauri::command]
pub async fn check_treezor(state: State<'_, DeskState>) -> Result<ConnectionCheck, IpcError> {
    Ok(state.desk().await?.check_treezor().await)
}

/// Checks, step by step, that the relay answers and accepts the feed token.
#[tauri::command]
pub async fn check_relay(state: State<'_, DeskState>) -> Result<ConnectionCheck, IpcError> {
    Ok(state.desk().await?.check_relay().await)
}
