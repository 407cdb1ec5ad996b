//! The commands the window may call, one module per screen. Each command is registered in
//! [`crate::run`] by its full path (Tauri's handler macro needs it), named in
//! `src-tauri/build.rs` and granted in `src-tauri/capabilities/`; the UI calls them only through
//! `ui/src/lib/api.ts`.

pub mod catalogue;
