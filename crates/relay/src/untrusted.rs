//! Text from a request, made safe to log.
//!
//! Anyone can post to the relay, and some of what they send reaches the log: the envelope's
//! `webhook`, `object` and `object_id` (read before the signature is checked, to say which webhook
//! was refused), a field name in a parse error, a header. Written as it came, a newline in it would
//! start what looks like another log line (a forged "relay listening", a forged "stored"), a
//! carriage return would hide the real line on a terminal, and an escape sequence (`ESC [ …`)
//! would drive the terminal of whoever reads the log. So such text is logged through
//! [`untrusted`]: control characters, line and paragraph separators and the characters that
//! reorder text are written as escapes (`\n`, `\r`, `\u{1b}`, …), and anything past
//! [`MAX_CHARS`] characters is cut, with a mark saying how much was left out.

use std::fmt::{self, Write};

/// The most characters of one untrusted value that reach the log.
pub const MAX_CHARS: usize = 80;

/// A value from a request, shown escaped and cut; see the module's documentation.
pub struct Untrusted<'a>(pub &'a str);

impl fmt::Display for Untrusted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (shown, (at, c)) in self.0.char_indices().enumerate() {
            if shown == MAX_CHARS {
                return write!(f, "…[{} more bytes]", self.0.len() - at);
            }
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\\' => f.write_str("\\\\")?,
                c if needs_escape(c) => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// `text` escaped and cut, to log as a string field: `object = untrusted(&object).as_str()`. The
/// text format then quotes it (so a space cannot forge another field), the JSON format writes it
/// as a string.
pub fn untrusted(text: &str) -> String {
    Untrusted(text).to_string()
}

/// Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional
/// formatting characters that can make a log line read differently from what it holds.
pub fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_terminal_escapes_are_written_as_escapes() {
        let forged = "kycliveness.update\n2025-01-01T00:00:00Z  INFO relay listening\r\x1b[2J\x1b]0;x\x07\u{202e}\u{2028}\u{85}\\n";
        let shown = Untrusted(forged).to_string();
        assert_eq!(
            shown,
            "kycliveness.update\\n2025-01-01T00:00:00Z  INFO relay listening\\r\\u{1b}[2J\\u{1b}]0;x\\u{7}\\u{202e}\\u{2028}\\u{85}\\\\n"
        );
        assert!(!shown.chars().any(needs_escape));
    }

    #[test]
    fn long_values_are_cut_with_a_mark() {
        let long = "é".repeat(200);
        let shown = Untrusted(&long).to_string();
        assert!(shown.starts_with(&"é".repeat(MAX_CHARS)), "{shown}");
        assert!(shown.ends_with("…[240 more bytes]"), "{shown}");
        assert_eq!(Untrusted("user").to_string(), "user");
        assert_eq!(untrusted("a b"), "a b");
    }
}
