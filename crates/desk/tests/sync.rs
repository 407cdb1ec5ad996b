//! The sync loop against a real relay: restarts lose and repeat nothing, a relay that goes away
//! and comes back is followed again, and duplicated or reordered deliveries end in the right state.

mod common;

use common::{World, case_in, known, until, verification_finished};
use desk::Confirmation;
use desk::sync::Connection;
use kyc::CaseState;
use sandbox::{Outcome, WebhookFaults};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_dashboard_resumes_from_its_cursor_and_applies_each_webhook_once() {
    let world = World::start().await;
    let desk = world.desk().await;
    let first = world.person("Marta", "Kowalska");
    known(&desk, first).await;
    let cursor_before = desk.health().borrow().cursor;
    desk.shutdown().await;
    assert_eq!(desk.health().borrow().connection, Connection::Stopped);

    // While the dashboard is down, more webhooks arrive at the relay.
    let second = world.person("Nadia", "Haddad");
    let third = world.person("Ólafur", "Jónsson");

    let desk = world.desk().await;
    known(&desk, second).await;
    known(&desk, third).await;
    let health = until(&desk, "the dashboard to catch up", || async {
        let h = desk.health().borrow().clone();
        (h.lag == 0 && h.cursor > cursor_before).then_some(h)
    })
    .await;
    assert_eq!(health.cursor, health.relay_last_seq);
    for user in [first, second, third] {
        let case = desk.case_file(user).await.unwrap();
        let creates = case
            .detail
            .timeline
            .iter()
            .filter(|t| t.event == "user.create")
            .count();
        assert_eq!(creates, 1, "user {user}'s user.create is applied once");
    }
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_that_goes_away_is_reported_and_followed_again_when_it_returns() {
    // Treezor keeps retrying a webhook its endpoint refused; give the retries a few seconds.
    let mut world = World::start_with(sandbox::SandboxConfig {
        webhook_retry: sandbox::WebhookRetry {
            max_attempts: 30,
            first_delay: std::time::Duration::from_millis(20),
            max_delay: std::time::Duration::from_millis(200),
            timeout: std::time::Duration::from_secs(5),
        },
        ..sandbox::SandboxConfig::for_tests()
    })
    .await;
    let desk = world.desk().await;
    let user = world.person("Kwame", "Mensah");
    known(&desk, user).await;

    world.stop_relay().await;
    let health = until(&desk, "the sync loop to report the relay down", || async {
        let h = desk.health().borrow().clone();
        (h.connection == Connection::Disconnected).then_some(h)
    })
    .await;
    let message = health.last_error.unwrap();
    assert!(
        message.contains("cannot be reached") && message.contains("relay"),
        "{message}"
    );

    // Webhooks Treezor sends meanwhile wait at the sandbox (it retries), then land.
    let started = desk
        .start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap();
    world
        .control()
        .finish(started.identification.as_str(), Outcome::Validated, None)
        .unwrap();
    world.restart_relay().await;
    case_in(&desk, user, CaseState::Validated).await;
    let health = desk.health().borrow().clone();
    assert_eq!(health.connection, Connection::Connected);
    assert_eq!(health.last_error, None);
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicated_and_reordered_deliveries_end_in_the_right_state() {
    let world = World::start().await;
    world.control().set_webhook_faults(WebhookFaults {
        duplicate: true,
        reorder: true,
        ..WebhookFaults::default()
    });
    let desk = world.desk().await;
    let user = world.person("Sofía", "Núñez");
    let case = verification_finished(
        &world,
        &desk,
        user,
        Outcome::Refused {
            reasons: vec![2101],
            comment: None,
        },
        CaseState::Refused,
    )
    .await;
    let attempt = case.detail.view.current_attempt().unwrap();
    assert_eq!(attempt.reasons.len(), 1);
    let updates = case
        .detail
        .timeline
        .iter()
        .filter(|t| t.event == "kycliveness.update")
        .count();
    assert_eq!(
        updates, 1,
        "the duplicate delivery is stored once (same webhook_id)"
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catch_up_waits_for_the_windows_first_page_and_starts_on_it() {
    let world = World::start().await;
    let users = [
        world.person("Marta", "Kowalska"),
        world.person("Nadia", "Haddad"),
    ];
    // Both users' webhooks are in the relay before the desk starts.
    let mut committed = world.relay.as_ref().unwrap().committed();
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        committed.wait_for(|seq| *seq >= users.len() as u64),
    )
    .await
    .expect("the relay commits both users' webhooks")
    .unwrap();
    // Longer than `until` waits: only the first page can let the catch-up start in time.
    let desk = world
        .desk_holding_for_first_rows(std::time::Duration::from_secs(600))
        .await;
    // Without a first page, the relay stays unread: a desk that syncs at once reads it within
    // milliseconds, well inside this bound.
    let mut health = desk.health();
    let contact = tokio::time::timeout(
        std::time::Duration::from_secs(2),
        health.wait_for(|h| h.last_contact_at.is_some() || h.cursor > 0),
    )
    .await;
    assert!(contact.is_err(), "the relay was read before the first page");

    let first = desk.queue(cache::QueueQuery::default()).await.unwrap();
    assert!(
        first.rows.is_empty(),
        "the first page is answered from the cache as it was"
    );
    for user in users {
        known(&desk, user).await;
    }
    desk.shutdown().await;
}
