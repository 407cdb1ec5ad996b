//! The sandbox's shared state, and the few ways handlers touch it: the world under a lock,
//! webhooks out through the outbox, delayed work on the runtime.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kyc::Timestamp;
use kyc::webhook::WebhookSecret;
use tokio_util::sync::CancellationToken;

use crate::api::auth::Tokens;
use crate::clock::Clock;
use crate::config::SandboxConfig;
use crate::faults::Faults;
use crate::webhooks::Outbox;
use crate::world::{Event, World};

pub(crate) struct Shared {
    pub config: SandboxConfig,
    /// The base URL written into identification and download URLs, without a trailing `/`.
    pub base_url: String,
    pub clock: Clock,
    pub world: Mutex<World>,
    pub faults: Faults,
    pub outbox: Arc<Outbox>,
    pub tokens: Tokens,
    /// Requests seen, by `METHOD /path`.
    pub hits: Mutex<BTreeMap<String, u64>>,
    /// The key download URLs are signed with; new at every start.
    pub file_key: Vec<u8>,
    /// Documents' files generated lately (see [`crate::files::layout_of`]).
    pub files: Mutex<crate::files::Generated>,
    pub shutdown: CancellationToken,
}

/// The state every route shares. Cheap to clone.
#[derive(Clone)]
pub struct SandboxState(Arc<Shared>);

impl SandboxState {
    /// Builds the state and starts the webhook dispatcher; call it inside a Tokio runtime.
    /// `base_url` is where the sandbox is reached (used in the URLs it hands out).
    pub fn new(config: SandboxConfig, base_url: &str) -> crate::Result<SandboxState> {
        config.check()?;
        let secret = WebhookSecret::new(config.webhook_secret.clone())
            .ok_or_else(|| crate::Error::Config("webhook_secret must not be empty".into()))?;
        if let Some(target) = &config.webhook_target {
            check_target(target)?;
        }
        let shutdown = CancellationToken::new();
        let outbox = Outbox::start(
            secret,
            config.webhook_content_type.clone(),
            config.webhook_retry,
            config.webhook_target.clone(),
            shutdown.clone(),
        );
        let file_key = format!("{}{}", uuid::Uuid::new_v4(), uuid::Uuid::new_v4()).into_bytes();
        Ok(SandboxState(Arc::new(Shared {
            base_url: config
                .public_url
                .clone()
                .unwrap_or_else(|| base_url.to_owned())
                .trim_end_matches('/')
                .to_owned(),
            config,
            clock: Clock::default(),
            world: Mutex::new(World::default()),
            faults: Faults::default(),
            outbox,
            tokens: Tokens::default(),
            hits: Mutex::new(BTreeMap::new()),
            file_key,
            files: Mutex::default(),
            shutdown,
        })))
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.0
    }

    pub(crate) fn config(&self) -> &SandboxConfig {
        &self.0.config
    }

    pub(crate) fn now(&self) -> Timestamp {
        self.0.clock.now()
    }

    /// Runs `change` on the world under its lock.
    pub(crate) fn world<R>(&self, change: impl FnOnce(&mut World) -> R) -> R {
        change(&mut lock(&self.0.world))
    }

    pub(crate) fn send(&self, events: Vec<Event>) {
        self.0.outbox.send(events);
    }

    /// After `delay`, runs `change` on the world and sends the webhooks it returns. Dropped at
    /// shutdown.
    pub(crate) fn later(
        &self,
        delay: Duration,
        change: impl FnOnce(&mut World, Timestamp) -> Vec<Event> + Send + 'static,
    ) {
        let state = self.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = state.0.shutdown.cancelled() => {}
                _ = tokio::time::sleep(delay) => {
                    let now = state.now();
                    let events = state.world(|w| change(w, now));
                    state.send(events);
                }
            }
        });
    }

    pub(crate) fn count(&self, method: &str, path: &str) {
        *lock(&self.0.hits)
            .entry(format!("{method} {path}"))
            .or_default() += 1;
    }

    pub(crate) fn shutdown(&self) {
        self.0.shutdown.cancel();
    }
}

/// Checks that a webhook target is an http(s) URL.
pub(crate) fn check_target(target: &str) -> crate::Result<()> {
    match reqwest::Url::parse(target) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(()),
        _ => Err(crate::Error::InvalidTarget(target.to_owned())),
    }
}

/// Locks a mutex. A poisoned one (a panic elsewhere) still holds consistent data here, because
/// every critical section leaves the data whole before anything can panic.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
