//! A replayed, re-dated webhook cannot rewrite a case, proven end to end: the sandbox's genuine
//! webhooks and a replay of one of them go through the real relay (which can only check the
//! signature, and does) and the real sync loop into the cache.

mod common;

use common::{WEBHOOK_SECRET, World, until, verification_finished};
use kyc::webhook::{WebhookSecret, sign_payload};
use kyc::{CaseState, Timestamp, UserId};
use sandbox::Outcome;

/// `body` with its envelope changed as a replayer would: a fresh `webhook_id` and a
/// `webhook_created_at` a century ahead. The signed payload is left byte for byte.
fn redated(body: &str, webhook_id: &str) -> String {
    let replace = |body: &str, field: &str, value: &str| {
        let start = body.find(field).expect("the envelope has the field") + field.len();
        let end = start
            + body[start..]
                .find([',', '}'])
                .expect("the field's value ends");
        format!("{}{value}{}", &body[..start], &body[end..])
    };
    let century = Timestamp::from_unix_seconds(2_000_000_000).plus_seconds(100 * 365 * 86_400);
    let body = replace(body, r#""webhook_id":"#, &format!("{webhook_id:?}"));
    replace(
        &body,
        r#""webhook_created_at":"#,
        &(century.unix_micros() / 100).to_string(),
    )
}

/// A genuine `user.update` as Treezor would sign it: the user's KYC level moved at `at`.
fn later_update(user: UserId, at: Timestamp) -> String {
    let payload = format!(
        r#"{{"users":[{{"userId":"{user}","kycLevel":"4","modifiedDate":"{}"}}]}}"#,
        at.to_treezor_date()
    );
    let signature = sign_payload(&WebhookSecret::new(WEBHOOK_SECRET).unwrap(), &payload);
    format!(
        r#"{{"webhook":"user.update","webhook_id":"later-{user}","webhook_created_at":{},"object":"user","object_id":"{user}","object_payload":{payload},"object_payload_signature":"{signature}"}}"#,
        at.unix_micros() / 100
    )
}

async fn post(world: &World, body: String) {
    let url = world.relay.as_ref().unwrap().webhook_url();
    let answer = reqwest::Client::new()
        .post(url)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status(),
        200,
        "the relay stores it: the signature holds"
    );
}

/// The case events the cache holds for `user`'s processed verification results.
fn decisions_in_cache(world: &World, user: UserId) -> i64 {
    let raw = rusqlite::Connection::open(world.desk_home().join("cache.sqlite")).unwrap();
    raw.query_row(
        "SELECT count(*) FROM case_events WHERE user_id = ?1
             AND json_extract(event, '$.k') = 'liveness'
             AND json_extract(event, '$.status') = 'processed'",
        [user.get() as i64],
        |r| r.get(0),
    )
    .unwrap()
}

#[tokio::test]
async fn a_refusal_replayed_with_a_fresh_id_and_a_far_future_time_changes_nothing() {
    let world = World::start().await;
    let desk = world.desk().await;
    let mut changes = desk.subscribe();
    let user = world.person("Zoé", "Martin");

    // 1. A genuine refusal for a fraud reason (2301: AML-sensitive).
    let refused = verification_finished(
        &world,
        &desk,
        user,
        Outcome::Refused {
            reasons: vec![2301, 1301],
            comment: None,
        },
        CaseState::Refused,
    )
    .await;
    assert!(refused.detail.view.aml_flagged());
    let decided_at = refused.detail.view.current_attempt().unwrap().decided_at;
    assert_eq!(decisions_in_cache(&world, user), 1);

    // 2. The same signed payload, posted again under a fresh id and a time a century ahead.
    let genuine = world
        .control()
        .deliveries()
        .into_iter()
        .find(|d| d.event == "kycliveness.update" && d.object_id == user.to_string())
        .expect("the sandbox delivered the refusal");
    let replay_id = format!("replay-{user}");
    post(&world, redated(&genuine.body, &replay_id)).await;
    until(&desk, "the replay to reach the cache", || async {
        desk.case_file(user).await.ok().filter(|c| {
            c.detail
                .timeline
                .iter()
                .any(|e| e.webhook_id.as_str() == replay_id)
        })
    })
    .await;

    // 3. A genuine later event.
    let later = world.control().now().plus_seconds(2);
    post(&world, later_update(user, later)).await;
    let case = until(&desk, "the later event to reach the cache", || async {
        desk.case_file(user).await.ok().filter(|c| {
            c.detail
                .timeline
                .iter()
                .any(|e| e.webhook_id.as_str() == format!("later-{user}"))
        })
    })
    .await;

    let timeline = &case.detail.timeline;
    assert_eq!(
        timeline.last().unwrap().webhook_id.as_str(),
        format!("later-{user}"),
        "the case's history ends with the later event: {timeline:#?}"
    );
    let replay = timeline
        .iter()
        .find(|e| e.webhook_id.as_str() == replay_id)
        .unwrap();
    assert_eq!(
        replay.replay_of.as_ref().map(|w| w.as_str()),
        Some(genuine.webhook_id.as_str()),
        "shown as a refused replay of the genuine webhook"
    );
    let view = &case.detail.view;
    assert_eq!(view.state, CaseState::Refused);
    assert!(view.aml_flagged(), "the fraud reason is still flagged");
    assert_eq!(view.current_attempt().unwrap().decided_at, decided_at);
    assert!(
        view.last_change.unwrap() < later,
        "no time from the replay's envelope: {:?}",
        view.last_change
    );
    assert!(
        case.reasons
            .iter()
            .any(|r| r.code == "2301" && r.aml_sensitive)
    );
    assert_eq!(
        decisions_in_cache(&world, user),
        1,
        "one case event for the refusal and its replay"
    );
    // The sync loop works through its pages in order: the later event's page was applied after
    // the refusal's and the replay's, so every notice they caused has been sent.
    let mut processed = 0;
    while let Ok(change) = changes.try_recv() {
        if let desk::Change::Notice(notice) = change {
            processed += notice.verifications_processed;
        }
    }
    assert_eq!(
        processed, 1,
        "the refusal was announced once, its replay not at all"
    );
    desk.shutdown().await;
}
