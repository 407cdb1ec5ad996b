//! With no settings the dashboard runs on its embedded sandbox and relay, seeded, and the seeded
//! webhooks reach its queue through the real relay and sync loop.

mod common;

use std::time::Duration;

use cache::{QueueFilter, QueueQuery};
use desk::demo::DemoOptions;
use desk::officer::Officer;
use desk::secrets::SecretStore;
use desk::settings::Paths;
use desk::status::ModeView;
use desk::sync::SyncOptions;
use desk::{Desk, StartOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_settings_the_demo_world_fills_the_queue() {
    let home = tempfile::tempdir().unwrap();
    let desk = Desk::start(StartOptions {
        paths: Paths::under(home.path()),
        secrets: SecretStore::memory(),
        officer: Officer::named("demo.officer"),
        sync: SyncOptions {
            wait: Duration::from_secs(2),
            ..SyncOptions::default()
        },
        demo: DemoOptions {
            users: 40,
            rng_seed: 7,
            sandbox: sandbox::SandboxConfig::for_tests(),
        },
    })
    .await
    .unwrap();
    let ModeView::Demo {
        sandbox_url,
        relay_url,
    } = desk.status().mode
    else {
        panic!("no settings means demo mode");
    };
    assert!(
        sandbox_url.starts_with("http://127.0.0.1:") && relay_url.starts_with("http://127.0.0.1:")
    );
    assert!(desk.demo_sandbox().is_some());

    let counts = common::until(&desk, "the seeded cases to reach the queue", || async {
        let counts = desk.counts(QueueFilter::default()).await.ok()?;
        let health = desk.health().borrow().clone();
        (health.lag == 0 && health.cursor > 0 && counts.total > 0).then_some(counts)
    })
    .await;
    assert!(counts.total >= 10, "{counts:?}");
    // The demo's hub signs the officer in as a team's hub does.
    let signed_in = desk
        .status()
        .sync
        .signed_in
        .expect("signed in by the demo hub");
    assert_eq!(
        (signed_in.name.as_str(), signed_in.role),
        ("demo.officer", kyc::officer::Role::Officer)
    );
    let page = desk.queue(QueueQuery::default()).await.unwrap();
    assert!(!page.rows.is_empty());
    let check = desk.check_treezor().await;
    assert!(check.ok, "{check:?}");
    desk.shutdown().await;
}
