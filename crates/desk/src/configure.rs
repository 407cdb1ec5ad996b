//! Changing the settings from the window, and checking that they work.
//!
//! Secrets go to the keychain before the settings file is written, so a locked keychain leaves
//! everything as it was. The window never receives a secret back: it learns only whether one is
//! saved. Every change is audited, naming what changed, never a secret's value.

use cache::Outcome;
use serde::{Deserialize, Serialize};

use crate::desk::{Desk, Mode, read, write};
use crate::error::{Error, Result};
use crate::secrets::{Secret, SecretName};
use crate::settings::Settings;
use crate::start::{client_for, feed_for};

/// The settings as the window shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingsView {
    pub settings: Settings,
    pub has_client_secret: bool,
    pub has_feed_token: bool,
    /// Why the keychain could not be read, if it could not.
    pub keychain_problem: Option<String>,
}

/// New settings from the window. A secret left `None` stays as it is.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingsInput {
    pub settings: Settings,
    pub client_secret: Option<String>,
    pub feed_token: Option<String>,
}

/// What saving did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Saved {
    /// Demo mode ends at the next start; the running demo is left alone meanwhile.
    pub restart_needed: bool,
    pub message: String,
}

/// One step of a connection check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckStep {
    pub step: String,
    pub ok: bool,
    pub detail: String,
}

/// What a connection check found, step by step, stopping at the first failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConnectionCheck {
    pub ok: bool,
    pub steps: Vec<CheckStep>,
}

impl ConnectionCheck {
    fn new() -> ConnectionCheck {
        ConnectionCheck {
            ok: true,
            steps: Vec::new(),
        }
    }

    fn passed(&mut self, step: &str, detail: impl Into<String>) {
        self.steps.push(CheckStep {
            step: step.to_owned(),
            ok: true,
            detail: detail.into(),
        });
    }

    fn failed(mut self, step: &str, detail: impl Into<String>) -> ConnectionCheck {
        self.ok = false;
        self.steps.push(CheckStep {
            step: step.to_owned(),
            ok: false,
            detail: detail.into(),
        });
        self
    }
}

impl Desk {
    /// The settings, and whether each secret is saved (never the secrets).
    pub fn settings_view(&self) -> SettingsView {
        let secrets = &self.inner.secrets;
        let (client, feed) = (
            secrets.get(SecretName::TreezorClientSecret),
            secrets.get(SecretName::RelayFeedToken),
        );
        let keychain_problem = client
            .as_ref()
            .err()
            .or(feed.as_ref().err())
            .map(ToString::to_string);
        SettingsView {
            settings: self.settings(),
            has_client_secret: matches!(client, Ok(Some(_))),
            has_feed_token: matches!(feed, Ok(Some(_))),
            keychain_problem,
        }
    }

    /// Validates and saves new settings and secrets, then reconnects with them.
    pub async fn save_settings(&self, input: SettingsInput) -> Result<Saved> {
        input.settings.validate()?;
        let secrets = &self.inner.secrets;
        let mut changed = changed_fields(&self.settings(), &input.settings);
        for (name, value) in [
            (SecretName::TreezorClientSecret, &input.client_secret),
            (SecretName::RelayFeedToken, &input.feed_token),
        ] {
            if let Some(secret) = value.as_deref().and_then(Secret::new) {
                secrets.set(name, &secret)?;
                changed.push(format!("{} replaced", name.words()));
            }
        }
        input.settings.save(&self.inner.paths.settings_file)?;
        *write(&self.inner.settings) = input.settings.clone();
        let detail = if changed.is_empty() {
            "saved without changes".to_owned()
        } else {
            changed.join("; ")
        };
        self.audit_named("change_settings", None, None, Outcome::Succeeded, detail)
            .await?;

        if matches!(self.mode(), Mode::Demo { .. }) {
            let restart_needed = input.settings.is_live();
            return Ok(Saved {
                restart_needed,
                message: if restart_needed {
                    "Settings saved. Restart KYC Desk to leave the demo and connect to Treezor."
                        .to_owned()
                } else {
                    "Settings saved.".to_owned()
                },
            });
        }
        match client_for(input.settings.treezor.as_ref(), secrets) {
            Ok(client) => {
                *write(&self.inner.treezor) = Some(client);
                *write(&self.inner.treezor_problem) = None;
            }
            Err(e) => *write(&self.inner.treezor_problem) = Some(e.to_string()),
        }
        match feed_for(&input.settings, secrets) {
            Ok(feed) => self.start_sync(feed),
            Err(e) => self
                .inner
                .health_tx
                .send_modify(|h| h.failed(e.to_string())),
        }
        Ok(Saved {
            restart_needed: false,
            message: "Settings saved; reconnecting to Treezor and the relay.".to_owned(),
        })
    }

    /// Checks, step by step, that Treezor answers with the saved settings.
    pub async fn check_treezor(&self) -> ConnectionCheck {
        let mut check = ConnectionCheck::new();
        let client = if matches!(self.mode(), Mode::Demo { .. }) {
            check.passed("Settings", "demo mode: the embedded sandbox");
            match read(&self.inner.treezor).clone() {
                Some(client) => client,
                None => return check.failed("Client", Error::TreezorNotConfigured.to_string()),
            }
        } else {
            let settings = self.settings();
            let Some(treezor) = settings.treezor.as_ref() else {
                return check.failed("Settings", Error::TreezorNotConfigured.to_string());
            };
            check.passed(
                "Settings",
                format!("{} ({})", treezor.base_url, treezor.client_id),
            );
            match self.inner.secrets.get(SecretName::TreezorClientSecret) {
                Ok(Some(_)) => check.passed("Client secret", "found in the keychain"),
                Ok(None) => {
                    return check.failed(
                        "Client secret",
                        "no client secret in the keychain: enter it and save",
                    );
                }
                Err(e) => return check.failed("Client secret", e.to_string()),
            }
            match client_for(Some(treezor), &self.inner.secrets) {
                Ok(client) => client,
                Err(e) => return check.failed("Client", e.to_string()),
            }
        };
        let query = treezor::UserQuery {
            page_count: 1,
            ..treezor::UserQuery::default()
        };
        match client.search_users(&query).await {
            Ok(_) => {
                check.passed(
                    "Token and users",
                    "Treezor issued a token and answered a user search",
                );
                check
            }
            Err(e) => check.failed("Token and users", e.to_string()),
        }
    }

    /// Checks, step by step, that the relay answers and accepts the feed token.
    pub async fn check_relay(&self) -> ConnectionCheck {
        let mut check = ConnectionCheck::new();
        if let Mode::Demo { relay_url, .. } = self.mode() {
            check.passed(
                "Settings",
                format!("demo mode: the embedded relay at {relay_url}"),
            );
            let health = self.inner.health.borrow().clone();
            return match health.last_error {
                None => {
                    check.passed("Feed", format!("{} events applied", health.cursor));
                    check
                }
                Some(error) => check.failed("Feed", error),
            };
        }
        let settings = self.settings();
        let Some(relay) = settings.relay.as_ref() else {
            return check.failed("Settings", "no relay URL: enter it and save");
        };
        check.passed("Settings", relay.url.clone());
        match self.inner.secrets.get(SecretName::RelayFeedToken) {
            Ok(Some(_)) => check.passed("Feed token", "found in the keychain"),
            Ok(None) => {
                return check.failed(
                    "Feed token",
                    "no feed token in the keychain: enter it and save",
                );
            }
            Err(e) => return check.failed("Feed token", e.to_string()),
        }
        let feed = match feed_for(&settings, &self.inner.secrets) {
            Ok(feed) => feed,
            Err(e) => return check.failed("Feed", e.to_string()),
        };
        match feed.check().await {
            Ok(last_seq) => {
                check.passed(
                    "Feed",
                    format!("the relay accepted the token and holds {last_seq} events"),
                );
                check
            }
            Err(e) => check.failed("Feed", e.to_string()),
        }
    }
}

/// Which settings differ, in words (no secret is a setting).
fn changed_fields(before: &Settings, after: &Settings) -> Vec<String> {
    let mut changed = Vec::new();
    let treezor = |s: &Settings| s.treezor.clone();
    if treezor(before) != treezor(after) {
        let url = after
            .treezor
            .as_ref()
            .map_or("none".to_owned(), |t| t.base_url.clone());
        changed.push(format!("Treezor settings set to {url}"));
    }
    if before.relay != after.relay {
        let url = after
            .relay
            .as_ref()
            .map_or("none".to_owned(), |r| r.url.clone());
        changed.push(format!("relay URL set to {url}"));
    }
    if before.download_dir != after.download_dir {
        changed.push("download folder changed".to_owned());
    }
    if before.retention != after.retention {
        changed.push(format!(
            "retention set to {} days after a case closes",
            after.retention.closed_case_days
        ));
    }
    changed
}
