//! Settings changed from the window: secrets go to the secret store and nowhere else, every change
//! is audited without its secrets, and the connection checks say what works and what does not.

mod common;

use common::World;
use desk::configure::SettingsInput;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_secrets_stay_out_of_files_answers_and_the_audit_log() {
    let world = World::start().await;
    let desk = world.desk().await;
    let view = desk.settings_view();
    assert!(view.has_client_secret && view.has_feed_token);
    let shown = serde_json::to_string(&view).unwrap();
    assert!(!shown.contains(world.sandbox.client_secret()) && !shown.contains(common::FEED_TOKEN));

    let saved = desk
        .save_settings(SettingsInput {
            settings: world.settings(),
            client_secret: Some(world.sandbox.client_secret().to_owned()),
            feed_token: Some(common::FEED_TOKEN.to_owned()),
        })
        .await
        .unwrap();
    assert!(!saved.restart_needed);
    let file = std::fs::read_to_string(&desk.paths().settings_file).unwrap();
    assert!(
        !file.contains(world.sandbox.client_secret()) && !file.contains(common::FEED_TOKEN),
        "{file}"
    );

    let treezor = desk.check_treezor().await;
    assert!(treezor.ok, "{treezor:?}");
    let relay = desk.check_relay().await;
    assert!(relay.ok, "{relay:?}");

    let export = desk
        .export_audit(
            None,
            desk::audit::ExportFormat::Json,
            &world.home.path().join("audit"),
        )
        .await
        .unwrap();
    let log = std::fs::read_to_string(export.path).unwrap();
    assert!(
        log.contains("change_settings") && log.contains("the Treezor client secret replaced"),
        "{log}"
    );
    assert!(!log.contains(world.sandbox.client_secret()) && !log.contains(common::FEED_TOKEN));
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_feed_token_or_a_bad_url_is_named_by_the_checks() {
    let world = World::start().await;
    let desk = world.desk().await;
    desk.save_settings(SettingsInput {
        settings: world.settings(),
        client_secret: None,
        feed_token: Some("not-the-token".to_owned()),
    })
    .await
    .unwrap();
    let relay = desk.check_relay().await;
    assert!(!relay.ok);
    let last = relay.steps.last().unwrap();
    assert!(last.detail.contains("refused the credential"), "{last:?}");

    let mut bad = world.settings();
    bad.treezor.as_mut().unwrap().base_url = "http://treezor.example.com".into();
    let refused = desk
        .save_settings(SettingsInput {
            settings: bad,
            client_secret: None,
            feed_token: None,
        })
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "invalid_setting");
    assert!(refused.to_string().contains("https://"), "{refused}");
    desk.shutdown().await;
}
