//! One measured figure and the table they make.

use serde::Serialize;

/// One line of the benchmark table.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    /// The id in BENCHMARKS.md, e.g. `B1`.
    pub id: &'static str,
    pub figure: String,
    pub value: f64,
    pub unit: &'static str,
    /// The target as BENCHMARKS.md words it, e.g. `>= 30000`.
    pub target: &'static str,
    /// Whether the value meets the target. Benchmarks report; they never fail a run.
    pub meets_target: bool,
}

/// Prints the table to stdout, with the machine's load average at the end of the run: the
/// machine may be shared, and timings mean little without it.
pub fn print_table(figures: &[Figure]) {
    println!(
        "load average (1, 5, 15 min) at the end of the run: {}",
        load_average()
    );
    println!(
        "{:<4} {:<58} {:>14} {:<10} {:<12} met",
        "id", "figure", "value", "unit", "target"
    );
    for f in figures {
        println!(
            "{:<4} {:<58} {:>14.2} {:<10} {:<12} {}",
            f.id,
            f.figure,
            f.value,
            f.unit,
            f.target,
            if f.meets_target { "yes" } else { "NO" }
        );
    }
}

/// The 1, 5 and 15 minute load averages, as `/proc/loadavg` gives them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
