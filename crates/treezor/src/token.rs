//! The OAuth2 client-credentials token: fetched once, shared, renewed before it expires.
//!
//! What must stay true: concurrent callers share one token request (the cache's lock is held
//! while fetching, so the others wait for that answer); a token refused with 401 is dropped only
//! if it is still the cached one, so two callers that both saw the 401 renew once, not twice.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;

#[derive(Clone)]
pub(crate) struct Token {
    pub value: Arc<str>,
    renew_at: Instant,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// The token answer: `{"token_type":"Bearer","expires_in":3600,"access_token":"…"}`.
#[derive(Deserialize)]
pub(crate) struct TokenAnswer {
    pub access_token: String,
    #[serde(default)]
    pub expires_in: Option<serde_json::Value>,
}

impl TokenAnswer {
    /// The lifetime, from a number or a string; one hour when Treezor leaves it out or sends
    /// something that is not a positive number; at least a second and at most [`MAX_LIFETIME`].
    pub fn lifetime(&self) -> Duration {
        let seconds = match &self.expires_in {
            Some(serde_json::Value::Number(n)) => n.as_f64(),
            Some(serde_json::Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        let seconds = seconds
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(3600.0);
        Duration::from_secs_f64(seconds.clamp(1.0, MAX_LIFETIME.as_secs_f64()))
    }
}

/// The longest lifetime believed: Treezor's tokens live an hour, and a day bounds both how long a
/// revoked token could linger in the cache and the instant arithmetic below (an `expires_in` of
/// `1e300` once overflowed it).
pub(crate) const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// When to renew a token that lives `lifetime` from `received`.
pub(crate) fn renew_at(received: Instant, lifetime: Duration, renew_before: Duration) -> Instant {
    received + lifetime - renew_before.min(lifetime / 2)
}

pub(crate) struct TokenCache {
    current: Mutex<Option<Token>>,
    fetched: AtomicU64,
    renew_before: Duration,
}

impl TokenCache {
    pub fn new(renew_before: Duration) -> TokenCache {
        TokenCache {
            current: Mutex::new(None),
            fetched: AtomicU64::new(0),
            renew_before,
        }
    }

    /// The cached token, or a fresh one from `fetch` (one fetch at a time).
    pub async fn get<F, Fut>(&self, fetch: F) -> crate::Result<Token>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = crate::Result<(String, Duration)>>,
    {
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(token.clone());
        }
        let received = Instant::now();
        let (value, lifetime) = fetch().await?;
        self.fetched.fetch_add(1, Ordering::Relaxed);
        let token = Token {
            value: value.into(),
            renew_at: renew_at(received, lifetime, self.renew_before),
        };
        *current = Some(token.clone());
        Ok(token)
    }

    /// Drops `refused` if it is still the cached token.
    pub async fn refused(&self, refused: &Token) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|t| t.value == refused.value) {
            *current = None;
        }
    }

    /// How many tokens were fetched so far.
    pub fn fetched(&self) -> u64 {
        self.fetched.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewal_comes_before_expiry_and_never_before_half_the_lifetime() {
        let t0 = Instant::now();
        assert_eq!(
            renew_at(t0, Duration::from_secs(3600), Duration::from_secs(60)),
            t0 + Duration::from_secs(3540)
        );
        assert_eq!(
            renew_at(t0, Duration::from_secs(10), Duration::from_secs(60)),
            t0 + Duration::from_secs(5)
        );
    }

    #[test]
    fn lifetimes_read_numbers_and_strings() {
        let read = |json: &str| {
            serde_json::from_str::<TokenAnswer>(json)
                .unwrap()
                .lifetime()
        };
        assert_eq!(
            read(r#"{"access_token":"a","expires_in":120}"#),
            Duration::from_secs(120)
        );
        assert_eq!(
            read(r#"{"access_token":"a","expires_in":"120"}"#),
            Duration::from_secs(120)
        );
        assert_eq!(read(r#"{"access_token":"a"}"#), Duration::from_secs(3600));
        assert_eq!(
            read(r#"{"access_token":"a","expires_in":-5}"#),
            Duration::from_secs(3600)
        );
        // A huge lifetime panicked in Duration::from_secs_f64.
        for huge in [r#""1e300""#, "1e300", "18446744073709551616"] {
            let lifetime = read(&format!(r#"{{"access_token":"a","expires_in":{huge}}}"#));
            assert_eq!(lifetime, MAX_LIFETIME);
            let _ = renew_at(Instant::now(), lifetime, Duration::from_secs(60));
        }
        // And a vanishing one made a token that was stale before its first use.
        assert_eq!(
            read(r#"{"access_token":"a","expires_in":2.5e-102}"#),
            Duration::from_secs(1)
        );
    }
}
