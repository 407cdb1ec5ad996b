//! Proves the outbox toward the team's trail at the hub, against the real relay: the audit entries
//! of an officer signed in with their own credential reach the hub's trail in their order, named
//! by the hub; entries written while the hub is away, and across a restart of the dashboard, wait
//! in the cache's outbox and reach the hub once it is back, each once, in order; the hub's chain
//! verifies intact, and the dashboard's Verify carries the hub's answer.

mod common;

use common::{World, known, until};
use desk::desk::Desk;
use kyc::officer::{OfficerName, Role};
use kyc::trail::TrailEntry;
use relay::officers::Credential;
use relay::store::Officers;
use relay::store::sqlite::SqliteOfficers;

async fn issue(world: &World, name: &str, role: Role) -> Credential {
    let officers = SqliteOfficers::open(&world.relay_data).unwrap();
    let credential = Credential::issue();
    officers
        .add(OfficerName::parse(name).unwrap(), role, credential.hash())
        .await
        .unwrap();
    credential
}

/// The hub's trail, read with the auditor's credential.
async fn hub_trail(world: &World, auditor: &Credential) -> Vec<TrailEntry> {
    let response = reqwest::Client::new()
        .get(format!(
            "http://{}/v1/trail/export?format=json&officer=Zo%C3%A9",
            world.relay_addr
        ))
        .bearer_auth(auditor.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// What the desk's own trail holds for Zoé, as the hub should have it: (action, outcome, time).
async fn local_entries(desk: &Desk) -> Vec<(String, String, String)> {
    desk.audit_entries(None, 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|record| record.entry.officer == "Zoé")
        .map(|record| {
            (
                record.entry.action,
                record.entry.outcome.as_str().to_owned(),
                record.entry.at.to_rfc3339(),
            )
        })
        .collect()
}

fn as_sent(entries: &[TrailEntry]) -> Vec<(String, String, String)> {
    entries
        .iter()
        .map(|e| {
            (
                e.action.clone(),
                e.outcome.clone(),
                e.occurred_at.unwrap().to_rfc3339(),
            )
        })
        .collect()
}

/// Waits until the hub's trail holds exactly what the desk's trail holds for Zoé.
async fn hub_caught_up(world: &World, desk: &Desk, auditor: &Credential) -> Vec<TrailEntry> {
    let local = local_entries(desk).await;
    until(desk, "the hub's trail to catch up", || async {
        let hub = hub_trail(world, auditor).await;
        (as_sent(&hub) == local).then_some(hub)
    })
    .await
}

/// Zoé, an officer, signed in on a dashboard with her own credential, after two actions the
/// case's state refused (each audited, so each goes to the hub); and the auditor's credential,
/// to read the hub's trail.
async fn zoe_at_work(world: &World) -> (Credential, Credential, Desk, kyc::UserId) {
    let zoe = issue(world, "Zoé", Role::Officer).await;
    let auditor = issue(world, "Ana", Role::Auditor).await;
    let desk = world.desk_reading_with(zoe.expose()).await;
    until(&desk, "the sign-in", || async {
        desk.status().sync.signed_in
    })
    .await;
    let user = world.person("Ana", "Souza");
    known(&desk, user).await;
    desk.retrieve_documents(user).await.unwrap_err();
    desk.retrieve_documents(user).await.unwrap_err();
    (zoe, auditor, desk, user)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_reach_the_hub_in_order_once_through_a_dead_hub_and_a_restart() {
    let mut world = World::start().await;
    let (zoe, auditor, desk, user) = zoe_at_work(&world).await;
    let first = hub_caught_up(&world, &desk, &auditor).await;
    assert!(first.len() >= 2, "{first:?}");
    assert!(first.iter().all(|e| e.officer.as_str() == "Zoé"));

    // The hub goes away; the officer goes on working, then closes the dashboard.
    world.stop_relay().await;
    desk.retrieve_documents(user).await.unwrap_err();
    desk.retrieve_documents(user).await.unwrap_err();
    let waiting = local_entries(&desk).await;
    assert_eq!(waiting.len(), first.len() + 2);
    desk.shutdown().await;

    // The dashboard starts again, then the hub comes back: what waited is sent, once, in order.
    let desk = world.desk_reading_with(zoe.expose()).await;
    world.restart_relay().await;
    let all = hub_caught_up(&world, &desk, &auditor).await;
    assert_eq!(as_sent(&all), waiting);
    assert_eq!(
        all[..first.len()],
        first[..],
        "what was sent before is not sent again"
    );
    let seqs: Vec<u64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(
        seqs,
        (1..=all.len() as u64).collect::<Vec<_>>(),
        "nothing twice"
    );

    let check = desk.verify_audit().await.unwrap();
    assert!(check.intact, "{check:?}");
    let hub = check.hub.expect("the hub's answer");
    assert!(hub.intact, "{hub:?}");
    assert_eq!(hub.entries, all.len() as u64);
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_shows_where_the_hubs_trail_breaks() {
    let world = World::start().await;
    let (_, auditor, desk, _) = zoe_at_work(&world).await;
    let sent = hub_caught_up(&world, &desk, &auditor).await;
    assert!(sent.len() >= 2);

    rusqlite::Connection::open(&world.relay_data)
        .unwrap()
        .execute("UPDATE trail SET outcome = 'succeeded' WHERE seq = 2", [])
        .unwrap();
    let check = desk.verify_audit().await.unwrap();
    assert!(check.intact, "the desk's own trail is untouched");
    let hub = check.hub.expect("the hub's answer");
    assert!(!hub.intact);
    assert_eq!(hub.broken_at, Some(2));
    let problem = hub.problem.unwrap();
    assert!(problem.contains("entry 2 was altered"), "{problem}");
    desk.shutdown().await;
}

/// Zoé at work, her Verify seeing the hub's trail intact, and the hub holding every entry of
/// hers, the Verify's own included; returns the entries the Verify saw.
async fn verified_once(world: &World) -> (Credential, Desk, kyc::UserId, usize) {
    let (_, auditor, desk, user) = zoe_at_work(world).await;
    let seen = hub_caught_up(world, &desk, &auditor).await.len();
    let hub = desk
        .verify_audit()
        .await
        .unwrap()
        .hub
        .expect("the hub's answer");
    assert!(hub.intact, "{hub:?}");
    assert_eq!(hub.entries, seen as u64);
    hub_caught_up(world, &desk, &auditor).await;
    (auditor, desk, user, seen)
}

/// Someone with the hub's database deletes its entries from `from` on: what remains still chains.
fn cut_from(world: &World, from: usize) {
    rusqlite::Connection::open(&world.relay_data)
        .unwrap()
        .execute("DELETE FROM trail WHERE seq >= ?1", [from as i64])
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_shows_entries_cut_from_the_end_of_the_hubs_trail() {
    let world = World::start().await;
    let (_, desk, _, seen) = verified_once(&world).await;

    cut_from(&world, seen);
    let check = desk.verify_audit().await.unwrap();
    assert!(check.intact, "the desk's own trail is untouched");
    let hub = check.hub.expect("the hub's answer");
    assert!(hub.answered);
    assert!(!hub.intact, "a trail cut short is not intact: {hub:?}");
    assert_eq!(hub.entries, seen as u64 - 1);
    assert_eq!(hub.broken_at, Some(seen as u64));
    let problem = hub.problem.unwrap();
    assert!(
        problem.contains(&format!("saw it hold entry {seen}")),
        "{problem}"
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_shows_a_hubs_trail_cut_back_and_grown_again() {
    let mut world = World::start().await;
    let (auditor, desk, user, seen) = verified_once(&world).await;

    // The end is cut while the hub is down; once it is back, the officer works on, and the trail
    // grows back past its old length with entries the hub chains to what remains. Its length
    // alone no longer shows the cut.
    world.stop_relay().await;
    cut_from(&world, seen);
    world.restart_relay().await;
    desk.retrieve_documents(user).await.unwrap_err();
    desk.retrieve_documents(user).await.unwrap_err();
    until(&desk, "the hub's trail to grow back", || async {
        (hub_trail(&world, &auditor).await.len() > seen).then_some(())
    })
    .await;

    let hub = desk
        .verify_audit()
        .await
        .unwrap()
        .hub
        .expect("the hub's answer");
    assert!(
        !hub.intact,
        "a trail cut back and grown again is not intact: {hub:?}"
    );
    assert_eq!(hub.broken_at, Some(seen as u64), "{hub:?}");
    let problem = hub.problem.unwrap();
    assert!(
        problem.contains("is not the entry this desk verified"),
        "{problem}"
    );
    desk.shutdown().await;
}
