//! `kyc-bench-window`: the baseline of benchmarks B7 and B8. The same Tauri, WebKitGTK and window
//! size as the dashboard, a static page that paints one line and marks when it did
//! (`bench-window:painted`), and nothing else: no commands, no state, no plugins. What the
//! dashboard costs beyond it is ours.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .unwrap_or_else(|error| panic!("the window could not start: {error}"));
}
