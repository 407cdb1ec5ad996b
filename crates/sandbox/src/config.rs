//! What the sandbox accepts and how it behaves: credentials, lifetimes, delays, the live
//! verification method Treezor set up for the account, and webhook delivery.
//!
//! [`SandboxConfig::default`] behaves like Treezor (15-minute links, 30-second download URLs,
//! one-hour tokens) with demo-friendly delays; [`SandboxConfig::for_tests`] keeps every delay short
//! so a test suite runs in seconds.

use std::net::SocketAddr;
use std::time::Duration;

use kyc::LivenessType;
use serde::{Deserialize, Serialize};

/// The OAuth2 scopes Treezor grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    ReadOnly,
    ReadWrite,
    Admin,
    Legal,
}

impl Scope {
    pub fn parse(raw: &str) -> Option<Scope> {
        Some(match raw {
            "read_only" => Scope::ReadOnly,
            "read_write" => Scope::ReadWrite,
            "admin" => Scope::Admin,
            "legal" => Scope::Legal,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ReadOnly => "read_only",
            Scope::ReadWrite => "read_write",
            Scope::Admin => "admin",
            Scope::Legal => "legal",
        }
    }
}

/// Which of the two shapes `POST /v1/users/{id}/kycliveness` answers with (the guide's, or the
/// OpenAPI file's); clients must accept both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LivenessAnswer {
    /// `{"identification":{"identification-id","identification-url","type"}}`
    Guide,
    /// `{"user_kyc":[{"identification-id","identification-url"}]}`
    OpenApi,
}

/// Whether Treezor enabled document download for the account (it is off by default at Treezor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DownloadAccess {
    Enabled,
    /// Answers 403, as for a missing feature.
    Forbidden,
    /// Answers 501, "not enabled for this account".
    NotImplemented,
}

/// How the sandbox retries a webhook its target did not accept with a 2xx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WebhookRetry {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// Wait after the first failure; doubled after each further one.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// How long one attempt may take before it counts as failed.
    pub timeout: Duration,
}

/// The sandbox's configuration. Its `Debug` shows no secret: in the demo, the client and webhook
/// secrets are random per start, and a sandbox serving a team's tests holds real-looking ones.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Where to listen; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The base URL written into identification and download URLs; by default
    /// `http://<the address bound>`.
    pub public_url: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    /// The scopes the client may ask for; a token request without `scope` gets all of them.
    pub client_scopes: Vec<Scope>,
    /// The key webhooks are signed with.
    pub webhook_secret: String,
    /// Where webhooks are posted (the relay's `POST /webhooks/treezor`). Without one, webhooks wait
    /// until a target is set.
    pub webhook_target: Option<String>,
    pub webhook_retry: WebhookRetry,
    /// Content-Type of webhook posts: Treezor has sent `text/plain` with a JSON body.
    pub webhook_content_type: String,
    pub token_lifetime: Duration,
    pub liveness_type: LivenessType,
    pub liveness_answer: LivenessAnswer,
    /// How long an identification URL stays usable (Treezor: 15 minutes).
    pub identification_lifetime: Duration,
    /// From the end user finishing to the provider's decision (`kycliveness.update`).
    pub decision_delay: Duration,
    /// From `PUT Kycreview` to Treezor's decision (`user.kycreview`); 24 to 48 working hours at
    /// Treezor.
    pub review_delay: Duration,
    /// How long a document download URL is valid from its creation (Treezor: 30 seconds).
    pub download_url_lifetime: Duration,
    pub download: DownloadAccess,
    /// Size of every document file, in bytes.
    pub document_size: u64,
    /// Where the hosted page sends the end user when the verification gave no `redirectUrl`.
    pub default_redirect_url: Option<String>,
    /// Whether the `/sandbox/` control endpoints are served.
    pub control_endpoints: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            client_id: "sandbox-client".into(),
            client_secret: "sandbox-secret".into(),
            client_scopes: vec![
                Scope::ReadOnly,
                Scope::ReadWrite,
                Scope::Admin,
                Scope::Legal,
            ],
            webhook_secret: "sandbox-webhook-secret".into(),
            webhook_target: None,
            webhook_retry: WebhookRetry {
                max_attempts: 10,
                first_delay: Duration::from_secs(1),
                max_delay: Duration::from_secs(60),
                timeout: Duration::from_secs(10),
            },
            webhook_content_type: "application/json".into(),
            token_lifetime: Duration::from_secs(3600),
            liveness_type: LivenessType::VideoCertified,
            liveness_answer: LivenessAnswer::Guide,
            identification_lifetime: Duration::from_secs(15 * 60),
            decision_delay: Duration::from_secs(3),
            review_delay: Duration::from_secs(10),
            download_url_lifetime: Duration::from_secs(30),
            download: DownloadAccess::Enabled,
            document_size: 512 * 1024,
            default_redirect_url: None,
            control_endpoints: true,
        }
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("client_scopes", &self.client_scopes)
            .field("webhook_secret", &"<redacted>")
            .field("webhook_target", &self.webhook_target)
            .field("webhook_retry", &self.webhook_retry)
            .field("webhook_content_type", &self.webhook_content_type)
            .field("token_lifetime", &self.token_lifetime)
            .field("liveness_type", &self.liveness_type)
            .field("liveness_answer", &self.liveness_answer)
            .field("identification_lifetime", &self.identification_lifetime)
            .field("decision_delay", &self.decision_delay)
            .field("review_delay", &self.review_delay)
            .field("download_url_lifetime", &self.download_url_lifetime)
            .field("download", &self.download)
            .field("document_size", &self.document_size)
            .field("default_redirect_url", &self.default_redirect_url)
            .field("control_endpoints", &self.control_endpoints)
            .finish()
    }
}

impl SandboxConfig {
    /// Short delays and small documents, for test suites.
    pub fn for_tests() -> Self {
        SandboxConfig {
            webhook_retry: WebhookRetry {
                max_attempts: 6,
                first_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(100),
                timeout: Duration::from_secs(5),
            },
            decision_delay: Duration::from_millis(20),
            review_delay: Duration::from_millis(20),
            document_size: 64 * 1024,
            ..SandboxConfig::default()
        }
    }

    pub(crate) fn check(&self) -> crate::Result<()> {
        let problem = if self.client_id.is_empty() || self.client_secret.is_empty() {
            "client_id and client_secret must not be empty"
        } else if self.webhook_secret.is_empty() {
            "webhook_secret must not be empty: an empty key makes every signature forgeable"
        } else if self.webhook_retry.max_attempts == 0 {
            "webhook_retry.max_attempts must be at least 1"
        } else if self.token_lifetime.is_zero() {
            "token_lifetime must be longer than zero"
        } else {
            return Ok(());
        };
        Err(crate::Error::Config(problem.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_configuration_debug_shows_no_secret() {
        let config = SandboxConfig {
            client_secret: "cs-never-printed".into(),
            webhook_secret: "ws-never-printed".into(),
            ..SandboxConfig::default()
        };
        let printed = format!("{config:?}");
        assert!(
            !printed.contains("never-printed") && printed.contains("<redacted>"),
            "{printed}"
        );
        assert!(
            printed.contains("sandbox-client"),
            "the rest is shown: {printed}"
        );
    }
}
