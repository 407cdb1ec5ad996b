//! A Treezor sandbox and a relay on loopback, and a dashboard connected to them as a live
//! installation would be (settings file, secrets, the real sync loop).

#![allow(dead_code)] // Each test binary uses part of this.

pub mod alone;
pub mod secret_service;

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use desk::awaited::DocumentsWatch;
use desk::desk::Desk;
use desk::officer::Officer;
use desk::secrets::{Secret, SecretName, SecretStore};
use desk::settings::{Environment, Paths, RelaySettings, Settings, TreezorSettings};
use desk::sync::SyncOptions;
use desk::views::CaseFile;
use desk::{Change, StartOptions};
use kyc::officer::{OfficerName, Role};
use kyc::{CaseState, UserId};
use relay::officers::Credential;
use relay::store::Officers;
use relay::store::sqlite::SqliteOfficers;
use relay::{FeedToken, Relay, RelayConfig, RunningRelay};
use sandbox::{Control, NewUser, RunningSandbox, Sandbox, SandboxConfig};

pub const WEBHOOK_SECRET: &str = "test-webhook-secret";
pub const FEED_TOKEN: &str = "test-feed-token";
/// How long after Treezor's list first names a document its webhook may still come, here.
pub const GRACE: Duration = Duration::from_millis(300);

/// The tests' reading of Treezor's list of documents: quick, so a lost webhook is filled soon.
const QUICK_DOCUMENTS: DocumentsWatch = DocumentsWatch {
    first: Duration::from_millis(50),
    max: Duration::from_millis(400),
    grace: GRACE,
};

pub struct World {
    pub sandbox: RunningSandbox,
    pub relay: Option<RunningRelay>,
    pub relay_addr: std::net::SocketAddr,
    pub relay_data: PathBuf,
    pub home: tempfile::TempDir,
}

pub fn relay_config(data: PathBuf, listen: std::net::SocketAddr) -> RelayConfig {
    let mut config = RelayConfig::new(
        data,
        kyc::webhook::WebhookSecret::new(WEBHOOK_SECRET).unwrap(),
        FeedToken::new(FEED_TOKEN).unwrap(),
    );
    config.listen = listen;
    // The same key at every restart of the relay, as a hub's key file gives it.
    config.trail_key = relay::trail::TrailKey::from_bytes([7; 32]);
    config
}

impl World {
    pub async fn start() -> World {
        Self::start_with(SandboxConfig::for_tests()).await
    }

    pub async fn start_with(sandbox: SandboxConfig) -> World {
        let home = tempfile::tempdir().unwrap();
        let relay_data = home.path().join("relay").join("events.sqlite");
        std::fs::create_dir_all(relay_data.parent().unwrap()).unwrap();
        let relay = Relay::start(relay_config(
            relay_data.clone(),
            "127.0.0.1:0".parse().unwrap(),
        ))
        .await
        .unwrap();
        let sandbox = Sandbox::start(SandboxConfig {
            webhook_secret: WEBHOOK_SECRET.into(),
            webhook_target: Some(relay.webhook_url()),
            ..sandbox
        })
        .await
        .unwrap();
        World {
            sandbox,
            relay_addr: relay.addr(),
            relay: Some(relay),
            relay_data,
            home,
        }
    }

    pub fn control(&self) -> Control {
        self.sandbox.control()
    }

    pub fn desk_home(&self) -> PathBuf {
        self.home.path().join("desk")
    }

    pub fn settings(&self) -> Settings {
        Settings {
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
                url: format!("http://{}", self.relay_addr),
            }),
            download_dir: Some(self.home.path().join("downloads")),
            retention: Default::default(),
        }
    }

    /// A dashboard on this world, live mode, its secrets in memory.
    pub async fn desk(&self) -> Desk {
        self.desk_reading_documents(QUICK_DOCUMENTS).await
    }

    /// [`World::desk`], reading Treezor's list of documents as `documents` says.
    pub async fn desk_reading_documents(&self, documents: DocumentsWatch) -> Desk {
        let paths = Paths::under(&self.desk_home());
        self.settings().save(&paths.settings_file).unwrap();
        self.start_desk(self.secrets_in_memory(FEED_TOKEN), documents)
            .await
    }

    /// [`World::desk`], reading the relay with `token` (the shared feed token or an officer's
    /// credential).
    pub async fn desk_reading_with(&self, token: &str) -> Desk {
        let paths = Paths::under(&self.desk_home());
        self.settings().save(&paths.settings_file).unwrap();
        self.start_desk(self.secrets_in_memory(token), QUICK_DOCUMENTS)
            .await
    }

    /// A dashboard on the settings file as it is in the desk's home, its secrets in memory, bound
    /// to this world's servers.
    pub async fn desk_as_configured(&self) -> Desk {
        self.start_desk(self.secrets_in_memory(FEED_TOKEN), QUICK_DOCUMENTS)
            .await
    }

    /// This world's secrets, in memory, bound to its servers, the relay read with `token`.
    fn secrets_in_memory(&self, token: &str) -> SecretStore {
        let settings = self.settings();
        let secrets = SecretStore::memory();
        for (name, value) in [
            (
                SecretName::TreezorClientSecret,
                self.sandbox.client_secret(),
            ),
            (SecretName::RelayFeedToken, token),
        ] {
            secrets
                .set_for(name, &settings, &Secret::new(value).unwrap())
                .unwrap();
        }
        secrets
    }

    /// A dashboard on this world, live mode, with `secrets` (the OS keychain, for the tests that
    /// run beside a Secret Service).
    pub async fn desk_with(&self, secrets: SecretStore) -> Desk {
        let paths = Paths::under(&self.desk_home());
        self.settings().save(&paths.settings_file).unwrap();
        self.start_desk(secrets, QUICK_DOCUMENTS).await
    }

    /// A dashboard on the settings file in the desk's home, with `secrets`, reading Treezor's
    /// list of documents as `documents` says.
    async fn start_desk(&self, secrets: SecretStore, documents: DocumentsWatch) -> Desk {
        self.start_desk_in(&self.desk_home(), secrets, documents, Duration::ZERO)
            .await
    }

    /// [`World::desk`], its catch-up holding for the window's first rows up to `hold`.
    pub async fn desk_holding_for_first_rows(&self, hold: Duration) -> Desk {
        let paths = Paths::under(&self.desk_home());
        self.settings().save(&paths.settings_file).unwrap();
        self.start_desk_in(
            &self.desk_home(),
            self.secrets_in_memory(FEED_TOKEN),
            QUICK_DOCUMENTS,
            hold,
        )
        .await
    }

    /// A second dashboard on this world, in a home of its own (a colleague's workstation),
    /// reading the relay with `token`.
    pub async fn colleague_desk(&self, home: &str, token: &str) -> Desk {
        let home = self.home.path().join(home);
        self.settings()
            .save(&Paths::under(&home).settings_file)
            .unwrap();
        self.start_desk_in(
            &home,
            self.secrets_in_memory(token),
            QUICK_DOCUMENTS,
            Duration::ZERO,
        )
        .await
    }

    async fn start_desk_in(
        &self,
        home: &std::path::Path,
        secrets: SecretStore,
        documents: DocumentsWatch,
        hold: Duration,
    ) -> Desk {
        let paths = Paths::under(home);
        Desk::start(StartOptions {
            paths,
            secrets,
            officer: Officer::named("officer.test"),
            sync: SyncOptions {
                page_size: 200,
                wait: Duration::from_secs(2),
                first_backoff: Duration::from_millis(50),
                max_backoff: Duration::from_millis(400),
                catch_up_batch: 1000,
                documents,
                hold_for_first_rows: hold,
            },
            demo: Default::default(),
        })
        .await
        .unwrap()
    }

    /// A person with everything a live verification needs.
    pub fn person(&self, firstname: &str, lastname: &str) -> UserId {
        self.user(NewUser {
            user_type_id: Some(1),
            firstname: Some(firstname.into()),
            lastname: Some(lastname.into()),
            birthday: Some("1990-04-12".into()),
            email: Some(format!(
                "{}.{}@example.com",
                firstname.to_lowercase(),
                lastname.to_lowercase()
            )),
            ..NewUser::default()
        })
    }

    pub fn user(&self, new: NewUser) -> UserId {
        UserId::new(self.control().create_user(&new).unwrap()).unwrap()
    }

    pub async fn stop_relay(&mut self) {
        if let Some(relay) = self.relay.take() {
            relay.shutdown().await;
        }
    }

    /// Restarts the relay on the same address and data file.
    pub async fn restart_relay(&mut self) {
        let relay = Relay::start(relay_config(self.relay_data.clone(), self.relay_addr))
            .await
            .unwrap();
        self.relay = Some(relay);
    }
}

/// Issues a credential on the world's relay, as `kyc-relay officers add` does.
pub async fn issue(world: &World, name: &str, role: Role) -> Credential {
    let credential = Credential::issue();
    SqliteOfficers::open(&world.relay_data)
        .unwrap()
        .add(OfficerName::parse(name).unwrap(), role, credential.hash())
        .await
        .unwrap();
    credential
}

/// A desk of `world` in its own `home`, signed in at the hub as `name` with `role`.
pub async fn signed_in(world: &World, home: &str, name: &str, role: Role) -> Desk {
    let credential = issue(world, name, role).await;
    let desk = world.colleague_desk(home, credential.expose()).await;
    until(&desk, "the sign-in", || async {
        desk.status().sync.signed_in
    })
    .await;
    desk
}

/// Waits until `check` gives a value, re-checking whenever the desk announces a change or its sync
/// health moves (and at least every 100 ms, for conditions that depend on the clock). Fails after
/// 20 s, naming what it waited for.
pub async fn until<T, F, Fut>(desk: &Desk, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let mut changes = desk.subscribe();
    let mut health = desk.health();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        tokio::select! {
            _ = changes.recv() => {}
            _ = health.changed() => {}
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
            () = tokio::time::sleep_until(deadline) => panic!("timed out after 20 s waiting for {what}"),
        }
    }
}

/// The case of `user` once it is in `state`.
pub async fn case_in(desk: &Desk, user: UserId, state: CaseState) -> CaseFile {
    until(desk, &format!("user {user} to reach {state}"), || async {
        desk.case_file(user)
            .await
            .ok()
            .filter(|c| c.detail.view.state == state)
    })
    .await
}

/// Waits until the cache knows `user` (its user.create webhook has been applied).
pub async fn known(desk: &Desk, user: UserId) -> CaseFile {
    until(desk, &format!("user {user} to reach the cache"), || async {
        desk.case_file(user)
            .await
            .ok()
            .filter(|c| c.detail.profile.is_some())
    })
    .await
}

/// Ignores change notifications (keeps `Change` in use for binaries that do not).
pub fn is_users(change: &Change) -> bool {
    matches!(change, Change::Users(_))
}

/// Starts a verification for `user` once the cache knows it, has the customer finish it on the
/// sandbox with `outcome`, and returns the case once it is in `state`.
pub async fn verification_finished(
    world: &World,
    desk: &Desk,
    user: UserId,
    outcome: sandbox::Outcome,
    state: CaseState,
) -> CaseFile {
    known(desk, user).await;
    let started = desk
        .start_verification(user, None, desk::Confirmation::Unconfirmed)
        .await
        .unwrap();
    world
        .control()
        .finish(started.identification.as_str(), outcome, None)
        .unwrap();
    case_in(desk, user, state).await
}

/// Takes `user` through a validated verification and the retrieval of its documents, as the
/// guide's steps 1 to 3 do; returns the case once every document has arrived.
pub async fn documents_received(world: &World, desk: &Desk, user: UserId) -> CaseFile {
    verification_finished(
        world,
        desk,
        user,
        sandbox::Outcome::Validated,
        CaseState::Validated,
    )
    .await;
    desk.retrieve_documents(user).await.unwrap();
    case_in(desk, user, CaseState::DocumentsReceived).await;
    let in_treezor = world.control().documents_of(user.get()).len();
    until(desk, "every document.create to arrive", || async {
        desk.case_file(user)
            .await
            .ok()
            .filter(|c| c.detail.documents.len() == in_treezor)
    })
    .await
}
