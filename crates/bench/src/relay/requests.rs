//! Pre-built signed webhook requests, so that the load generator spends almost nothing per
//! request: each one is a copy of a template with its `webhook_id` written in place.
//!
//! The templates hold distinct `kycliveness.update` payloads, each signed with the relay's
//! secret. Only `object_payload` is signed, so a fresh `webhook_id` per request keeps every
//! envelope valid and distinct without signing on the client.

use std::io::Write;

use kyc::webhook::{WebhookSecret, sign_payload};

/// The placeholder every template carries where the webhook id goes; ids have exactly its width.
const ID_PLACEHOLDER: &str = "XX-0000-000000000000";

pub struct Requests {
    templates: Vec<Template>,
}

struct Template {
    bytes: Vec<u8>,
    id_at: usize,
}

impl Requests {
    /// `count` distinct signed payloads (users 1..=count), as complete HTTP/1.1 requests.
    pub fn build(secret: &WebhookSecret, count: usize) -> Requests {
        let templates = (1..=count)
            .map(|user| {
                let payload = format!(
                    r#"{{"user_id":"{user}","kyc-status":"processed","score":"1","comment":"","identification-id":"idv-{user:08}","reasons":[],"started-at":"2024-07-01T08:00:00+02:00","updated-at":"2024-07-01T08:04:00+02:00"}}"#
                );
                let signature = sign_payload(secret, &payload);
                let body = format!(
                    r#"{{"webhook":"kycliveness.update","webhook_id":"{ID_PLACEHOLDER}","webhook_created_at":"1720000000.1234","object":"kycliveness","object_id":"{user}","object_payload":{payload},"object_payload_signature":"{signature}"}}"#
                );
                let head = format!(
                    "POST /webhooks/treezor HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                let bytes = format!("{head}{body}").into_bytes();
                let id_at = head.len() + body.find(ID_PLACEHOLDER).expect("placeholder");
                Template { bytes, id_at }
            })
            .collect();
        Requests { templates }
    }

    /// Writes request number `n` of connection `connection` into `out`, with the webhook id
    /// `{prefix}-{connection:04}-{n:012}`: distinct for every (prefix, connection, n).
    pub fn fill(&self, out: &mut Vec<u8>, prefix: &[u8; 2], connection: usize, n: u64) {
        let template = &self.templates[(n as usize + connection) % self.templates.len()];
        out.clear();
        out.extend_from_slice(&template.bytes);
        let mut id = &mut out[template.id_at..template.id_at + ID_PLACEHOLDER.len()];
        id[..2].copy_from_slice(prefix);
        id = &mut id[2..];
        // The id fits its placeholder exactly; writing into the slice cannot fail.
        let _ = write!(
            id,
            "-{:04}-{:012}",
            connection % 10_000,
            n % 1_000_000_000_000
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyc::webhook::Envelope;

    #[test]
    fn every_request_is_a_distinct_validly_signed_envelope() {
        let secret = WebhookSecret::new("s").unwrap();
        let requests = Requests::build(&secret, 3);
        let mut out = Vec::new();
        let mut ids = Vec::new();
        for (connection, n) in [(0, 0), (0, 1), (7, 0), (7, 123_456)] {
            requests.fill(&mut out, b"b1", connection, n);
            let text = String::from_utf8(out.clone()).unwrap();
            let (head, body) = text.split_once("\r\n\r\n").unwrap();
            assert!(head.contains(&format!("content-length: {}", body.len())));
            let envelope = Envelope::parse(body.as_bytes()).unwrap();
            assert_eq!(envelope.verify(&secret), Ok(()));
            ids.push(envelope.webhook_id.as_str().to_owned());
        }
        assert_eq!(ids[3], "b1-0007-000000123456");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 4);
    }
}
