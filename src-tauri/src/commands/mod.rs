//! The commands the window may call, one module per screen. Each command is registered in
//! [`crate::run`] by its full path (Tauri's handler macro needs it), has a permission in
//! `src-tauri/permissions/` and is granted in `src-tauri/capabilities/`; the UI calls it only
//! through `ui/src/lib/api.ts`.
//!
//! A command takes the state, checks what the window sent (ids are parsed here: the window is not
//! trusted), calls one `desk` function and maps the error.

pub mod actions;
pub mod audit;
pub mod case;
pub mod catalogue;
pub mod claims;
pub mod clipboard;
pub mod files;
pub mod queue;
pub mod rules;
pub mod settings;
pub mod status;
pub mod team;
pub mod viewer;

use kyc::{DocumentId, UserId};

use crate::error::{ErrorCode, IpcError, ShellWords};

pub(crate) fn user_id(raw: u64) -> Result<UserId, IpcError> {
    UserId::new(raw)
        .map_err(|_| IpcError::new(ErrorCode::InvalidArgument, ShellWords::UserIdNotPositive))
}

/// The users of a page of the queue (at most a page's worth).
pub(crate) fn user_ids(raw: &[u64]) -> Result<Vec<UserId>, IpcError> {
    if raw.len() > cache::queue::MAX_PAGE as usize {
        return Err(IpcError::new(
            ErrorCode::InvalidArgument,
            ShellWords::TooManyUsers {
                max: u64::from(cache::queue::MAX_PAGE),
            },
        ));
    }
    raw.iter().map(|&raw| user_id(raw)).collect()
}

pub(crate) fn document_id(raw: u64) -> Result<DocumentId, IpcError> {
    DocumentId::new(raw).map_err(|_| {
        IpcError::new(
            ErrorCode::InvalidArgument,
            ShellWords::DocumentIdNotPositive,
        )
    })
}
