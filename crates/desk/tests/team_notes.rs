//! Proves the officer's notes go through the team's hub: a note written on one desk appears on a
//! colleague's desk with the author the hub named, and the writer's audit trail records it without
//! its text; the hub's refusals (the auditor role, the shared feed token) reach the officer as
//! such, are audited, and leave the team's notes unchanged; a note that is not valid text is
//! refused before anything is sent.

mod common;

use common::{FEED_TOKEN, World, known, signed_in, until};
use desk::desk::Desk;
use desk::sync::HubRefusal;
use desk::words::{HubProblem, Words};
use kyc::UserId;
use kyc::officer::Role;

/// The notes on `user`'s case once `desk` has `count` of them.
async fn notes_once(desk: &Desk, user: UserId, count: usize) -> Vec<cache::Note> {
    until(desk, "the notes", || async {
        let notes = desk.notes(user).await.unwrap();
        (notes.len() >= count).then_some(notes)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_written_on_one_desk_shows_on_a_colleagues_with_its_author() {
    let world = World::start().await;
    let zoe = signed_in(&world, "zoe", "Zoé Martin", Role::Officer).await;
    let sam = signed_in(&world, "sam", "Sam", Role::Senior).await;
    let user = world.person("Ana", "Souza");
    known(&zoe, user).await;

    let text = "Customer called: new ID card on its way.\nWait for it.";
    let written = zoe.write_note(user, text).await.unwrap();
    assert!(written.seq.is_some());

    let on_sam = notes_once(&sam, user, 1).await;
    assert_eq!(on_sam.len(), 1);
    assert_eq!(
        (on_sam[0].author.as_str(), on_sam[0].text.as_str()),
        ("Zoé Martin", text)
    );
    assert_eq!(Some(on_sam[0].seq), written.seq);
    assert_eq!(
        notes_once(&zoe, user, 1).await,
        on_sam,
        "the same on both desks"
    );

    let entries = zoe.audit_entries(Some(user), 0, 100).await.unwrap();
    let entry = &entries.last().unwrap().entry;
    assert_eq!(
        (entry.action.as_str(), entry.officer.as_str()),
        ("note", "Zoé Martin")
    );
    assert_eq!(entry.outcome, cache::Outcome::Succeeded);
    assert!(!entry.detail.contains("ID card"), "{}", entry.detail);
    zoe.shutdown().await;
    sam.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hubs_refusals_reach_the_officer_are_audited_and_change_nothing() {
    let world = World::start().await;
    let ana = signed_in(&world, "ana", "Ana", Role::Auditor).await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let shared = world.colleague_desk("shared", FEED_TOKEN).await;
    let user = world.person("Ana", "Souza");
    known(&ana, user).await;
    known(&shared, user).await;

    let error = ana
        .write_note(user, "I should not be able to")
        .await
        .unwrap_err();
    assert_eq!(error.code(), "hub_refused", "{error}");
    assert!(
        error.to_string().contains("auditor role may not"),
        "{error}"
    );
    // Typed from the hub's code and its role, for the window to word: not its English.
    assert!(
        matches!(
            error.words(),
            Words::Hub {
                cause: HubProblem::Declined {
                    status: 403,
                    refusal: HubRefusal::Forbidden { ref role },
                    ..
                },
                ..
            } if role == "auditor"
        ),
        "{:?}",
        error.words()
    );
    let entries = ana.audit_entries(Some(user), 0, 100).await.unwrap();
    let entry = &entries.last().unwrap().entry;
    assert_eq!(
        (entry.action.as_str(), entry.outcome),
        ("note", cache::Outcome::Failed)
    );

    let error = shared.write_note(user, "Nobody's note").await.unwrap_err();
    assert_eq!(error.code(), "hub_refused", "{error}");
    assert!(
        error.to_string().contains("own officer credential"),
        "{error}"
    );
    assert!(
        matches!(
            error.words(),
            Words::Hub {
                cause: HubProblem::Declined {
                    refusal: HubRefusal::OfficerCredentialRequired,
                    ..
                },
                ..
            }
        ),
        "{:?}",
        error.words()
    );

    let error = zoe
        .write_note(user, "bad \u{1b}[2J text")
        .await
        .unwrap_err();
    assert_eq!(error.code(), "invalid_note", "{error}");
    assert_eq!(
        error.words(),
        Words::InvalidNote {
            user,
            problem: kyc::text_problem::TextProblem::ControlCharacter
        }
    );

    // A note the hub takes afterwards is the only one any desk sees.
    zoe.write_note(user, "The only note").await.unwrap();
    let notes = notes_once(&ana, user, 1).await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].text, "The only note");
    for desk in [ana, zoe, shared] {
        desk.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_without_a_hub_says_what_to_do() {
    let mut world = World::start().await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let user = world.person("Ana", "Souza");
    known(&zoe, user).await;
    world.stop_relay().await;
    let error = zoe
        .write_note(user, "While the hub is away")
        .await
        .unwrap_err();
    assert_eq!(error.code(), "hub_unreachable", "{error}");
    assert!(
        error.to_string().contains("retry once the hub answers"),
        "{error}"
    );
    world.restart_relay().await;
    zoe.write_note(user, "Back").await.unwrap();
    let notes = notes_once(&zoe, user, 1).await;
    assert_eq!(
        notes.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
        ["Back"]
    );
    zoe.shutdown().await;
}
