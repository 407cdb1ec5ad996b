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
pub mod clipboard;
pub mod files;
pub mod queue;
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

pub(crate) fn document_id(raw: u64) -> Result<DocumentId, IpcError> {
    DocumentId::new(raw).map_err(|_| {
        IpcError::new(
            ErrorCode::InvalidArgument,
            ShellWords::DocumentIdNotPositive,
        )
    })
}
