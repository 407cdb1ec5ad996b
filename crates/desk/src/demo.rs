//! Demo mode: the embedded Treezor sandbox and webhook relay, on free loopback ports, with a
//! seeded population. This is what the dashboard runs on with no settings.
//!
//! The sandbox keeps its world in memory and is seeded afresh at each start, so the demo's relay
//! data and cache are started afresh too: yesterday's demo cache would describe people who no
//! longer exist. Demo credentials are random per start and protect nothing real, so they stay in
//! memory; the keychain is for real secrets.
//!
//! The demo's relay is a team's hub: it issues the officer a credential of their own (under their
//! OS user name, role senior), and the dashboard reads with it, so the demo signs in the way a
//! team's dashboard does and its audit trail names the officer the hub knows. The team has a
//! second officer, a scripted colleague ([`colleague`]) who claims, notes and proposes on a few
//! seeded cases; the officer is the team's senior so that they can answer her proposal and take a
//! case back from her. Nobody answers the officer's own proposals, so that one person can walk
//! the whole process alone: the demo's team lead (a senior credential used once, then dropped)
//! sets a four-eyes policy that binds nothing, and the demo says so by its policy, in its feed.

mod colleague;

use std::path::Path;

use kyc::officer::{OfficerName, Role};
use relay::officers::Credential;
use relay::store::Officers;
use relay::store::sqlite::SqliteOfficers;
use relay::{FeedToken, Relay, RelayConfig, RelayError, RunningRelay};
use sandbox::{RunningSandbox, Sandbox, SandboxConfig, SeedOptions};

use crate::error::{Error, Result};
use crate::faults::{DemoCause, DemoStep};
use crate::officer::Officer;
use crate::secrets::Secret;
use crate::sync::Feed;

pub use colleague::NAME as COLLEAGUE;

/// The running demo world.
pub struct DemoWorld {
    pub sandbox: RunningSandbox,
    pub relay: RunningRelay,
    /// The colleague at work; stopped with the demo.
    colleague: Option<tokio::task::JoinHandle<()>>,
}

/// How big a demo to seed, and how its sandbox behaves.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub users: usize,
    pub rng_seed: u64,
    /// The sandbox's behaviour (delays, sizes); its credentials, secrets and webhook target are
    /// set by the demo.
    pub sandbox: SandboxConfig,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            users: 300,
            rng_seed: 42,
            sandbox: SandboxConfig::default(),
        }
    }
}

/// How fast the demo's Treezor decides: `KYC_DESK_DEMO_PACE`.
///
/// Realistic by default (the provider decides 3 s after the customer finishes, the KYC review 10 s
/// after the request) so that a demo shows each state. `quick` takes the sandbox's test delays
/// (milliseconds), for the end-to-end tests that walk the whole process several times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoPace {
    Realistic,
    Quick,
}

impl DemoPace {
    /// The environment variable that chooses the pace.
    pub const VARIABLE: &'static str = "KYC_DESK_DEMO_PACE";

    /// Reads the variable's value: unset or empty is realistic.
    pub fn parse(value: Option<&str>) -> Result<DemoPace> {
        match value.map(str::trim).unwrap_or_default() {
            "" | "realistic" => Ok(DemoPace::Realistic),
            "quick" => Ok(DemoPace::Quick),
            other => Err(Error::InvalidSetting {
                setting: crate::settings::Setting::DemoPace,
                problem: crate::settings::SettingProblem::NotAPace {
                    given: other.to_owned(),
                },
            }),
        }
    }

    /// The pace this process was started with.
    pub fn from_env() -> Result<DemoPace> {
        let value = std::env::var(Self::VARIABLE).ok();
        Self::parse(value.as_deref())
    }
}

impl DemoOptions {
    /// The default demo at `pace`.
    pub fn at_pace(pace: DemoPace) -> DemoOptions {
        let mut options = DemoOptions::default();
        if pace == DemoPace::Quick {
            let quick = SandboxConfig::for_tests();
            options.sandbox.decision_delay = quick.decision_delay;
            options.sandbox.review_delay = quick.review_delay;
        }
        options
    }
}

/// Issues `officer` a credential on the demo hub's store, as `kyc-relay officers add` does.
async fn credential_for(
    store: &Path,
    officer: &Officer,
    role: Role,
) -> std::result::Result<Credential, DemoCause> {
    let name = OfficerName::parse(officer.as_str()).map_err(|problem| DemoCause::OfficerName {
        name: officer.as_str().to_owned(),
        problem,
    })?;
    let officers = SqliteOfficers::open(store).map_err(|e| relay_cause(&e))?;
    let credential = Credential::issue();
    officers
        .add(name, role, credential.hash())
        .await
        .map_err(|e| relay_cause(&e))?;
    Ok(credential)
}

/// What the relay's error says, typed. Its faults without words of their own are logged whole
/// here, as the window says only that the log has them.
fn relay_cause(error: &RelayError) -> DemoCause {
    match error {
        RelayError::Open { source, .. } | RelayError::Store(source) => DemoCause::Store {
            detail: source.to_string(),
        },
        RelayError::NewerSchema { found, known, .. } => DemoCause::NewerStore {
            found: *found,
            known: *known,
        },
        RelayError::Bind { addr, source } => listen(addr, source),
        RelayError::Io { source, .. } => DemoCause::System {
            detail: source.to_string(),
        },
        other => inside("relay", other),
    }
}

fn listen(addr: &std::net::SocketAddr, source: &std::io::Error) -> DemoCause {
    DemoCause::Listen {
        addr: addr.to_string(),
        detail: source.to_string(),
    }
}

/// A fault of `part` without words of its own: logged whole, as the window only says so.
fn inside(part: &str, error: &dyn std::fmt::Display) -> DemoCause {
    tracing::error!(%error, "the demo's {part} failed");
    DemoCause::Inside
}

/// What the sandbox's error says, typed (see [`relay_cause`]).
fn sandbox_cause(error: &sandbox::Error) -> DemoCause {
    match error {
        sandbox::Error::Bind { addr, source } => listen(addr, source),
        other => inside("sandbox", other),
    }
}

/// What the Treezor client's error says, typed (see [`relay_cause`]).
fn client_cause(error: &treezor::Error) -> DemoCause {
    match error {
        treezor::Error::Config(problem) => DemoCause::Treezor {
            problem: problem.clone(),
        },
        other => inside("Treezor client", other),
    }
}

/// Sets the demo team's four-eyes policy: nothing bound, so one person walks every step.
async fn unbound_policy(store: &Path, hub: &str) -> std::result::Result<(), DemoCause> {
    let lead = credential_for(store, &Officer::named("Demo team lead"), Role::Senior).await?;
    let feed = Feed::new(
        hub,
        Secret::new(lead.expose()).expect("a credential is not empty"),
    );
    let never = kyc::four_eyes::Rule::Never;
    let write = kyc::team::TeamWrite {
        id: "demo-policy".into(),
        event: kyc::team::TeamEvent::Policy {
            policy: kyc::four_eyes::Policy {
                request_review: never,
                start_verification: never,
                close_accepted: never,
            },
        },
    };
    feed.write_team(&write).await.map_err(|e| DemoCause::Hub {
        problem: crate::words::HubProblem::from(&e),
    })?;
    Ok(())
}

fn random_secret(prefix: &str) -> String {
    let bytes: [u8; 24] = rand::random();
    format!("{prefix}-{}", hex::encode(bytes))
}

impl DemoWorld {
    /// Starts the relay, then the sandbox posting to it, then seeds the sandbox. Files go in `dir`,
    /// which is emptied first.
    pub async fn start(
        dir: &Path,
        options: DemoOptions,
        officer: &Officer,
    ) -> Result<(DemoWorld, treezor::Client, Feed)> {
        let fail = |step: DemoStep| move |cause: DemoCause| Error::Demo { step, cause };
        let system = |e: std::io::Error| DemoCause::System {
            detail: e.to_string(),
        };
        if dir.exists() {
            std::fs::remove_dir_all(dir)
                .map_err(system)
                .map_err(fail(DemoStep::RemoveOldFiles))?;
        }
        // Owner-only like every folder of the app: the demo's relay and cache live in it.
        crate::owner_only::create_dir(dir)
            .map_err(system)
            .map_err(fail(DemoStep::CreateFolder))?;

        let webhook_secret = random_secret("demo-webhook");
        let feed_token = random_secret("demo-feed");
        let relay = Relay::start(RelayConfig::new(
            dir.join("relay.sqlite"),
            kyc::webhook::WebhookSecret::new(webhook_secret.clone())
                .expect("a random secret is not empty"),
            FeedToken::new(&feed_token).expect("a random token is not empty"),
        ))
        .await
        .map_err(|e| fail(DemoStep::StartRelay)(relay_cause(&e)))?;

        // Issued before the sandbox seeds the relay: the seed's webhooks keep the store's writer
        // busy, and an officer added beside it could wait past SQLite's busy timeout.
        let credential =
            match credential_for(&dir.join("relay.sqlite"), officer, Role::Senior).await {
                Ok(credential) => credential.expose().to_owned(),
                Err(error) => {
                    // The shared token still reads the feed; the OS user is then named, as before.
                    tracing::warn!(%error, "the demo hub could not issue the officer a credential");
                    feed_token
                }
            };

        // Without her the demo still works: it shows no team work.
        let colleague = match credential_for(
            &dir.join("relay.sqlite"),
            &Officer::named(COLLEAGUE),
            Role::Officer,
        )
        .await
        {
            Ok(credential) => Some(Feed::new(
                &relay.url(),
                Secret::new(credential.expose()).expect("a credential is not empty"),
            )),
            Err(error) => {
                tracing::warn!(%error, "the demo hub could not issue the colleague a credential");
                None
            }
        };

        unbound_policy(&dir.join("relay.sqlite"), &relay.url())
            .await
            .map_err(fail(DemoStep::SetPolicy))?;

        let sandbox = Sandbox::start(SandboxConfig {
            client_secret: random_secret("demo-client"),
            webhook_secret,
            webhook_target: Some(relay.webhook_url()),
            ..options.sandbox
        })
        .await
        .map_err(|e| fail(DemoStep::StartSandbox)(sandbox_cause(&e)))?;
        let seeded = sandbox.seed(&SeedOptions {
            users: options.users,
            rng_seed: options.rng_seed,
            send_webhooks: true,
        });
        let colleague = colleague.map(|hub| colleague::start(hub, colleague::work(&seeded)));

        let client = treezor::Client::new(treezor::ClientConfig::new(
            sandbox.base_url(),
            sandbox.client_id(),
            treezor::ClientSecret::new(sandbox.client_secret()),
        ))
        .map_err(|e| fail(DemoStep::MakeClient)(client_cause(&e)))?;
        let feed = Feed::new(
            &relay.url(),
            Secret::new(credential).expect("a credential is not empty"),
        );
        let world = DemoWorld {
            sandbox,
            relay,
            colleague,
        };
        Ok((world, client, feed))
    }

    /// Stops the colleague, then the sandbox and the relay, letting requests in flight finish.
    pub async fn shutdown(self) {
        if let Some(colleague) = self.colleague {
            colleague.abort();
        }
        self.sandbox.shutdown().await;
        self.relay.shutdown().await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_demo_is_realistic_unless_asked_to_be_quick() {
        assert_eq!(DemoPace::parse(None).unwrap(), DemoPace::Realistic);
        assert_eq!(DemoPace::parse(Some(" ")).unwrap(), DemoPace::Realistic);
        assert_eq!(DemoPace::parse(Some("quick")).unwrap(), DemoPace::Quick);
        let realistic = DemoOptions::at_pace(DemoPace::Realistic).sandbox;
        assert_eq!(realistic.decision_delay, Duration::from_secs(3));
        assert_eq!(realistic.review_delay, Duration::from_secs(10));
        let quick = DemoOptions::at_pace(DemoPace::Quick).sandbox;
        assert!(quick.decision_delay < Duration::from_secs(1));
        assert!(quick.review_delay < Duration::from_secs(1));
        // Only the delays change: documents keep their demo size.
        assert_eq!(quick.document_size, realistic.document_size);
    }

    #[test]
    fn an_unknown_pace_is_a_clear_error() {
        let error = DemoPace::parse(Some("fast")).unwrap_err().to_string();
        assert!(
            error.contains("KYC_DESK_DEMO_PACE") && error.contains("quick or realistic"),
            "{error}"
        );
    }
}
