//! Reads this crate's `tauri.conf.json` and embeds its page.

fn main() {
    tauri_build::build();
}
