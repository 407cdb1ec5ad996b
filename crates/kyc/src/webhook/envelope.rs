//! The envelope Treezor posts to a webhook endpoint, in both shapes Treezor has used:
//!
//! - flat: `{"webhook":"kycliveness.update","webhook_id":"…","webhook_created_at":…,"object":"…",
//!   "object_id":"…","object_payload":{…},"object_payload_signature":"…"}`;
//! - wrapped: `{"messageId":"…","webhookId":"…","webhook":{ the flat envelope }}`.
//!
//! The body is read as bytes whatever its Content-Type (Treezor may send `text/plain`). The
//! payload's raw text is kept exactly as received, because the signature may cover those bytes.
//! A key that appears twice is refused: two `object_payload`s are how a forged payload hides
//! behind a genuine one.
//!
//! Errors never quote the body: they name the field and say what was expected.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use thiserror::Error;

use super::signature::{SignatureError, WebhookSecret, verify_payload};
use crate::error::ParseError;
use crate::ids::WebhookId;
use crate::lenient::StringOrNumber;
use crate::time::Timestamp;

/// Why a body is not a Treezor webhook envelope.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EnvelopeError {
    #[error("the body is not JSON ({0})")]
    NotJson(String),
    #[error("the body is not a JSON object with the webhook's fields")]
    NotAnObject,
    #[error("the field {0} appears more than once")]
    DuplicateField(String),
    #[error("the field {0} is missing")]
    Missing(&'static str),
    #[error("the field {field} is not {expected}")]
    WrongType {
        field: &'static str,
        expected: &'static str,
    },
    #[error(transparent)]
    Invalid(#[from] ParseError),
}

/// A parsed webhook envelope. Parsing says nothing of authenticity: call [`Envelope::verify`].
#[derive(Clone)]
pub struct Envelope {
    /// The event name, e.g. `kycliveness.update`.
    pub event: String,
    pub webhook_id: WebhookId,
    /// `webhook_created_at`, when Treezor sent one.
    pub created_at: Option<Timestamp>,
    /// The object kind, e.g. `kycliveness`.
    pub object: String,
    pub object_id: Option<String>,
    payload: Box<RawValue>,
    signature: Option<String>,
}

impl fmt::Debug for Envelope {
    /// Leaves the payload out: it holds personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("event", &self.event)
            .field("webhook_id", &self.webhook_id)
            .field("created_at", &self.created_at)
            .field("object", &self.object)
            .field("object_id", &self.object_id)
            .finish_non_exhaustive()
    }
}

impl Envelope {
    /// Parses a webhook body, flat or wrapped.
    pub fn parse(body: &[u8]) -> Result<Envelope, EnvelopeError> {
        let outer = Fields::parse(body)?;
        match outer.get("webhook") {
            Some(inner) if inner.get().trim_start().starts_with('{') => {
                let inner_fields = Fields::parse(inner.get().as_bytes())?;
                let fallback_id = outer.get("webhookId").or_else(|| outer.get("webhook_id"));
                Envelope::from_fields(&inner_fields, fallback_id)
            }
            _ => Envelope::from_fields(&outer, None),
        }
    }

    fn from_fields(
        fields: &Fields,
        fallback_id: Option<&RawValue>,
    ) -> Result<Envelope, EnvelopeError> {
        let event = fields
            .string("webhook")?
            .ok_or(EnvelopeError::Missing("webhook"))?;
        let webhook_id = fields
            .get("webhook_id")
            .or_else(|| fields.get("webhookId"))
            .or(fallback_id)
            .ok_or(EnvelopeError::Missing("webhook_id"))?;
        let webhook_id = WebhookId::parse(scalar(webhook_id, "webhook_id")?.as_str())?;
        let created_at = fields
            .scalar("webhook_created_at")?
            .filter(|raw| !raw.as_str().trim().is_empty())
            .map(|raw| Timestamp::parse_webhook_created_at(raw.as_str()))
            .transpose()?;
        let payload = fields
            .get("object_payload")
            .ok_or(EnvelopeError::Missing("object_payload"))?;
        if !payload.get().trim_start().starts_with('{') {
            return Err(EnvelopeError::WrongType {
                field: "object_payload",
                expected: "a JSON object",
            });
        }
        Ok(Envelope {
            object: fields
                .string("object")?
                .unwrap_or_else(|| event_object(&event).to_owned()),
            event,
            webhook_id,
            created_at,
            object_id: fields.scalar("object_id")?.map(StringOrNumber::into_string),
            payload: payload.to_owned(),
            signature: fields.string("object_payload_signature")?,
        })
    }

    /// The payload's JSON text exactly as received.
    pub fn payload_json(&self) -> &str {
        self.payload.get()
    }

    pub fn signature(&self) -> Option<&str> {
        self.signature.as_deref()
    }

    /// Checks the payload's signature with the webhook secret.
    pub fn verify(&self, secret: &WebhookSecret) -> Result<(), SignatureError> {
        verify_payload(secret, self.payload_json(), self.signature())
    }
}

/// `kycliveness.update` → `kycliveness`.
fn event_object(event: &str) -> &str {
    event.split('.').next().unwrap_or(event)
}

fn scalar(raw: &RawValue, field: &'static str) -> Result<StringOrNumber, EnvelopeError> {
    serde_json::from_str(raw.get()).map_err(|_| EnvelopeError::WrongType {
        field,
        expected: "a string or a number",
    })
}

/// The top-level fields of a JSON object, raw, refusing duplicates.
struct Fields(HashMap<String, Box<RawValue>>);

impl Fields {
    fn parse(body: &[u8]) -> Result<Fields, EnvelopeError> {
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let fields = Fields::deserialize(&mut deserializer).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => {
                let message = e.to_string();
                match message.strip_prefix(DUPLICATE) {
                    Some(rest) => EnvelopeError::DuplicateField(
                        rest.split(" at line").next().unwrap_or(rest).to_owned(),
                    ),
                    None => EnvelopeError::NotAnObject,
                }
            }
            category => EnvelopeError::NotJson(format!(
                "{} at line {} column {}",
                match category {
                    serde_json::error::Category::Eof => "it ends too early",
                    serde_json::error::Category::Io => "it could not be read",
                    _ => "a syntax error",
                },
                e.line(),
                e.column()
            )),
        })?;
        deserializer.end().map_err(|e| {
            EnvelopeError::NotJson(format!(
                "text after the object at line {} column {}",
                e.line(),
                e.column()
            ))
        })?;
        Ok(fields)
    }

    fn get(&self, key: &str) -> Option<&RawValue> {
        self.0
            .get(key)
            .map(Box::as_ref)
            .filter(|raw| raw.get() != "null")
    }

    fn scalar(&self, key: &'static str) -> Result<Option<StringOrNumber>, EnvelopeError> {
        self.get(key).map(|raw| scalar(raw, key)).transpose()
    }

    fn string(&self, key: &'static str) -> Result<Option<String>, EnvelopeError> {
        self.get(key)
            .map(|raw| {
                serde_json::from_str::<String>(raw.get()).map_err(|_| EnvelopeError::WrongType {
                    field: key,
                    expected: "a string",
                })
            })
            .transpose()
    }
}

const DUPLICATE: &str = "duplicate field: ";

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;

        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut fields = HashMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: Box<RawValue> = map.next_value()?;
                    if fields.contains_key(&key) {
                        let shown: String = key.chars().take(40).collect();
                        return Err(de::Error::custom(format_args!("{DUPLICATE}{shown}")));
                    }
                    fields.insert(key, value);
                }
                Ok(Fields(fields))
            }
        }

        deserializer.deserialize_map(FieldsVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::signature::sign_payload;

    const PAYLOAD: &str =
        r#"{"user_id":"123","kyc-status":"processed","score":"1","identification-id":"idv-1"}"#;

    fn flat(created_at: &str) -> String {
        let signature = sign_payload(&WebhookSecret::new("s").unwrap(), PAYLOAD);
        format!(
            r#"{{"webhook":"kycliveness.update","webhook_id":"2c7c5a1e-8a43-4e9b-a1a0-9d0f5f0b1c11","webhook_created_at":{created_at},"object":"kycliveness","object_id":"123","object_payload":{PAYLOAD},"object_payload_signature":"{signature}"}}"#
        )
    }

    #[test]
    fn parses_the_flat_shape_with_string_or_number_times() {
        for created_at in [r#""1690000000.1234""#, "16900000001234"] {
            let envelope = Envelope::parse(flat(created_at).as_bytes()).unwrap();
            assert_eq!(envelope.event, "kycliveness.update");
            assert_eq!(envelope.object, "kycliveness");
            assert_eq!(envelope.object_id.as_deref(), Some("123"));
            assert_eq!(
                envelope.webhook_id.as_str(),
                "2c7c5a1e-8a43-4e9b-a1a0-9d0f5f0b1c11"
            );
            assert_eq!(
                envelope.created_at,
                Some(Timestamp::from_unix_micros(1_690_000_000_123_400))
            );
            assert_eq!(envelope.payload_json(), PAYLOAD);
            assert_eq!(envelope.verify(&WebhookSecret::new("s").unwrap()), Ok(()));
        }
    }

    #[test]
    fn parses_the_wrapped_shape() {
        let body = format!(
            r#"{{"messageId":"m-1","webhookId":"w-1","webhook":{}}}"#,
            flat("1690000000")
        );
        let envelope = Envelope::parse(body.as_bytes()).unwrap();
        assert_eq!(envelope.event, "kycliveness.update");
        assert_eq!(
            envelope.webhook_id.as_str(),
            "2c7c5a1e-8a43-4e9b-a1a0-9d0f5f0b1c11"
        );
        assert_eq!(envelope.verify(&WebhookSecret::new("s").unwrap()), Ok(()));
        let without_inner_id =
            r#"{"webhookId":"w-1","webhook":{"webhook":"user.update","object_payload":{}}}"#;
        let envelope = Envelope::parse(without_inner_id.as_bytes()).unwrap();
        assert_eq!(envelope.webhook_id.as_str(), "w-1");
        assert_eq!(envelope.object, "user");
        assert_eq!(envelope.created_at, None);
    }

    #[test]
    fn keeps_the_payload_bytes_as_received() {
        let body =
            r#"{"webhook":"user.update","webhook_id":7,"object_payload": { "name" : "Zoé\/x" } }"#;
        let envelope = Envelope::parse(body.as_bytes()).unwrap();
        assert_eq!(envelope.payload_json(), r#"{ "name" : "Zoé\/x" }"#);
        assert_eq!(envelope.webhook_id.as_str(), "7");
    }

    #[test]
    fn refuses_what_is_not_an_envelope_without_quoting_it() {
        let cases: Vec<(&str, EnvelopeError)> = vec![
            (
                "",
                EnvelopeError::NotJson("it ends too early at line 1 column 0".into()),
            ),
            (
                "secret-data",
                EnvelopeError::NotJson("a syntax error at line 1 column 1".into()),
            ),
            (r#"["secret-data"]"#, EnvelopeError::NotAnObject),
            (
                r#"{"webhook_id":"a","object_payload":{}}"#,
                EnvelopeError::Missing("webhook"),
            ),
            (
                r#"{"webhook":"x","object_payload":{}}"#,
                EnvelopeError::Missing("webhook_id"),
            ),
            (
                r#"{"webhook":"x","webhook_id":"a"}"#,
                EnvelopeError::Missing("object_payload"),
            ),
            (
                r#"{"webhook":"x","webhook_id":"a","object_payload":"secret-data"}"#,
                EnvelopeError::WrongType {
                    field: "object_payload",
                    expected: "a JSON object",
                },
            ),
            (
                r#"{"webhook":1,"webhook_id":"a","object_payload":{}}"#,
                EnvelopeError::WrongType {
                    field: "webhook",
                    expected: "a string",
                },
            ),
            (
                r#"{"webhook":"x","webhook_id":"a","object_payload":{},"object_payload":{"secret-data":1}}"#,
                EnvelopeError::DuplicateField("object_payload".into()),
            ),
            (
                r#"{"webhook":"x","webhook_id":"a","object_payload":{}} {}"#,
                EnvelopeError::NotJson("text after the object at line 1 column 54".into()),
            ),
        ];
        for (body, expected) in cases {
            let error = Envelope::parse(body.as_bytes()).unwrap_err();
            assert_eq!(error, expected, "{body}");
            assert!(!error.to_string().contains("secret-data"));
        }
        let bad_time =
            r#"{"webhook":"x","webhook_id":"a","webhook_created_at":"soon","object_payload":{}}"#;
        assert!(matches!(
            Envelope::parse(bad_time.as_bytes()),
            Err(EnvelopeError::Invalid(_))
        ));
    }

    #[test]
    fn a_tampered_payload_fails_verification() {
        let body = flat("1690000000").replace(r#""score":"1""#, r#""score":"0""#);
        let envelope = Envelope::parse(body.as_bytes()).unwrap();
        assert_eq!(
            envelope.verify(&WebhookSecret::new("s").unwrap()),
            Err(SignatureError::Mismatch)
        );
        assert!(
            !format!("{envelope:?}").contains("score"),
            "Debug leaves the payload out"
        );
    }
}
