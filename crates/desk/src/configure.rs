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
use crate::secrets::{Kept, Lookup, Origin, Secret, SecretName};
use crate::settings::Settings;
use crate::start::{client_for, feed_for};
use crate::words::{HubProblem, Words};

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
    pub keychain_problem: Option<crate::words::Words>,
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

/// What saving did: the window words `outcome` and `enter_again`; `message` says the same in
/// English, for logs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Saved {
    /// Demo mode ends at the next start; the running demo is left alone meanwhile.
    pub restart_needed: bool,
    pub outcome: SaveOutcome,
    /// Secrets kept for another server than their setting names now: entered again, or unused.
    pub enter_again: Vec<EnterAgain>,
    pub message: String,
}

/// What follows a save.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SaveOutcome {
    /// In the demo, with settings for Treezor: the next start leaves the demo.
    RestartToLeaveDemo,
    /// In the demo, still without Treezor settings.
    Saved,
    /// Live: the desk reconnects with the new settings now.
    Reconnecting,
    /// Live, and every Treezor and relay setting removed: the next start runs the demo.
    RestartForDemo,
}

/// A secret saved for another server than its setting names now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnterAgain {
    pub secret: Kept,
    pub entered_for: String,
    pub now: String,
}

/// One step of a connection check: the window words `step` and `found`; `detail` says the same
/// in English, for logs and the command line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckStep {
    pub step: StepName,
    pub ok: bool,
    pub found: Found,
    pub detail: String,
}

/// Which step of a connection check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StepName {
    Settings,
    ClientSecret,
    Client,
    TokenAndUsers,
    FeedToken,
    Feed,
}

/// What a step found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "found", rename_all = "snake_case")]
pub enum Found {
    DemoSandbox,
    DemoRelay {
        url: String,
    },
    TreezorAt {
        base_url: String,
        client_id: String,
    },
    RelayAt {
        url: String,
    },
    NoRelayUrl,
    SecretFound {
        origin: String,
    },
    SecretMissing {
        secret: Kept,
    },
    SecretForAnotherOrigin {
        secret: Kept,
        entered_for: String,
        now: String,
    },
    TreezorAnswered,
    EventsApplied {
        count: u64,
    },
    FeedAccepted {
        events: u64,
    },
    /// The relay's refusal or failure.
    Relay {
        problem: HubProblem,
    },
    Failed {
        words: Box<Words>,
        /// The same in English, for logs.
        #[serde(skip)]
        #[cfg_attr(feature = "ts", ts(skip))]
        english: String,
    },
}

impl Found {
    /// The same in English.
    fn english(&self) -> String {
        match self {
            Found::DemoSandbox => "demo mode: the embedded sandbox".to_owned(),
            Found::DemoRelay { url } => format!("demo mode: the embedded relay at {url}"),
            Found::TreezorAt {
                base_url,
                client_id,
            } => format!("{base_url} ({client_id})"),
            Found::RelayAt { url } => url.clone(),
            Found::NoRelayUrl => "no relay URL: enter it and save".to_owned(),
            Found::SecretFound { origin } => format!("found in the keychain, for {origin}"),
            Found::SecretMissing { secret } => {
                format!("{secret} is not in the keychain: enter it and save")
            }
            Found::SecretForAnotherOrigin {
                secret,
                entered_for,
                now,
            } => format!(
                "{secret} in the keychain was entered for {entered_for}, not {now}, so it is not sent: enter it again and save"
            ),
            Found::TreezorAnswered => {
                "Treezor issued a token and answered a user search".to_owned()
            }
            Found::EventsApplied { count } => format!("{count} events applied"),
            Found::FeedAccepted { events } => {
                format!("the relay accepted the token and holds {events} events")
            }
            Found::Relay { problem } => problem.english(),
            Found::Failed { english, .. } => english.clone(),
        }
    }
}

impl From<Error> for Found {
    fn from(error: Error) -> Found {
        Found::Failed {
            words: Box::new(error.words()),
            english: error.to_string(),
        }
    }
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

    fn passed(&mut self, step: StepName, found: Found) {
        self.steps.push(CheckStep::new(step, true, found));
    }

    fn failed(mut self, step: StepName, found: impl Into<Found>) -> ConnectionCheck {
        self.ok = false;
        self.steps.push(CheckStep::new(step, false, found.into()));
        self
    }
}

impl CheckStep {
    fn new(step: StepName, ok: bool, found: Found) -> CheckStep {
        CheckStep {
            step,
            ok,
            detail: found.english(),
            found,
        }
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
                problem.get_or_insert(e.words());
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
                        problem: crate::settings::SettingProblem::EmptyWithSecret {
                            secret: name.kept(),
                        },
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
        let outcome = match (demo, settings.is_live()) {
            (true, true) => SaveOutcome::RestartToLeaveDemo,
            (true, false) => SaveOutcome::Saved,
            (false, live) => {
                self.reconnect(&settings).await;
                if live {
                    SaveOutcome::Reconnecting
                } else {
                    SaveOutcome::RestartForDemo
                }
            }
        };
        let mut message = match outcome {
            SaveOutcome::RestartToLeaveDemo => {
                "Settings saved. Restart KYC Desk to leave the demo and connect to Treezor."
            }
            SaveOutcome::Saved => "Settings saved.",
            SaveOutcome::Reconnecting => "Settings saved; reconnecting to Treezor and the relay.",
            SaveOutcome::RestartForDemo => {
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
            outcome,
            enter_again: enter_again
                .iter()
                .map(|(name, bound, origin)| EnterAgain {
                    secret: name.kept(),
                    entered_for: bound.to_string(),
                    now: origin.to_string(),
                })
                .collect(),
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
                *write(&self.inner.treezor_problem) = Some(e.words());
            }
        }
        match feed_for(settings, secrets) {
            Ok(feed) => self.start_sync(feed),
            Err(e) => {
                // After the loop stopped, so that its last word does not replace this one.
                self.stop_sync().await;
                self.inner
                    .health_tx
                    .send_modify(|h| h.failed(e.to_string(), e.words()));
            }
        }
    }

    /// Checks, step by step, that Treezor answers with the saved settings.
    pub async fn check_treezor(&self) -> ConnectionCheck {
        use StepName::*;
        let mut check = ConnectionCheck::new();
        let client = if matches!(self.mode(), Mode::Demo { .. }) {
            check.passed(Settings, Found::DemoSandbox);
            match read(&self.inner.treezor).clone() {
                Some(client) => client,
                None => return check.failed(Client, Error::TreezorNotConfigured),
            }
        } else {
            let settings = self.settings();
            let Some(treezor) = settings.treezor.as_ref() else {
                return check.failed(Settings, Error::TreezorNotConfigured);
            };
            let origin = match treezor.url() {
                Ok(url) => Origin::of(&url),
                Err(e) => return check.failed(Settings, e),
            };
            check.passed(
                Settings,
                Found::TreezorAt {
                    base_url: treezor.base_url.clone(),
                    client_id: treezor.client_id.clone(),
                },
            );
            match secret_found(self, SecretName::TreezorClientSecret, &origin) {
                Ok(found) => check.passed(ClientSecret, found),
                Err(found) => return check.failed(ClientSecret, found),
            }
            match client_for(&settings, &self.inner.secrets) {
                Ok(client) => client,
                Err(e) => return check.failed(Client, e),
            }
        };
        let query = treezor::UserQuery {
            page_count: 1,
            ..treezor::UserQuery::default()
        };
        match client.search_users(&query).await {
            Ok(_) => {
                check.passed(TokenAndUsers, Found::TreezorAnswered);
                check
            }
            Err(e) => check.failed(TokenAndUsers, Error::from(e)),
        }
    }

    /// Checks, step by step, that the relay answers and accepts the feed token.
    pub async fn check_relay(&self) -> ConnectionCheck {
        use StepName::*;
        let mut check = ConnectionCheck::new();
        if let Mode::Demo { relay_url, .. } = self.mode() {
            check.passed(
                Settings,
                Found::DemoRelay {
                    url: relay_url.clone(),
                },
            );
            let health = self.inner.health.borrow().clone();
            return match health.last_error.zip(health.problem) {
                None => {
                    check.passed(
                        Feed,
                        Found::EventsApplied {
                            count: health.cursor,
                        },
                    );
                    check
                }
                Some((english, words)) => check.failed(
                    Feed,
                    Found::Failed {
                        words: Box::new(words),
                        english,
                    },
                ),
            };
        }
        let settings = self.settings();
        let Some(relay) = settings.relay.as_ref() else {
            return check.failed(Settings, Found::NoRelayUrl);
        };
        let origin = match relay.url() {
            Ok(url) => Origin::of(&url),
            Err(e) => return check.failed(Settings, e),
        };
        check.passed(
            Settings,
            Found::RelayAt {
                url: relay.url.clone(),
            },
        );
        match secret_found(self, SecretName::RelayFeedToken, &origin) {
            Ok(found) => check.passed(FeedToken, found),
            Err(found) => return check.failed(FeedToken, found),
        }
        let feed = match feed_for(&settings, &self.inner.secrets) {
            Ok(feed) => feed,
            Err(e) => return check.failed(Feed, e),
        };
        match feed.check().await {
            Ok(last_seq) => {
                check.passed(Feed, Found::FeedAccepted { events: last_seq });
                check
            }
            Err(e) => check.failed(
                Feed,
                Found::Relay {
                    problem: HubProblem::from(&e),
                },
            ),
        }
    }
}

/// Whether `name` is in the keychain for `origin`, as a check step finds it.
fn secret_found(
    desk: &Desk,
    name: SecretName,
    origin: &Origin,
) -> std::result::Result<Found, Found> {
    match desk.inner.secrets.get(name, origin) {
        Ok(Lookup::Found(_)) => Ok(Found::SecretFound {
            origin: origin.to_string(),
        }),
        Ok(Lookup::Missing) => Err(Found::SecretMissing {
            secret: name.kept(),
        }),
        Ok(Lookup::ForAnotherOrigin(entered_for)) => Err(Found::SecretForAnotherOrigin {
            secret: name.kept(),
            entered_for: entered_for.to_string(),
            now: origin.to_string(),
        }),
        Err(e) => Err(e.into()),
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
