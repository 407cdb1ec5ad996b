//! The team's records on a case: its internal notes, decisions and four-eyes proposals, read from
//! the cache and written at the hub. All are internal: nothing here ever reaches customer text.

use cache::{Decision, Note};
use desk::four_eyes::{FourEyes, Recorded};
use desk::team::NoteWritten;
use kyc::decision::DecisionKind;
use kyc::four_eyes::{GuardedAction, Verdict};
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

/// The decisions on a case, oldest first, as this desk last had them from the hub.
#[tauri::command]
pub async fn case_decisions(
    state: State<'_, DeskState>,
    user: u64,
) -> Result<Vec<Decision>, IpcError> {
    Ok(state.desk().await?.decisions(user_id(user)?).await?)
}

/// Records the officer's decision on a case at the hub.
#[tauri::command]
pub async fn record_decision(
    state: State<'_, DeskState>,
    user: u64,
    decision: DecisionKind,
    justification: String,
) -> Result<Recorded, IpcError> {
    Ok(state
        .desk()
        .await?
        .record_decision(user_id(user)?, decision, &justification)
        .await?)
}

/// Four eyes on a case: what the policy binds, the proposals and their answers.
#[tauri::command]
pub async fn case_four_eyes(state: State<'_, DeskState>, user: u64) -> Result<FourEyes, IpcError> {
    Ok(state.desk().await?.four_eyes(user_id(user)?).await?)
}

/// Proposes an action the policy binds, for a second officer to approve.
#[tauri::command]
pub async fn propose_action(
    state: State<'_, DeskState>,
    user: u64,
    action: GuardedAction,
    justification: String,
) -> Result<Recorded, IpcError> {
    Ok(state
        .desk()
        .await?
        .propose(user_id(user)?, action, &justification)
        .await?)
}

/// Approves or rejects a colleague's proposal; the hub decides whether this officer may.
#[tauri::command]
pub async fn answer_proposal(
    state: State<'_, DeskState>,
    user: u64,
    proposal: u64,
    verdict: Verdict,
    justification: String,
) -> Result<Recorded, IpcError> {
    Ok(state
        .desk()
        .await?
        .answer_proposal(user_id(user)?, proposal, verdict, &justification)
        .await?)
}
