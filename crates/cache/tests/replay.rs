//! A replayed or re-dated webhook cannot rewrite a case: the history is ordered by the signed
//! payload's own times, and a payload sent again under a fresh envelope is one event.

mod common;

use cache::Cache;
use common::*;
use kyc::feed::FeedEvent;
use kyc::{CaseState, Timestamp, UserId};

const USER: u64 = 42;

fn uid() -> UserId {
    UserId::new(USER).unwrap()
}

/// A refusal for a fraud reason (2301), dated by Treezor at `t` inside its payload.
fn refusal(seq: u64, webhook_id: &str, created_at: Option<Timestamp>, t: i64) -> FeedEvent {
    let mut event = event(
        seq,
        webhook_id,
        "kycliveness.update",
        "kycliveness",
        created_at,
        &format!(
            r#"{{"user_id":"{USER}","kyc-status":"processed","score":"0","reasons":[{{"reason-code":"2301","reason-message":"counterfeit"}}],"identification-id":"idv-1","updated-at":"{}"}}"#,
            at(t).to_treezor_date()
        ),
    );
    event.received_at = at(t + 1);
    event
}

/// Treezor's later news about the user: their KYC level moved, at `t`.
fn later_update(seq: u64, t: i64) -> FeedEvent {
    event(
        seq,
        &format!("w-{seq}"),
        "user.update",
        "user",
        Some(at(t)),
        &format!(
            r#"{{"users":[{{"userId":"{USER}","firstname":"Zoé","lastname":"Martin","kycLevel":"4","modifiedDate":"{}"}}]}}"#,
            at(t).to_treezor_date()
        ),
    )
}

fn case_events(cache: &Cache) -> i64 {
    let raw = rusqlite::Connection::open(cache.path()).unwrap();
    raw.query_row(
        "SELECT count(*) FROM case_events WHERE user_id = ?1",
        [USER as i64],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_refusal_replayed_with_a_fresh_id_and_a_far_future_time_stays_one_event() {
    let (_dir, mut cache) = fresh_cache();
    cache
        .apply_batch(
            &[
                user_created(1, USER, "Zoé", "Martin", "zoe@example.com", 0),
                refusal(2, "w-genuine", Some(at(600)), 600),
            ],
            at(601),
        )
        .unwrap();
    let genuine_events = case_events(&cache);

    // The same signed payload, posted again under a fresh id and a time a century ahead.
    let replay = refusal(3, "w-replayed", Some(at(100 * 365 * 86_400)), 600);
    let replay = FeedEvent {
        received_at: at(900),
        ..replay
    };
    let applied = cache.apply_batch(&[replay], at(901)).unwrap();
    assert_eq!((applied.applied, applied.replays), (1, 1));
    assert!(applied.changed_users.is_empty(), "{applied:?}");
    assert_eq!(
        case_events(&cache),
        genuine_events,
        "the replay added no event"
    );

    cache
        .apply_batch(&[later_update(4, 1200)], at(1201))
        .unwrap();
    let case = cache.case_detail(uid(), at(1300)).unwrap();
    assert_eq!(case.view.state, CaseState::Refused);
    assert!(case.view.aml_flagged(), "the fraud reason is still flagged");
    let last = case.timeline.last().unwrap();
    assert_eq!(
        last.webhook_id.as_str(),
        "w-4",
        "the later event ends the timeline"
    );
    assert_eq!(case.view.last_change, Some(at(600)));
    let row = cache
        .queue(&Default::default(), at(1300))
        .unwrap()
        .rows
        .into_iter()
        .find(|r| r.user_id == uid())
        .unwrap();
    assert_eq!(
        row.last_change,
        at(600),
        "the queue's last change is the decision's, not the replay's date"
    );
    let replayed = case
        .timeline
        .iter()
        .find(|e| e.webhook_id.as_str() == "w-replayed")
        .expect("the replay is shown");
    assert_eq!(
        replayed.replay_of.as_ref().map(|w| w.as_str()),
        Some("w-genuine")
    );
    assert_eq!(replayed.at, at(600), "shown at its signed time");
}

#[test]
fn a_payload_with_its_own_time_is_dated_by_it_not_by_the_envelope() {
    let (_dir, mut cache) = fresh_cache();
    // Treezor signed the decision at t=600; the envelope claims a time ten years later, which is
    // also far ahead of the relay's reception.
    cache
        .apply_batch(
            &[
                user_created(1, USER, "Zoé", "Martin", "zoe@example.com", 0),
                refusal(2, "w-2", Some(at(10 * 365 * 86_400)), 600),
            ],
            at(700),
        )
        .unwrap();
    let case = cache.case_detail(uid(), at(700)).unwrap();
    assert_eq!(case.view.last_change, Some(at(600)));
    assert_eq!(
        case.view.current_attempt().unwrap().decided_at,
        Some(at(600))
    );
    assert_eq!(case.timeline.last().unwrap().at, at(600));
}

#[test]
fn an_undated_payload_sent_with_a_future_time_is_placed_at_its_reception() {
    let (_dir, mut cache) = fresh_cache();
    let mut review = review(2, USER, "user.kycreview", 2, 10 * 365 * 86_400);
    review.received_at = at(500);
    cache
        .apply_batch(
            &[
                user_created(1, USER, "Zoé", "Martin", "zoe@example.com", 0),
                review,
            ],
            at(501),
        )
        .unwrap();
    let case = cache.case_detail(uid(), at(501)).unwrap();
    assert_eq!(case.view.last_change, Some(at(500)));
    let entry = case.timeline.last().unwrap();
    assert_eq!(entry.at, at(500));
    assert_eq!(
        entry.created_at,
        Some(at(10 * 365 * 86_400)),
        "the envelope's claim is kept for the officer to see"
    );
}

#[test]
fn a_payload_replayed_under_another_event_name_adds_nothing() {
    let (_dir, mut cache) = fresh_cache();
    // A genuine user.update saying no review is under way...
    let update = event(
        2,
        "w-update",
        "user.update",
        "user",
        Some(at(300)),
        &format!(
            r#"{{"users":[{{"userId":"{USER}","kycReview":"0","modifiedDate":"{}"}}]}}"#,
            at(300).to_treezor_date()
        ),
    );
    cache
        .apply_batch(
            &[
                user_created(1, USER, "Zoé", "Martin", "zoe@example.com", 0),
                refusal(3, "w-refusal", Some(at(200)), 200),
                update.clone(),
            ],
            at(301),
        )
        .unwrap();
    let before = cache.case_detail(uid(), at(400)).unwrap();
    let events_before = case_events(&cache);
    // ...posted again as user.kycrequest, which would read as "the review was requested".
    let renamed = FeedEvent {
        seq: 4,
        webhook_id: kyc::WebhookId::parse("w-renamed").unwrap(),
        webhook: "user.kycrequest".into(),
        ..update
    };
    let applied = cache.apply_batch(&[renamed], at(400)).unwrap();
    assert_eq!(applied.replays, 1);
    let after = cache.case_detail(uid(), at(400)).unwrap();
    assert_eq!(after.view, before.view);
    assert_eq!(after.view.review, before.view.review);
    assert_eq!(case_events(&cache), events_before);
}
