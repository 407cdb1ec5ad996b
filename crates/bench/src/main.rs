//! `kyc-bench`: runs every benchmark of BENCHMARKS.md in release mode, prints one table and writes
//! the same figures to `bench-results.json`.
//!
//! Usage: `kyc-bench [ID ...]` runs the named benchmarks (e.g. `B1 B4`), or all of them.
//!
//! # Layout
//! - `figure`: one measured figure and the printed table.
//! - one module per area, each with `run(selected) -> Vec<Figure>`:
//!   `relay` (B1–B3), `cache` (B5 through the cache's apply path, B6 queue queries on a
//!   1,000,000-user cache), `desk` (B4, B5 through the feed and the sync loop, B9, B10), `window`
//!   (B7 cold start and B8 memory of the release app on the 1,000,000-user cache, under X),
//!   `viewer` (B11, the document viewer in the release app's window, under X).

mod cache;
mod desk;
mod figure;
mod relay;
mod viewer;
mod window;

use figure::{Figure, print_table};

/// The allocator `kyc-relay` runs with, so that the relay measured here is the one that ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The runtime the dashboard's side and the window drivers run on: two workers, the machine's
/// cores.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

fn main() {
    let selected: Vec<String> = std::env::args().skip(1).collect();
    let wants =
        |id: &str| selected.is_empty() || selected.iter().any(|s| s.eq_ignore_ascii_case(id));
    let mut figures: Vec<Figure> = Vec::new();
    figures.extend(relay::run(&wants));
    figures.extend(cache::run(&wants));
    figures.extend(desk::run(&wants));
    figures.extend(window::run(&wants));
    figures.extend(viewer::run(&wants));
    print_table(&figures);
    let json = serde_json::to_string_pretty(&figures).expect("figures serialize");
    if let Err(e) = std::fs::write("bench-results.json", json) {
        eprintln!("could not write bench-results.json: {e}");
    }
}
