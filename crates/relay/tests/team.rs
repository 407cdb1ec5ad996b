//! Proves team records on both stores: an officer's record is numbered in the same feed as
//! Treezor's webhooks, named with the author the hub authenticated (never one from the body), and
//! stored once however often it is sent; the hub refuses records from the auditor role, from the
//! shared feed token and from no credential, and bodies that are not team records, and stores
//! nothing for any of them. Stores written before team records migrate and take them.

mod common;

use std::process::Command;

use common::process::BIN;
use common::*;
use kyc::team::TeamEvent;
use relay::{Relay, StoreLocation};
use serde_json::json;

on_both_stores!(
    a_note_is_numbered_in_the_feed_with_the_author_the_hub_names,
    the_hub_refuses_records_from_who_may_not_write_and_stores_nothing,
    a_store_from_before_team_records_migrates_and_takes_them,
);

fn note(id: &str, user: u64, text: &str) -> serde_json::Value {
    json!({"id": id, "event": {"kind": "note", "user_id": user.to_string(), "text": text}})
}

async fn a_note_is_numbered_in_the_feed_with_the_author_the_hub_names(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé Martin", "officer");
    let sam = add_officer(&relay.store, "Sam", "senior");
    assert_eq!(
        relay
            .post(envelope("w-1", &liveness_payload(42)))
            .await
            .status(),
        200
    );
    let text = "Called the customer: no answer.\nTry again tomorrow.";
    assert_eq!(
        team_write(&relay, Some(&zoe), note("n-1", 42, text)).await,
        (201, json!({"seq": 2}))
    );
    // The same id again (the answer was lost, the desk retries): stored once.
    assert_eq!(
        team_write(&relay, Some(&zoe), note("n-1", 42, text)).await,
        (200, json!({"seq": null}))
    );
    // Another officer's record under the same id is theirs, not a repeat of Zoé's.
    assert_eq!(
        team_write(&relay, Some(&sam), note("n-1", 42, "Seen.")).await,
        (201, json!({"seq": 3}))
    );
    assert_eq!(
        relay
            .post(envelope("w-2", &liveness_payload(43)))
            .await
            .status(),
        200
    );

    let events = relay.all_events().await;
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4], "webhooks and records in one order");
    assert!(events[0].team().is_none(), "a webhook is nobody's record");
    assert!(events[3].team().is_none());
    let (author, event) = events[1].team().unwrap();
    let event = event.unwrap();
    assert_eq!(author.as_str(), "Zoé Martin");
    assert_eq!(events[1].webhook, "team.note");
    assert_eq!(events[1].object_id.as_deref(), Some("42"));
    let TeamEvent::Note { user_id, text: got } = event else {
        panic!("a note comes back as a note: {event:?}");
    };
    assert_eq!((user_id.get(), got.as_str()), (42, text));
    let (author, _) = events[2].team().unwrap();
    assert_eq!(author.as_str(), "Sam");
    assert_ne!(events[1].webhook_id, events[2].webhook_id);
}

async fn the_hub_refuses_records_from_who_may_not_write_and_stores_nothing(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let ana = add_officer(&relay.store, "Ana", "auditor");
    let body = note("n-1", 42, "x");
    let (status, answer) = team_write(&relay, Some(&ana), body.clone()).await;
    assert_eq!((status, answer["error"].as_str()), (403, Some("forbidden")));
    assert!(
        answer["message"].as_str().unwrap().contains("auditor"),
        "{answer}"
    );
    // The role beside the code, for a desk to word the refusal without the English message.
    assert_eq!(answer["role"], "auditor", "{answer}");
    let (status, answer) = team_write(&relay, Some(TOKEN), body.clone()).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("officer_credential_required"))
    );
    assert_eq!(team_write(&relay, None, body.clone()).await.0, 401);
    assert_eq!(
        team_write(&relay, Some("kyco_unknown"), body.clone())
            .await
            .0,
        401
    );
    for (bad, code) in [
        (
            json!({"id": "n-2", "event": {"kind": "note", "user_id": "42", "text": "x", "officer": "Sam"}}),
            "not_a_team_record",
        ),
        (
            json!({"id": "n-2", "event": {"kind": "verdict", "user_id": "42"}}),
            "not_a_team_record",
        ),
        (note("n-2", 42, "   "), "not_a_team_record"),
        (note("n 2", 42, "x"), "bad_id"),
    ] {
        let (status, answer) = team_write(&relay, Some(&zoe), bad.clone()).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some(code)),
            "{bad}"
        );
    }
    let huge = note("n-3", 42, &"x".repeat(relay::team::BODY_LIMIT));
    assert_eq!(team_write(&relay, Some(&zoe), huge).await.0, 413);

    // Revoked at the hub: refused at the next record.
    let store = match &relay.store {
        StoreLocation::Sqlite(path) => format!("sqlite:{}", path.display()),
        StoreLocation::Postgres(url) => url.clone(),
    };
    let revoked = Command::new(BIN)
        .env_clear()
        .args(["officers", "revoke", "Zoé", "--store", &store])
        .output()
        .unwrap();
    assert!(revoked.status.success(), "{revoked:?}");
    let (status, answer) = team_write(&relay, Some(&zoe), body).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("credential_revoked"))
    );
    assert!(
        relay.all_events().await.is_empty(),
        "nothing refused was stored"
    );
}

/// The schema every store had before team records, with one webhook in it.
fn store_of_schema_2(backend: Backend, dir: &std::path::Path) -> StoreLocation {
    let store = backend.fresh_store(dir);
    let officers = match backend {
        Backend::Sqlite => include_str!("../migrations/sqlite/0002_officers.sql"),
        Backend::Postgres => include_str!("../migrations/postgres/0002_officers.sql"),
    };
    match &store {
        StoreLocation::Sqlite(path) => {
            rusqlite::Connection::open(path)
                .unwrap()
                .execute_batch(&format!(
                    "PRAGMA journal_mode=WAL;
                     CREATE TABLE events (seq INTEGER PRIMARY KEY, webhook_id TEXT NOT NULL,
                         webhook TEXT NOT NULL, object TEXT NOT NULL, object_id TEXT,
                         webhook_created_at INTEGER, received_at INTEGER NOT NULL,
                         payload TEXT NOT NULL);
                     CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                     INSERT INTO meta (key, value) VALUES ('last_seq', 0);
                     {officers}
                     INSERT INTO events VALUES (1, 'w-old', 'kycliveness.update', 'kycliveness',
                         '1', NULL, 1, '{{}}');
                     PRAGMA user_version = 2;"
                ))
                .unwrap();
        }
        StoreLocation::Postgres(_) => {
            execute_sql(
                &store,
                &format!(
                    "{}\n{officers}\n
                     CREATE TABLE relay_schema (version integer PRIMARY KEY,
                         applied_at timestamptz NOT NULL DEFAULT now());
                     INSERT INTO relay_schema (version) VALUES (1), (2);
                     SELECT * FROM append_events(ARRAY['w-old'], ARRAY['kycliveness.update'],
                         ARRAY['kycliveness'], ARRAY['1'], ARRAY[NULL::bigint], ARRAY['{{}}']);",
                    include_str!("../migrations/postgres/0001_log.sql")
                ),
            );
        }
    }
    store
}

async fn a_store_from_before_team_records_migrates_and_takes_them(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of_schema_2(backend, dir.path());
    let zoe = add_officer(&store, "Zoé", "officer");
    let running = Relay::start(config(store.clone())).await.unwrap();
    let relay = TestRelay {
        running,
        dir,
        http: reqwest::Client::new(),
        store,
    };
    assert_eq!(
        team_write(&relay, Some(&zoe), note("n-1", 1, "after the upgrade")).await,
        (201, json!({"seq": 2}))
    );
    let events = relay.all_events().await;
    assert_eq!(events[0].webhook_id.as_str(), "w-old");
    assert!(events[0].team().is_none());
    assert_eq!(events[1].team().unwrap().0.as_str(), "Zoé");
}
