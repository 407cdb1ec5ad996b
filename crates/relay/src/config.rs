//! What a relay needs to run: where to listen, where to store, the two secrets, and the limits.
//!
//! Both secrets are types whose `Debug` redacts them, so a logged configuration cannot leak them.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::store::StoreLocation;
use std::time::Duration;

use kyc::webhook::WebhookSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The default body limit of `POST /webhooks/treezor`: 1 MiB, far above any Treezor webhook.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The bearer token dashboards present to read the feed.
///
/// Only its SHA-256 digest is kept: presented tokens are hashed and the digests compared in
/// constant time, which hides both the content and the length of the real token from timing.
#[derive(Clone)]
pub struct FeedToken {
    digest: [u8; 32],
}

impl FeedToken {
    /// `None` for an empty (or all-blank) token: an empty token would open the feed to anyone.
    pub fn new(token: impl AsRef<str>) -> Option<FeedToken> {
        let token = token.as_ref();
        (!token.trim().is_empty()).then(|| FeedToken {
            digest: Sha256::digest(token.as_bytes()).into(),
        })
    }

    /// Whether `presented` is this token, in constant time.
    pub fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(&self.digest).into()
    }
}

impl fmt::Debug for FeedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FeedToken(<redacted>)")
    }
}

/// The certificate chain and private key of the built-in TLS listener, both PEM files.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub certificate: PathBuf,
    pub private_key: PathBuf,
}

/// How long a client may take before the relay gives up on it.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// From the connection's first byte (or the end of the previous request) to the end of the
    /// request's headers. Also closes idle keep-alive connections.
    pub header_read: Duration,
    /// From the end of the headers to the end of a webhook's body; past it the answer is 408.
    pub body_read: Duration,
    /// For the TLS handshake, when TLS is on.
    pub tls_handshake: Duration,
    /// How long graceful shutdown waits for requests in flight before it closes connections.
    pub shutdown_grace: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(10),
            tls_handshake: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Everything [`crate::Relay::start`] needs.
#[derive(Clone, Debug)]
pub struct RelayConfig {
    /// Where to listen; port 0 picks a free port. Loopback by default: put a TLS listener or a
    /// reverse proxy in front before exposing the relay.
    pub listen: SocketAddr,
    /// Where the events are: a SQLite file (created if missing, with its `-wal` and `-shm`), or
    /// a PostgreSQL database shared with other instances.
    pub store: StoreLocation,
    pub webhook_secret: WebhookSecret,
    pub feed_token: FeedToken,
    /// The largest webhook body accepted; larger ones get 413.
    pub body_limit: usize,
    /// Events received more than this many days ago are deleted (checked at start and hourly).
    /// `None` keeps everything.
    pub retention_days: Option<u32>,
    /// Serve HTTPS with these files instead of plain HTTP.
    pub tls: Option<TlsFiles>,
    pub timeouts: Timeouts,
}

impl RelayConfig {
    /// A configuration with the defaults: 127.0.0.1 on a free port, 1 MiB bodies, no retention
    /// limit, plain HTTP, default timeouts.
    pub fn new(
        store: impl Into<StoreLocation>,
        webhook_secret: WebhookSecret,
        feed_token: FeedToken,
    ) -> RelayConfig {
        RelayConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            store: store.into(),
            webhook_secret,
            feed_token,
            body_limit: DEFAULT_BODY_LIMIT,
            retention_days: None,
            tls: None,
            timeouts: Timeouts::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_token_matches_itself_only_and_never_prints() {
        let token = FeedToken::new("correct horse battery staple").unwrap();
        assert!(token.matches("correct horse battery staple"));
        assert!(!token.matches("correct horse battery stapl"));
        assert!(!token.matches(""));
        assert!(FeedToken::new("").is_none());
        assert!(FeedToken::new("  \n").is_none());
        assert_eq!(format!("{token:?}"), "FeedToken(<redacted>)");
    }

    #[test]
    fn a_configuration_debug_shows_no_secret() {
        let config = RelayConfig::new(
            std::path::Path::new("/tmp/x.sqlite3"),
            WebhookSecret::new("whsec-value").unwrap(),
            FeedToken::new("token-value").unwrap(),
        );
        let shown = format!("{config:?}");
        assert!(!shown.contains("whsec-value") && !shown.contains("token-value"));
        assert_eq!(config.listen.ip(), Ipv4Addr::LOCALHOST);
        assert_eq!(config.body_limit, 1024 * 1024);
    }
}
