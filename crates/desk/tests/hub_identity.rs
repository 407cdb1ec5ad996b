//! Proves that the dashboard knows its officer by the hub's word: with an officer's own credential
//! the status bar says who is signed in and the audit trail names that officer instead of the OS
//! user; with the shared feed token the OS user is named as before; a credential revoked at the
//! hub is refused at once, the status bar shows the hub's message, and the trail stops naming the
//! revoked officer; a hub that is away has refused nothing, so its officer stays named; an officer's
//! credential is never sent to another server, and leaving the hub names the OS user again.

mod common;

use common::{World, known, until};
use desk::configure::SettingsInput;
use desk::desk::Desk;
use desk::sync::HubRefusal;
use desk::words::{HubProblem, Words};
use kyc::officer::{OfficerName, Role};
use relay::officers::Credential;
use relay::store::Officers;
use relay::store::sqlite::SqliteOfficers;
use tokio::sync::watch;

/// Issues a credential on the world's relay, as `kyc-relay officers add` does.
async fn issue(world: &World, name: &str, role: Role) -> (SqliteOfficers, Credential) {
    let officers = SqliteOfficers::open(&world.relay_data).unwrap();
    let credential = Credential::issue();
    officers
        .add(OfficerName::parse(name).unwrap(), role, credential.hash())
        .await
        .unwrap();
    (officers, credential)
}

/// Zoé Martin, an officer, signed in on a dashboard of `world` with her own credential, and a case
/// the dashboard knows.
async fn signed_in_desk(world: &World) -> (SqliteOfficers, Desk, kyc::UserId) {
    let (officers, credential) = issue(world, "Zoé Martin", Role::Officer).await;
    let desk = world.desk_reading_with(credential.expose()).await;
    until(&desk, "the sign-in", || async {
        desk.status().sync.signed_in
    })
    .await;
    let user = world.person("Ana", "Souza");
    known(&desk, user).await;
    (officers, desk, user)
}

/// The officer named by the audit entry an action writes now (a refused one is audited too).
async fn audited_officer(world: &World, desk: &Desk) -> String {
    let user = world.person("Ana", "Souza");
    known(desk, user).await;
    audited_officer_on(desk, user).await
}

async fn audited_officer_on(desk: &Desk, user: kyc::UserId) -> String {
    desk.retrieve_documents(user).await.unwrap_err();
    let entries = desk.audit_entries(Some(user), 0, 100).await.unwrap();
    entries
        .last()
        .expect("the refusal is audited")
        .entry
        .officer
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_credential_signs_in_and_names_the_officer_in_the_audit_trail() {
    let world = World::start().await;
    let (_, credential) = issue(&world, "Zoé Martin", Role::Senior).await;
    let desk = world.desk_reading_with(credential.expose()).await;
    let signed_in = until(&desk, "the hub to say who we are", || async {
        desk.status().sync.signed_in
    })
    .await;
    assert_eq!(
        (signed_in.name.as_str(), signed_in.role),
        ("Zoé Martin", Role::Senior)
    );
    assert_eq!(desk.status().officer, "Zoé Martin");
    assert_eq!(audited_officer(&world, &desk).await, "Zoé Martin");
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_feed_token_names_the_os_user_as_before() {
    let world = World::start().await;
    let desk = world.desk().await;
    until(&desk, "the first contact with the relay", || async {
        desk.status().sync.last_contact_at
    })
    .await;
    assert_eq!(desk.status().sync.signed_in, None);
    assert_eq!(audited_officer(&world, &desk).await, "officer.test");
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_credential_is_refused_at_once_with_the_hubs_message() {
    let world = World::start().await;
    let (officers, desk, user) = signed_in_desk(&world).await;
    assert_eq!(audited_officer_on(&desk, user).await, "Zoé Martin");
    officers
        .revoke(OfficerName::parse("Zoé Martin").unwrap())
        .await
        .unwrap();
    // The next webhook ends the waiting poll, which the hub now refuses.
    world.person("Léa", "Roux");
    let message = until(&desk, "the refusal to show", || async {
        let sync = desk.status().sync;
        sync.last_error.filter(|_| sync.signed_in.is_none())
    })
    .await;
    assert!(
        message.contains("Zoé Martin") && message.contains("was revoked"),
        "{message}"
    );
    assert!(message.contains("Settings"), "says what to do: {message}");
    // The window words it from the hub's code, whose and when, not from the English message.
    let problem = desk.status().sync.problem;
    assert!(
        matches!(
            &problem,
            Some(Words::Relay {
                problem: HubProblem::Refused {
                    refusal: HubRefusal::CredentialRevoked { officer, on: Some(_) },
                    ..
                }
            }) if officer == "Zoé Martin"
        ),
        "{problem:?}"
    );
    assert_eq!(
        audited_officer_on(&desk, user).await,
        "officer.test",
        "a revoked officer is no longer named"
    );
    let check = desk.verify_audit().await.unwrap();
    assert!(
        check.intact,
        "entries naming the hub's officer, then the OS user, make one intact trail: {check:?}"
    );
    desk.shutdown().await;
}

/// A request as a stand-in server heard it: its path and its `Authorization` header.
type Heard = (String, Option<String>);

/// A server on `listener` (where the hub was, or anywhere else) that answers every request 503, as a hub
/// away behind its proxy does, and keeps what it heard.
async fn stand_in(listener: tokio::net::TcpListener) -> watch::Receiver<Vec<Heard>> {
    let (keep, heard) = watch::channel(Vec::new());
    let app = axum::Router::new().fallback(
        move |uri: axum::http::Uri, headers: axum::http::HeaderMap| {
            let keep = keep.clone();
            async move {
                let authorization = headers
                    .get(axum::http::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                keep.send_modify(|heard| heard.push((uri.path().to_owned(), authorization)));
                axum::http::StatusCode::SERVICE_UNAVAILABLE
            }
        },
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    heard
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_the_hub_is_away_the_audit_trail_still_names_its_officer() {
    let mut world = World::start().await;
    let (_, desk, user) = signed_in_desk(&world).await;
    world.stop_relay().await;
    let where_it_was = tokio::net::TcpListener::bind(world.relay_addr)
        .await
        .unwrap();
    let mut heard = stand_in(where_it_was).await;
    // The failed poll makes the loop ask who it is again; the hub, away, does not answer.
    tokio::time::timeout(
        std::time::Duration::from_secs(20),
        heard.wait_for(|heard| heard.iter().any(|(path, _)| path == "/v1/me")),
    )
    .await
    .expect("the dashboard asks the hub who it is again")
    .unwrap();
    until(&desk, "the failure to show", || async {
        desk.status().sync.last_error.filter(|e| e.contains("503"))
    })
    .await;
    assert_eq!(
        desk.status().sync.signed_in.map(|s| s.name),
        Some("Zoé Martin".to_owned())
    );
    assert_eq!(audited_officer_on(&desk, user).await, "Zoé Martin");
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_credential_goes_only_to_the_hub_it_was_entered_for() {
    let world = World::start().await;
    let (_, desk, user) = signed_in_desk(&world).await;

    // The relay URL now names another server on this machine.
    let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = elsewhere.local_addr().unwrap();
    let heard = stand_in(elsewhere).await;
    let mut moved = world.settings();
    moved.relay.as_mut().unwrap().url = format!("http://{other}");
    desk.save_settings(SettingsInput {
        settings: moved,
        client_secret: None,
        feed_token: None,
    })
    .await
    .unwrap();
    until(&desk, "the sync to say why it stopped", || async {
        desk.status()
            .sync
            .last_error
            .filter(|e| e.contains("never sent to another server"))
    })
    .await;
    assert_eq!(
        desk.status().sync.signed_in,
        None,
        "no hub vouches for it now"
    );
    assert_eq!(audited_officer_on(&desk, user).await, "officer.test");
    assert!(
        heard
            .borrow()
            .iter()
            .all(|(_, authorization)| authorization.is_none()),
        "the credential never reached the other server: {:?}",
        heard.borrow()
    );

    // Back to the hub it was entered for: the saved credential signs in again.
    desk.save_settings(SettingsInput {
        settings: world.settings(),
        client_secret: None,
        feed_token: None,
    })
    .await
    .unwrap();
    let signed_in = until(&desk, "the sign-in again", || async {
        desk.status().sync.signed_in
    })
    .await;
    assert_eq!(signed_in.name, "Zoé Martin");
    assert_eq!(audited_officer_on(&desk, user).await, "Zoé Martin");
    desk.shutdown().await;
}
