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
        &["set", "treezor-client-secret"],
        Some("cs-9f2e-very-secret\n"),
    );
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    assert_eq!(
        service.lookup("treezor-client-secret").as_deref(),
        Some("cs-9f2e-very-secret"),
        "libsecret reads what the dashboard saved"
    );
    assert_eq!(
        stdout(&service.probe(&["has", "treezor-client-secret"], None)),
        "present"
    );
    assert_eq!(
        stdout(&service.probe(&["has", "relay-feed-token"], None)),
        "absent"
    );

    let deleted = service.probe(&["delete", "treezor-client-secret"], None);
    assert!(deleted.status.success());
    assert_eq!(service.lookup("treezor-client-secret"), None);
    assert_eq!(
        stdout(&service.probe(&["has", "treezor-client-secret"], None)),
        "absent"
    );
}

#[test]
fn the_probe_never_prints_a_secret() {
    let service = SecretService::start();
    let saved = service.probe(&["set", "relay-feed-token"], Some("feed-token-7c1d"));
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
    let saved = service.probe(&["set", "relay-feed-token"], Some("feed-token"));
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
