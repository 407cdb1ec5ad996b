//! Reading Treezor's successful answers, in every shape they come: `{"users":[…]}`, a bare list,
//! or a bare object.

use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};

/// Why a successful answer could not be read, typed for the officer's words; a `detail` is the
/// JSON reader's own account, quoted. The `Display` is the English of the logs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Unexpected {
    NotJson {
        detail: Option<String>,
    },
    /// `name` is there, but not a list.
    NotAList {
        name: String,
    },
    /// None of `names` is in it.
    Missing {
        names: Vec<String>,
    },
    /// A value is not of the form Treezor documents.
    BadValue {
        detail: String,
    },
    /// No download URL in http(s).
    NoHttpUrl,
}

impl Unexpected {
    pub(crate) fn missing(names: &[&str]) -> Unexpected {
        Unexpected::Missing {
            names: names.iter().map(|n| (*n).to_owned()).collect(),
        }
    }

    pub(crate) fn not_json(error: Option<&serde_json::Error>) -> Unexpected {
        Unexpected::NotJson {
            detail: error.map(ToString::to_string),
        }
    }

    pub(crate) fn bad_value(error: &impl fmt::Display) -> Unexpected {
        Unexpected::BadValue {
            detail: error.to_string(),
        }
    }
}

impl fmt::Display for Unexpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unexpected::NotJson { detail: None } => f.write_str("it is not JSON"),
            Unexpected::NotJson {
                detail: Some(detail),
            } => write!(f, "it is not JSON ({detail})"),
            Unexpected::NotAList { name } => write!(f, "{name} is not a list"),
            Unexpected::Missing { names } => write!(f, "it holds no {}", names.join(" nor ")),
            Unexpected::BadValue { detail } => f.write_str(detail),
            Unexpected::NoHttpUrl => f.write_str("it holds no http(s) url"),
        }
    }
}

/// The error for `call`'s answer, read as `problem`.
pub(crate) fn unexpected(call: &str, problem: Unexpected) -> Error {
    Error::UnexpectedAnswer {
        call: call.to_owned(),
        problem,
    }
}

/// The objects under `key`, from any of the shapes.
pub(crate) fn objects(call: &str, body: &[u8], key: &str) -> Result<Vec<Value>> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| unexpected(call, Unexpected::not_json(Some(&e))))?;
    match value {
        Value::Object(mut map) => match map.remove(key) {
            Some(Value::Array(items)) => Ok(items),
            Some(Value::Null) => Ok(Vec::new()),
            Some(single @ Value::Object(_)) => Ok(vec![single]),
            Some(_) => Err(unexpected(
                call,
                Unexpected::NotAList {
                    name: key.to_owned(),
                },
            )),
            None if map.is_empty() => Ok(Vec::new()),
            None => Ok(vec![Value::Object(map)]),
        },
        Value::Array(items) => Ok(items),
        _ => Err(unexpected(call, Unexpected::missing(&[key]))),
    }
}

/// Parses one object into a domain type, naming the call when a field is wrong.
pub(crate) fn parse<T: DeserializeOwned>(call: &str, value: Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| unexpected(call, Unexpected::bad_value(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_yields_the_objects() {
        let wrapped = objects("c", br#"{"users":[{"userId":1},{"userId":2}]}"#, "users").unwrap();
        assert_eq!(wrapped.len(), 2);
        assert_eq!(
            objects("c", br#"[{"userId":1}]"#, "users").unwrap().len(),
            1
        );
        assert_eq!(objects("c", br#"{"userId":1}"#, "users").unwrap().len(), 1);
        assert_eq!(
            objects("c", br#"{"users":{"userId":1}}"#, "users")
                .unwrap()
                .len(),
            1
        );
        assert!(
            objects("c", br#"{"users":null}"#, "users")
                .unwrap()
                .is_empty()
        );
        assert!(objects("c", b"{}", "users").unwrap().is_empty());
        assert!(matches!(
            objects("c", b"nope", "users"),
            Err(Error::UnexpectedAnswer {
                problem: Unexpected::NotJson { detail: Some(_) },
                ..
            })
        ));
        assert!(matches!(
            objects("c", br#"{"users":3}"#, "users"),
            Err(Error::UnexpectedAnswer {
                problem: Unexpected::NotAList { .. },
                ..
            })
        ));
    }
}
