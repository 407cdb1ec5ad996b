//! The real `kyc-relay` binary as a child process, and its JSON log lines.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::{SECRET, TOKEN};

pub const BIN: &str = env!("CARGO_BIN_EXE_kyc-relay");

/// `kyc-relay serve` on 127.0.0.1:0 over `store` (a path is a SQLite file), without secrets.
pub fn command(store: impl Into<relay::StoreLocation>) -> Command {
    command_with_log_format(store, "json")
}

/// `kyc-relay serve` on a free loopback port over `store`, logging in `format` (`json` or
/// `text`).
pub fn command_with_log_format(store: impl Into<relay::StoreLocation>, format: &str) -> Command {
    let store = store.into();
    let mut command = Command::new(BIN);
    command.env_clear().env("RUST_LOG", "info").args([
        "--log-format",
        format,
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]);
    match &store {
        relay::StoreLocation::Sqlite(path) => command.arg("--data").arg(path),
        relay::StoreLocation::Postgres(url) => command
            .arg("--store")
            .arg(url)
            .arg("--trail-key-file")
            .arg(shared_trail_key(url)),
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// The trail's key file for every instance on the database at `url`, made here before any
/// instance starts (instances of one hub share it; each database has its own).
fn shared_trail_key(url: &str) -> std::path::PathBuf {
    let database = url.rsplit('/').next().unwrap_or("relay");
    let path = std::env::temp_dir().join(format!("kyc-relay-test-trail-key-{database}"));
    relay::trail::TrailKey::load_or_create(&path).unwrap();
    path
}

/// Runs `command`, which must refuse to start, and returns what it said on stderr. A relay that
/// starts instead is stopped after a bound and fails the test.
pub fn refused_start(command: &mut Command) -> String {
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let said = std::thread::spawn(move || {
        let mut said = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut said);
        said
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!(
                "the relay started instead of refusing:\n{}",
                said.join().unwrap()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    said.join().unwrap()
}

/// `command` run under a soft open-file limit of `soft` (the hard one unchanged), the way a
/// service manager starts it.
pub fn with_file_limit(command: &mut Command, soft: u64) -> Command {
    let hard = rustix::process::getrlimit(rustix::process::Resource::Nofile)
        .maximum
        .map_or("unlimited".to_owned(), |h| h.to_string());
    let mut limited = Command::new("prlimit");
    limited
        .arg(format!("--nofile={soft}:{hard}"))
        .arg("--")
        .arg(command.get_program())
        .args(command.get_args())
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (name, value) in command.get_envs() {
        if let Some(value) = value {
            limited.env(name, value);
        }
    }
    limited
}

/// The resident and proportional memory of process `pid` in KiB, as the kernel counts them.
pub fn memory_of(pid: u32) -> (u64, u64) {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap();
    let field = |name: &str| {
        rollup
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap()
    };
    (field("Rss:"), field("Pss:"))
}

/// A running `kyc-relay serve` and its log lines (JSON objects from stderr).
pub struct Process {
    pub child: Child,
    pub url: String,
    pub logs: mpsc::Receiver<serde_json::Value>,
    /// The lines logged before it listened.
    pub before_listening: Vec<serde_json::Value>,
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
        let mut before_listening = Vec::new();
        let listening = wait_for_log(&logs, |line| {
            before_listening.push(line.clone());
            line["message"] == "relay listening"
        });
        let url = format!("http://{}", listening["addr"].as_str().unwrap());
        Process {
            child,
            url,
            logs,
            before_listening,
        }
    }

    /// The first line logged (since the start) that is `wanted`.
    pub fn logged(&self, wanted: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
        match self.before_listening.iter().find(|line| wanted(line)) {
            Some(line) => line.clone(),
            None => wait_for_log(&self.logs, wanted),
        }
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
    mut wanted: impl FnMut(&serde_json::Value) -> bool,
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
