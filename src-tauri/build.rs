//! Reads the root `tauri.conf.json`, embeds the icons and compiles the window's permissions.
//!
//! Our commands' permissions are written by hand in `src-tauri/permissions/`. Declaring them as an
//! app manifest turns the command ACL on: Tauri then refuses any command that no capability in
//! `src-tauri/capabilities/` grants, instead of allowing every registered one.

use tauri_build::{AppManifest, Attributes};

fn main() {
    // With a path pattern, tauri-build watches neither folder: without these lines, a changed
    // grant would not reach the binary until something else made this script run again.
    println!("cargo:rerun-if-changed=src-tauri/permissions");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(AppManifest::new().permissions_path_pattern("src-tauri/permissions/**/*"));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}
