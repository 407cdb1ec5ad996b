//! Reading Treezor's successful answers, in every shape they come: `{"users":[…]}`, a bare list,
//! or a bare object.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};

/// The objects under `key`, from any of the shapes.
pub(crate) fn objects(call: &str, body: &[u8], key: &str) -> Result<Vec<Value>> {
    let unexpected = |detail: String| Error::UnexpectedAnswer {
        call: call.to_owned(),
        detail,
    };
    let value: Value =
        serde_json::from_slice(body).map_err(|e| unexpected(format!("it is not JSON ({e})")))?;
    match value {
        Value::Object(mut map) => match map.remove(key) {
            Some(Value::Array(items)) => Ok(items),
            Some(Value::Null) => Ok(Vec::new()),
            Some(single @ Value::Object(_)) => Ok(vec![single]),
            Some(_) => Err(unexpected(format!("{key} is not a list"))),
            None if map.is_empty() => Ok(Vec::new()),
            None => Ok(vec![Value::Object(map)]),
        },
        Value::Array(items) => Ok(items),
        _ => Err(unexpected(format!("no {key} in it"))),
    }
}

/// Parses one object into a domain type, naming the call when a field is wrong.
pub(crate) fn parse<T: DeserializeOwned>(call: &str, value: Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::UnexpectedAnswer {
        call: call.to_owned(),
        detail: e.to_string(),
    })
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
        assert!(objects("c", b"nope", "users").is_err());
    }
}
