//! Proves the `kyc-relay` binary's promises as a process: it refuses to start without its
//! secrets, logs refusals without payloads, survives its log reader going away, and its operator
//! commands work on the store.

mod common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use common::process::{BIN, Process, command, refused_start, wait_for_log};
use common::*;

#[tokio::test]
async fn refusals_are_logged_with_reason_and_ids_but_never_the_payload() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Process::start(dir.path().join("events.sqlite3"));
    let http = reqwest::Client::new();
    let marker = "PAYLOAD-CONTENT-MUST-NOT-BE-LOGGED";
    let payload = format!(r#"{{"user_id":"77","kyc-status":"processed","comment":"{marker}"}}"#);
    let forged = envelope(&new_id(), &payload).replace(r#""user_id":"77""#, r#""user_id":"78""#);
    let id = forged.split(r#""webhook_id":""#).nth(1).unwrap()[..36].to_owned();
    let response = http
        .post(format!("{}/webhooks/treezor", relay.url))
        .body(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let refused = wait_for_log(&relay.logs, |line| line["message"] == "webhook refused");
    assert_eq!(refused["webhook_id"], id.as_str());
    assert_eq!(refused["event"], "kycliveness.update");
    assert_eq!(refused["object_id"], "123");
    assert!(
        refused["reason"]
            .as_str()
            .unwrap()
            .contains("does not match")
    );
    assert!(!refused.to_string().contains(marker), "{refused}");

    let not_json = format!(r#"{{"webhook": "{marker}"#);
    let response = http
        .post(format!("{}/webhooks/treezor", relay.url))
        .body(not_json)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let refused = wait_for_log(&relay.logs, |line| {
        line["message"] == "webhook refused: not an envelope"
    });
    assert!(refused["reason"].as_str().unwrap().contains("not JSON"));
    assert!(!refused.to_string().contains(marker), "{refused}");
}

#[test]
fn it_refuses_to_start_without_a_secret_or_a_token_and_says_what_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("events.sqlite3");
    let no_secret = refused_start(command(&data).env("KYC_RELAY_FEED_TOKEN", TOKEN));
    assert!(
        no_secret.contains("set KYC_RELAY_WEBHOOK_SECRET"),
        "{no_secret}"
    );
    assert!(no_secret.contains("--webhook-secret-file"), "{no_secret}");
    let no_token = refused_start(command(&data).env("KYC_RELAY_WEBHOOK_SECRET", SECRET));
    assert!(no_token.contains("set KYC_RELAY_FEED_TOKEN"), "{no_token}");
    let short = refused_start(
        command(&data)
            .env("KYC_RELAY_WEBHOOK_SECRET", SECRET)
            .env("KYC_RELAY_FEED_TOKEN", "short"),
    );
    assert!(short.contains("openssl rand -hex 32"), "{short}");
    assert!(!data.exists(), "nothing was created");
}

#[test]
fn a_secret_file_others_can_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("webhook-secret");
    std::fs::write(&secret_file, format!("{SECRET}\n")).unwrap();
    std::fs::set_permissions(&secret_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let loose = refused_start(
        command(dir.path().join("events.sqlite3"))
            .env("KYC_RELAY_FEED_TOKEN", TOKEN)
            .arg("--webhook-secret-file")
            .arg(&secret_file),
    );
    assert!(loose.contains("chmod 600"), "{loose}");
    assert!(!loose.contains(SECRET), "{loose}");
}

on_both_stores!(secret_files_list_export_and_prune_work_on_the_store);

async fn secret_files_list_export_and_prune_work_on_the_store(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let data = backend.fresh_store(dir.path());
    let (secret_file, token_file) = (dir.path().join("secret"), dir.path().join("token"));
    for (file, value) in [(&secret_file, SECRET), (&token_file, TOKEN)] {
        std::fs::write(file, value).unwrap();
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let mut child = command(data.clone())
        .arg("--webhook-secret-file")
        .arg(&secret_file)
        .arg("--feed-token-file")
        .arg(&token_file)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut url = None;
    for line in stderr.by_ref().map_while(Result::ok) {
        let line: serde_json::Value = serde_json::from_str(&line).unwrap();
        if line["message"] == "relay listening" {
            url = Some(format!("http://{}", line["addr"].as_str().unwrap()));
            break;
        }
    }
    let url = url.expect("the relay starts with secrets from files");
    let rest_of_log = std::thread::spawn(move || stderr.map_while(Result::ok).collect::<Vec<_>>());
    let http = reqwest::Client::new();
    let payload = r#"{"user_id":"5","kyc-status":"processing","note":"Zoé"}"#;
    for id in ["w-1", "w-2", "w-3"] {
        let response = http
            .post(format!("{url}/webhooks/treezor"))
            .body(envelope(id, payload))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    // SIGTERM: a graceful stop.
    Command::new("kill")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let log = rest_of_log.join().unwrap().join("\n");
    assert!(
        status.success(),
        "a graceful stop exits 0: {status:?}\n{log}"
    );
    assert!(log.contains("relay stopped"), "{log}");

    let run = |args: &[&str]| {
        let output = Command::new(BIN)
            .env_clear()
            .args(args)
            .arg("--store")
            .arg(store_arg(&data))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };
    let list = run(&["events", "list", "--after", "1"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].starts_with("2\t"), "{list}");
    assert!(lines[0].contains("\tkycliveness.update\tw-2\tkycliveness\t123"));
    assert!(!list.contains("Zoé"), "list shows no payload");

    let export = run(&["events", "export"]);
    let events: Vec<kyc::feed::FeedEvent> = export
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2].object_payload.get(), payload);

    run(&["prune", "--older-than-days", "1"]);
    assert_eq!(
        run(&["events", "list"]).lines().count(),
        3,
        "recent events stay"
    );
    run(&["prune", "--older-than-days", "0"]);
    assert_eq!(run(&["events", "list"]).lines().count(), 0);

    let missing = Command::new(BIN)
        .args(["events", "list", "--data", "/nonexistent/events.sqlite3"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no event store at"));
}

/// `--store`'s value for a store.
fn store_arg(store: &relay::StoreLocation) -> String {
    match store {
        relay::StoreLocation::Sqlite(path) => format!("sqlite:{}", path.display()),
        relay::StoreLocation::Postgres(url) => url.clone(),
    }
}

#[tokio::test]
async fn a_log_reader_that_goes_away_does_not_stop_the_relay() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(dir.path().join("events.sqlite3"))
        .env("KYC_RELAY_WEBHOOK_SECRET", SECRET)
        .env("KYC_RELAY_FEED_TOKEN", TOKEN)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let listening = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "the relay starts");
        let line: serde_json::Value = serde_json::from_str(&line).unwrap();
        if line["message"] == "relay listening" {
            break line;
        }
    };
    let url = format!("http://{}", listening["addr"].as_str().unwrap());
    drop(stderr);
    let http = reqwest::Client::new();
    // A refusal writes a log line into the closed pipe.
    let refused = http
        .post(format!("{url}/webhooks/treezor"))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let stored = http
        .post(format!("{url}/webhooks/treezor"))
        .body(envelope(&new_id(), &liveness_payload(1)))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 200);
    Command::new("kill")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}
