//! KYC Desk's desktop shell: the window, and the commands the window may call.
//!
//! The shell is thin on purpose. Each command takes its state, calls one library function and maps
//! the error; every rule lives in the crates under `crates/`, which know nothing of Tauri. The
//! window's content is the Svelte app in `ui/`, served from `ui/dist`.
//!
//! # Layout
//! - [`commands`]: the IPC commands, one small function each.
//! - [`error`]: [`IpcError`], the one error shape that crosses the IPC boundary.
//! - `bindings` (tests only): keeps the UI's TypeScript types in step with the Rust ones.

pub mod commands;
pub mod error;

#[cfg(test)]
mod bindings;

pub use error::{ErrorCode, IpcError};

/// Opens the dashboard window and serves its commands until the officer closes it.
pub fn run() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![
            commands::catalogue::reason_catalogue
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|error| panic!("KYC Desk could not start its window: {error}"));
}
