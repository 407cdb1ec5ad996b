//! A relay and a Treezor sandbox on loopback, and a dashboard connected to them as a live
//! installation is: settings file, secrets, the real sync loop.

use std::time::Duration;

use desk::officer::Officer;
use desk::secrets::{Secret, SecretName, SecretStore};
use desk::settings::{Environment, Paths, RelaySettings, Settings, TreezorSettings};
use desk::sync::SyncOptions;
use desk::{Desk, StartOptions};
use kyc::officer::{OfficerName, Role};
use relay::officers::Credential;
use relay::store::Officers;
use relay::store::sqlite::SqliteOfficers;
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
        self.desk_reading_with(name, FEED_TOKEN).await
    }

    /// An officer of the team, known to the hub with `role`; returns the credential their desk
    /// reads the hub with.
    pub async fn officer(&self, name: &str, role: Role) -> Credential {
        let officers = SqliteOfficers::open(&self.home.path().join("relay.sqlite"))
            .expect("the hub's officers open");
        let credential = Credential::issue();
        officers
            .add(
                OfficerName::parse(name).expect("a name"),
                role,
                credential.hash(),
            )
            .await
            .expect("the officer is added");
        credential
    }

    /// A dashboard with an empty cache of its own, reading the hub with `token` (the team's feed
    /// token, or an officer's credential).
    pub async fn desk_reading_with(&self, name: &str, token: &str) -> Desk {
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
        set(SecretName::RelayFeedToken, token);
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
