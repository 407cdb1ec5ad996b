//! Values that Treezor sends as strings in webhooks and as numbers in REST answers.
//!
//! Webhook payloads carry `"userId":"123"`, `"score":"1"`, `"kycLevel":"0"`; the REST API answers
//! `"userId":123`. Every value the domain reads goes through [`StringOrNumber`] first, so both
//! shapes land on the same parser.

// `parse_with`, `lenient_serde!` and `parse_integer` are for the identifier and score types that
// build on this module; until those land nothing else calls them.
#![allow(dead_code, unused_macros, unused_imports)]

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// A JSON scalar read as text: a string as it is, a number as it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringOrNumber(String);

impl StringOrNumber {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<'de> Deserialize<'de> for StringOrNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;

        impl Visitor<'_> for ScalarVisitor {
            type Value = StringOrNumber;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StringOrNumber(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(StringOrNumber(v))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(StringOrNumber(v.to_string()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(StringOrNumber(v.to_string()))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(StringOrNumber(v.to_string()))
            }
        }

        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// Deserializes a value through its `FromStr`-like parser, from a string or a number.
pub(crate) fn parse_with<'de, D, T, E>(
    deserializer: D,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    E: fmt::Display,
{
    let raw = StringOrNumber::deserialize(deserializer)?;
    parse(raw.as_str()).map_err(de::Error::custom)
}

/// Implements `Deserialize` (from a string or a number, through `parse`) and `Serialize` (as the
/// `Display` text, or as a number with `number`) for a domain value.
macro_rules! lenient_serde {
    ($type:ty, string) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::lenient::parse_with(d, <$type>::parse)
            }
        }

        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
    ($type:ty, number) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $crate::lenient::parse_with(d, <$type>::parse)
            }
        }

        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(i64::from(self.number()))
            }
        }
    };
}

pub(crate) use lenient_serde;

/// Parses an integer written as `"12"`, `12` or `"12.0"` (some webhooks carry floats).
pub(crate) fn parse_integer(raw: &str) -> Option<i64> {
    let trimmed = raw.trim();
    if let Ok(value) = trimmed.parse::<i64>() {
        return Some(value);
    }
    let (whole, fraction) = trimmed.split_once('.')?;
    if !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') {
        whole.parse::<i64>().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strings_and_numbers_alike() {
        let values: Vec<StringOrNumber> = serde_json::from_str(r#"["12", 12, -1, 1.5]"#).unwrap();
        let texts: Vec<&str> = values.iter().map(StringOrNumber::as_str).collect();
        assert_eq!(texts, ["12", "12", "-1", "1.5"]);
    }

    #[test]
    fn refuses_objects_and_null() {
        assert!(serde_json::from_str::<StringOrNumber>("{}").is_err());
        assert!(serde_json::from_str::<StringOrNumber>("null").is_err());
    }

    #[test]
    fn integers_accept_a_zero_fraction_only() {
        assert_eq!(parse_integer(" 7 "), Some(7));
        assert_eq!(parse_integer("-1"), Some(-1));
        assert_eq!(parse_integer("7.000"), Some(7));
        assert_eq!(parse_integer("7.5"), None);
        assert_eq!(parse_integer("7."), None);
        assert_eq!(parse_integer("seven"), None);
    }
}
