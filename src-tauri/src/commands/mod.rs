//! The commands the window may call, one module per screen. Each command is registered in
//! [`crate::run`] by its full path (Tauri's handler macro needs it), has a permission in
//! `src-tauri/permissions/` and is granted in `src-tauri/capabilities/`; the UI calls it only
//! through `ui/src/lib/api.ts`.

pub mod catalogue;
