//! Reads the root `tauri.conf.json`, embeds the icons and compiles the window's permissions.
//!
//! Our commands' permissions are written by hand in `src-tauri/permissions/`. Declaring them as an
//! app manifest turns the command ACL on: Tauri then refuses any command that no capability in
//! `src-tauri/capabilities/` grants, instead of allowing every registered one.

use tauri_build::{AppManifest, Attributes};

fn main() {
    // tauri-build watches the capabilities itself, but leaves the permissions folder to us.
    println!("cargo:rerun-if-changed=src-tauri/permissions");
    let attributes = Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(AppManifest::new().permissions_path_pattern("src-tauri/permissions/**/*"));
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}
