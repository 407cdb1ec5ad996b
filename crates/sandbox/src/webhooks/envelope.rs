//! The envelope body of one webhook.

use kyc::webhook::{WebhookSecret, canonical_json, sign_payload};

use crate::wire::quote;
use crate::world::Event;

/// The flat envelope, keys in Treezor's order. The payload is written in its canonical form, the
/// exact bytes the signature covers, as Treezor's PHP writes it. `webhook_created_at` is an
/// integer in units of 10^-4 s, as Treezor documents it.
pub fn envelope(event: &Event, webhook_id: &str, secret: &WebhookSecret) -> String {
    let payload = canonical_json(&event.payload).unwrap_or_else(|| event.payload.clone());
    let signature = sign_payload(secret, &payload);
    format!(
        r#"{{"webhook":{},"webhook_id":{},"webhook_created_at":{},"object":{},"object_id":{},"object_payload":{},"object_payload_signature":{}}}"#,
        quote(event.event),
        quote(webhook_id),
        event.at.unix_micros() / 100,
        quote(event.object),
        quote(&event.object_id),
        payload,
        quote(&signature)
    )
}

#[cfg(test)]
mod tests {
    use kyc::Timestamp;
    use kyc::webhook::Envelope;

    use super::*;

    #[test]
    fn the_envelope_parses_and_verifies_with_the_domain_crate() {
        let secret = WebhookSecret::new("whsec").unwrap();
        let event = Event {
            event: "user.create",
            object: "user",
            object_id: "7".into(),
            payload: r#"{"users":[{"userId":"7","firstname":"Zoé","city":"Saint-Étienne/Loire","note":"日本"}]}"#.into(),
            at: Timestamp::from_unix_micros(1_720_000_000_123_400),
        };
        let body = envelope(&event, "0b7e2c1e-0000-4000-8000-000000000001", &secret);
        let parsed = Envelope::parse(body.as_bytes()).unwrap();
        assert_eq!(parsed.verify(&secret), Ok(()));
        assert_eq!(parsed.created_at, Some(event.at));
        assert!(parsed.payload_json().contains(r"Zo\u00e9"));
        assert!(parsed.payload_json().contains(r"\/Loire"));
        assert!(body.is_ascii());
        assert!(
            parsed
                .verify(&WebhookSecret::new("other").unwrap())
                .is_err()
        );
    }
}
