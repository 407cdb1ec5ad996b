//! Drill: the keychain locks while the dashboard runs, and the officer starts a verification.
//!
//! The dashboard runs in a child process (this test binary started again in its child role, the
//! `KYC_DESK_DRILL_CHILD` variable) bound to a Secret Service of its own, where its client secret
//! and feed token are saved and where its audit trail's key and anchor are made. Once the child
//! has recorded an action, the parent locks that keyring and asks for a verification.
//!
//! What it proves: the action is refused before Treezor is called (the sandbox sees no request),
//! with an error that says the keychain is locked and what to do; the audit trail and the case are
//! as they were: nothing was half-done.
//!
//! The binary has its own `main` (no test harness), so that the child role is not a test of its
//! own. It accepts the harness's usual arguments: a name filter that does not match runs nothing,
//! and `--list` lists the one test.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::Duration;

use common::secret_service::SecretService;
use common::{FEED_TOKEN, World, known};
use desk::desk::Desk;
use desk::officer::Officer;
use desk::secrets::SecretStore;
use desk::settings::Paths;
use kyc::{Action, UserId};

const NAME: &str = "an_action_with_the_keychain_locked_is_refused_before_treezor_and_loses_nothing";
const CHILD: &str = "KYC_DESK_DRILL_CHILD";

fn main() {
    common::alone::main(NAME, CHILD, child, drill);
}

/// The dashboard's part: a live desk on the keychain of the bus it was started on. It records one
/// action, says so, waits for the parent, then tries to start a verification and reports.
fn child() {
    let var = |name: &str| std::env::var(name).unwrap();
    let user = UserId::parse(&var("DRILL_USER")).unwrap();
    common::alone::block_on(async {
        let desk = Desk::start(desk::StartOptions {
            paths: Paths::under(std::path::Path::new(&var("DRILL_HOME"))),
            secrets: SecretStore::Keychain,
            officer: Officer::named("officer.test"),
            sync: Default::default(),
            demo: Default::default(),
        })
        .await
        .unwrap();
        known(&desk, user).await;
        desk.cancel(Action::StartVerification, user).await.unwrap();
        let report = |what: String| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{what}");
            let _ = out.flush();
        };
        let entries = |desk: Desk| async move { desk.audit_entries(None, 0, 100).await.unwrap() };
        report(format!("ready {}", entries(desk.clone()).await.len()));

        let mut go = String::new();
        std::io::stdin().read_line(&mut go).unwrap();
        let outcome = desk
            .start_verification(user, None, desk::Confirmation::Unconfirmed)
            .await;
        match outcome {
            Ok(started) => report(format!("started {}", started.identification)),
            Err(error) => report(format!("refused {} {error}", error.code())),
        }
        let after = entries(desk.clone()).await;
        let state = desk.case_file(user).await.unwrap().detail.view.state;
        report(format!("entries {} state {state}", after.len()));
        desk.shutdown().await;
    });
}

async fn drill() {
    let world = World::start().await;
    let service = SecretService::start();
    let settings = world.settings();
    let base_url = settings.treezor.as_ref().unwrap().base_url.clone();
    let relay_url = settings.relay.as_ref().unwrap().url.clone();
    // Each secret bound to the server it is for, as the settings screen saves it.
    for (entry, value, url) in [
        (
            "treezor-client-secret",
            world.sandbox.client_secret(),
            &base_url,
        ),
        ("relay-feed-token", FEED_TOKEN, &relay_url),
    ] {
        let saved = service.probe(&["set", entry, url], Some(value));
        assert!(
            saved.status.success(),
            "{}",
            String::from_utf8_lossy(&saved.stderr)
        );
    }
    let home = world.desk_home();
    world
        .settings()
        .save(&Paths::under(&home).settings_file)
        .unwrap();
    let user = world.person("Zoé", "Martin");

    let mut child = service
        .command(&std::env::current_exe().unwrap().to_string_lossy())
        .env(CHILD, "1")
        .env("DRILL_HOME", &home)
        .env("DRILL_USER", user.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut to_child = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = move || {
        lines
            .next()
            .expect("the child reports before it ends")
            .unwrap()
    };
    let ready = tokio::time::timeout(
        Duration::from_secs(60),
        tokio::task::spawn_blocking(move || {
            let line = next();
            (line, next)
        }),
    )
    .await
    .expect("the child is ready within 60 s")
    .unwrap();
    let (line, mut next) = ready;
    let before: usize = line
        .strip_prefix("ready ")
        .unwrap_or_else(|| panic!("{line}"))
        .parse()
        .unwrap();
    assert!(before >= 1, "the child recorded an action");

    service.lock_login_keyring();
    writeln!(to_child, "go").unwrap();
    let (refused, after) = tokio::task::spawn_blocking(move || {
        let refused = next();
        (refused, next())
    })
    .await
    .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "the child ended cleanly: {status}");

    let message = refused
        .strip_prefix("refused keychain_locked ")
        .unwrap_or_else(|| panic!("the action is refused as a locked keychain: {refused}"));
    for words in [
        "Starting a verification",
        "was not done",
        "audit trail",
        "keychain is locked",
        "Unlock your login keyring",
        "Nothing was sent to Treezor",
    ] {
        assert!(message.contains(words), "{words:?} in {message}");
    }
    let path = format!("/v1/users/{user}/kycliveness");
    assert_eq!(
        world.control().hits_for("POST", &path),
        0,
        "Treezor was never asked"
    );
    assert_eq!(
        after,
        format!("entries {before} state no_verification"),
        "the trail and the case are as they were"
    );
}
