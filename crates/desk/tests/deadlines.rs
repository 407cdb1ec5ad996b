//! Proves that the desk works to the team's deadlines: a case validated two days ago (by the
//! signed webhook's own time) is late under the default day to retrieve documents, and the status
//! bar's count says so; once a senior gives the team three days at the hub, the desk takes the
//! new policy on its own, the case's due time moves and it is no longer counted late.

mod common;

use cache::{QueueQuery, Sort, SortKey};
use common::{WEBHOOK_SECRET, World, until};
use kyc::officer::{OfficerName, Role};
use kyc::webhook::{WebhookSecret, sign_payload};
use kyc::{CaseState, Timestamp, UserId};
use relay::officers::Credential;
use relay::store::Officers;
use relay::store::sqlite::SqliteOfficers;

/// A genuine `kycliveness.update`: `user`'s verification processed with score 1 at `at`.
fn validated_at(user: UserId, at: Timestamp) -> String {
    let payload = format!(
        r#"{{"user_id":"{user}","kyc-status":"processed","score":"1","identification-id":"idv-late-{user}"}}"#
    );
    let signature = sign_payload(&WebhookSecret::new(WEBHOOK_SECRET).unwrap(), &payload);
    format!(
        r#"{{"webhook":"kycliveness.update","webhook_id":"late-{user}","webhook_created_at":{},"object":"kycliveness","object_id":"{user}","object_payload":{payload},"object_payload_signature":"{signature}"}}"#,
        at.unix_micros() / 100
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_past_its_deadline_is_counted_late_until_a_senior_gives_the_team_longer() {
    let world = World::start().await;
    let senior = Credential::issue();
    SqliteOfficers::open(&world.relay_data)
        .unwrap()
        .add(
            OfficerName::parse("Inès Senior").unwrap(),
            Role::Senior,
            senior.hash(),
        )
        .await
        .unwrap();
    let desk = world.desk().await;
    let user = world.person("Ana", "Souza");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    // Whole seconds: the webhook's time travels in Treezor's 1/10,000 s.
    let two_days_ago = Timestamp::from_unix_seconds(now.as_secs() as i64 - 2 * 86_400);
    let relay = world.relay.as_ref().unwrap();
    let http = reqwest::Client::new();
    let stored = http
        .post(relay.webhook_url())
        .body(validated_at(user, two_days_ago))
        .send()
        .await
        .unwrap();
    assert_eq!(stored.status(), 200);

    let by_due = QueueQuery {
        sort: Sort {
            key: SortKey::Due,
            ..Sort::default()
        },
        ..QueueQuery::default()
    };
    let row = until(&desk, "the validated case in the queue", || async {
        let page = desk.queue(by_due.clone()).await.ok()?;
        page.rows
            .into_iter()
            .find(|r| r.user_id == user && r.state == CaseState::Validated)
    })
    .await;
    assert_eq!(row.due_at, Some(two_days_ago.plus_seconds(86_400)));
    until(&desk, "the late count", || async {
        (desk.status().sync.late == 1).then_some(())
    })
    .await;

    let set = http
        .put(format!("http://{}/v1/deadlines", world.relay_addr))
        .bearer_auth(senior.expose())
        .json(&serde_json::json!({"validated": 3 * 86_400}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200, "{}", set.text().await.unwrap());
    let row = until(&desk, "the team's new deadlines", || async {
        let page = desk.queue(by_due.clone()).await.ok()?;
        page.rows
            .into_iter()
            .find(|r| r.user_id == user)
            .filter(|r| r.due_at == Some(two_days_ago.plus_seconds(3 * 86_400)))
    })
    .await;
    assert_eq!(row.state, CaseState::Validated);
    until(&desk, "no late case", || async {
        (desk.status().sync.late == 0).then_some(())
    })
    .await;
}
