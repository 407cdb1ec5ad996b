//! The keychain against a real Secret Service. Each test starts a private D-Bus session bus and
//! its own gnome-keyring-daemon in a temporary home, so the officer's keyring is never touched and
//! tests do not disturb each other. The dashboard's keychain code runs in `kyc-desk-keychain`, a
//! separate process bound to that bus; `secret-tool`, libsecret's own client, checks what landed.

mod common;

use std::process::{Command, Output};

use common::secret_service::{PROBE, SecretService};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn a_saved_secret_lands_in_the_secret_service_and_comes_back() {
    let service = SecretService::start();
    let out = service.probe(&["status"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout(&service.probe(&["has", "treezor-client-secret"], None)),
        "absent"
    );

    let saved = service.probe(
        &[
            "set",
            "treezor-client-secret",
            "https://acme.api.treezor.com/",
        ],
        Some("cs-9f2e-very-secret\n"),
    );
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    let entry = service
        .lookup("treezor-client-secret.bound")
        .expect("libsecret finds what the dashboard saved");
    let entry: serde_json::Value = serde_json::from_str(&entry).unwrap();
    assert_eq!(
        entry,
        serde_json::json!({
            "origin": "https://acme.api.treezor.com",
            "secret": "cs-9f2e-very-secret"
        }),
        "one entry binds the secret to the server it was entered for"
    );
    assert_eq!(
        stdout(&service.probe(&["has", "treezor-client-secret"], None)),
        "present for https://acme.api.treezor.com"
    );
    assert_eq!(
        stdout(&service.probe(&["has", "relay-feed-token"], None)),
        "absent"
    );

    let deleted = service.probe(&["delete", "treezor-client-secret"], None);
    assert!(deleted.status.success());
    assert_eq!(service.lookup("treezor-client-secret.bound"), None);
    assert_eq!(
        stdout(&service.probe(&["has", "treezor-client-secret"], None)),
        "absent"
    );
}

#[test]
fn secrets_an_earlier_version_saved_unbound_are_bound_to_the_settings_servers_at_upgrade() {
    let service = SecretService::start();
    // What an earlier version left: the bare secrets, under their old entry names.
    for (entry, value) in [
        ("treezor-client-secret", "cs-from-before"),
        ("relay-feed-token", "ft-from-before"),
    ] {
        service.store_as_before(entry, value);
    }
    let settings_file = service.home.path().join("settings.json");
    desk::settings::Settings {
        treezor: Some(desk::settings::TreezorSettings {
            environment: desk::settings::Environment::Production,
            base_url: "https://acme.api.treezor.com".into(),
            client_id: "acme".into(),
            scopes: Vec::new(),
            client_certificate: None,
            client_key: None,
            extra_ca: None,
        }),
        relay: Some(desk::settings::RelaySettings {
            url: "https://relay.acme.example:8443/".into(),
        }),
        ..Default::default()
    }
    .save(&settings_file)
    .unwrap();

    let out = service.probe(&["bind-unbound", settings_file.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout(&out),
        "the Treezor client secret bound to https://acme.api.treezor.com\nthe relay feed token bound to https://relay.acme.example:8443"
    );
    for (entry, origin, value) in [
        (
            "treezor-client-secret",
            "https://acme.api.treezor.com",
            "cs-from-before",
        ),
        (
            "relay-feed-token",
            "https://relay.acme.example:8443",
            "ft-from-before",
        ),
    ] {
        assert_eq!(service.lookup(entry), None, "the unbound {entry} is gone");
        let bound: serde_json::Value =
            serde_json::from_str(&service.lookup(&format!("{entry}.bound")).unwrap()).unwrap();
        assert_eq!(bound["origin"], origin);
        assert_eq!(bound["secret"], value);
    }
    let again = service.probe(&["bind-unbound", settings_file.to_str().unwrap()], None);
    assert_eq!(stdout(&again), "nothing to bind");
}

#[test]
fn the_probe_never_prints_a_secret() {
    let service = SecretService::start();
    let saved = service.probe(
        &["set", "relay-feed-token", "https://relay.acme.example"],
        Some("feed-token-7c1d"),
    );
    let read = service.probe(&["has", "relay-feed-token"], None);
    for out in [saved, read] {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!all.contains("feed-token-7c1d"), "{all}");
    }
}

#[test]
fn a_locked_keyring_is_reported_as_locked_with_what_to_do() {
    let service = SecretService::start();
    let saved = service.probe(
        &["set", "relay-feed-token", "https://relay.acme.example"],
        Some("feed-token"),
    );
    assert!(saved.status.success());
    service.lock_login_keyring();
    let out = service.probe(&["has", "relay-feed-token"], None);
    let message = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "exit code for a locked keychain; stderr: {message}"
    );
    assert!(
        message.contains("locked") && message.contains("Unlock"),
        "{message}"
    );
}

#[test]
fn no_secret_service_is_reported_as_unavailable() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(PROBE)
        .arg("status")
        .env_clear()
        .env("HOME", home.path())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}/no-bus", home.path().display()),
        )
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{message}");
    assert!(message.contains("Secret Service"), "{message}");
}
