//! The real `kyc-relay` binary as a child process, and its JSON log lines.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::{SECRET, TOKEN};

pub const BIN: &str = env!("CARGO_BIN_EXE_kyc-relay");

/// `kyc-relay serve` on 127.0.0.1:0 over `store` (a path is a SQLite file), without secrets.
pub fn command(store: impl Into<relay::StoreLocation>) -> Command {
    let store = store.into();
    let mut command = Command::new(BIN);
    command.env_clear().env("RUST_LOG", "info").args([
        "--log-format",
        "json",
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    match &store {
        relay::StoreLocation::Sqlite(path) => command.arg("--data").arg(path),
        relay::StoreLocation::Postgres(url) => command.arg("--store").arg(url),
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// A running `kyc-relay serve` and its log lines (JSON objects from stderr).
pub struct Process {
    pub child: Child,
    pub url: String,
    pub logs: mpsc::Receiver<serde_json::Value>,
}

impl Process {
    pub fn start(store: impl Into<relay::StoreLocation>) -> Process {
        let mut command = command(store);
        command
            .env("KYC_RELAY_WEBHOOK_SECRET", SECRET)
            .env("KYC_RELAY_FEED_TOKEN", TOKEN);
        Process::spawn(command)
    }

    /// Spawns `command`, which must end up running `kyc-relay serve` with stderr piped, and waits
    /// until it listens.
    pub fn spawn(mut command: Command) -> Process {
        let mut child = command.spawn().unwrap();
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

    pub fn kill(mut self) {
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

pub fn wait_for_log(
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

pub async fn feed_ids(http: &reqwest::Client, url: &str) -> Vec<(u64, String)> {
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page =
            super::feed_page(http, format!("{url}/v1/events?after={after}&limit=1000")).await;
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
