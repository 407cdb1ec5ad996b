//! The dashboard's state as the shell holds it: the [`desk::Desk`], or why it could not start.

use desk::Desk;

use crate::error::{ErrorCode, IpcError};

/// Managed by Tauri; every command reaches the desk through it.
pub struct DeskState(Result<Desk, String>);

impl DeskState {
    pub fn new(started: Result<Desk, String>) -> DeskState {
        DeskState(started)
    }

    /// The desk, or a `not_ready` error saying why there is none.
    pub fn desk(&self) -> Result<&Desk, IpcError> {
        self.0.as_ref().map_err(|why| {
            IpcError::new(
                ErrorCode::NotReady,
                format!("KYC Desk could not start: {why}"),
            )
        })
    }
}
