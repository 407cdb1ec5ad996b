//! Starting the dashboard: demo mode with no settings, Treezor and the relay with them.
//!
//! Start-up does not fail on a setting or a secret: the window must open so the officer can fix
//! it. What is missing is reported in the status ([`crate::status`]) and the affected part waits.
//! Only a cache that cannot be opened stops the start, since nothing can be shown without it.
//!
//! A settings file that is there but refused (unreadable, not settings JSON, or a value the
//! checks refuse, such as a hand-edited URL) does not drop the dashboard into its demo either: it
//! opens on the officer's own cache, contacts nothing (not Treezor, not a relay, no demo), and says
//! why in the status until valid settings are saved ([`Desk::save_settings`] then connects).
//!
//! At each start, secrets an earlier version saved unbound are bound to the servers the settings
//! name ([`crate::secrets`]).

use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::{broadcast, watch};

use crate::demo::{DemoOptions, DemoPace, DemoWorld};
use crate::desk::{Desk, Inner, Mode, read};
use crate::error::{Error, Result};
use crate::officer::Officer;
use crate::secrets::{Origin, SecretName, SecretStore};
use crate::settings::{Paths, RELAY_URL, Setting, Settings};
use crate::store::Store;
use crate::sync::{Feed, SyncHealth, SyncLoop, SyncOptions};
use crate::trail::Trail;

/// What [`Desk::start`] needs.
pub struct StartOptions {
    pub paths: Paths,
    /// The keychain in the app; memory in tests of other parts.
    pub secrets: SecretStore,
    pub officer: Officer,
    pub sync: SyncOptions,
    pub demo: DemoOptions,
}

impl StartOptions {
    /// The app's own: the current user's folders, the OS keychain, the OS user, and the demo's
    /// pace from `KYC_DESK_DEMO_PACE` ([`DemoPace`]).
    pub fn for_current_user() -> Result<StartOptions> {
        let pace = DemoPace::from_env()?;
        let mut sync = SyncOptions {
            // The window asks for its first rows within a second or two of the start; the
            // catch-up and the reading of waiting cases follow them (see `first_rows`).
            hold_for_first_rows: std::time::Duration::from_secs(5),
            ..SyncOptions::default()
        };
        if pace == DemoPace::Quick {
            // The quick demo's Treezor answers in milliseconds: so may its list of documents.
            // A few seconds of grace still let an officer (or an end-to-end test) see what is
            // awaited before a lost webhook is filled from the list.
            sync.documents = crate::awaited::DocumentsWatch {
                first: std::time::Duration::from_millis(200),
                max: std::time::Duration::from_secs(2),
                grace: std::time::Duration::from_secs(10),
            };
        }
        Ok(StartOptions {
            paths: Paths::for_current_user()?,
            secrets: SecretStore::Keychain,
            officer: Officer::current(),
            sync,
            demo: DemoOptions::at_pace(pace),
        })
    }
}

/// What runs beside the desk and must be stopped with it.
pub(crate) struct Running {
    pub sync: Option<SyncLoop>,
    pub demo: Option<DemoWorld>,
    /// The retention pass, at start and daily.
    pub retention: Option<tokio::task::JoinHandle<()>>,
    /// The reading of Treezor's list of documents for cases waiting for theirs.
    pub documents: Option<tokio::task::JoinHandle<()>>,
    /// The hub the sync loop reads, for the team records this desk writes.
    pub hub: Option<Feed>,
}

impl Desk {
    /// Starts the dashboard (see the module doc).
    pub async fn start(options: StartOptions) -> Result<Desk> {
        let StartOptions {
            paths,
            secrets,
            officer,
            sync,
            demo,
        } = options;
        // The start's steps at the debug level, each with the time since the start began: the
        // cold-start benchmark (B7) prints them beside the window's own timeline.
        let began = std::time::Instant::now();
        let step = |what: &str| {
            tracing::debug!(ms = began.elapsed().as_millis() as u64, "start: {what}");
        };
        let (settings, startup_problem) = match Settings::load(&paths.settings_file) {
            Ok(settings) => (settings, None),
            // Shown as written, for the officer to correct on the settings screen.
            Err(e) => (
                Settings::read(&paths.settings_file).unwrap_or_default(),
                Some(e.words()),
            ),
        };
        if startup_problem.is_none() {
            bind_unbound_secrets(&secrets, &settings);
        }
        step("settings read, secrets bound");
        let (changes, _) = broadcast::channel(256);
        let (health_tx, health) = watch::channel(SyncHealth::starting(0));
        let treezor = Arc::new(RwLock::new(None));
        let mut treezor_problem = None;
        // The trail's key and anchor go where the secrets go: the keychain in the app.
        let trail_of = |cache: &std::path::Path| match secrets {
            SecretStore::Keychain => Trail::in_keychain(cache),
            SecretStore::Memory(_) => Trail::in_memory(cache),
        };
        let mut clock = crate::clock::Clock::System;
        let (mode, store, feed, world, trail) = if startup_problem.is_some() {
            let store = Store::open(&paths.cache_file)?;
            let why = "not connected: the settings file was refused (see Settings)".to_owned();
            treezor_problem = Some(crate::words::Words::SettingsRefused);
            health_tx.send_modify(|h| h.failed(why, crate::words::Words::SettingsRefused));
            (Mode::Live, store, None, None, trail_of(&paths.cache_file))
        } else if settings.is_live() {
            let store = Store::open(&paths.cache_file)?;
            step("cache opened");
            let trail = trail_of(&paths.cache_file);
            match client_for(&settings, &secrets) {
                Ok(client) => *crate::desk::write(&treezor) = Some(client),
                Err(e) => treezor_problem = Some(e.words()),
            }
            let feed = feed_for(&settings, &secrets);
            step("Treezor's and the relay's secrets read");
            if let Err(e) = &feed {
                health_tx.send_modify(|h| h.failed(e.to_string(), e.words()));
            }
            (Mode::Live, store, feed.ok(), None, trail)
        } else {
            let (world, client, feed) = DemoWorld::start(&paths.demo_dir, demo, &officer).await?;
            step("the demo's sandbox and relay started");
            let demo_cache = paths.demo_dir.join("cache.sqlite");
            let store = Store::open(&demo_cache)?;
            step("cache opened");
            *crate::desk::write(&treezor) = Some(client);
            let mode = Mode::Demo {
                sandbox_url: world.sandbox.base_url().to_owned(),
                relay_url: world.relay.url(),
            };
            // One world, one clock: the desk keeps the sandbox's time (see `crate::clock`).
            clock = crate::clock::Clock::Follows(world.sandbox.control().clock_offset());
            // The demo's cache is made afresh at each start: so is its trail, in memory.
            let trail = Trail::in_memory(&demo_cache);
            (mode, store, Some(feed), Some(world), trail)
        };
        let inner = Arc::new(Inner {
            officer,
            mode,
            clock,
            paths,
            settings: RwLock::new(settings),
            secrets,
            store: store.clone(),
            trail: Arc::new(trail),
            trail_appended: Default::default(),
            treezor,
            treezor_problem: RwLock::new(treezor_problem),
            startup_problem: RwLock::new(startup_problem),
            changes: changes.clone(),
            health,
            health_tx,
            sync_options: sync,
            first_rows: crate::first_rows::FirstRows::new(),
            running: Mutex::new(Running {
                sync: None,
                demo: world,
                retention: None,
                documents: None,
                hub: None,
            }),
            runs: Mutex::default(),
            claim_writes: tokio::sync::Mutex::new(()),
            interrupted: Mutex::new(Vec::new()),
        });
        let desk = Desk { inner };
        // Before anything is written: seal a trail from before the keyed chain, catch the
        // anchor up. A locked keychain is not a reason not to start; actions will say so.
        if let Err(error) = desk.open_trail().await {
            tracing::warn!(%error, "the audit trail could not be opened at start");
        }
        step("audit trail opened");
        // Before anything can start a new download: what the last stop cut short.
        if let Err(error) = desk.recover_downloads().await {
            tracing::warn!(%error, "downloads interrupted by the last stop could not be checked");
        }
        step("interrupted downloads checked");
        if let Some(feed) = feed {
            desk.start_sync(feed);
        }
        let retention = crate::retention::spawn_daily(desk.clone());
        let documents = crate::awaited::spawn_watch(desk.clone());
        {
            let mut running = crate::desk::lock(&desk.inner.running);
            running.retention = Some(retention);
            running.documents = Some(documents);
        }
        Ok(desk)
    }

    /// (Re)starts the sync loop with `feed`.
    pub(crate) fn start_sync(&self, feed: Feed) {
        let hub = feed.clone();
        let sync = SyncLoop::spawn(crate::desk::sync_parts(self, feed), self.inner.sync_options);
        let mut running = crate::desk::lock(&self.inner.running);
        running.hub = Some(hub);
        let previous = running.sync.replace(sync);
        drop(running);
        if let Some(previous) = previous {
            tokio::spawn(previous.stop());
        }
    }

    /// Stops the sync loop, if one runs, and waits for it (settings that name no usable relay).
    pub(crate) async fn stop_sync(&self) {
        let running = {
            let mut running = crate::desk::lock(&self.inner.running);
            running.hub = None;
            running.sync.take()
        };
        if let Some(running) = running {
            running.stop().await;
        }
    }

    /// Stops the sync loop and the demo world; the cache's last batch is committed or not at all.
    pub async fn shutdown(&self) {
        let (sync, demo) = {
            let mut running = crate::desk::lock(&self.inner.running);
            if let Some(retention) = running.retention.take() {
                retention.abort();
            }
            if let Some(documents) = running.documents.take() {
                documents.abort();
            }
            (running.sync.take(), running.demo.take())
        };
        if let Some(sync) = sync {
            sync.stop().await;
        }
        if let Some(demo) = demo {
            demo.shutdown().await;
        }
    }

    /// The demo's sandbox, for the window's "play the customer" link and for tests.
    pub fn demo_sandbox(&self) -> Option<sandbox::Control> {
        crate::desk::lock(&self.inner.running)
            .demo
            .as_ref()
            .map(|world| world.sandbox.control())
    }

    /// Whether Treezor is usable, and if not, why.
    pub fn treezor_problem(&self) -> Option<crate::words::Words> {
        read(&self.inner.treezor_problem).clone()
    }
}

/// Binds the secrets an earlier version saved unbound (see the module doc). A keychain that cannot
/// do it now leaves them as they are until the next start; using them waits until then.
fn bind_unbound_secrets(secrets: &SecretStore, settings: &Settings) {
    match secrets.bind_all_unbound(settings) {
        Ok(bound) => {
            for (name, origin) in bound {
                tracing::info!(
                    secret = name.words(),
                    %origin,
                    "a secret saved by an earlier version is now bound to the server it was entered for"
                );
            }
        }
        Err(error) => tracing::warn!(
            %error,
            "secrets saved by an earlier version could not be bound to their servers yet"
        ),
    }
}

/// A Treezor client from the settings and the keychain: the client secret saved for the base
/// URL's origin, and no other.
pub(crate) fn client_for(settings: &Settings, secrets: &SecretStore) -> Result<treezor::Client> {
    let settings = settings
        .treezor
        .as_ref()
        .ok_or(Error::TreezorNotConfigured)?;
    let url = settings.url()?;
    let origin = Origin::of(&url);
    let name = SecretName::TreezorClientSecret;
    let secret = secrets.get(name, &origin)?.found(name, &origin)?;
    let mut config = treezor::ClientConfig::new(
        url.as_str(),
        settings.client_id.trim(),
        treezor::ClientSecret::new(secret.expose()),
    );
    if !settings.scopes.is_empty() {
        config.scopes = settings.scopes.clone();
    }
    let read_pem = |what: Setting, path: &std::path::Path| {
        std::fs::read(path).map_err(|e| Error::InvalidSetting {
            setting: what,
            problem: crate::settings::SettingProblem::FileUnreadable {
                path: path.display().to_string(),
                detail: e.to_string(),
            },
        })
    };
    if let (Some(cert), Some(key)) = (&settings.client_certificate, &settings.client_key) {
        let mut identity = read_pem(Setting::TreezorClientCertificate, cert)?;
        identity.push(b'\n');
        identity.extend(read_pem(Setting::TreezorClientKey, key)?);
        config.tls.client_identity_pem = Some(identity);
    }
    if let Some(ca) = &settings.extra_ca {
        config.tls.extra_ca_pem = Some(read_pem(Setting::TreezorExtraCa, ca)?);
    }
    Ok(treezor::Client::new(config)?)
}

/// The relay feed from the settings and the keychain: the feed token saved for the relay URL's
/// origin, and no other.
pub(crate) fn feed_for(settings: &Settings, secrets: &SecretStore) -> Result<Feed> {
    let relay = settings.relay.as_ref().ok_or(Error::InvalidSetting {
        setting: RELAY_URL,
        problem: crate::settings::SettingProblem::Empty,
    })?;
    let url = relay.url()?;
    let origin = Origin::of(&url);
    let name = SecretName::RelayFeedToken;
    let token = secrets.get(name, &origin)?.found(name, &origin)?;
    Ok(Feed::new(url.as_str(), token))
}
