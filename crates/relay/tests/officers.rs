//! Proves officers' own credentials, on both stores, through the real `kyc-relay officers`
//! commands: a credential is printed once and only its digest is stored; `GET /v1/me` names its
//! officer and role (and no one for the shared feed token, which keeps working); a revoked
//! credential is refused at its next request, even by a long poll that was already waiting, and by
//! every instance sharing the store. An administrator adding several officers at once, on a store
//! not created yet, gets every credential.

mod common;

use std::process::Command;
use std::time::Duration;

use common::process::BIN;
use common::*;
use relay::{Relay, StoreLocation};

on_both_stores!(
    credentials_are_issued_named_listed_and_revoked,
    a_poll_waiting_when_its_credential_is_revoked_gets_401,
    officers_added_at_once_on_a_new_store_are_all_issued,
);

fn store_arg(store: &StoreLocation) -> String {
    match store {
        StoreLocation::Sqlite(path) => format!("sqlite:{}", path.display()),
        StoreLocation::Postgres(url) => url.clone(),
    }
}

/// Runs `kyc-relay officers ARGS --store STORE`; (success, stdout, stderr).
fn officers(store: &StoreLocation, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(BIN)
        .env_clear()
        .arg("officers")
        .args(args)
        .arg("--store")
        .arg(store_arg(store))
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Issues a credential and gives it.
fn add(store: &StoreLocation, name: &str, role: &str) -> String {
    let (ok, stdout, stderr) = officers(store, &["add", name, "--role", role]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("shown this once"), "{stderr}");
    stdout.trim().to_owned()
}

async fn me(http: &reqwest::Client, url: &str, token: &str) -> (u16, serde_json::Value) {
    let response = http
        .get(format!("{url}/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Every stored column of the officers table, as text.
fn officers_table(store: &StoreLocation) -> String {
    match store {
        StoreLocation::Sqlite(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            let mut stmt = conn
                .prepare("SELECT name, role, hex(token_hash), created_at, revoked_at FROM officers")
                .unwrap();
            let rows = stmt
                .query_map([], |r| {
                    Ok(format!(
                        "{}|{}|{}|{}|{:?}",
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Option<i64>>(4)?
                    ))
                })
                .unwrap();
            rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
        }
        StoreLocation::Postgres(url) => rig::Cluster::shared()
            .psql(
                url.rsplit('/').next().unwrap(),
                "SELECT officers::text FROM officers",
            )
            .unwrap(),
    }
}

async fn officers_added_at_once_on_a_new_store_are_all_issued(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = backend.fresh_store(dir.path());
    // Started together, before any of them has created the store or its tables.
    let outputs: Vec<_> = (0..6)
        .map(|i| {
            let store = store_arg(&store);
            std::thread::spawn(move || {
                Command::new(BIN)
                    .env_clear()
                    .args([
                        "officers",
                        "add",
                        &format!("Officer {i}"),
                        "--role",
                        "officer",
                    ])
                    .args(["--store", &store])
                    .output()
                    .unwrap()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|thread| thread.join().unwrap())
        .collect();
    for output in &outputs {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let (ok, listed, stderr) = officers(&store, &["list"]);
    assert!(ok, "{stderr}");
    for i in 0..6 {
        assert!(listed.contains(&format!("Officer {i}")), "{listed}");
    }
}

async fn credentials_are_issued_named_listed_and_revoked(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let url = relay.running.url();
    let http = &relay.http;
    let zoe = add(&relay.store, "Zoé Martin", "senior");
    assert!(zoe.starts_with("kyco_"), "{zoe}");
    let ana = add(&relay.store, "Ana", "auditor");

    assert_eq!(
        me(http, &url, &zoe).await,
        (
            200,
            serde_json::json!({"name": "Zoé Martin", "role": "senior", "claim_lapse_seconds": 14_400})
        )
    );
    assert_eq!(
        me(http, &url, &ana).await,
        (
            200,
            serde_json::json!({"name": "Ana", "role": "auditor", "claim_lapse_seconds": 14_400})
        )
    );
    assert_eq!(
        me(http, &url, TOKEN).await,
        (
            200,
            serde_json::json!({"name": null, "role": "officer", "claim_lapse_seconds": 14_400})
        ),
        "the shared feed token still works and names no one"
    );
    let (status, refused) = me(http, &url, "kyco_not-issued-by-this-hub").await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (401, Some("unauthorized"))
    );
    for token in [&zoe, &ana] {
        let feed = http
            .get(relay.running.events_url())
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(feed.status(), 200, "an officer's credential reads the feed");
    }

    let table = officers_table(&relay.store);
    assert!(table.contains("Zoé Martin"), "{table}");
    assert!(
        !table.contains(&zoe) && !table.contains(&zoe["kyco_".len()..]),
        "the store keeps a digest, never the credential: {table}"
    );

    let (ok, _, stderr) = officers(&relay.store, &["add", "Zoé Martin", "--role", "officer"]);
    assert!(
        !ok && stderr.contains("already has an active credential"),
        "{stderr}"
    );
    let (ok, _, stderr) = officers(&relay.store, &["add", "Bob", "--role", "admin"]);
    assert!(
        !ok && stderr.contains("use officer, senior or auditor"),
        "{stderr}"
    );

    let (ok, _, stderr) = officers(&relay.store, &["revoke", "Zoé Martin"]);
    assert!(ok, "{stderr}");
    let (status, refused) = me(http, &url, &zoe).await;
    assert_eq!(status, 401, "refused at its very next request");
    assert_eq!(refused["error"], "credential_revoked");
    // Whose, and since when, beside the code: a desk words it without the English message.
    assert_eq!(refused["officer"], "Zoé Martin", "{refused}");
    assert!(refused["revoked_at"].as_str().is_some(), "{refused}");
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.contains("Zoé Martin") && message.contains("new one"),
        "{message}"
    );
    let feed = http
        .get(relay.running.events_url())
        .bearer_auth(&zoe)
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), 401);
    assert_eq!(me(http, &url, &ana).await.0, 200, "others are unaffected");

    let (ok, list, _) = officers(&relay.store, &["list"]);
    assert!(ok);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(lines[0].starts_with("Zoé Martin\tsenior\tadded ") && lines[0].contains("\trevoked "));
    assert!(lines[1].starts_with("Ana\tauditor\t") && lines[1].ends_with("\tactive"));
    assert!(!list.contains("kyco_"), "list shows no credential");

    let (ok, _, stderr) = officers(&relay.store, &["revoke", "Zoé Martin"]);
    assert!(!ok && stderr.contains("no officer named Zoé Martin has an active credential"));
    let again = add(&relay.store, "Zoé Martin", "officer");
    assert_eq!(
        me(http, &url, &again).await,
        (
            200,
            serde_json::json!({"name": "Zoé Martin", "role": "officer", "claim_lapse_seconds": 14_400})
        )
    );
    assert_eq!(
        me(http, &url, &zoe).await.0,
        401,
        "the old one stays revoked"
    );
}

async fn a_poll_waiting_when_its_credential_is_revoked_gets_401(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let token = add(&relay.store, "Chloé", "officer");
    let poll = {
        let request = relay
            .http
            .get(format!("{}?after=0&wait=60", relay.running.events_url()))
            .bearer_auth(&token);
        tokio::spawn(async move { request.send().await.unwrap() })
    };
    let mut waiting = relay.running.waiting_readers();
    tokio::time::timeout(Duration::from_secs(20), waiting.wait_for(|n| *n == 1))
        .await
        .expect("the reader parks")
        .unwrap();
    let (ok, _, stderr) = officers(&relay.store, &["revoke", "Chloé"]);
    assert!(ok, "{stderr}");
    assert_eq!(
        relay
            .post(envelope(&new_id(), &liveness_payload(1)))
            .await
            .status(),
        200
    );
    let answer = tokio::time::timeout(Duration::from_secs(20), poll)
        .await
        .expect("the poll answers on the commit")
        .unwrap();
    assert_eq!(
        answer.status(),
        401,
        "nothing more for a revoked credential"
    );
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["error"], "credential_revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_credential_revoked_through_one_instance_is_refused_by_every_instance() {
    let dir = tempfile::tempdir().unwrap();
    let store = Backend::Postgres.fresh_store(dir.path());
    let a = Relay::start(config(store.clone())).await.unwrap();
    let b = Relay::start(config(store.clone())).await.unwrap();
    let http = reqwest::Client::new();
    let token = add(&store, "Inès", "officer");
    for relay in [&a, &b] {
        assert_eq!(me(&http, &relay.url(), &token).await.0, 200);
    }
    let (ok, _, stderr) = officers(&store, &["revoke", "Inès"]);
    assert!(ok, "{stderr}");
    for relay in [&a, &b] {
        let (status, body) = me(&http, &relay.url(), &token).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("credential_revoked"))
        );
    }
}
