//! Proves the `kyc-relay` binary's promises as a process: it refuses to start without its
//! secrets, logs refusals without payloads, and keeps every acknowledged webhook exactly once
//! across a SIGKILL in the middle of a load.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use common::*;
use kyc::feed::FeedPage;
use tokio::sync::Notify;

const BIN: &str = env!("CARGO_BIN_EXE_kyc-relay");

fn command(data: &Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .env_clear()
        .env("RUST_LOG", "info")
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .arg("--data")
        .arg(data)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// A running `kyc-relay serve` and its log lines (JSON objects from stderr).
struct Process {
    child: Child,
    url: String,
    logs: mpsc::Receiver<serde_json::Value>,
}

impl Process {
    fn start(data: &Path) -> Process {
        let mut child = command(data)
            .env("KYC_RELAY_WEBHOOK_SECRET", SECRET)
            .env("KYC_RELAY_FEED_TOKEN", TOKEN)
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (lines, logs) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| serde_json::json!({ "raw": line }));
                if lines.send(value).is_err() {
                    return;
                }
            }
        });
        let listening = wait_for_log(&logs, |line| line["message"] == "relay listening");
        let url = format!("http://{}", listening["addr"].as_str().unwrap());
        Process { child, url, logs }
    }

    fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_for_log(
    logs: &mpsc::Receiver<serde_json::Value>,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    loop {
        let line = logs
            .recv_timeout(Duration::from_secs(30))
            .expect("the relay logs the expected line in time");
        if wanted(&line) {
            return line;
        }
    }
}

async fn feed_ids(http: &reqwest::Client, url: &str) -> Vec<(u64, String)> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page: FeedPage = http
            .get(format!("{url}/v1/events?after={after}&limit=1000"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let Some(last) = page.events.last() else {
            return all;
        };
        after = last.seq;
        all.extend(
            page.events
                .into_iter()
                .map(|e| (e.seq, e.webhook_id.as_str().to_owned())),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_webhook_survives_sigkill_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("events.sqlite3");
    let relay = Process::start(&data);
    let http = reqwest::Client::new();
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let enough = Arc::new(Notify::new());
    const KILL_AFTER: usize = 400;
    const SENDERS: usize = 16;
    const PER_SENDER: usize = 1000; // the load's bound if the kill came late
    let senders: Vec<_> = (0..SENDERS)
        .map(|s| {
            let (http, url) = (http.clone(), relay.url.clone());
            let (acknowledged, count, enough) =
                (acknowledged.clone(), count.clone(), enough.clone());
            tokio::spawn(async move {
                for i in 0..PER_SENDER {
                    let id = format!("kill-{s}-{i}-{}", new_id());
                    let sent = http
                        .post(format!("{url}/webhooks/treezor"))
                        .body(envelope(&id, &liveness_payload(i as u64 + 1)))
                        .send()
                        .await;
                    match sent {
                        Ok(response) if response.status() == 200 => {
                            acknowledged.lock().unwrap().push(id);
                            if count.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                                enough.notify_one();
                            }
                        }
                        // The process is gone: this one was never acknowledged.
                        _ => return,
                    }
                }
            })
        })
        .collect();
    tokio::time::timeout(Duration::from_secs(60), enough.notified())
        .await
        .expect("the relay acknowledges webhooks under load");
    relay.kill();
    for sender in senders {
        sender.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= KILL_AFTER);

    let restarted = Process::start(&data);
    let stored = feed_ids(&http, &restarted.url).await;
    let mut times_stored: HashMap<&str, usize> = HashMap::new();
    for (_, id) in &stored {
        *times_stored.entry(id.as_str()).or_default() += 1;
    }
    for id in &acknowledged {
        assert_eq!(
            times_stored.get(id.as_str()),
            Some(&1),
            "acknowledged webhook {id} is in the feed exactly once"
        );
    }
    assert!(times_stored.values().all(|&n| n == 1), "no id twice");
    let seqs: Vec<u64> = stored.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(
        seqs,
        (1..=stored.len() as u64).collect::<Vec<_>>(),
        "no gap and no reuse"
    );

    // Treezor redelivering after the crash changes nothing.
    for id in acknowledged.iter().take(20) {
        let response = http
            .post(format!("{}/webhooks/treezor", restarted.url))
            .body(envelope(id, &liveness_payload(1)))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    assert_eq!(feed_ids(&http, &restarted.url).await.len(), stored.len());
}

#[tokio::test]
async fn refusals_are_logged_with_reason_and_ids_but_never_the_payload() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Process::start(&dir.path().join("events.sqlite3"));
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

fn refused_start(command: &mut Command) -> String {
    let output = command.output().unwrap();
    assert!(!output.status.success());
    String::from_utf8(output.stderr).unwrap()
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
        command(&dir.path().join("events.sqlite3"))
            .env("KYC_RELAY_FEED_TOKEN", TOKEN)
            .arg("--webhook-secret-file")
            .arg(&secret_file),
    );
    assert!(loose.contains("chmod 600"), "{loose}");
    assert!(!loose.contains(SECRET), "{loose}");
}

#[tokio::test]
async fn secret_files_list_export_and_prune_work_on_the_data_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("events.sqlite3");
    let (secret_file, token_file) = (dir.path().join("secret"), dir.path().join("token"));
    for (file, value) in [(&secret_file, SECRET), (&token_file, TOKEN)] {
        std::fs::write(file, value).unwrap();
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let mut child = command(&data)
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
            .arg("--data")
            .arg(&data)
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

#[tokio::test]
async fn a_log_reader_that_goes_away_does_not_stop_the_relay() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(&dir.path().join("events.sqlite3"))
        .env("KYC_RELAY_WEBHOOK_SECRET", SECRET)
        .env("KYC_RELAY_FEED_TOKEN", TOKEN)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    let listening: serde_json::Value = serde_json::from_str(&first).unwrap();
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
