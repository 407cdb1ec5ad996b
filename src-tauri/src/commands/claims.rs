//! Who holds a case: read from the cache, taken, released and reassigned at the team's hub, which
//! decides each (see `desk::claims`).

use cache::CaseClaim;
use desk::claims::{ClaimView, TeamState};
use tauri::State;

use super::{user_id, user_ids};
use crate::error::IpcError;
use crate::state::DeskState;

/// A case's holder, whether it is this officer, and whether the team state is the hub's current one.
#[tauri::command]
pub async fn case_claim(state: State<'_, DeskState>, user: u64) -> Result<ClaimView, IpcError> {
    Ok(state.desk().await?.case_claim(user_id(user)?).await?)
}

/// The live claims among the users of a page of the queue.
#[tauri::command]
pub async fn queue_claims(
    state: State<'_, DeskState>,
    users: Vec<u64>,
) -> Result<Vec<CaseClaim>, IpcError> {
    Ok(state.desk().await?.claims_of(user_ids(&users)?).await?)
}

/// Whether the team state the window shows is the hub's current one.
#[tauri::command]
pub async fn team_state(state: State<'_, DeskState>) -> Result<TeamState, IpcError> {
    Ok(state.desk().await?.team_state())
}

/// Takes a case for the officer at the hub.
#[tauri::command]
pub async fn claim_case(state: State<'_, DeskState>, user: u64) -> Result<(), IpcError> {
    Ok(state.desk().await?.claim(user_id(user)?).await?)
}

/// Lets go of a case the officer holds.
#[tauri::command]
pub async fn release_case(state: State<'_, DeskState>, user: u64) -> Result<(), IpcError> {
    Ok(state.desk().await?.release(user_id(user)?).await?)
}

/// Gives a case to another officer (seniors only; the hub checks).
#[tauri::command]
pub async fn reassign_case(
    state: State<'_, DeskState>,
    user: u64,
    to: String,
) -> Result<(), IpcError> {
    Ok(state.desk().await?.reassign(user_id(user)?, &to).await?)
}

/// Takes the case that has waited longest for an officer and that nobody holds; `null` when none
/// waits.
#[tauri::command]
pub async fn next_unclaimed(state: State<'_, DeskState>) -> Result<Option<u64>, IpcError> {
    Ok(state
        .desk()
        .await?
        .next_unclaimed()
        .await?
        .map(|user| user.get()))
}
