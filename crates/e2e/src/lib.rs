//! The end-to-end harness: the real KYC Desk binary in a real window, driven through WebDriver as
//! an officer would use it.
//!
//! # Layout
//! - [`driver`]: starts `tauri-driver` (which starts `WebKitWebDriver`, which starts the app) on
//!   free loopback ports, and stops all three together.
//! - [`desk`]: a WebDriver session on the app's window: bounded waits on what the page shows,
//!   reading visible text, screenshots under `artifacts/screenshots/`.
//!
//! What it needs, and fails loudly without: an X display (`DISPLAY`; `scripts/test` runs the tests
//! under `xvfb-run`), `tauri-driver` on `PATH`, Debian's `WebKitWebDriver`, and the app binary built
//! with the `custom-protocol` feature so that it serves `ui/dist` itself (`KYC_DESK_BIN`, by default
//! `debug/kyc-desk` in cargo's target folder). The test targets only exist with this crate's `e2e` feature.

pub mod desk;
pub mod driver;

pub use desk::{Desk, Theme};

use std::path::{Path, PathBuf};

/// The workspace root, where `artifacts/` (and, unless `CARGO_TARGET_DIR` says otherwise,
/// `target/`) live.
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .expect("crates/e2e sits two levels below the workspace root")
        .to_path_buf()
}

/// Writes live-mode settings into the app's `home` whose Treezor and relay are a closed loopback
/// port: the window shows the cache it finds there alone, as it would offline. Retention keeps
/// closed cases for a century, so none leaves the cache while it is looked at.
pub fn write_offline_settings(home: &Path) {
    let settings = serde_json::json!({
        "treezor": {
            "environment": "sandbox",
            "base_url": "http://127.0.0.1:9",
            "client_id": "offline",
        },
        "relay": { "url": "http://127.0.0.1:9" },
        "retention": { "closed_case_days": 36500 },
    });
    std::fs::write(home.join("settings.json"), settings.to_string())
        .expect("the settings can be written into the app's home");
}
