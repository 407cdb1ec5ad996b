//! Structured logs on stderr: human text, or one JSON object per line for a log collector.
//!
//! One event is one line, whatever a request put in it. Text from requests is escaped and cut
//! where it is logged (`relay::untrusted`); as a second guard, every line is written through
//! [`OneLine`], which escapes any control character left in a formatted event except the newline
//! that ends it. Colours are off: the escape sequences that make them are exactly what the guard
//! refuses to pass, and the relay's logs go to a journal or a file, not a terminal.

use std::io::{self, Write};

use relay::untrusted::needs_escape;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(OneLine)
        // A log reader that went away must not take the relay down: the default reports a
        // failed write on stderr, and that report panics when stderr itself is the broken pipe.
        .log_internal_errors(false);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// Stderr, one event per line: the formatter writes each event whole in one call.
struct OneLine;

impl<'a> MakeWriter<'a> for OneLine {
    type Writer = OneLine;

    fn make_writer(&'a self) -> OneLine {
        OneLine
    }
}

impl Write for OneLine {
    fn write(&mut self, event: &[u8]) -> io::Result<usize> {
        io::stderr().lock().write_all(&one_line(event))?;
        Ok(event.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        io::stderr().flush()
    }
}

/// `event` with every control character but a final newline written as an escape.
fn one_line(event: &[u8]) -> Vec<u8> {
    let (body, end) = match event.strip_suffix(b"\n") {
        Some(body) => (body, &b"\n"[..]),
        None => (event, &b""[..]),
    };
    let text = String::from_utf8_lossy(body);
    if !text.chars().any(needs_escape) {
        return event.to_vec();
    }
    let mut line = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => line.push_str("\\n"),
            '\r' => line.push_str("\\r"),
            c if needs_escape(c) => line.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => line.push(c),
        }
    }
    let mut bytes = line.into_bytes();
    bytes.extend_from_slice(end);
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stays_one_line_whatever_it_holds() {
        assert_eq!(one_line(b"plain line\n"), b"plain line\n");
        assert_eq!(
            one_line(b"a\nforged line\r\x1b[2J\n"),
            b"a\\nforged line\\r\\u{1b}[2J\n"
        );
        assert_eq!(
            one_line("tab\there\u{2028}".as_bytes()),
            b"tab\\u{9}here\\u{2028}"
        );
    }
}
