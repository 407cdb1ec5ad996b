//! Treezor's webhook signature: `base64(HMAC-SHA256(key = webhook secret, message =
//! canonical(object_payload)))`. Only `object_payload` is signed, never the envelope.
//!
//! A robust verifier checks the payload's raw bytes as received first (what Treezor signed when it
//! sent its own canonical form), then the canonical form of those bytes (for a payload that was
//! re-serialised on the way). Both comparisons are constant-time.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

use super::canonical::canonical_json;

type HmacSha256 = Hmac<Sha256>;

/// The secret Treezor shares with us to sign webhooks. Its `Debug` never shows it.
#[derive(Clone)]
pub struct WebhookSecret(Vec<u8>);

impl WebhookSecret {
    /// `None` for an empty secret: an empty key would make every signature forgeable.
    pub fn new(secret: impl Into<Vec<u8>>) -> Option<WebhookSecret> {
        let bytes = secret.into();
        (!bytes.is_empty()).then_some(WebhookSecret(bytes))
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length; this cannot fail.
        HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length")
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(<redacted>)")
    }
}

/// Why a webhook's signature was refused. No variant carries payload content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SignatureError {
    #[error("the webhook has no object_payload_signature")]
    Missing,
    #[error("object_payload_signature is not base64")]
    NotBase64,
    #[error(
        "object_payload_signature does not match the payload: wrong secret, or the payload was altered"
    )]
    Mismatch,
}

/// Signs a payload's JSON text as Treezor does: over its canonical form.
pub fn sign_payload(secret: &WebhookSecret, payload_json: &str) -> String {
    let canonical = canonical_json(payload_json).unwrap_or_else(|| payload_json.to_owned());
    sign_bytes(secret, canonical.as_bytes())
}

/// Signs exactly these bytes.
pub fn sign_bytes(secret: &WebhookSecret, message: &[u8]) -> String {
    let mut mac = secret.mac();
    mac.update(message);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks `signature` against the payload's raw text, then against its canonical form.
pub fn verify_payload(
    secret: &WebhookSecret,
    payload_json: &str,
    signature: Option<&str>,
) -> Result<(), SignatureError> {
    let signature = signature
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(SignatureError::Missing)?;
    let expected = STANDARD
        .decode(signature)
        .map_err(|_| SignatureError::NotBase64)?;
    let matches = |message: &[u8]| {
        let mut mac = secret.mac();
        mac.update(message);
        mac.verify_slice(&expected).is_ok()
    };
    if matches(payload_json.as_bytes()) {
        return Ok(());
    }
    match canonical_json(payload_json) {
        Some(canonical) if canonical != payload_json && matches(canonical.as_bytes()) => Ok(()),
        _ => Err(SignatureError::Mismatch),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn secret(s: &str) -> WebhookSecret {
        WebhookSecret::new(s).unwrap()
    }

    #[test]
    fn a_known_vector() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), from RFC 4231's
        // companion examples, base64-encoded.
        assert_eq!(
            sign_bytes(
                &secret("key"),
                b"The quick brown fox jumps over the lazy dog"
            ),
            "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="
        );
    }

    #[test]
    fn accepts_the_canonical_bytes_and_a_reserialised_payload() {
        let s = secret("whsec");
        let canonical =
            r#"{"firstname":"Zo\u00e9","url":"https:\/\/x.example\/a","emoji":"\ud83d\ude00"}"#;
        let signature = sign_bytes(&s, canonical.as_bytes());
        assert_eq!(verify_payload(&s, canonical, Some(&signature)), Ok(()));
        let reserialised = r#"{ "firstname": "Zoé", "url": "https://x.example/a", "emoji": "😀" }"#;
        assert_eq!(verify_payload(&s, reserialised, Some(&signature)), Ok(()));
        assert_eq!(sign_payload(&s, reserialised), signature);
    }

    #[test]
    fn accepts_raw_bytes_signed_as_they_are() {
        let s = secret("whsec");
        let raw = r#"{"a": "b/c"}"#;
        let signature = sign_bytes(&s, raw.as_bytes());
        assert_eq!(verify_payload(&s, raw, Some(&signature)), Ok(()));
    }

    #[test]
    fn refuses_tampering_the_wrong_secret_and_garbage() {
        let s = secret("whsec");
        let payload = r#"{"userId":"123","score":"0"}"#;
        let signature = sign_payload(&s, payload);
        let tampered = r#"{"userId":"123","score":"1"}"#;
        assert_eq!(
            verify_payload(&s, tampered, Some(&signature)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_payload(&secret("other"), payload, Some(&signature)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_payload(&s, payload, None),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_payload(&s, payload, Some("  ")),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_payload(&s, payload, Some("not base64!")),
            Err(SignatureError::NotBase64)
        );
        let truncated = &signature[..signature.len() - 4];
        assert!(verify_payload(&s, payload, Some(truncated)).is_err());
    }

    #[test]
    fn an_empty_secret_is_refused_and_a_secret_never_prints() {
        assert!(WebhookSecret::new("").is_none());
        assert_eq!(
            format!("{:?}", secret("hunter2")),
            "WebhookSecret(<redacted>)"
        );
    }

    proptest! {
        /// Any payload signed by Treezor verifies, pretty-printed or not; changing any one string
        /// value breaks it.
        #[test]
        fn signed_payloads_verify_and_changed_ones_do_not(
            fields in proptest::collection::btree_map("[a-zA-Z_-]{1,12}", any::<String>(), 1..6),
            key in "[ -~]{1,40}",
        ) {
            let s = secret(&key);
            let value = serde_json::Value::Object(fields.clone().into_iter().map(|(k, v)| (k, v.into())).collect());
            let compact = serde_json::to_string(&value).unwrap();
            let pretty = serde_json::to_string_pretty(&value).unwrap();
            let signature = sign_payload(&s, &compact);
            prop_assert_eq!(verify_payload(&s, &compact, Some(&signature)), Ok(()));
            prop_assert_eq!(verify_payload(&s, &pretty, Some(&signature)), Ok(()));
            let (first_key, first_value) = fields.iter().next().unwrap();
            let mut changed = value.clone();
            changed[first_key] = format!("{first_value}x").into();
            let changed = serde_json::to_string(&changed).unwrap();
            prop_assert_eq!(verify_payload(&s, &changed, Some(&signature)), Err(SignatureError::Mismatch));
        }
    }
}
