// No console window next to the dashboard on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Logs go to standard error; `RUST_LOG` tunes them (default: warnings, and our own info).
    // They carry ids and codes, never reasons' texts or secrets.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("warn,desk=info,kyc_desk=info")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    kyc_desk::run();
}
