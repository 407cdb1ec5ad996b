//! What the client's tests share: a sandbox on a free port, a client for it with short delays,
//! and a webhook receiver that verifies every signature with the `kyc` crate.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use kyc::UserId;
use kyc::webhook::{Envelope, WebhookSecret};
use sandbox::{NewUser, RunningSandbox, Sandbox, SandboxConfig};
use tokio::sync::Notify;
use treezor::{Client, ClientConfig, ClientSecret, DownloadPolicy, RetryPolicy};

/// How long a test waits for something that should happen within milliseconds.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub async fn sandbox(config: SandboxConfig) -> RunningSandbox {
    Sandbox::start(config).await.expect("the sandbox starts")
}

pub fn client_config(sandbox: &RunningSandbox) -> ClientConfig {
    let mut config = ClientConfig::new(
        sandbox.base_url(),
        sandbox.client_id(),
        ClientSecret::new(sandbox.client_secret()),
    );
    config.request_timeout = Duration::from_secs(3);
    config.retry = RetryPolicy {
        max_attempts: 4,
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(40),
    };
    config.download = DownloadPolicy {
        max_url_age: Duration::from_secs(25),
        min_remaining: Duration::from_secs(5),
        max_attempts: 4,
        idle_timeout: Duration::from_secs(3),
        max_bytes: treezor::DEFAULT_MAX_DOWNLOAD_BYTES,
    };
    config
}

pub fn client(sandbox: &RunningSandbox) -> Client {
    Client::new(client_config(sandbox)).expect("the client builds")
}

/// A person with everything a live verification needs.
pub fn person(sandbox: &RunningSandbox, firstname: &str) -> UserId {
    let id = sandbox
        .control()
        .create_user(&NewUser {
            firstname: Some(firstname.into()),
            lastname: Some("O'Brien-Lefèvre".into()),
            birthday: Some("1988-04-12".into()),
            email: Some("customer@example.com".into()),
            ..NewUser::default()
        })
        .expect("the user is created");
    UserId::new(id).unwrap()
}

/// One webhook as received: verified, parsed.
#[derive(Clone, Debug)]
pub struct Received {
    pub event: String,
    pub webhook_id: String,
    pub object_id: Option<String>,
    pub payload: String,
    pub envelope: Envelope,
}

struct Inbox {
    secret: WebhookSecret,
    received: Mutex<Vec<Received>>,
    refused: AtomicU32,
    fail_next: AtomicU32,
    arrived: Notify,
}

/// A real HTTP endpoint that accepts only webhooks whose signature verifies.
pub struct Receiver {
    pub url: String,
    inbox: Arc<Inbox>,
}

async fn accept(State(inbox): State<Arc<Inbox>>, body: Bytes) -> StatusCode {
    if inbox
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let Ok(envelope) = Envelope::parse(&body) else {
        inbox.refused.fetch_add(1, Ordering::SeqCst);
        return StatusCode::BAD_REQUEST;
    };
    if envelope.verify(&inbox.secret).is_err() {
        inbox.refused.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    }
    let received = Received {
        event: envelope.event.clone(),
        webhook_id: envelope.webhook_id.to_string(),
        object_id: envelope.object_id.clone(),
        payload: envelope.payload_json().to_owned(),
        envelope,
    };
    inbox.received.lock().unwrap().push(received);
    inbox.arrived.notify_waiters();
    StatusCode::OK
}

impl Receiver {
    pub async fn start(secret: &str) -> Receiver {
        let inbox = Arc::new(Inbox {
            secret: WebhookSecret::new(secret).unwrap(),
            received: Mutex::new(Vec::new()),
            refused: AtomicU32::new(0),
            fail_next: AtomicU32::new(0),
            arrived: Notify::new(),
        });
        let app = axum::Router::new()
            .route("/webhooks/treezor", post(accept))
            .with_state(Arc::clone(&inbox));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/webhooks/treezor", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, inbox }
    }

    /// Answers 503 to the next `n` webhooks.
    pub fn fail_next(&self, n: u32) {
        self.inbox.fail_next.store(n, Ordering::SeqCst);
    }

    pub fn all(&self) -> Vec<Received> {
        self.inbox.received.lock().unwrap().clone()
    }

    pub fn refused(&self) -> u32 {
        self.inbox.refused.load(Ordering::SeqCst)
    }

    /// Waits until `done` holds for the webhooks received, at most [`PATIENCE`].
    pub async fn wait_until(
        &self,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let arrived = self.inbox.arrived.notified();
            let all = self.all();
            if done(&all) {
                return all;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                let events: Vec<&str> = all.iter().map(|r| r.event.as_str()).collect();
                panic!("timed out waiting for {what}; received {events:?}");
            }
        }
    }

    /// Waits for a webhook `event` about `object_id`, and returns it.
    pub async fn wait_for(&self, event: &str, object_id: &str) -> Received {
        let matches = |r: &Received| r.event == event && r.object_id.as_deref() == Some(object_id);
        let all = self
            .wait_until(&format!("{event} for {object_id}"), |all| {
                all.iter().any(matches)
            })
            .await;
        all.into_iter().find(matches).unwrap()
    }
}

/// Waits until `check` holds, at most [`PATIENCE`], polling the in-process sandbox state.
pub async fn eventually(what: &str, check: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The names of the files in `dir`, sorted.
pub fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
