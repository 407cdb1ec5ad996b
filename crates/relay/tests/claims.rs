//! Proves that the hub decides claims once for everyone, on both stores: of many officers
//! claiming one case at the same moment exactly one wins and every other is told (409) who holds
//! it; only the holder releases; a senior reassigns, an officer may not; a claim lapses after the
//! hub's configured idle time and the case is then free; a claim sent again after a lost answer
//! is stored once. Nothing the hub refuses reaches the feed.

mod common;

use common::*;
use kyc::team::TeamEvent;
use serde_json::json;

on_both_stores!(
    of_many_claims_at_once_exactly_one_wins_and_the_others_are_told_who,
    only_the_holder_releases_and_only_a_senior_reassigns,
    a_claim_lapses_after_the_configured_idle_time,
    a_claim_sent_again_is_stored_once_and_a_release_sent_again_is_not_refused,
);

fn claim(id: &str, user: u64) -> serde_json::Value {
    json!({"id": id, "event": {"kind": "claim", "user_id": user}})
}

fn release(id: &str, user: u64) -> serde_json::Value {
    json!({"id": id, "event": {"kind": "release", "user_id": user}})
}

fn reassign(id: &str, user: u64, to: &str) -> serde_json::Value {
    json!({"id": id, "event": {"kind": "reassign", "user_id": user, "to": to}})
}

/// The team records of the feed, as (kind, author).
async fn records(relay: &TestRelay) -> Vec<(String, String)> {
    relay
        .all_events()
        .await
        .iter()
        .filter_map(|e| {
            let (author, event) = e.team()?;
            Some((event.unwrap().kind().to_owned(), author.as_str().to_owned()))
        })
        .collect()
}

async fn of_many_claims_at_once_exactly_one_wins_and_the_others_are_told_who(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let officers: Vec<(String, String)> = (0..12)
        .map(|i| {
            let name = format!("Officer {i}");
            let token = add_officer(&relay.store, &name, "officer");
            (name, token)
        })
        .collect();
    // Every claim is sent before any answer is read: they race inside the hub.
    let answers = futures_util::future::join_all(
        officers
            .iter()
            .map(|(_, token)| team_write(&relay, Some(token), claim("c-1", 42))),
    )
    .await;
    let winners: Vec<usize> = (0..answers.len())
        .filter(|&i| answers[i].0 == 201)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one claim wins: {answers:?}");
    let winner = &officers[winners[0]].0;
    for (i, (status, answer)) in answers.iter().enumerate() {
        if i == winners[0] {
            continue;
        }
        assert_eq!(
            (*status, answer["error"].as_str()),
            (409, Some("claimed_by_another")),
            "{answer}"
        );
        let message = answer["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{winner} holds this case since")),
            "{message}"
        );
        // The same, typed, for a desk to show.
        assert_eq!(
            (
                answer["claim"]["refusal"].as_str(),
                answer["claim"]["holder"].as_str()
            ),
            (Some("held_by"), Some(winner.as_str())),
            "{answer}"
        );
    }
    assert_eq!(
        records(&relay).await,
        [("claim".to_owned(), winner.clone())],
        "only the winning claim is in the feed"
    );
}

async fn only_the_holder_releases_and_only_a_senior_reassigns(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let max = add_officer(&relay.store, "Max", "officer");
    let sam = add_officer(&relay.store, "Sam", "senior");
    add_officer(&relay.store, "Ana", "auditor");

    assert_eq!(
        team_write(&relay, Some(&zoe), claim("c-1", 42)).await.0,
        201
    );
    let (status, answer) = team_write(&relay, Some(&max), release("r-1", 42)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (409, Some("not_the_holder"))
    );
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .starts_with("Zoé holds this case"),
        "{answer}"
    );
    let (status, answer) = team_write(&relay, Some(&max), reassign("a-1", 42, "Max")).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("senior_only"))
    );
    for nobody in ["Nobody", "Ana"] {
        let (status, answer) = team_write(&relay, Some(&sam), reassign("a-2", 42, nobody)).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some("unknown_assignee")),
            "{nobody}"
        );
    }
    assert_eq!(
        team_write(&relay, Some(&sam), reassign("a-3", 42, "Max"))
            .await
            .0,
        201
    );
    // Max holds it now: Zoé's claim is refused, Max releases it, then the case is free.
    let (status, answer) = team_write(&relay, Some(&zoe), claim("c-2", 42)).await;
    assert_eq!(status, 409);
    assert!(answer["message"].as_str().unwrap().starts_with("Max holds"));
    assert_eq!(
        team_write(&relay, Some(&max), release("r-2", 42)).await.0,
        201
    );
    let (status, answer) = team_write(&relay, Some(&max), release("r-3", 42)).await;
    assert_eq!(
        (status, answer["error"].as_str()),
        (409, Some("not_claimed"))
    );
    assert_eq!(
        team_write(&relay, Some(&zoe), claim("c-3", 42)).await.0,
        201
    );

    let kinds: Vec<(String, String)> = records(&relay).await;
    let expected = [
        ("claim", "Zoé"),
        ("reassign", "Sam"),
        ("release", "Max"),
        ("claim", "Zoé"),
    ];
    assert_eq!(
        kinds,
        expected.map(|(k, a)| (k.to_owned(), a.to_owned())),
        "only what the hub allowed is in the feed"
    );
    let events = relay.all_events().await;
    let reassigned = events.iter().find_map(|e| match e.team()?.1.ok()? {
        TeamEvent::Reassign { to, .. } => Some(to),
        _ => None,
    });
    assert_eq!(reassigned.unwrap().as_str(), "Max");
}

async fn a_claim_lapses_after_the_configured_idle_time(backend: Backend) {
    // A lapse of two seconds: the second officer's claim is refused until it has passed.
    let relay = TestRelay::start_with(backend, |config| config.claim_lapse_seconds = 2).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let max = add_officer(&relay.store, "Max", "officer");
    assert_eq!(
        team_write(&relay, Some(&zoe), claim("c-1", 42)).await.0,
        201
    );
    let first = team_write(&relay, Some(&max), claim("c-2", 42)).await;
    let started = std::time::Instant::now();
    // Poll the real condition (the hub's own clock deciding), bounded.
    let mut answer = first;
    let mut attempt = 3;
    while answer.0 == 409 && started.elapsed() < std::time::Duration::from_secs(10) {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        answer = team_write(&relay, Some(&max), claim(&format!("c-{attempt}"), 42)).await;
        attempt += 1;
    }
    assert_eq!(
        answer.0, 201,
        "Max takes the case once Zoé's claim lapsed: {answer:?}"
    );
    assert!(attempt > 3, "the case was held before it lapsed");
    // Zoé's release now finds a case she does not hold.
    let (status, refused) = team_write(&relay, Some(&zoe), release("r-1", 42)).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (409, Some("not_the_holder"))
    );
}

async fn a_claim_sent_again_is_stored_once_and_a_release_sent_again_is_not_refused(
    backend: Backend,
) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    assert_eq!(
        team_write(&relay, Some(&zoe), claim("c-1", 42)).await,
        (201, json!({"seq": 1}))
    );
    assert_eq!(
        team_write(&relay, Some(&zoe), claim("c-1", 42)).await,
        (200, json!({"seq": null}))
    );
    assert_eq!(
        team_write(&relay, Some(&zoe), release("r-1", 42)).await,
        (201, json!({"seq": 2}))
    );
    assert_eq!(
        team_write(&relay, Some(&zoe), release("r-1", 42)).await,
        (200, json!({"seq": null})),
        "a retry of a release that was stored is a repeat, not a release of a free case"
    );
    assert_eq!(records(&relay).await.len(), 2);
}
