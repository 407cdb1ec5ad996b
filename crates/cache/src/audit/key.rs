//! The audit trail's key: each entry's MAC is an HMAC-SHA256 under it, so nobody without the key
//! can write an entry (or rewrite one) that verifies. The desk keeps the key in the OS keychain;
//! the cache only ever borrows it.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{AuditEntry, canonical};

/// Bytes in a key: the size of SHA-256's output, as HMAC-SHA256 recommends.
pub const AUDIT_KEY_BYTES: usize = 32;

/// The key of the keyed audit chain. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; AUDIT_KEY_BYTES]);

impl AuditKey {
    pub fn from_bytes(bytes: [u8; AUDIT_KEY_BYTES]) -> AuditKey {
        AuditKey(bytes)
    }

    /// The key as hex, for the keychain.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Reads a key written by [`AuditKey::to_hex`].
    pub fn from_hex(text: &str) -> Option<AuditKey> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(AuditKey(bytes.try_into().ok()?))
    }

    /// `HMAC-SHA256(key, prev ‖ canonical(entry))`: the entry's MAC, chained to the one before.
    pub(crate) fn mac(&self, prev: &[u8], entry: &AuditEntry) -> [u8; 32] {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(prev);
        mac.update(&canonical(entry));
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_round_trips_as_hex_and_never_prints() {
        let key = AuditKey::from_bytes([7; AUDIT_KEY_BYTES]);
        assert_eq!(AuditKey::from_hex(&key.to_hex()), Some(key.clone()));
        assert_eq!(format!("{key:?}"), "AuditKey(<redacted>)");
        assert_eq!(AuditKey::from_hex("0707"), None);
        assert_eq!(AuditKey::from_hex("not hex"), None);
    }
}
