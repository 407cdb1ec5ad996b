//! A signed payload is one event, whatever envelope it comes in.
//!
//! Treezor signs `object_payload` and nothing else, so a captured payload can be posted again to
//! the relay under a fresh `webhook_id`, another event name and another time, and the relay (which
//! can only check the signature) stores it. The cache recognises it by a digest of the payload:
//! the first webhook carrying a payload is applied; every later one is kept in `webhooks` (the
//! case's timeline shows it as a replay of the first, refused) and adds nothing to any case,
//! profile or document.
//!
//! The digest covers the payload's canonical form (the bytes the signature covers, see
//! `kyc::webhook::canonical_json`), so re-serialising a payload (spaces, escapes) does not make it
//! new. Like the case events' keys, it keeps the first 128 bits of SHA-256.
//!
//! What stays true: the webhook that arrived first wins. Genuine webhooks reach the relay before
//! anyone can replay them, and the feed serves them in the order the relay stored them.

use kyc::webhook::canonical_json;
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::{Doing, Result};

/// Bytes of the SHA-256 digest kept as a payload's key.
const KEY_BYTES: usize = 16;

/// The digest that recognises a signed payload under any envelope.
pub(crate) fn payload_key(payload: &str) -> [u8; KEY_BYTES] {
    let canonical = canonical_json(payload);
    let digest = Sha256::digest(canonical.as_deref().unwrap_or(payload).as_bytes());
    let mut key = [0u8; KEY_BYTES];
    key.copy_from_slice(&digest[..KEY_BYTES]);
    key
}

/// The webhook (row id) that first carried the payload with this key, if one did.
pub(crate) fn first_carrier(conn: &Connection, key: &[u8]) -> Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM webhooks WHERE payload_key = ?1 AND replay_of IS NULL")
        .and_then(|mut s| s.query_row([key], |r| r.get(0)).optional())
        .doing("looking for an earlier webhook with the same payload")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_keeps_its_key_however_it_is_written() {
        let compact = r#"{"user_id":"42","url":"https:\/\/x","name":"Zo\u00e9"}"#;
        let spaced = r#"{ "user_id": "42", "url": "https://x", "name": "Zoé" }"#;
        assert_eq!(payload_key(compact), payload_key(spaced));
        assert_ne!(
            payload_key(compact),
            payload_key(r#"{"user_id":"43","url":"https:\/\/x","name":"Zo\u00e9"}"#)
        );
        assert_ne!(payload_key("not json"), payload_key("not json!"));
    }
}
