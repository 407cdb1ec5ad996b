//! Proves what the `kyc-relay` process refuses at start, and what it creates on disk: a weak
//! webhook secret or feed token is refused with how to make a good one, a TLS key file others can
//! read is refused with the fix, and the data file, its WAL and shared-memory files, the folder
//! it creates and the exports it writes are readable by their owner only.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::process::{BIN, Process, command, refused_start};
use common::*;

#[test]
fn a_weak_webhook_secret_is_refused_at_start_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("events.sqlite3");
    let said = refused_start(
        command(&data)
            .env("KYC_RELAY_WEBHOOK_SECRET", "changeme")
            .env("KYC_RELAY_FEED_TOKEN", TOKEN),
    );
    assert!(
        said.contains("the webhook secret has 8 characters"),
        "{said}"
    );
    assert!(said.contains("at least 16"), "{said}");
    assert!(!said.contains("changeme"), "{said}");
    assert!(!data.exists(), "nothing was created");
}

#[test]
fn a_short_feed_token_is_refused_at_start_with_how_to_make_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("events.sqlite3");
    let short = "0123456789abcdef0123"; // 20 characters: 80 bits as hex
    let said = refused_start(
        command(&data)
            .env("KYC_RELAY_WEBHOOK_SECRET", SECRET)
            .env("KYC_RELAY_FEED_TOKEN", short),
    );
    assert!(said.contains("the feed token has 20 characters"), "{said}");
    assert!(said.contains("at least 32"), "{said}");
    assert!(said.contains("openssl rand -hex 32"), "{said}");
    assert!(!said.contains(short), "{said}");
    let same = refused_start(
        command(&data)
            .env("KYC_RELAY_WEBHOOK_SECRET", TOKEN)
            .env("KYC_RELAY_FEED_TOKEN", TOKEN),
    );
    assert!(
        same.contains("the feed token is the webhook secret"),
        "{same}"
    );
    assert!(!data.exists(), "nothing was created");
}

#[test]
fn a_tls_key_file_others_can_read_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let files = tls_files(dir.path());
    std::fs::set_permissions(&files.private_key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let said = refused_start(
        command(dir.path().join("events.sqlite3"))
            .env("KYC_RELAY_WEBHOOK_SECRET", SECRET)
            .env("KYC_RELAY_FEED_TOKEN", TOKEN)
            .arg("--tls-cert")
            .arg(&files.certificate)
            .arg("--tls-key")
            .arg(&files.private_key),
    );
    assert!(
        said.contains(&*files.private_key.to_string_lossy()),
        "{said}"
    );
    assert!(said.contains("has mode 0644"), "{said}");
    assert!(said.contains("chmod 600"), "{said}");
    assert!(!said.contains("PRIVATE KEY"), "{said}");
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn the_data_file_its_wal_and_shm_its_folder_and_exports_are_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("state");
    let data = folder.join("events.sqlite3");
    let relay = Process::start(&data);
    let stored = reqwest::Client::new()
        .post(format!("{}/webhooks/treezor", relay.url))
        .body(envelope(&new_id(), &liveness_payload(1)))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 200);
    // While the relay runs, the WAL and the shared-memory index exist beside the data file.
    assert_eq!(mode(&folder), 0o700, "the folder the relay created");
    for file in ["events.sqlite3", "events.sqlite3-wal", "events.sqlite3-shm"] {
        assert_eq!(mode(&folder.join(file)), 0o600, "{file}");
    }
    let export = dir.path().join("export.jsonl");
    let output = Command::new(BIN)
        .args(["events", "export", "--data"])
        .arg(&data)
        .arg("--output")
        .arg(&export)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(mode(&export), 0o600, "the export");
    relay.kill();

    // A data file an older relay left readable by others is tightened at the next start.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o644)).unwrap();
    let again = Process::start(&data);
    assert_eq!(mode(&data), 0o600);
    let tightened = again.logged(|line| {
        line["message"]
            .as_str()
            .is_some_and(|m| m.contains("now readable by its owner only"))
    });
    assert_eq!(tightened["was"], "0644");
}
