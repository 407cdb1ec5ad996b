//! Copying to the clipboard. The window cannot do it itself: WebKitGTK refuses
//! `navigator.clipboard.writeText` to the app's own pages ("not allowed by the user agent"), so the
//! shell writes the text. Only writing is offered: nothing lets the window read the clipboard.

use tauri::{AppHandle, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::error::{ErrorCode, IpcError};

/// More than any link or customer text; a bound on what the window can push.
const MAX_TEXT: usize = 64 * 1024;

/// Puts `text` on the system clipboard.
#[tauri::command]
pub fn copy_text<R: Runtime>(app: AppHandle<R>, text: String) -> Result<(), IpcError> {
    if text.len() > MAX_TEXT {
        return Err(IpcError::new(
            ErrorCode::InvalidArgument,
            "The text is too long to copy; select it and copy it by hand.",
        ));
    }
    app.clipboard().write_text(text).map_err(|e| {
        IpcError::new(
            ErrorCode::Internal,
            format!(
                "The clipboard could not be written: {e}. Select the text and copy it by hand."
            ),
        )
    })
}
