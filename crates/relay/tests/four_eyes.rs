//! Proves that the hub decides four eyes once for everyone, on both stores: a proposal is
//! approved or rejected only by a senior other than the proposer (the proposer, even a senior, is
//! refused with 403 `own_proposal`; an officer with 403 `senior_only`); a proposal is answered
//! once, and of many seniors answering at once exactly one is stored; an approval of something
//! that is no proposal of this case is refused; only a senior sets the team's policy. An approval
//! allows one run: of many runs at once exactly one is stored, and a run of a proposal nobody
//! approved is refused; runs a log held before the hub decided them still spend their approval.
//! Nothing the hub refuses reaches the feed, and every stored answer is in the team's trail.

mod common;

use common::*;
use serde_json::json;

on_both_stores!(
    only_a_different_senior_answers_a_proposal,
    of_many_answers_at_once_exactly_one_is_stored,
    an_answer_names_a_proposal_of_its_own_case,
    only_a_senior_sets_the_policy,
    an_approval_allows_one_run_whichever_desks_send_it,
    a_run_needs_an_approved_proposal_of_its_own_case,
    runs_stored_before_the_hub_decided_them_still_spend_their_approval,
);

fn propose(id: &str, user: u64, action: &str) -> serde_json::Value {
    json!({"id": id, "event": {"kind": "propose", "user_id": user, "action": action,
        "justification": "documents arrived, score 1"}})
}

fn answer(id: &str, kind: &str, user: u64, proposal: u64) -> serde_json::Value {
    json!({"id": id, "event": {"kind": kind, "user_id": user, "proposal": proposal,
        "justification": "checked the video"}})
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

/// Stores a proposal by `token` and gives its number in the feed.
async fn proposed(relay: &TestRelay, token: &str, id: &str, user: u64) -> u64 {
    let (status, body) = team_write(relay, Some(token), propose(id, user, "request_review")).await;
    assert_eq!(status, 201, "{body}");
    body["seq"].as_u64().unwrap()
}

fn refused(answer: &(u16, serde_json::Value)) -> (u16, &str) {
    (answer.0, answer.1["error"].as_str().unwrap_or("none"))
}

async fn only_a_different_senior_answers_a_proposal(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let sam = add_officer(&relay.store, "Sam", "senior");
    let lea = add_officer(&relay.store, "Léa", "senior");
    let zoes = proposed(&relay, &zoe, "p-1", 42).await;
    let sams = proposed(&relay, &sam, "p-2", 42).await;

    // The proposer approving their own proposal: refused, senior or not.
    let own = team_write(&relay, Some(&sam), answer("a-1", "approve", 42, sams)).await;
    assert_eq!(refused(&own), (403, "own_proposal"), "{}", own.1);
    assert!(
        own.1["message"]
            .as_str()
            .unwrap()
            .contains("a different senior officer must approve or reject it"),
        "{}",
        own.1
    );
    let own_reject = team_write(&relay, Some(&zoe), answer("a-2", "reject", 42, zoes)).await;
    assert_eq!(refused(&own_reject), (403, "senior_only"));
    // An officer who is not a senior approving a colleague's proposal: refused.
    let max = add_officer(&relay.store, "Max", "officer");
    let junior = team_write(&relay, Some(&max), answer("a-3", "approve", 42, zoes)).await;
    assert_eq!(refused(&junior), (403, "senior_only"));

    // A different senior: stored, and answered once.
    let approved = team_write(&relay, Some(&lea), answer("a-4", "approve", 42, sams)).await;
    assert_eq!(approved.0, 201, "{}", approved.1);
    let again = team_write(&relay, Some(&zoe), answer("a-5", "approve", 42, sams)).await;
    assert_eq!(refused(&again), (403, "senior_only"));
    let late = team_write(&relay, Some(&sam), answer("a-6", "reject", 42, zoes)).await;
    assert_eq!(late.0, 201, "{}", late.1);
    let second = team_write(&relay, Some(&lea), answer("a-7", "approve", 42, zoes)).await;
    assert_eq!(refused(&second), (409, "already_answered"));
    assert_eq!(
        (&second.1["by"], &second.1["verdict"]),
        (&serde_json::json!("Sam"), &serde_json::json!("rejected")),
        "who answered, and how, beside the code: {}",
        second.1
    );
    assert!(
        second.1["message"]
            .as_str()
            .unwrap()
            .starts_with("Sam has already rejected this proposal"),
        "{}",
        second.1
    );
    // The same approval sent again after a lost answer is stored once, not refused.
    let retry = team_write(&relay, Some(&lea), answer("a-4", "approve", 42, sams)).await;
    assert_eq!(retry, (200, json!({"seq": null})));

    assert_eq!(
        records(&relay).await,
        [
            ("propose", "Zoé"),
            ("propose", "Sam"),
            ("approve", "Léa"),
            ("reject", "Sam"),
        ]
        .map(|(k, a)| (k.to_owned(), a.to_owned()))
    );
    // Every stored answer is in the team's trail, by its author.
    let trail = get_trail(&relay, &lea).await;
    let answers: Vec<(&str, &str)> = trail
        .iter()
        .filter(|e| matches!(e["action"].as_str(), Some("team.approve" | "team.reject")))
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["officer"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(answers, [("team.approve", "Léa"), ("team.reject", "Sam")]);
}

async fn of_many_answers_at_once_exactly_one_is_stored(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let number = proposed(&relay, &zoe, "p-1", 42).await;
    let seniors: Vec<String> = (0..8)
        .map(|i| add_officer(&relay.store, &format!("Senior {i}"), "senior"))
        .collect();
    // Every answer is sent before any is read: they race inside the hub.
    let answers = futures_util::future::join_all(seniors.iter().enumerate().map(|(i, token)| {
        let kind = if i % 2 == 0 { "approve" } else { "reject" };
        team_write(&relay, Some(token), answer("a-1", kind, 42, number))
    }))
    .await;
    let stored = answers.iter().filter(|a| a.0 == 201).count();
    assert_eq!(stored, 1, "exactly one answer is stored: {answers:?}");
    for other in answers.iter().filter(|a| a.0 != 201) {
        assert_eq!(refused(other), (409, "already_answered"), "{}", other.1);
    }
    let kinds: Vec<String> = records(&relay).await.into_iter().map(|r| r.0).collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
}

async fn an_answer_names_a_proposal_of_its_own_case(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let sam = add_officer(&relay.store, "Sam", "senior");
    let note = json!({"id": "n-1", "event": {"kind": "note", "user_id": 42, "text": "called"}});
    let (status, body) = team_write(&relay, Some(&zoe), note).await;
    assert_eq!(status, 201);
    let note_seq = body["seq"].as_u64().unwrap();
    let number = proposed(&relay, &zoe, "p-1", 42).await;

    let of_a_note = team_write(&relay, Some(&sam), answer("a-1", "approve", 42, note_seq)).await;
    assert_eq!(refused(&of_a_note), (404, "unknown_proposal"));
    let unknown = team_write(&relay, Some(&sam), answer("a-2", "approve", 42, 999)).await;
    assert_eq!(refused(&unknown), (404, "unknown_proposal"));
    let elsewhere = team_write(&relay, Some(&sam), answer("a-3", "approve", 43, number)).await;
    assert_eq!(refused(&elsewhere), (409, "other_case"));
    let kinds: Vec<String> = records(&relay).await.into_iter().map(|r| r.0).collect();
    assert_eq!(kinds, ["note", "propose"]);
}

async fn only_a_senior_sets_the_policy(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let sam = add_officer(&relay.store, "Sam", "senior");
    let policy = |id: &str| {
        json!({"id": id, "event": {"kind": "policy", "policy": {"request_review": "always",
            "start_verification": "aml_flagged", "close_accepted": "aml_flagged"}}})
    };
    let by_officer = team_write(&relay, Some(&zoe), policy("pol-1")).await;
    assert_eq!(refused(&by_officer), (403, "senior_only"));
    let by_senior = team_write(&relay, Some(&sam), policy("pol-2")).await;
    assert_eq!(by_senior.0, 201, "{}", by_senior.1);
    let events = relay.all_events().await;
    let stored: Vec<_> = events.iter().filter(|e| e.team().is_some()).collect();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].webhook.as_str(), stored[0].object_id.as_deref()),
        ("team.policy", None)
    );
}

fn run(id: &str, user: u64, proposal: u64) -> serde_json::Value {
    json!({"id": id, "event": {"kind": "run", "user_id": user, "proposal": proposal}})
}

/// A proposal by Zoé on case 42 that Sam approved, and the tokens of both.
async fn approved(relay: &TestRelay) -> (u64, String, String) {
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let sam = add_officer(&relay.store, "Sam", "senior");
    let number = proposed(relay, &zoe, "p-1", 42).await;
    let approval = team_write(relay, Some(&sam), answer("a-1", "approve", 42, number)).await;
    assert_eq!(approval.0, 201, "{}", approval.1);
    (number, zoe, sam)
}

async fn an_approval_allows_one_run_whichever_desks_send_it(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let (number, zoe, sam) = approved(&relay).await;
    // Eight runs of the one approval at once, from the proposer's desks and a colleague's.
    let tokens = [&zoe, &sam];
    let runs = futures_util::future::join_all((0..8).map(|i| {
        team_write(
            &relay,
            Some(tokens[i % 2]),
            run(&format!("r-{i}"), 42, number),
        )
    }))
    .await;
    let stored: Vec<usize> = (0..8).filter(|&i| runs[i].0 == 201).collect();
    assert_eq!(stored.len(), 1, "exactly one run is stored: {runs:?}");
    let first = stored[0];
    let winner = ["Zoé", "Sam"][first % 2];
    for other in runs.iter().filter(|r| r.0 != 201) {
        assert_eq!(refused(other), (409, "already_run"), "{}", other.1);
        assert_eq!(
            (&other.1["by"], &other.1["proposal"]),
            (&json!(winner), &json!(number)),
            "whose run spent it, beside the code: {}",
            other.1
        );
    }
    // The winning run sent again after a lost answer is stored once, not refused.
    let retry = team_write(
        &relay,
        Some(tokens[first % 2]),
        run(&format!("r-{first}"), 42, number),
    )
    .await;
    assert_eq!(retry, (200, json!({"seq": null})));
    let kinds: Vec<String> = records(&relay).await.into_iter().map(|r| r.0).collect();
    assert_eq!(kinds, ["propose", "approve", "run"]);
    // The stored run is in the team's trail, by its author.
    let trail = get_trail(&relay, &sam).await;
    let ran: Vec<&str> = trail
        .iter()
        .filter(|e| e["action"] == "team.run")
        .map(|e| e["officer"].as_str().unwrap())
        .collect();
    assert_eq!(ran, [winner]);
}

async fn a_run_needs_an_approved_proposal_of_its_own_case(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let zoe = add_officer(&relay.store, "Zoé", "officer");
    let sam = add_officer(&relay.store, "Sam", "senior");
    let waiting = proposed(&relay, &zoe, "p-1", 42).await;
    let early = team_write(&relay, Some(&zoe), run("r-1", 42, waiting)).await;
    assert_eq!(refused(&early), (409, "not_approved"), "{}", early.1);
    let turned_down = proposed(&relay, &zoe, "p-2", 42).await;
    let rejection = team_write(&relay, Some(&sam), answer("a-1", "reject", 42, turned_down)).await;
    assert_eq!(rejection.0, 201, "{}", rejection.1);
    let rejected = team_write(&relay, Some(&zoe), run("r-2", 42, turned_down)).await;
    assert_eq!(
        refused(&rejected),
        (409, "proposal_rejected"),
        "{}",
        rejected.1
    );
    assert_eq!(rejected.1["by"], json!("Sam"));
    let approval = team_write(&relay, Some(&sam), answer("a-2", "approve", 42, waiting)).await;
    assert_eq!(approval.0, 201, "{}", approval.1);
    let elsewhere = team_write(&relay, Some(&zoe), run("r-3", 43, waiting)).await;
    assert_eq!(refused(&elsewhere), (409, "other_case"), "{}", elsewhere.1);
    let unknown = team_write(&relay, Some(&zoe), run("r-4", 42, 999)).await;
    assert_eq!(
        refused(&unknown),
        (404, "unknown_proposal"),
        "{}",
        unknown.1
    );
    let kinds: Vec<String> = records(&relay).await.into_iter().map(|r| r.0).collect();
    assert_eq!(
        kinds,
        ["propose", "propose", "reject", "approve"],
        "nothing refused is stored"
    );
}

async fn runs_stored_before_the_hub_decided_them_still_spend_their_approval(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let (number, zoe, _) = approved(&relay).await;
    let first = team_write(&relay, Some(&zoe), run("r-1", 42, number)).await;
    assert_eq!(first.0, 201, "{}", first.1);
    let TestRelay {
        running,
        dir,
        store,
        http,
    } = relay;
    running.shutdown().await;
    // The store as the version before this one left it: the run in the log, no `runs` table.
    let older = match &store {
        relay::StoreLocation::Sqlite(_) => "DROP TABLE runs; PRAGMA user_version = 7;",
        relay::StoreLocation::Postgres(_) => {
            "DROP TABLE runs; DELETE FROM relay_schema WHERE version = 8;"
        }
    };
    execute_sql(&store, older);
    let running = relay::Relay::start(config(store.clone())).await.unwrap();
    let relay = TestRelay {
        running,
        dir,
        store,
        http,
    };
    let again = team_write(&relay, Some(&zoe), run("r-2", 42, number)).await;
    assert_eq!(refused(&again), (409, "already_run"), "{}", again.1);
    assert_eq!(again.1["by"], json!("Zoé"));
}

/// The team's trail as JSON, through `GET /v1/trail/export`.
async fn get_trail(relay: &TestRelay, token: &str) -> Vec<serde_json::Value> {
    let response = relay
        .http
        .get(format!(
            "{}/v1/trail/export?format=json",
            relay.running.url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}
