//! Changing the settings from the window, and checking that they work.
//!
//! Secrets go to the keychain before the settings file is written, so a locked keychain leaves
//! everything as it was. Each is bound to the origin of the URL it is entered with
//! ([`crate::secrets`]): a URL changed without its secret leaves the secret unused until it is
//! entered again, and the window is told so. The window never receives a secret back: it learns
//! only whether one is saved, and for which server. Every change is audited, naming what changed,
//! never a secret's value.

use cache::Outcome;
use serde::{Deserialize, Serialize};

use crate::desk::{Desk, Mode, read, write};
use crate::error::{Error, Result};
use crate::secrets::{Lookup, Origin, Secret, SecretName};
use crate::settings::Settings;
use crate::start::{client_for, feed_for};

/// Whether a secret is saved for the server its setting names now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SecretState {
    /// Saved, for the origin the setting names.
    Saved { origin: String },
    /// Saved for another origin than the setting names now (or the setting is empty or not
    /// valid): it is not used, and must be entered again.
    ForAnotherOrigin { origin: String },
    /// Nothing saved.
    Missing,
    /// The keychain could not be read (the view's `keychain_problem` says why).
    Unknown,
}

/// The settings as the window shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingsView {
    pub settings: Settings,
    pub client_secret: SecretState,
    pub feed_token: SecretState,
    /// Why the keychain could not be read, if it could not.
    pub keychain_problem: Option<String>,
}

/// New settings from the window. A secret left `None` stays as it is. Its `Debug` never shows a
/// secret: [`Secret`] prints redacted.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingsInput {
    pub settings: Settings,
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub client_secret: Option<Secret>,
    #[cfg_attr(feature = "ts", ts(as = "Option<String>"))]
    pub feed_token: Option<Secret>,
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
    /// The settings, and for each secret whether it is saved and for which server (never the
    /// secrets).
    pub fn settings_view(&self) -> SettingsView {
        let settings = self.settings();
        let mut problem = None;
        let mut state = |name: SecretName| match self.inner.secrets.bound_origin(name) {
            Err(e) => {
                problem.get_or_insert(e.to_string());
                SecretState::Unknown
            }
            Ok(None) => SecretState::Missing,
            Ok(Some(bound)) => match name.origin_in(&settings) {
                Ok(Some(now)) if now == bound => SecretState::Saved {
                    origin: bound.to_string(),
                },
                _ => SecretState::ForAnotherOrigin {
                    origin: bound.to_string(),
                },
            },
        };
        let client_secret = state(SecretName::TreezorClientSecret);
        let feed_token = state(SecretName::RelayFeedToken);
        SettingsView {
            settings,
            client_secret,
            feed_token,
            keychain_problem: problem,
        }
    }

    /// Validates and saves new settings and secrets (each bound to its setting's origin), then
    /// reconnects with them.
    pub async fn save_settings(&self, input: SettingsInput) -> Result<Saved> {
        let SettingsInput {
            settings,
            client_secret,
            feed_token,
        } = input;
        settings.validate()?;
        let secrets = &self.inner.secrets;
        let mut changed = changed_fields(&self.settings(), &settings);
        // Every check before the first write: a refusal leaves the keychain as it was.
        let mut given = Vec::new();
        let mut enter_again = Vec::new();
        for (name, secret) in [
            (SecretName::TreezorClientSecret, client_secret),
            (SecretName::RelayFeedToken, feed_token),
        ] {
            match (secret, name.origin_in(&settings)?) {
                (Some(secret), Some(origin)) => given.push((name, origin, secret)),
                (Some(_), None) => {
                    return Err(Error::InvalidSetting {
                        setting: name.bound_to(),
                        problem: format!(
                            "it is empty, and {} is sent to it: enter both",
                            name.words()
                        ),
                    });
                }
                (None, Some(origin)) => {
                    if let Ok(Some(bound)) = secrets.bound_origin(name)
                        && bound != origin
                    {
                        enter_again.push((name, bound, origin));
                    }
                }
                (None, None) => {}
            }
        }
        for (name, origin, secret) in &given {
            secrets.set(*name, origin, secret)?;
            changed.push(format!("{} replaced, bound to {origin}", name.words()));
        }
        changed.extend(enter_again.iter().map(|(name, bound, origin)| {
            format!(
                "{} to be entered again for {origin} (it was entered for {bound})",
                name.words()
            )
        }));
        settings.save(&self.inner.paths.settings_file)?;
        *write(&self.inner.settings) = settings.clone();
        // The settings file the start refused has just been replaced by valid settings.
        *write(&self.inner.startup_problem) = None;
        let detail = if changed.is_empty() {
            "saved without changes".to_owned()
        } else {
            changed.join("; ")
        };
        self.audit_named("change_settings", None, None, Outcome::Succeeded, detail)
            .await?;

        let demo = matches!(self.mode(), Mode::Demo { .. });
        let mut message = if demo {
            if settings.is_live() {
                "Settings saved. Restart KYC Desk to leave the demo and connect to Treezor."
            } else {
                "Settings saved."
            }
        } else {
            self.reconnect(&settings).await;
            if settings.is_live() {
                "Settings saved; reconnecting to Treezor and the relay."
            } else {
                "Settings saved. With no Treezor or relay settings, KYC Desk runs its demo: restart it to start the demo."
            }
        }
        .to_owned();
        for (name, bound, origin) in &enter_again {
            let words = name.words();
            message.push_str(&format!(
                " {}{} was entered for {bound}, so it is not sent to {origin}: enter it again.",
                words[..1].to_uppercase(),
                &words[1..]
            ));
        }
        Ok(Saved {
            // Leaving the demo, or going back to it, happens at the next start.
            restart_needed: demo == settings.is_live(),
            message,
        })
    }

    /// Follows `settings` in live mode: a new Treezor client and sync loop, or none, with why.
    async fn reconnect(&self, settings: &Settings) {
        let secrets = &self.inner.secrets;
        match client_for(settings, secrets) {
            Ok(client) => {
                *write(&self.inner.treezor) = Some(client);
                *write(&self.inner.treezor_problem) = None;
            }
            Err(e) => {
                // The previous client talks to the previous server: it goes with its settings.
                *write(&self.inner.treezor) = None;
                *write(&self.inner.treezor_problem) = Some(e.to_string());
            }
        }
        match feed_for(settings, secrets) {
            Ok(feed) => self.start_sync(feed),
            Err(e) => {
                // After the loop stopped, so that its last word does not replace this one.
                self.stop_sync().await;
                self.inner
                    .health_tx
                    .send_modify(|h| h.failed(e.to_string()));
            }
        }
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
            let origin = match treezor.url() {
                Ok(url) => Origin::of(&url),
                Err(e) => return check.failed("Settings", e.to_string()),
            };
            check.passed(
                "Settings",
                format!("{} ({})", treezor.base_url, treezor.client_id),
            );
            match secret_found(self, SecretName::TreezorClientSecret, &origin) {
                Ok(detail) => check.passed("Client secret", detail),
                Err(detail) => return check.failed("Client secret", detail),
            }
            match client_for(&settings, &self.inner.secrets) {
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
        let origin = match relay.url() {
            Ok(url) => Origin::of(&url),
            Err(e) => return check.failed("Settings", e.to_string()),
        };
        check.passed("Settings", relay.url.clone());
        match secret_found(self, SecretName::RelayFeedToken, &origin) {
            Ok(detail) => check.passed("Feed token", detail),
            Err(detail) => return check.failed("Feed token", detail),
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

/// Whether `name` is in the keychain for `origin`, in a check step's words: found, or why not.
fn secret_found(
    desk: &Desk,
    name: SecretName,
    origin: &Origin,
) -> std::result::Result<String, String> {
    match desk.inner.secrets.get(name, origin) {
        Ok(Lookup::Found(_)) => Ok(format!("found in the keychain, for {origin}")),
        Ok(Lookup::Missing) => Err(format!(
            "no {} in the keychain: enter it and save",
            what(name)
        )),
        Ok(Lookup::ForAnotherOrigin(entered_for)) => Err(format!(
            "the {} in the keychain was entered for {entered_for}, not {origin}, so it is not sent: enter it again and save",
            what(name)
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// `name` without its article, as a check step says it.
fn what(name: SecretName) -> &'static str {
    match name {
        SecretName::TreezorClientSecret => "client secret",
        SecretName::RelayFeedToken => "feed token",
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
