//! B4, B5, B9 and B10: the dashboard's side, measured through the real parts.
//!
//! - B4: a webhook's way from the relay's 200 to the dashboard's cache, with the sync loop
//!   long-polling.
//! - B5: catching up on 200,000 events the relay already holds, into an empty cache, through the
//!   feed and the sync loop (the cache's own apply rate is measured apart, in `cache`).
//! - B9: document downloads from the sandbox's file host: the time to the first byte and a 25 MB
//!   document, then 100 downloads through injected faults.
//! - B10: a note written on one officer's dashboard to shown on a colleague's, through the hub.
//!
//! Each runs the relay, the sandbox and a dashboard in this process on loopback, as the app's demo
//! mode does, on a runtime of two workers (the machine's cores).

mod b10;
mod b4;
mod b5;
mod b9;
mod webhooks;
mod world;

use crate::figure::Figure;

pub fn run(wants: &dyn Fn(&str) -> bool) -> Vec<Figure> {
    let (b4, b5, b9, b10) = (wants("B4"), wants("B5"), wants("B9"), wants("B10"));
    if !(b4 || b5 || b9 || b10) {
        return Vec::new();
    }
    let runtime = crate::runtime();
    let mut figures = Vec::new();
    if b4 {
        figures.extend(runtime.block_on(b4::run()));
    }
    if b5 {
        figures.extend(runtime.block_on(b5::run()));
    }
    if b9 {
        figures.extend(runtime.block_on(b9::run()));
    }
    if b10 {
        figures.extend(runtime.block_on(b10::run()));
    }
    figures
}

/// The value at `quantile` (0..=1) of sorted `values`, nearest rank.
pub fn percentile(sorted: &[f64], quantile: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((quantile * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Waits until the dashboard has applied everything the relay holds (bounded).
pub async fn caught_up(
    desk: &desk::Desk,
    relay: &relay::RunningRelay,
    within: std::time::Duration,
) -> bool {
    let target = *relay.committed().borrow();
    let mut health = desk.health();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if health.borrow_and_update().cursor >= target {
            return true;
        }
        tokio::select! {
            changed = health.changed() => if changed.is_err() { return false },
            () = tokio::time::sleep_until(deadline) => return false,
        }
    }
}
