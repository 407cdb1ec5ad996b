//! What the relay's integration tests share: a relay on loopback with a store of its own (a fresh
//! SQLite file, or a fresh database on this test binary's PostgreSQL cluster), webhook envelopes
//! signed the way Treezor signs them, and [`on_both_stores!`], which runs a test body once on each
//! store.
#![allow(dead_code)]

pub mod process;

use std::path::{Path, PathBuf};

use kyc::feed::FeedPage;
use kyc::webhook::{WebhookSecret, sign_payload};
use relay::{FeedToken, Relay, RelayConfig, RunningRelay, StoreLocation};

/// Which store a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// A fresh, empty store: a file in `dir`, or a new database on the shared cluster.
    pub fn fresh_store(self, dir: &Path) -> StoreLocation {
        match self {
            Backend::Sqlite => StoreLocation::Sqlite(dir.join("events.sqlite3")),
            Backend::Postgres => StoreLocation::Postgres(rig::Cluster::shared().database("relay")),
        }
    }
}

/// Runs SQL on a store behind the relay's back (to age events, say), on either backend.
pub fn execute_sql(store: &StoreLocation, sql: &str) {
    match store {
        StoreLocation::Sqlite(path) => {
            rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch(sql)
                .unwrap();
        }
        StoreLocation::Postgres(url) => {
            let database = url.rsplit('/').next().unwrap();
            rig::Cluster::shared().psql(database, sql).unwrap();
        }
    }
}

/// Runs each named `async fn NAME(backend: Backend)` as two tests, `NAME::sqlite` and
/// `NAME::postgres`: one test suite, both stores.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name(super::Backend::Sqlite).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name(super::Backend::Postgres).await
                }
            }
        )+
    };
}

pub const SECRET: &str = "test-webhook-secret";
pub const TOKEN: &str = "test-feed-token-0123456789abcdef";

pub fn secret() -> WebhookSecret {
    WebhookSecret::new(SECRET).unwrap()
}

/// The test certificate for `localhost` and its key, copied into `dir` with the key owner-only
/// (the relay refuses a key file others can read; git checks files out 0644).
pub fn tls_files(dir: &std::path::Path) -> relay::TlsFiles {
    use std::os::unix::fs::PermissionsExt;
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let (certificate, private_key) = (dir.join("localhost.crt"), dir.join("localhost.key"));
    std::fs::copy(fixtures.join("localhost.crt"), &certificate).unwrap();
    std::fs::copy(fixtures.join("localhost.key"), &private_key).unwrap();
    std::fs::set_permissions(&private_key, std::fs::Permissions::from_mode(0o600)).unwrap();
    relay::TlsFiles {
        certificate,
        private_key,
    }
}

/// Sends `request` and reads its answer as JSON.
async fn json_answer<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> T {
    request.send().await.unwrap().json().await.unwrap()
}

/// One page of the feed at `url` (the events URL with its query), read with the feed token.
pub async fn feed_page(http: &reqwest::Client, url: impl reqwest::IntoUrl) -> FeedPage {
    json_answer(http.get(url).bearer_auth(TOKEN)).await
}

/// `GET /healthz` of the relay at `base_url`, as JSON.
pub async fn health(http: &reqwest::Client, base_url: &str) -> serde_json::Value {
    json_answer(http.get(format!("{base_url}/healthz"))).await
}

/// A relay's configuration for tests: 127.0.0.1:0, the test secret and token, on `store`.
pub fn config(store: StoreLocation) -> RelayConfig {
    RelayConfig::new(store, secret(), FeedToken::new(TOKEN).unwrap())
}

/// A relay on 127.0.0.1:0 over a fresh store; the directory lives as long as the value.
pub struct TestRelay {
    pub running: RunningRelay,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    pub store: StoreLocation,
}

impl TestRelay {
    pub async fn start(backend: Backend) -> TestRelay {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut RelayConfig)) -> TestRelay {
        let dir = tempfile::tempdir().unwrap();
        let store = backend.fresh_store(dir.path());
        let mut config = config(store.clone());
        adjust(&mut config);
        let running = Relay::start(config).await.unwrap();
        TestRelay {
            running,
            dir,
            http: reqwest::Client::new(),
            store,
        }
    }

    pub fn data_file(&self) -> PathBuf {
        self.dir.path().join("events.sqlite3")
    }

    pub async fn post(&self, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.post_as(body, "application/json").await
    }

    pub async fn post_as(
        &self,
        body: impl Into<reqwest::Body>,
        content_type: &str,
    ) -> reqwest::Response {
        self.http
            .post(self.running.webhook_url())
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn feed(&self, query: &str) -> FeedPage {
        let response = self
            .http
            .get(format!("{}?{query}", self.running.events_url()))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    /// Every stored event, paging through the feed.
    pub async fn all_events(&self) -> Vec<kyc::feed::FeedEvent> {
        let mut events = Vec::new();
        let mut after = 0;
        loop {
            let page = self.feed(&format!("after={after}&limit=1000")).await;
            match page.events.last() {
                Some(last) => after = last.seq,
                None => return events,
            }
            events.extend(page.events);
        }
    }
}

/// A flat `kycliveness.update` envelope for `payload`, signed with `secret`.
pub fn envelope_signed_with(secret: &WebhookSecret, webhook_id: &str, payload: &str) -> String {
    let signature = sign_payload(secret, payload);
    format!(
        r#"{{"webhook":"kycliveness.update","webhook_id":"{webhook_id}","webhook_created_at":"1720000000.1234","object":"kycliveness","object_id":"123","object_payload":{payload},"object_payload_signature":"{signature}"}}"#
    )
}

pub fn envelope(webhook_id: &str, payload: &str) -> String {
    envelope_signed_with(&secret(), webhook_id, payload)
}

pub fn liveness_payload(user_id: u64) -> String {
    format!(
        r#"{{"user_id":"{user_id}","kyc-status":"processed","score":"1","identification-id":"idv-{user_id}"}}"#
    )
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Issues a credential through `kyc-relay officers add` and gives it.
pub fn add_officer(store: &StoreLocation, name: &str, role: &str) -> String {
    let store = match store {
        StoreLocation::Sqlite(path) => format!("sqlite:{}", path.display()),
        StoreLocation::Postgres(url) => url.clone(),
    };
    let output = std::process::Command::new(process::BIN)
        .env_clear()
        .args(["officers", "add", name, "--role", role, "--store", &store])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// `POST /v1/team` with `token` (if any); (status, answer as JSON).
pub async fn team_write(
    relay: &TestRelay,
    token: Option<&str>,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    post_json(relay, "/v1/team", token, &body).await
}

/// POSTs `body` to `path` with `token` (if any); (status, answer as JSON).
pub async fn post_json(
    relay: &TestRelay,
    path: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    send_json(relay, reqwest::Method::POST, path, token, body).await
}

/// Sends `body` to `path` with `method` and `token` (if any); (status, answer as JSON).
pub async fn send_json(
    relay: &TestRelay,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let mut request = relay
        .http
        .request(method, format!("{}{path}", relay.running.url()))
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}
