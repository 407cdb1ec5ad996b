//! The canonical form of a JSON text that Treezor signs: what PHP's `json_encode` writes.
//!
//! Compact (no whitespace between tokens), keys in their original order, `/` written `\/`, every
//! non-ASCII character written as a lowercase `\uXXXX` escape (two escapes, a UTF-16 surrogate
//! pair, beyond the Basic Multilingual Plane), control characters as `\b \f \n \r \t` or `\u00XX`.
//! Numbers, `true`, `false` and `null` are kept as written.
//!
//! The input is JSON that has already been parsed once (a `RawValue`), so this is a re-encoder over
//! its tokens, not a validator. Strings are decoded to UTF-16 code units and re-encoded unit by unit,
//! which also carries a lone surrogate escape through unchanged instead of failing.

use std::fmt::Write;

/// Re-encodes a JSON text in Treezor's signed form. `None` if the text ends inside a string or an
/// escape (it was not JSON).
pub fn canonical_json(json: &str) -> Option<String> {
    let mut out = String::with_capacity(json.len() + json.len() / 8);
    let mut chars = json.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {}
            '"' => {
                let units = decode_string(&mut chars)?;
                encode_string(&units, &mut out);
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// Reads a string's content up to its closing quote, as UTF-16 code units.
fn decode_string(chars: &mut std::str::Chars<'_>) -> Option<Vec<u16>> {
    let mut units = Vec::new();
    let mut buffer = [0u16; 2];
    loop {
        match chars.next()? {
            '"' => return Some(units),
            '\\' => {
                let unit = match chars.next()? {
                    '"' => u16::from(b'"'),
                    '\\' => u16::from(b'\\'),
                    '/' => u16::from(b'/'),
                    'b' => 0x08,
                    'f' => 0x0c,
                    'n' => u16::from(b'\n'),
                    'r' => u16::from(b'\r'),
                    't' => u16::from(b'\t'),
                    'u' => {
                        let mut value = 0u16;
                        for _ in 0..4 {
                            value = value * 16 + chars.next()?.to_digit(16)? as u16;
                        }
                        value
                    }
                    _ => return None,
                };
                units.push(unit);
            }
            c => units.extend_from_slice(c.encode_utf16(&mut buffer)),
        }
    }
}

fn encode_string(units: &[u16], out: &mut String) {
    out.push('"');
    for &unit in units {
        match unit {
            0x22 => out.push_str("\\\""),
            0x5c => out.push_str("\\\\"),
            0x2f => out.push_str("\\/"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            0x0a => out.push_str("\\n"),
            0x0d => out.push_str("\\r"),
            0x09 => out.push_str("\\t"),
            0x20..=0x7f => out.push(char::from(unit as u8)),
            _ => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn writes_what_php_json_encode_writes() {
        let pretty = r#"{
            "firstname": "Zoé",
            "lastname" : "O'Brien/Ω",
            "note": "😀 \"quoted\" back\\slash",
            "score": "1", "n": 12, "f": 1.50, "ok": true, "none": null,
            "list": [ 1, "a/b" ]
        }"#;
        assert_eq!(
            canonical_json(pretty).unwrap(),
            r#"{"firstname":"Zo\u00e9","lastname":"O'Brien\/\u03a9","note":"\ud83d\ude00 \"quoted\" back\\slash","score":"1","n":12,"f":1.50,"ok":true,"none":null,"list":[1,"a\/b"]}"#
        );
    }

    #[test]
    fn escapes_in_the_input_are_normalised() {
        assert_eq!(
            canonical_json(r#"["\u00E9", "\/", "é", "\u001F", "\b"]"#).unwrap(),
            r#"["\u00e9","\/","\u00e9","\u001f","\b"]"#
        );
        assert_eq!(
            canonical_json(r#""\uD83D\uDE00""#).unwrap(),
            r#""\ud83d\ude00""#
        );
        assert_eq!(
            canonical_json(r#""\ud800""#).unwrap(),
            r#""\ud800""#,
            "a lone surrogate goes through"
        );
    }

    #[test]
    fn keeps_key_order_and_spaces_inside_strings() {
        assert_eq!(
            canonical_json(r#"{ "b" : "x y", "a" : 1 }"#).unwrap(),
            r#"{"b":"x y","a":1}"#
        );
    }

    #[test]
    fn unfinished_text_is_refused() {
        for broken in [r#""abc"#, r#""\u12"#, r#""\q""#, r#"["\"#] {
            assert_eq!(canonical_json(broken), None, "{broken}");
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            any::<String>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<bool>().prop_map(serde_json::Value::from),
            Just(serde_json::Value::Null),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map(any::<String>(), inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Compact or pretty, the same value has one canonical form; it is pure ASCII, parses back
        /// to the same value, and canonicalising it again changes nothing.
        #[test]
        fn one_value_one_canonical_form(value in json_value()) {
            let compact = canonical_json(&serde_json::to_string(&value).unwrap()).unwrap();
            let pretty = canonical_json(&serde_json::to_string_pretty(&value).unwrap()).unwrap();
            prop_assert_eq!(&compact, &pretty);
            prop_assert!(compact.is_ascii());
            prop_assert!(!compact.replace("\\/", "").contains('/'));
            let back: serde_json::Value = serde_json::from_str(&compact).unwrap();
            prop_assert_eq!(back, value);
            prop_assert_eq!(canonical_json(&compact).unwrap(), compact);
        }
    }
}
