//! Proves the team's audit trail at the hub, on both stores: team records and desks' entries form
//! one keyed chain, each entry named with the officer the hub authenticated and stored once
//! however often it is sent; the hub verifies the chain and names the first entry changed or
//! removed behind its back in the database; exports filter by case, officer and period; the
//! auditor reads everything and writes nothing, an officer cannot export.

mod common;

use common::*;
use kyc::trail::{BreakKind, TrailCheck, TrailEntry};
use serde_json::json;

on_both_stores!(
    team_records_and_desk_entries_form_one_chain_stored_once_each,
    a_row_changed_or_removed_in_the_database_is_named_by_verify,
    exports_filter_by_case_officer_and_period,
    the_hub_names_the_author_and_roles_decide_who_writes_and_who_exports,
    claims_the_hub_decides_are_in_the_trail_and_a_refused_one_is_not,
);

fn desk_entry(id: &str, action: &str, user: &str) -> serde_json::Value {
    json!({
        "id": id,
        "action": action,
        "outcome": "succeeded",
        "user_id": user,
        "document_id": null,
        "detail": "reasons 2304",
        "occurred_at": "2026-12-01T09:00:00Z",
    })
}

/// `POST /v1/trail` with `token` (if any); (status, answer as JSON).
async fn send(
    relay: &TestRelay,
    token: Option<&str>,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    post_json(relay, "/v1/trail", token, body).await
}

async fn note(relay: &TestRelay, token: &str, id: &str, user: &str) -> u16 {
    let body =
        json!({"id": id, "event": {"kind": "note", "user_id": user, "text": "Called: no answer."}});
    team_write(relay, Some(token), body).await.0
}

async fn verify(relay: &TestRelay, token: &str) -> TrailCheck {
    verify_seeing(relay, token, "").await
}

/// `GET /v1/trail/verify?QUERY`.
async fn verify_seeing(relay: &TestRelay, token: &str, query: &str) -> TrailCheck {
    let response = relay
        .http
        .get(format!("{}/v1/trail/verify{query}", relay.running.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// `GET /v1/trail/export?QUERY`: (status, body).
async fn export(relay: &TestRelay, token: &str, query: &str) -> (u16, String) {
    let response = relay
        .http
        .get(format!("{}/v1/trail/export?{query}", relay.running.url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn entries(relay: &TestRelay, token: &str, query: &str) -> Vec<TrailEntry> {
    let (status, body) = export(relay, token, &format!("format=json{query}")).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn team_records_and_desk_entries_form_one_chain_stored_once_each(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé Martin", "officer");
    let sam = add_officer(&relay.store, "Sam", "senior");
    let ana = add_officer(&relay.store, "Ana", "auditor");
    assert_eq!(
        relay
            .post(envelope("w-1", &liveness_payload(42)))
            .await
            .status(),
        200
    );
    assert_eq!(note(&relay, &zoe, "n-1", "42").await, 201);
    let download = desk_entry("a-1", "download_document", "42");
    assert_eq!(
        send(&relay, Some(&zoe), &download).await,
        (201, json!({"seq": 2}))
    );
    // Sent again (the answer was lost, the outbox retries): stored once.
    assert_eq!(
        send(&relay, Some(&zoe), &download).await,
        (200, json!({"seq": null}))
    );
    // A colleague's entry under the same id is theirs.
    assert_eq!(
        send(
            &relay,
            Some(&sam),
            &desk_entry("a-1", "request_review", "42")
        )
        .await,
        (201, json!({"seq": 3}))
    );
    // A note sent again is stored once, and so is its entry.
    assert_eq!(note(&relay, &zoe, "n-1", "42").await, 200);
    assert_eq!(
        relay
            .post(envelope("w-2", &liveness_payload(43)))
            .await
            .status(),
        200
    );

    let trail = entries(&relay, &ana, "").await;
    let shape: Vec<(u64, &str, &str, Option<u64>)> = trail
        .iter()
        .map(|e| (e.seq, e.officer.as_str(), e.action.as_str(), e.feed_seq))
        .collect();
    assert_eq!(
        shape,
        [
            (1, "Zoé Martin", "team.note", Some(2)),
            (2, "Zoé Martin", "download_document", None),
            (3, "Sam", "request_review", None),
        ],
        "webhooks have no entry; each record and desk entry has one, once"
    );
    assert_eq!(
        trail[1].occurred_at.unwrap().to_rfc3339(),
        "2026-12-01T09:00:00.000Z"
    );
    assert_eq!(trail[1].detail, "reasons 2304");
    assert_eq!(trail[0].prev_mac, "0".repeat(64));
    assert_eq!(trail[1].prev_mac, trail[0].mac);
    let check = verify(&relay, &zoe).await;
    assert_eq!((check.entries, check.broken), (3, None));
    assert_eq!(check.head.as_deref(), Some(trail[2].mac.as_str()));
    assert_eq!(check.seen, None, "no entry asked for");
    // A desk that saw entry 2 asks for its MAC, to hold the hub to it.
    let check = verify_seeing(&relay, &zoe, "?seen=2").await;
    assert_eq!(check.seen.as_deref(), Some(trail[1].mac.as_str()));
    let refused = relay
        .http
        .get(format!("{}/v1/trail/verify?seen=two", relay.running.url()))
        .bearer_auth(&zoe)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

async fn claims_the_hub_decides_are_in_the_trail_and_a_refused_one_is_not(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let sam = add_officer(&relay.store, "Sam", "senior");
    let claim = |id: &str| json!({"id": id, "event": {"kind": "claim", "user_id": "42"}});
    assert_eq!(team_write(&relay, Some(&zoe), claim("c-1")).await.0, 201);
    // Sam's claim loses to Zoé's: refused, so neither in the feed nor in the trail.
    assert_eq!(team_write(&relay, Some(&sam), claim("c-2")).await.0, 409);
    let release = json!({"id": "r-1", "event": {"kind": "release", "user_id": "42"}});
    assert_eq!(team_write(&relay, Some(&zoe), release).await.0, 201);

    let shape: Vec<(u64, String, String, Option<u64>)> = entries(&relay, &sam, "")
        .await
        .into_iter()
        .map(|e| (e.seq, e.officer.to_string(), e.action, e.feed_seq))
        .collect();
    assert_eq!(
        shape,
        [
            (1, "Zoé".to_owned(), "team.claim".to_owned(), Some(1)),
            (2, "Zoé".to_owned(), "team.release".to_owned(), Some(2)),
        ]
    );
    let check = verify(&relay, &zoe).await;
    assert_eq!((check.entries, check.broken), (2, None));
}

async fn a_row_changed_or_removed_in_the_database_is_named_by_verify(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    for n in 1..=4 {
        let entry = desk_entry(&format!("a-{n}"), "view_document", "42");
        assert_eq!(send(&relay, Some(&zoe), &entry).await.0, 201);
    }
    assert!(verify(&relay, &zoe).await.intact());

    // Someone with write access to the database rewrites who did entry 3.
    execute_sql(
        &relay.store,
        "UPDATE trail SET officer = 'Sam' WHERE seq = 3",
    );
    let check = verify(&relay, &zoe).await;
    assert_eq!(check.entries, 2);
    let broken = check.broken.unwrap();
    assert_eq!((broken.seq, broken.kind), (3, BreakKind::Altered));
    assert!(
        broken.reason.contains("entry 3 was altered"),
        "{}",
        broken.reason
    );

    // …then removes entry 2 as well: the first break is now the gap.
    execute_sql(&relay.store, "DELETE FROM trail WHERE seq = 2");
    let broken = verify(&relay, &zoe).await.broken.unwrap();
    assert_eq!((broken.seq, broken.kind), (3, BreakKind::Missing));
    assert!(
        broken.reason.contains("entries 2 to 2 are missing"),
        "{}",
        broken.reason
    );

    // …and renumbers to hide the gap: entry 2 no longer follows entry 1.
    execute_sql(
        &relay.store,
        "UPDATE trail SET seq = seq - 1 WHERE seq = 3; UPDATE trail SET seq = seq - 1 WHERE seq = 4",
    );
    let broken = verify(&relay, &zoe).await.broken.unwrap();
    assert_eq!((broken.seq, broken.kind), (2, BreakKind::Unchained));
}

async fn exports_filter_by_case_officer_and_period(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let sam = add_officer(&relay.store, "Sam", "senior");
    let ana = add_officer(&relay.store, "Ana", "auditor");
    send(
        &relay,
        Some(&zoe),
        &desk_entry("a-1", "start_verification", "42"),
    )
    .await;
    send(
        &relay,
        Some(&zoe),
        &desk_entry("a-2", "start_verification", "43"),
    )
    .await;
    send(
        &relay,
        Some(&sam),
        &desk_entry("a-3", "request_review", "42"),
    )
    .await;
    note(&relay, &sam, "n-1", "43").await;

    let seqs = |entries: Vec<TrailEntry>| entries.iter().map(|e| e.seq).collect::<Vec<_>>();
    assert_eq!(seqs(entries(&relay, &ana, "&case=42").await), [1, 3]);
    assert_eq!(seqs(entries(&relay, &ana, "&officer=Sam").await), [3, 4]);
    assert_eq!(
        seqs(entries(&relay, &sam, "&officer=Sam&case=43").await),
        [4]
    );
    assert_eq!(
        seqs(entries(&relay, &ana, "&from=2020-01-01&to=2999-01-01").await),
        [1, 2, 3, 4]
    );
    assert!(entries(&relay, &ana, "&from=2999-01-01").await.is_empty());
    assert!(
        entries(&relay, &ana, "&to=2020-01-01T00:00:00Z")
            .await
            .is_empty()
    );

    let (status, csv) = export(&relay, &ana, "format=csv&case=43").await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("seq,at,officer,action"));
    assert!(
        lines[1].starts_with("2,") && lines[1].contains(",Zoé,start_verification,succeeded,43,")
    );
    assert!(lines[2].starts_with("4,") && lines[2].contains(",Sam,team.note,recorded,43,"));

    let (status, answer) = export(&relay, &ana, "format=csv&user=42").await;
    assert_eq!(status, 400);
    assert!(
        answer.contains("user is not a filter of the export"),
        "{answer}"
    );
}

async fn the_hub_names_the_author_and_roles_decide_who_writes_and_who_exports(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let sam = add_officer(&relay.store, "Sam", "senior");
    let ana = add_officer(&relay.store, "Ana", "auditor");
    let entry = desk_entry("a-1", "download_document", "42");

    // A body that names its own author is not a trail entry.
    let mut forged = entry.clone();
    forged["officer"] = json!("Sam");
    let (status, answer) = send(&relay, Some(&zoe), &forged).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("not_a_trail_entry"))
    );

    // The auditor reads and changes nothing; the shared token names no one.
    let (status, answer) = send(&relay, Some(&ana), &entry).await;
    assert_eq!((status, answer["error"].as_str()), (403, Some("forbidden")));
    let (status, answer) = send(&relay, Some(TOKEN), &entry).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("officer_credential_required"))
    );
    assert_eq!(send(&relay, None, &entry).await.0, 401);
    for bad in [
        desk_entry("a 1", "download_document", "42"),
        desk_entry("a-2", "Download!", "42"),
        json!({"id": "a-3"}),
    ] {
        assert_eq!(send(&relay, Some(&zoe), &bad).await.0, 400, "{bad}");
    }
    assert_eq!(
        verify(&relay, &ana).await.entries,
        0,
        "nothing refused was stored"
    );

    assert_eq!(send(&relay, Some(&zoe), &entry).await.0, 201);
    let stored = entries(&relay, &sam, "").await;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].officer.as_str(),
        "Zoé",
        "the credential's officer"
    );

    // An officer verifies but cannot export; neither can the shared token, which reads as one.
    assert!(verify(&relay, &zoe).await.intact());
    for token in [zoe.as_str(), TOKEN] {
        let (status, answer) = export(&relay, token, "format=json").await;
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(
            (status, answer["error"].as_str()),
            (403, Some("trail_export_forbidden"))
        );
        assert!(
            answer["message"]
                .as_str()
                .unwrap()
                .contains("ask a senior officer or the auditor"),
            "{answer}"
        );
    }
    assert_eq!(export(&relay, &ana, "format=csv").await.0, 200);
    assert_eq!(
        relay
            .http
            .get(format!("{}/v1/trail/verify", relay.running.url()))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}
