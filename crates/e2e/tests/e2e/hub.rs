//! A team's hub for several app windows: a real `kyc-relay` (its SQLite store) and the Treezor
//! sandbox posting its webhooks to it, both on loopback in the test's process, and a desk per
//! officer, set up as a team's desk is before its first start: a settings file naming the hub and
//! Treezor, and in its keychain the client secret and the officer's own credential, each bound to
//! its server. Each desk is a real app process in a world of its own (`e2e::Desk`).

use std::path::Path;

use e2e::{Desk, Theme};
use kyc::officer::{OfficerName, Role};
use kyc::team::{TeamEvent, TeamWrite};
use relay::officers::Credential;
use relay::store::Officers;
use relay::store::sqlite::SqliteOfficers;
use relay::{FeedToken, Relay, RelayConfig, RunningRelay};
use sandbox::{RunningSandbox, Sandbox, SandboxConfig};

use crate::customer;

const WEBHOOK_SECRET: &str = "e2e-hub-webhook-secret";

/// The hub and its Treezor, running until dropped with the test.
pub struct Hub {
    relay: RunningRelay,
    sandbox: RunningSandbox,
    // The relay's store lives here.
    folder: tempfile::TempDir,
}

impl Hub {
    pub async fn start() -> Hub {
        let folder = tempfile::tempdir().expect("a folder for the hub's store");
        let relay = Relay::start(RelayConfig::new(
            folder.path().join("hub.sqlite"),
            kyc::webhook::WebhookSecret::new(WEBHOOK_SECRET.to_owned()).expect("not empty"),
            FeedToken::new("e2e-hub-feed-token").expect("not empty"),
        ))
        .await
        .expect("the hub starts");
        let sandbox = Sandbox::start(SandboxConfig {
            webhook_secret: WEBHOOK_SECRET.into(),
            webhook_target: Some(relay.webhook_url()),
            ..SandboxConfig::for_tests()
        })
        .await
        .expect("the sandbox starts");
        Hub {
            relay,
            sandbox,
            folder,
        }
    }

    /// Issues `name` a credential with `role`, as `kyc-relay officers add` does. One at a time:
    /// two writers on the store's file at once could be refused as busy.
    pub async fn officer(&self, name: &str, role: Role) -> Credential {
        let officers = SqliteOfficers::open(&self.folder.path().join("hub.sqlite"))
            .expect("the hub's store opens");
        let credential = Credential::issue();
        officers
            .add(
                OfficerName::parse(name).expect("a valid name"),
                role,
                credential.hash(),
            )
            .await
            .expect("the hub takes the officer");
        credential
    }

    /// Writes `event` at the hub as `credential`'s officer, as a desk does (`POST /v1/team`).
    pub async fn write(&self, credential: &Credential, event: TeamEvent) {
        let write = TeamWrite {
            id: format!("e2e-{}", event.kind()),
            event,
        };
        reqwest::Client::new()
            .post(format!("{}/v1/team", self.relay.url()))
            .bearer_auth(credential.expose())
            .json(&write)
            .send()
            .await
            .expect("the hub answers")
            .error_for_status()
            .expect("the hub stores the record");
    }

    /// A window of the app signed in at this hub as `name`, whose `credential` it holds.
    pub async fn desk(&self, name: &str, credential: &Credential) -> Desk {
        let settings = serde_json::json!({
            "treezor": {
                "environment": "sandbox",
                "base_url": self.sandbox.base_url(),
                "client_id": self.sandbox.client_id(),
            },
            "relay": { "url": self.relay.url() },
        });
        let bound = |origin: &str, secret: &str| {
            serde_json::json!({ "origin": origin, "secret": secret }).to_string()
        };
        let client_secret = bound(
            &origin(self.sandbox.base_url()),
            self.sandbox.client_secret(),
        );
        let credential = bound(&origin(&self.relay.url()), credential.expose());
        let write_settings = |home: &Path| {
            std::fs::write(home.join("settings.json"), settings.to_string())
                .expect("the settings can be written into the app's home");
        };
        let desk = Desk::open_set_up(
            Theme::Light,
            write_settings,
            &[
                ("treezor-client-secret.bound", &client_secret),
                ("relay-feed-token.bound", &credential),
            ],
        )
        .await;
        desk.wait_for_text("[data-testid=officer]", &format!("Signed in as {name}"))
            .await;
        desk
    }

    /// The hub's Treezor, where the test plays the customer.
    pub fn customer(&self) -> customer::Sandbox {
        customer::Sandbox::at(self.sandbox.base_url())
    }
}

/// `http://127.0.0.1:PORT` of a loopback URL: the origin a secret is bound to.
fn origin(url: &str) -> String {
    let rest = url
        .strip_prefix("http://")
        .expect("the hub and its Treezor are on plain loopback HTTP");
    format!("http://{}", rest.split('/').next().unwrap_or(rest))
}
