//! How the client reaches Treezor: base URL, credentials, timeouts, retries, download policy,
//! and the optional client certificate and extra CA for production's mutual TLS.

use std::fmt;
use std::time::Duration;

/// The OAuth2 client secret. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientSecret(String);

impl ClientSecret {
    pub fn new(secret: impl Into<String>) -> ClientSecret {
        ClientSecret(secret.into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret(<redacted>)")
    }
}

/// Retries of transient failures (429, 5xx, timeouts, dropped connections). Only calls that are
/// idempotent, or that carry an `accessTag`, are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further one.
    pub first_delay: Duration,
    /// The longest wait, also the cap on a `Retry-After`.
    pub max_delay: Duration,
}

/// How downloads treat Treezor's 30-second URLs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DownloadPolicy {
    /// A URL received longer ago than this is not used: a new one is asked for.
    pub max_url_age: Duration,
    /// A URL whose own expiry (when it carries one) is closer than this is not used.
    pub min_remaining: Duration,
    /// URLs asked for in all before giving up.
    pub max_attempts: u32,
    /// The longest pause between two pieces of a download before it counts as dropped.
    pub idle_timeout: Duration,
    /// The most bytes one document may have: an identity document is a few megabytes, so a file
    /// host sending more is faulty or hostile. Past it the download stops and nothing is kept.
    pub max_bytes: u64,
}

/// [`DownloadPolicy::max_bytes`] by default: 100 MiB.
pub const DEFAULT_MAX_DOWNLOAD_BYTES: u64 = 100 * 1024 * 1024;

/// Client certificate and extra trust for production's mutual TLS. PEM texts. `Debug` shows
/// whether each is set, never the key.
#[derive(Clone, Default)]
pub struct TlsOptions {
    /// A PEM with the client certificate (chain) and its private key.
    pub client_identity_pem: Option<Vec<u8>>,
    /// CA certificates to trust besides the system's.
    pub extra_ca_pem: Option<Vec<u8>>,
}

impl fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsOptions")
            .field(
                "client_identity",
                &self.client_identity_pem.as_ref().map(|_| "<set>"),
            )
            .field("extra_ca", &self.extra_ca_pem.as_ref().map(|_| "<set>"))
            .finish()
    }
}

#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// e.g. `https://acme.sandbox.treezor.co` (no trailing `/` needed).
    pub base_url: String,
    pub client_id: String,
    pub client_secret: ClientSecret,
    /// Scopes asked for with the token.
    pub scopes: Vec<String>,
    pub connect_timeout: Duration,
    /// The longest an API call (not a download) may take.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// Renew the token this long before it expires (at most half its lifetime).
    pub renew_before: Duration,
    pub download: DownloadPolicy,
    pub tls: TlsOptions,
}

impl ClientConfig {
    /// Production-minded defaults for everything but the three essentials.
    pub fn new(
        base_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: ClientSecret,
    ) -> ClientConfig {
        ClientConfig {
            base_url: base_url.into(),
            client_id: client_id.into(),
            client_secret,
            scopes: vec!["read_only".into(), "read_write".into()],
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy {
                max_attempts: 4,
                first_delay: Duration::from_millis(250),
                max_delay: Duration::from_secs(5),
            },
            renew_before: Duration::from_secs(60),
            download: DownloadPolicy {
                max_url_age: Duration::from_secs(25),
                min_remaining: Duration::from_secs(5),
                max_attempts: 4,
                idle_timeout: Duration::from_secs(20),
                max_bytes: DEFAULT_MAX_DOWNLOAD_BYTES,
            },
            tls: TlsOptions::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let mut config = ClientConfig::new("https://x", "id", ClientSecret::new("hunter2"));
        config.tls.client_identity_pem = Some(b"-----BEGIN PRIVATE KEY-----hunter3".to_vec());
        let printed = format!("{config:?}");
        assert!(
            !printed.contains("hunter2") && !printed.contains("hunter3"),
            "{printed}"
        );
        assert!(printed.contains("<redacted>") && printed.contains("<set>"));
    }
}
