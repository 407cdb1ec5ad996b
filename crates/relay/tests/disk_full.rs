//! Drill: the disk under the relay's store fills up while webhooks keep coming.
//!
//! The real `kyc-relay` runs in a mount namespace of its own, its data folder on a 2 MiB tmpfs
//! mounted there (`unshare --mount`), so the kernel itself answers `ENOSPC` when the store grows,
//! exactly as a full disk does, and the mount goes away with the process. The test fills that
//! tmpfs to the last byte with a ballast file (reached through `/proc/PID/root`), then frees it.
//!
//! Why a tmpfs rather than SQLite's `max_page_count`: the page cap makes SQLite refuse before it
//! writes, while a full disk fails a write half-way through a WAL append; only the real thing
//! shows that a torn append is never taken for a commit. Mounting needs root (`CAP_SYS_ADMIN`),
//! which every machine of this project and its CI has; without it the test fails and says so.
//!
//! What it proves: while the disk is full every webhook gets 503 with `Retry-After` and is not
//! stored, the relay stays up and its feed still serves what it had; nothing half-stored appears;
//! once space returns, the same webhooks (Treezor delivers again after a 503) are stored, each
//! once, with no gap in the sequence numbers, and the store passes SQLite's integrity check.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::process::{BIN, Process, feed_ids};
use common::*;

/// Mounts the tmpfs on the data folder, then becomes the relay (same process, same namespace).
const MOUNT_THEN_SERVE: &str = r#"mount -t tmpfs -o size=2m,mode=0700 kyc-relay-drill "$1" && exec "$2" --log-format json serve --listen 127.0.0.1:0 --data "$1/events.sqlite3""#;

fn relay_on_a_small_disk(data_dir: &Path) -> Process {
    let mut command = Command::new("unshare");
    command
        .args(["--mount", "--propagation", "private", "--", "sh", "-c"])
        .arg(MOUNT_THEN_SERVE)
        .arg("sh")
        .arg(data_dir)
        .arg(BIN)
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .env("RUST_LOG", "info")
        .env("KYC_RELAY_WEBHOOK_SECRET", SECRET)
        .env("KYC_RELAY_FEED_TOKEN", TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    Process::spawn(command)
}

/// The data folder as the relay sees it, inside its namespace.
fn inside(process: &Process, data_dir: &Path) -> PathBuf {
    let relative = data_dir.strip_prefix("/").unwrap();
    PathBuf::from(format!("/proc/{}/root", process.child.id())).join(relative)
}

/// Writes a ballast file until the file system refuses: afterwards not one block is free.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("ballast");
    let mut file = std::fs::File::create(&path).unwrap();
    let chunk = vec![0xA5u8; 64 * 1024];
    // 2 MiB of tmpfs: 33 chunks at most, the last one short.
    for _ in 0..64 {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => {
                assert_eq!(
                    error.raw_os_error(),
                    Some(28),
                    "the ballast stops on ENOSPC, not on {error}"
                );
                return path;
            }
        }
    }
    panic!("the tmpfs never filled: is the data folder really on the 2 MiB mount?");
}

async fn post(http: &reqwest::Client, url: &str, id: &str, user: u64) -> reqwest::Response {
    http.post(format!("{url}/webhooks/treezor"))
        .body(envelope(id, &liveness_payload(user)))
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_with_503_stores_nothing_half_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("store");
    std::fs::create_dir(&data_dir).unwrap();
    let relay = relay_on_a_small_disk(&data_dir);
    let store = inside(&relay, &data_dir);
    assert!(
        store.join("events.sqlite3").exists(),
        "the store is on the relay's own mount"
    );
    assert!(
        !data_dir.join("events.sqlite3").exists(),
        "the mount is private to the relay"
    );
    let http = reqwest::Client::new();

    let before: Vec<String> = (0..20)
        .map(|i| format!("before-{i}-{}", new_id()))
        .collect();
    for (i, id) in before.iter().enumerate() {
        assert_eq!(
            post(&http, &relay.url, id, i as u64 + 1).await.status(),
            200
        );
    }

    let ballast = fill(&store);
    let refused: Vec<String> = (0..10).map(|i| format!("full-{i}-{}", new_id())).collect();
    for (i, id) in refused.iter().enumerate() {
        let response = post(&http, &relay.url, id, i as u64 + 100).await;
        assert_eq!(response.status(), 503, "webhook {id} on a full disk");
        assert!(response.headers().contains_key("retry-after"));
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "not_stored", "{body}");
        assert!(
            body["message"].as_str().unwrap().contains(id.as_str()),
            "{body}"
        );
    }
    let health = http
        .get(format!("{}/healthz", relay.url))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "the writer survives a full disk");
    let served = feed_ids(&http, &relay.url).await;
    assert_eq!(
        served.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>(),
        before,
        "the feed serves what was stored, and nothing of the refused webhooks"
    );

    std::fs::remove_file(&ballast).unwrap();
    let after: Vec<String> = (0..5).map(|i| format!("after-{i}-{}", new_id())).collect();
    for (i, id) in refused.iter().chain(&after).enumerate() {
        let response = post(&http, &relay.url, id, i as u64 + 200).await;
        assert_eq!(response.status(), 200, "webhook {id} once space returned");
    }
    // A delivery repeated after the disk recovered is still stored once.
    assert_eq!(post(&http, &relay.url, &refused[0], 1).await.status(), 200);

    let served = feed_ids(&http, &relay.url).await;
    let expected: Vec<String> = before
        .iter()
        .chain(&refused)
        .chain(&after)
        .cloned()
        .collect();
    assert_eq!(
        served.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>(),
        expected,
        "every webhook once, in the order it was stored"
    );
    let seqs: Vec<u64> = served.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(
        seqs,
        (1..=expected.len() as u64).collect::<Vec<_>>(),
        "the refused webhooks used no sequence number"
    );
    let check = rusqlite::Connection::open(store.join("events.sqlite3"))
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |row| row.get::<_, String>(0))
        .unwrap();
    assert_eq!(check, "ok");
    relay.kill();
}
