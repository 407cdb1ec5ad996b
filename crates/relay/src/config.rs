//! What a relay needs to run: where to listen, where to store, the two secrets, and the limits.
//!
//! Both secrets are types whose `Debug` redacts them, so a logged configuration cannot leak them.
//! [`service_secrets`] holds them to the strength a relay exposed to the network needs; the
//! in-process relay of the demo and the tests, on loopback, takes any non-empty ones.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use crate::store::StoreLocation;
use crate::trail::TrailKey;
use std::time::Duration;

use kyc::webhook::WebhookSecret;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{RelayError, Result};

/// The default body limit of `POST /webhooks/treezor`: 1 MiB, far above any Treezor webhook.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The shortest webhook secret `kyc-relay serve` accepts, in characters. Treezor chooses the
/// secret; this refuses placeholders (`secret`, `changeme`) that anyone could guess and so sign
/// forged verdicts with.
pub const MIN_WEBHOOK_SECRET_CHARS: usize = 16;

/// The shortest feed token `kyc-relay serve` accepts, in characters: `openssl rand -hex 16`
/// (128 random bits) at least. The token guards every customer's data in the feed.
pub const MIN_FEED_TOKEN_CHARS: usize = 32;

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

    /// The token's digest, to tell readers apart (the long-poll caps count per token).
    pub(crate) fn digest(&self) -> [u8; 32] {
        self.digest
    }
}

/// The webhook secret and the feed token as `kyc-relay serve` takes them: each long enough, the
/// token made of characters an HTTP header can carry, and the two different (Treezor knows the
/// webhook secret; it must not open the feed). The error says what is wrong and how to make a
/// good one, never the value.
pub fn service_secrets(
    webhook_secret: &str,
    feed_token: &str,
) -> Result<(WebhookSecret, FeedToken)> {
    let weak = |what: String| Err(RelayError::Config(what));
    let secret_chars = webhook_secret.chars().count();
    if secret_chars < MIN_WEBHOOK_SECRET_CHARS {
        return weak(format!(
            "the webhook secret has {secret_chars} characters; the relay needs at least \
             {MIN_WEBHOOK_SECRET_CHARS}. Copy the whole secret Treezor gave for this webhook \
             endpoint, or ask Treezor for a longer one"
        ));
    }
    let token_chars = feed_token.chars().count();
    if token_chars < MIN_FEED_TOKEN_CHARS {
        return weak(format!(
            "the feed token has {token_chars} characters; the relay needs at least \
             {MIN_FEED_TOKEN_CHARS}. Generate one with `openssl rand -hex 32`"
        ));
    }
    if !feed_token.bytes().all(|b| b.is_ascii_graphic()) {
        return weak(
            "the feed token holds spaces or characters an HTTP header cannot carry; \
             generate one with `openssl rand -hex 32`"
                .into(),
        );
    }
    if feed_token.as_bytes() == webhook_secret.as_bytes() {
        return weak(
            "the feed token is the webhook secret; Treezor knows that secret, so give the feed \
             its own token (`openssl rand -hex 32`)"
                .into(),
        );
    }
    match (
        WebhookSecret::new(webhook_secret),
        FeedToken::new(feed_token),
    ) {
        (Some(secret), Some(token)) => Ok((secret, token)),
        _ => weak("the webhook secret or the feed token is empty".into()),
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

/// How much a crowd of clients may make the relay hold at once. Past each cap the answer is
/// immediate and says so (503, or 429 for one token's long polls, with `Retry-After`), so that
/// no flood of sockets, bodies or long polls can take the relay's memory or file descriptors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Open connections. Past it a new connection is answered 503 and closed. Lowered at start
    /// to what the process's open-file limit allows.
    pub connections: usize,
    /// Bytes of webhook bodies held in memory, all requests together. A body takes its share
    /// as its bytes arrive, so slow senders hold only what they sent; past it, 503.
    pub body_memory: usize,
    /// Long polls waiting at once, all readers together; past it, 503. Kept below
    /// `connections` so that webhooks always find a connection.
    pub waiting_readers: usize,
    /// Long polls waiting at once with one feed token; past it, 429.
    pub waiting_per_token: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connections: 8192,
            body_memory: 64 * 1024 * 1024,
            waiting_readers: 4096,
            waiting_per_token: 2048,
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
    pub limits: Limits,
    /// A claim on a case lapses after this many seconds without activity on it by its holder
    /// (a claim taken again renews it); a lapsed claim is as good as none.
    pub claim_lapse_seconds: i64,
    /// The key that seals the team's audit trail. [`RelayConfig::new`] makes a random one, which
    /// suits a relay that lives as long as its store (the demo, a test); a hub keeps its key in
    /// a file ([`crate::trail::TrailKey::load_or_create`]), the same for every instance.
    pub trail_key: TrailKey,
}

impl RelayConfig {
    /// A configuration with the defaults: 127.0.0.1 on a free port, 1 MiB bodies, no retention
    /// limit, plain HTTP, default timeouts and limits, claims lapsing after 4 hours.
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
            limits: Limits::default(),
            claim_lapse_seconds: kyc::claim::DEFAULT_LAPSE_SECONDS,
            trail_key: TrailKey::random(),
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

    #[test]
    fn weak_service_secrets_are_refused_with_how_to_make_good_ones() {
        let token = "0123456789abcdef0123456789abcdef";
        let secret = "a-webhook-secret-of-treezor";
        let refusal =
            |secret: &str, token: &str| service_secrets(secret, token).unwrap_err().to_string();
        let short_secret = refusal("changeme", token);
        assert!(short_secret.contains("has 8 characters"), "{short_secret}");
        assert!(short_secret.contains("at least 16"), "{short_secret}");
        assert!(!short_secret.contains("changeme"), "{short_secret}");
        let short_token = refusal(secret, "0123456789abcdef");
        assert!(short_token.contains("at least 32"), "{short_token}");
        assert!(
            short_token.contains("openssl rand -hex 32"),
            "{short_token}"
        );
        assert!(!short_token.contains("0123456789abcdef"), "{short_token}");
        let spaced = refusal(secret, "0123456789abcdef 0123456789abcdef");
        assert!(spaced.contains("cannot carry"), "{spaced}");
        let same = refusal(token, token);
        assert!(same.contains("is the webhook secret"), "{same}");
        // Characters, not bytes: 16 accented letters are 32 bytes but a 16-character secret.
        assert!(service_secrets(&"é".repeat(15), token).is_err());
        let (_, feed_token) = service_secrets(&"é".repeat(16), token).unwrap();
        assert!(feed_token.matches(token));
        assert!(service_secrets(secret, &format!("{token}0")).is_ok());
    }
}
