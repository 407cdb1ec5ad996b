//! A relay and a Treezor sandbox on loopback, and a dashboard connected to them as a live
//! installation is: settings file, secrets, the real sync loop.

use std::time::Duration;

use desk::officer::Officer;
use desk::secrets::{Secret, SecretName, SecretStore};
use desk::settings::{Environment, Paths, RelaySettings, Settings, TreezorSettings};
use desk::sync::SyncOptions;
use desk::{Desk, StartOptions};
use relay::{FeedToken, Relay, RelayConfig, RunningRelay};
use sandbox::{RunningSandbox, Sandbox, SandboxConfig};

pub const WEBHOOK_SECRET: &str = "bench-webhook-secret";
pub const FEED_TOKEN: &str = "bench-feed-token";

pub struct World {
    pub relay: RunningRelay,
    pub sandbox: RunningSandbox,
    pub home: tempfile::TempDir,
}

impl World {
    pub async fn start(sandbox: SandboxConfig) -> World {
        let home = tempfile::tempdir().expect("a temporary folder");
        let relay = Relay::start(RelayConfig::new(
            home.path().join("relay.sqlite"),
            kyc::webhook::WebhookSecret::new(WEBHOOK_SECRET).expect("secret"),
            FeedToken::new(FEED_TOKEN).expect("token"),
        ))
        .await
        .expect("the relay starts");
        let sandbox = Sandbox::start(SandboxConfig {
            webhook_secret: WEBHOOK_SECRET.into(),
            webhook_target: Some(relay.webhook_url()),
            ..sandbox
        })
        .await
        .expect("the sandbox starts");
        World {
            relay,
            sandbox,
            home,
        }
    }

    /// A dashboard on this world with an empty cache of its own.
    pub async fn desk(&self, name: &str) -> Desk {
        let paths = Paths::under(&self.home.path().join(name));
        let settings = Settings {
            treezor: Some(TreezorSettings {
                environment: Environment::Sandbox,
                base_url: self.sandbox.base_url().to_owned(),
                client_id: self.sandbox.client_id().to_owned(),
                scopes: Vec::new(),
                client_certificate: None,
                client_key: None,
                extra_ca: None,
            }),
            relay: Some(RelaySettings {
                url: self.relay.url(),
            }),
            download_dir: Some(self.home.path().join(name).join("downloads")),
            retention: Default::default(),
        };
        settings.save(&paths.settings_file).expect("settings saved");
        let secrets = SecretStore::memory();
        let set = |name, value: &str| {
            secrets
                .set_for(name, &settings, &Secret::new(value).expect("not empty"))
                .expect("kept")
        };
        set(
            SecretName::TreezorClientSecret,
            self.sandbox.client_secret(),
        );
        set(SecretName::RelayFeedToken, FEED_TOKEN);
        Desk::start(StartOptions {
            paths,
            secrets,
            officer: Officer::named("bench"),
            sync: SyncOptions {
                page_size: 1000,
                wait: Duration::from_secs(10),
                ..SyncOptions::default()
            },
            demo: Default::default(),
        })
        .await
        .expect("the dashboard starts")
    }
}
