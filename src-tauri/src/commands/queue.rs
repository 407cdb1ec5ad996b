//! The queue of cases.

use cache::{QueueFilter, QueuePage, QueueQuery, StateCounts};
use tauri::State;

use crate::error::IpcError;
use crate::state::DeskState;

/// One page of the queue.
#[tauri::command]
pub async fn queue_page(
    state: State<'_, DeskState>,
    query: QueueQuery,
) -> Result<QueuePage, IpcError> {
    Ok(state.desk().await?.queue(query).await?)
}

/// Cases per state under a filter (its states ignored).
#[tauri::command]
pub async fn queue_counts(
    state: State<'_, DeskState>,
    filter: QueueFilter,
) -> Result<StateCounts, IpcError> {
    Ok(state.desk().await?.counts(filter).await?)
}
