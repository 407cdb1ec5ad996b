//! Proves that the team's deadlines are set at the hub by a senior and read by every desk, on
//! both stores: the defaults until one is set; a senior's policy served to every credential and
//! entered in the team's trail; an officer, an auditor and the shared feed token refused (403),
//! and a bad duration or state refused (400) saying what is allowed, the policy in force unchanged.

mod common;

use common::*;
use kyc::trail::TrailEntry;
use reqwest::Method;
use serde_json::{Value, json};

on_both_stores!(
    the_defaults_hold_until_a_senior_sets_deadlines_which_every_desk_then_reads,
    only_a_senior_sets_the_deadlines,
    a_bad_deadline_is_refused_saying_what_is_allowed_and_changes_nothing,
);

/// `GET /v1/deadlines` with `token`: (status, answer).
async fn deadlines(relay: &TestRelay, token: &str) -> (u16, Value) {
    let response = relay
        .http
        .get(format!("{}/v1/deadlines", relay.running.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn set(relay: &TestRelay, token: Option<&str>, policy: Value) -> (u16, Value) {
    send_json(relay, Method::PUT, "/v1/deadlines", token, &policy).await
}

fn defaults() -> Value {
    json!({"link_issued": 900, "validated": 86_400, "review_requested": 172_800})
}

async fn the_defaults_hold_until_a_senior_sets_deadlines_which_every_desk_then_reads(
    backend: Backend,
) {
    let relay = TestRelay::start(backend).await;
    let senior = add_officer(&relay.store, "Inès Senior", "senior");
    let officer = add_officer(&relay.store, "Zoé Martin", "officer");
    assert_eq!(deadlines(&relay, TOKEN).await, (200, defaults()));
    let policy = json!({"link_issued": 600, "documents_received": 7200});
    assert_eq!(
        set(&relay, Some(&senior), policy.clone()).await,
        (200, policy.clone())
    );
    for token in [TOKEN, officer.as_str(), senior.as_str()] {
        assert_eq!(deadlines(&relay, token).await, (200, policy.clone()));
    }
    // Who changed what the team works to is kept like any officer action.
    let response = relay
        .http
        .get(format!(
            "{}/v1/trail/export?format=json",
            relay.running.url()
        ))
        .bearer_auth(&senior)
        .send()
        .await
        .unwrap();
    let entries: Vec<TrailEntry> = response.json().await.unwrap();
    let entry = entries
        .iter()
        .find(|e| e.action == "set_deadlines")
        .expect("the change is in the trail");
    assert_eq!(entry.officer.as_str(), "Inès Senior");
    assert_eq!(
        serde_json::from_str::<Value>(&entry.detail).unwrap(),
        policy
    );
}

async fn only_a_senior_sets_the_deadlines(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let officer = add_officer(&relay.store, "Zoé Martin", "officer");
    let auditor = add_officer(&relay.store, "Audrey Audit", "auditor");
    let policy = json!({"link_issued": 60});
    for token in [officer.as_str(), auditor.as_str(), TOKEN] {
        let (status, answer) = set(&relay, Some(token), policy.clone()).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (403, Some("forbidden")),
            "{answer}"
        );
        assert!(
            answer["message"].as_str().unwrap().contains("role may not"),
            "{answer}"
        );
    }
    let (status, answer) = set(&relay, None, policy).await;
    assert_eq!(status, 401, "{answer}");
    assert_eq!(deadlines(&relay, TOKEN).await, (200, defaults()));
}

async fn a_bad_deadline_is_refused_saying_what_is_allowed_and_changes_nothing(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let senior = add_officer(&relay.store, "Inès Senior", "senior");
    let refusals = [
        (json!({"link_issued": 0}), "1 minute"),
        (json!({"validated": 400 * 24 * 3600}), "365 days"),
        (json!({"review_validated": 3600}), "waits on no one"),
        (json!({"lunch": 3600}), "no case state named"),
        (
            json!({"link_issued": "15 minutes"}),
            "state name to seconds",
        ),
        (json!([900]), "state name to seconds"),
    ];
    for (policy, says) in refusals {
        let (status, answer) = set(&relay, Some(&senior), policy.clone()).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some("bad_deadlines")),
            "{policy}: {answer}"
        );
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(says), "{policy}: {message}");
        assert!(
            message.starts_with("the deadlines were not changed"),
            "{message}"
        );
    }
    assert_eq!(deadlines(&relay, TOKEN).await, (200, defaults()));
}
