//! The team's rules in Settings: the four-eyes policy and the deadlines, read, and set at the hub
//! by a senior.

use std::collections::BTreeMap;

use desk::four_eyes::Recorded;
use desk::team_rules::TeamRules;
use kyc::four_eyes::Policy;
use tauri::State;

use crate::error::IpcError;
use crate::state::DeskState;

/// The team's four-eyes policy and deadlines, and why this desk may not change them, if so.
#[tauri::command]
pub async fn team_rules(state: State<'_, DeskState>) -> Result<TeamRules, IpcError> {
    Ok(state.desk().await?.team_rules().await?)
}

/// Sets what needs a second officer, for the whole team (a senior only; the hub decides).
#[tauri::command]
pub async fn set_four_eyes_policy(
    state: State<'_, DeskState>,
    policy: Policy,
) -> Result<Recorded, IpcError> {
    Ok(state.desk().await?.set_four_eyes_policy(policy).await?)
}

/// Sets the team's deadlines, from state names to seconds (a senior only; the hub decides).
#[tauri::command]
pub async fn set_deadlines(
    state: State<'_, DeskState>,
    deadlines: BTreeMap<String, i64>,
) -> Result<TeamRules, IpcError> {
    Ok(state.desk().await?.set_deadlines(deadlines).await?)
}
