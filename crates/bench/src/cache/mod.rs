//! B5 (catch-up rate) and B6 (queue queries at scale): the dashboard cache's figures.
//!
//! B5 here feeds generated feed pages straight into `Cache::apply_batch`, the apply path the sync
//! loop calls; the same figure measured end to end through the relay belongs to the desk's sync
//! loop.

mod b5;
mod b6;
pub mod big;
mod names;
mod population;

use crate::figure::Figure;

pub fn run(wants: &dyn Fn(&str) -> bool) -> Vec<Figure> {
    let mut figures = Vec::new();
    if wants("B5") {
        figures.extend(b5::run());
    }
    if wants("B6") {
        figures.extend(b6::run());
    }
    figures
}

/// p-th percentile (0–100) of samples in milliseconds, nearest rank.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
