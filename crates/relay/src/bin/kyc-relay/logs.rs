//! Structured logs on stderr: human text, or one JSON object per line for a log collector.

use tracing_subscriber::EnvFilter;

use crate::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // A log reader that went away must not take the relay down: the default reports a
        // failed write on stderr, and that report panics when stderr itself is the broken pipe.
        .log_internal_errors(false);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}
