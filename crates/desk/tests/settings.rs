//! Settings changed from the window: secrets go to the secret store and nowhere else, each bound
//! to the server it was entered for; every change is audited without its secrets; the connection
//! checks say what works and what does not; a settings file refused at start leaves the dashboard
//! on its own cache, contacting nothing.

mod common;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::IntoResponse;
use common::World;
use desk::configure::{SecretState, SettingsInput, StepName};
use desk::secrets::Secret;
use desk::settings::Settings;

fn secret(value: &str) -> Option<Secret> {
    Secret::new(value)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_secrets_stay_out_of_files_answers_and_the_audit_log() {
    let world = World::start().await;
    let desk = world.desk().await;
    let view = desk.settings_view();
    let sandbox_origin = world.sandbox.base_url().trim_end_matches('/').to_owned();
    assert_eq!(
        view.client_secret,
        SecretState::Saved {
            origin: sandbox_origin
        }
    );
    assert!(matches!(view.feed_token, SecretState::Saved { .. }));
    let shown = serde_json::to_string(&view).unwrap();
    assert!(!shown.contains(world.sandbox.client_secret()) && !shown.contains(common::FEED_TOKEN));

    let input = SettingsInput {
        settings: world.settings(),
        client_secret: secret(world.sandbox.client_secret()),
        feed_token: secret(common::FEED_TOKEN),
    };
    let printed = format!("{input:?}");
    assert!(
        !printed.contains(world.sandbox.client_secret()) && !printed.contains(common::FEED_TOKEN),
        "{printed}"
    );
    let saved = desk.save_settings(input).await.unwrap();
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
        feed_token: secret("not-the-token"),
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

/// One request as a server on loopback received it.
#[derive(Clone, Debug)]
struct Received {
    line: String,
    headers: String,
    body: String,
}

/// A server on loopback that keeps every request it receives, and answers each with `answer`.
struct Recorder {
    url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Recorder {
    async fn start(
        answer: impl Fn() -> axum::response::Response + Clone + Send + Sync + 'static,
    ) -> Recorder {
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&received);
        let app = Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let kept = Arc::clone(&kept);
                let answer = answer.clone();
                async move {
                    kept.lock().unwrap().push(Received {
                        line: format!("{method} {uri}"),
                        headers: format!("{headers:?}"),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    answer()
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Recorder { url, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The requests that carried one of `secrets`, anywhere.
    fn carrying(&self, secrets: &[&str]) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| {
                secrets
                    .iter()
                    .any(|s| r.line.contains(s) || r.headers.contains(s) || r.body.contains(s))
            })
            .collect()
    }
}

fn not_found() -> axum::response::Response {
    StatusCode::NOT_FOUND.into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_never_goes_to_a_server_it_was_not_entered_for() {
    let world = World::start().await;
    let desk = world.desk().await;
    let secrets = [world.sandbox.client_secret(), common::FEED_TOKEN];
    // Two other origins on this machine, as a changed URL (by mistake, or by script in the
    // window) would name them.
    let other_treezor = Recorder::start(not_found).await;
    let other_relay = Recorder::start(not_found).await;

    let mut moved = world.settings();
    moved.treezor.as_mut().unwrap().base_url = other_treezor.url.clone();
    moved.relay.as_mut().unwrap().url = other_relay.url.clone();
    let saved = desk
        .save_settings(SettingsInput {
            settings: moved,
            client_secret: None,
            feed_token: None,
        })
        .await
        .unwrap();
    assert!(
        saved.message.contains(&format!(
            "The relay feed token was entered for http://{}, so it is not sent to {}: enter it again.",
            world.relay_addr, other_relay.url
        )),
        "{}",
        saved.message
    );

    // The settings screen says each must be entered again, and for which server it was.
    let view = desk.settings_view();
    assert_eq!(
        view.client_secret,
        SecretState::ForAnotherOrigin {
            origin: world.sandbox.base_url().trim_end_matches('/').to_owned()
        }
    );
    assert_eq!(
        view.feed_token,
        SecretState::ForAnotherOrigin {
            origin: format!("http://{}", world.relay_addr)
        }
    );

    // Neither the checks, nor an action, nor the sync loop sends a saved secret to the new
    // servers.
    let treezor = desk.check_treezor().await;
    let relay = desk.check_relay().await;
    let officer_user = world.person("Irene", "Adler");
    let refused = desk
        .start_verification(officer_user, None, desk::Confirmation::Unconfirmed)
        .await;
    assert_eq!(
        other_treezor.carrying(&secrets).len(),
        0,
        "{:?}",
        other_treezor.received()
    );
    assert_eq!(
        other_relay.carrying(&secrets).len(),
        0,
        "{:?}",
        other_relay.received()
    );
    assert!(refused.is_err(), "no Treezor call without the secret");
    for (check, secret) in [
        (&treezor, StepName::ClientSecret),
        (&relay, StepName::FeedToken),
    ] {
        assert!(!check.ok);
        let step = check.steps.last().unwrap();
        assert!(
            step.step == secret && step.detail.contains("enter it again"),
            "{step:?}"
        );
    }
    common::until(&desk, "the sync to say why it stopped", || async {
        let health = desk.health().borrow().clone();
        health
            .last_error
            .filter(|e| e.contains("never sent to another server"))
    })
    .await;
    assert_eq!(other_relay.carrying(&secrets).len(), 0);

    // A relay the officer did enter a token for cannot send it on by redirecting.
    let elsewhere = Recorder::start(not_found).await;
    let target = format!("{}/v1/events", elsewhere.url);
    let redirector = Recorder::start(move || {
        (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, target.clone())],
        )
            .into_response()
    })
    .await;
    let mut redirected = world.settings();
    redirected.relay.as_mut().unwrap().url = redirector.url.clone();
    desk.save_settings(SettingsInput {
        settings: redirected,
        client_secret: None,
        feed_token: secret("token-for-the-redirector"),
    })
    .await
    .unwrap();
    let relay = desk.check_relay().await;
    assert!(!relay.ok, "{relay:?}");
    assert!(
        relay.steps.last().unwrap().detail.contains("307"),
        "{relay:?}"
    );
    assert!(
        !redirector.received().is_empty(),
        "the redirector was asked"
    );
    assert!(
        elsewhere.received().is_empty(),
        "the redirect was not followed: {:?}",
        elsewhere.received()
    );

    // Back to the servers they were entered for: the secrets work again.
    desk.save_settings(SettingsInput {
        settings: world.settings(),
        client_secret: None,
        feed_token: secret(common::FEED_TOKEN),
    })
    .await
    .unwrap();
    let treezor = desk.check_treezor().await;
    assert!(treezor.ok, "{treezor:?}");
    let relay = desk.check_relay().await;
    assert!(relay.ok, "{relay:?}");
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_edited_settings_file_is_refused_at_start_without_falling_into_the_demo() {
    let world = World::start().await;
    let listener = Recorder::start(not_found).await;
    let desk = world.desk().await;
    desk.shutdown().await;
    drop(desk);
    // The relay URL edited by hand into one that hides its host behind user-info.
    let file = desk::settings::Paths::under(&world.desk_home()).settings_file;
    let edited = std::fs::read_to_string(&file).unwrap().replace(
        &format!("http://{}", world.relay_addr),
        &format!(
            "http://127.0.0.1@{}",
            listener.url.trim_start_matches("http://")
        ),
    );
    std::fs::write(&file, edited).unwrap();

    let desk = world.desk_as_configured().await;
    let status = desk.status();
    assert_eq!(status.mode, desk::status::ModeView::Live, "not the demo");
    let Some(desk::words::Words::InvalidSettingInFile {
        path,
        setting,
        file_key,
        problem,
    }) = status.startup_problem.clone()
    else {
        panic!("the start says why: {:?}", status.startup_problem);
    };
    assert!(
        path.ends_with("settings.json")
            && setting == desk::settings::Setting::RelayUrl
            && file_key == "relay.url"
            && problem == desk::settings::SettingProblem::UserInfo,
        "{problem}"
    );
    assert!(status.treezor_problem.is_some());
    assert!(desk.demo_sandbox().is_none(), "no demo world either");
    // As written, for the officer to correct.
    assert!(
        desk.settings_view()
            .settings
            .relay
            .unwrap()
            .url
            .contains('@')
    );
    let relay = desk.check_relay().await;
    assert!(
        !relay.ok && relay.steps[0].detail.contains("user name or password"),
        "{relay:?}"
    );
    assert!(listener.received().is_empty(), "{:?}", listener.received());

    // Valid settings saved: the problem goes, and the dashboard connects.
    desk.save_settings(SettingsInput {
        settings: world.settings(),
        client_secret: None,
        feed_token: None,
    })
    .await
    .unwrap();
    assert_eq!(desk.status().startup_problem, None);
    common::until(&desk, "the sync to reach the relay", || async {
        let health = desk.health().borrow().clone();
        (health.connection == desk::sync::Connection::Connected).then_some(())
    })
    .await;
    assert!(desk.check_treezor().await.ok);
    assert_eq!(Settings::load(&file).unwrap(), world.settings());
    desk.shutdown().await;
}
