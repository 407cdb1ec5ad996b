//! What the sandbox's tests share: a sandbox on a free port, a raw HTTP client with a token, and
//! a webhook receiver that verifies every signature with the `kyc` crate.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use kyc::webhook::{Envelope, WebhookSecret};
use sandbox::{NewUser, RunningSandbox, Sandbox, SandboxConfig};
use tokio::sync::Notify;

pub const PATIENCE: Duration = Duration::from_secs(10);

pub async fn sandbox(config: SandboxConfig) -> RunningSandbox {
    Sandbox::start(config).await.expect("the sandbox starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn token(sandbox: &RunningSandbox, scope: Option<&str>) -> String {
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", sandbox.client_id()),
        ("client_secret", sandbox.client_secret()),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    let answer: serde_json::Value = http()
        .post(format!("{}/oauth/token", sandbox.base_url()))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["access_token"].as_str().unwrap().to_owned()
}

pub fn person(sandbox: &RunningSandbox, firstname: &str) -> u64 {
    sandbox
        .control()
        .create_user(&NewUser {
            firstname: Some(firstname.into()),
            lastname: Some("D'Angelo".into()),
            birthday: Some("1979-11-30".into()),
            ..NewUser::default()
        })
        .unwrap()
}

#[derive(Clone, Debug)]
pub struct Received {
    pub event: String,
    pub webhook_id: String,
    pub object_id: Option<String>,
    pub payload: String,
    pub content_type: String,
}

struct Inbox {
    secret: WebhookSecret,
    received: Mutex<Vec<Received>>,
    refused: AtomicU32,
    fail_next: AtomicU32,
    attempts: AtomicU32,
    arrived: Notify,
}

pub struct Receiver {
    pub url: String,
    inbox: Arc<Inbox>,
}

async fn accept(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    inbox.attempts.fetch_add(1, Ordering::SeqCst);
    inbox.arrived.notify_waiters();
    if inbox
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let verified = Envelope::parse(&body)
        .ok()
        .filter(|e| e.verify(&inbox.secret).is_ok());
    let Some(envelope) = verified else {
        inbox.refused.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED;
    };
    inbox.received.lock().unwrap().push(Received {
        event: envelope.event.clone(),
        webhook_id: envelope.webhook_id.to_string(),
        object_id: envelope.object_id.clone(),
        payload: envelope.payload_json().to_owned(),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
    });
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
            attempts: AtomicU32::new(0),
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

    pub fn fail_next(&self, n: u32) {
        self.inbox.fail_next.store(n, Ordering::SeqCst);
    }

    pub fn all(&self) -> Vec<Received> {
        self.inbox.received.lock().unwrap().clone()
    }

    pub fn refused(&self) -> u32 {
        self.inbox.refused.load(Ordering::SeqCst)
    }

    pub fn attempts(&self) -> u32 {
        self.inbox.attempts.load(Ordering::SeqCst)
    }

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
    /// Waits for the `kycliveness.update` about `user` (its decision), and returns its payload.
    pub async fn liveness_update(&self, what: &str, user: u64) -> String {
        let key = user.to_string();
        let is_it = |r: &Received| {
            r.event == "kycliveness.update" && r.object_id.as_deref() == Some(key.as_str())
        };
        let all = self.wait_until(what, |all| all.iter().any(&is_it)).await;
        all.into_iter().find(&is_it).unwrap().payload
    }
}

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
