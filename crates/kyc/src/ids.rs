//! Identifiers, parsed once at the edge. Treezor sends numeric ids as numbers in REST answers and
//! as strings in webhooks; both parse to the same value.

use std::fmt;

use crate::error::{ParseError, Result};
use crate::lenient::{lenient_serde, parse_integer};

macro_rules! numeric_id {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "number"))]
        pub struct $name(u64);

        impl $name {
            /// Parses `"123"`, `123` or `"123.0"`; refuses zero, negatives and text.
            pub fn parse(raw: &str) -> Result<Self> {
                match parse_integer(raw) {
                    Some(value) if value > 0 => Ok($name(value as u64)),
                    _ => Err(ParseError::new($field, raw, "a positive whole number")),
                }
            }

            pub fn new(value: u64) -> Result<Self> {
                if value == 0 {
                    Err(ParseError::new($field, "0", "a positive whole number"))
                } else {
                    Ok($name(value))
                }
            }

            pub fn get(self) -> u64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_u64(self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                crate::lenient::parse_with(d, $name::parse)
            }
        }
    };
}

macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
        pub struct $name(String);

        impl $name {
            /// Accepts 1 to
            #[doc = stringify!($max)]
            /// visible ASCII characters (letters, digits, `-`, `_`, `.`, `:`), trimmed.
            pub fn parse(raw: &str) -> Result<Self> {
                let trimmed = raw.trim();
                let valid = !trimmed.is_empty()
                    && trimmed.len() <= $max
                    && trimmed
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
                if valid {
                    Ok($name(trimmed.to_owned()))
                } else {
                    Err(ParseError::new(
                        $field,
                        raw,
                        concat!("1 to ", stringify!($max), " letters, digits, '-', '_', '.' or ':'"),
                    ))
                }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        lenient_serde!($name, string);
    };
}

numeric_id!(
    /// A Treezor user (`userId`).
    UserId,
    "userId"
);
numeric_id!(
    /// A Treezor document (`documentId`).
    DocumentId,
    "documentId"
);
text_id!(
    /// One live verification attempt (`identification-id`), a UUID at Treezor's provider.
    IdentificationId,
    "identification-id",
    128
);
text_id!(
    /// One webhook delivery (`webhook_id`), a UUID v4: the key for deduplication.
    WebhookId,
    "webhook_id",
    128
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_ids_accept_strings_and_numbers() {
        let ids: Vec<UserId> = serde_json::from_str(r#"["123", 123, "123.0", " 123 "]"#).unwrap();
        assert!(ids.iter().all(|id| id.get() == 123));
        assert_eq!(serde_json::to_string(&ids[0]).unwrap(), "123");
    }

    #[test]
    fn numeric_ids_refuse_zero_negative_fraction_and_text() {
        for raw in ["0", "-4", "1.5", "abc", "", "1e3"] {
            assert!(DocumentId::parse(raw).is_err(), "{raw:?}");
        }
        let err = UserId::parse("x1").unwrap_err();
        assert_eq!(
            err.to_string(),
            "userId is not valid: expected a positive whole number"
        );
        assert_eq!(err.value, "x1");
    }

    #[test]
    fn text_ids_accept_uuids_and_refuse_odd_characters() {
        let id = IdentificationId::parse("f8048bee-3182-48dc-93e5-7eef9db77050").unwrap();
        assert_eq!(id.as_str(), "f8048bee-3182-48dc-93e5-7eef9db77050");
        for raw in ["", " ", "a b", "a/b", "<script>", "é", &"a".repeat(129)] {
            assert!(WebhookId::parse(raw).is_err(), "{raw:?}");
        }
        let numeric: IdentificationId = serde_json::from_str("42").unwrap();
        assert_eq!(numeric.as_str(), "42");
    }
}
