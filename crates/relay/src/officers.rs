//! Officers' credentials for the team hub: issued once by `kyc-relay officers add`, presented by
//! the dashboard as a bearer token, kept by the hub only as a SHA-256 digest.
//!
//! Why a plain SHA-256 and not a slow password hash: a credential is 32 random bytes (256 bits)
//! made by the hub, not a password a person chose, so there is no dictionary to try and a
//! brute-force search of 2^256 values is out of reach however fast the hash is. A slow hash
//! would only slow down every feed request. What the digest protects against is a copy of the
//! database (a backup, a dump): it holds no credential that could be presented.
//!
//! The digest is looked up through an index, which takes time that depends on the digest's bytes.
//! That reveals nothing useful: finding a credential from its digest is as hard as above.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kyc::Timestamp;
use kyc::officer::{OfficerName, Role};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What every officer credential starts with, so that one found in a log or a paste is
/// recognisable (and can be revoked).
pub const PREFIX: &str = "kyco_";

/// A freshly issued credential. Its `Debug` never shows it; [`Credential::expose`] is for the one
/// moment it is printed to the administrator.
pub struct Credential(String);

impl Credential {
    /// 32 bytes from the operating system's random generator, base64url-encoded after [`PREFIX`].
    pub fn issue() -> Credential {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Credential(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credential(<redacted>)")
    }
}

/// The SHA-256 of a presented or issued credential: what the hub stores and looks up.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    pub fn of(presented: &str) -> TokenHash {
        TokenHash(Sha256::digest(presented.as_bytes()).into())
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<TokenHash> {
        bytes.try_into().ok().map(TokenHash)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

/// An officer as the hub records them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Officer {
    pub id: i64,
    pub name: OfficerName,
    pub role: Role,
    pub created_at: Timestamp,
    /// Set once the credential is revoked; a revoked credential is refused at its next request.
    pub revoked_at: Option<Timestamp>,
}

impl Officer {
    /// Builds an officer from stored columns; `None` names what is wrong with them.
    pub fn from_columns(
        id: i64,
        name: &str,
        role: &str,
        created_at: i64,
        revoked_at: Option<i64>,
    ) -> Result<Officer, String> {
        Ok(Officer {
            id,
            name: OfficerName::parse(name).map_err(|e| format!("officer {id}: {e}"))?,
            role: Role::parse(role).ok_or_else(|| format!("officer {id}: unknown role {role}"))?,
            created_at: Timestamp::from_unix_micros(created_at),
            revoked_at: revoked_at.map(Timestamp::from_unix_micros),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_distinct_long_and_never_print() {
        let a = Credential::issue();
        let b = Credential::issue();
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().starts_with(PREFIX));
        assert_eq!(a.expose().len(), PREFIX.len() + 43, "32 bytes in base64url");
        assert_eq!(format!("{a:?}"), "Credential(<redacted>)");
        assert_eq!(a.hash(), TokenHash::of(a.expose()));
        assert_ne!(a.hash(), b.hash());
        assert_eq!(TokenHash::from_bytes(a.hash().as_bytes()), Some(a.hash()));
        assert_eq!(TokenHash::from_bytes(&[1, 2]), None);
    }
}
