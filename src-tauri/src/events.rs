//! Forwards what the desk announces to the window, and turns notices into desktop notifications.
//!
//! Events: `desk://changed` (`{"users": [ids]}`) when cases change, `desk://health` (the sync
//! health) when it moves, `desk://notice` (counts) with each notification. A notification says
//! only how many verifications were processed and how many review decisions came: no name, no
//! reason (they show on screens others see and in the OS's history).

use desk::{Change, Desk};
use serde::Serialize;
use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::error::RecvError;

/// The payload of `desk://changed`: the users whose cases changed; empty means "reload all".
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Changed {
    pub users: Vec<u64>,
}

/// Starts the forwarding tasks; they end with the app.
pub fn forward(app: &AppHandle, desk: &Desk) {
    let mut changes = desk.subscribe();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            match changes.recv().await {
                Ok(Change::Users(users)) => {
                    let users = users.into_iter().map(|u| u.get()).collect();
                    let _ = handle.emit("desk://changed", Changed { users });
                }
                Ok(Change::Notice(notice)) => {
                    let _ = handle.emit("desk://notice", notice);
                    let shown = handle
                        .notification()
                        .builder()
                        .title("KYC Desk")
                        .body(notice.text())
                        .show();
                    if let Err(e) = shown {
                        tracing::debug!("no desktop notification: {e}");
                    }
                }
                // Missed changes: ask the window to reload what it shows.
                Err(RecvError::Lagged(_)) => {
                    let _ = handle.emit("desk://changed", Changed { users: Vec::new() });
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
    let mut health = desk.health();
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        while health.changed().await.is_ok() {
            let now = health.borrow_and_update().clone();
            let _ = handle.emit("desk://health", now);
        }
    });
}
