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

use std::path::PathBuf;

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
