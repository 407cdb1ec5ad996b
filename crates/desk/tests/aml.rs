//! An AML flag is never lost: it belongs to the person, not to their latest verification. The
//! queue's marker and filter and the case keep it, with the date and codes of the attempt that
//! raised it, through a new verification, a later success and a review; a new verification of a
//! flagged person needs a confirmation that names the flag, and the audit trail records it as
//! such (codes, never a reason's text).

mod common;

use cache::{QueueFilter, QueueQuery};
use common::{World, case_in, verification_finished};
use desk::{Confirmation, Error};
use kyc::{CaseState, Caution, KycReview};
use sandbox::{Outcome, ReviewDecision};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_aml_flag_stays_with_the_person_through_a_new_verification_a_success_and_a_review() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Viktor", "Orlov");
    world
        .control()
        .set_review_decision(user.get(), ReviewDecision::Validated)
        .unwrap();
    let refused = verification_finished(
        &world,
        &desk,
        user,
        Outcome::Refused {
            reasons: vec![1310, 2304],
            comment: None,
        },
        CaseState::Refused,
    )
    .await;
    let first = refused
        .detail
        .view
        .current_attempt()
        .unwrap()
        .identification
        .clone()
        .unwrap();
    let flag = refused.detail.view.aml_flags[0].clone();
    assert_eq!(flag.identification.as_ref(), Some(&first));
    assert_eq!(
        flag.codes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["2304"]
    );

    // A new verification asks for a confirmation that names the flag; Treezor is not called.
    let path = format!("/v1/users/{user}/kycliveness");
    let asked = desk
        .start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap_err();
    match &asked {
        Error::NeedsConfirmation {
            cautions, reason, ..
        } => {
            assert_eq!(cautions, &[Caution::AmlFlagged]);
            assert!(
                reason.contains("AML flag") && reason.contains("2304"),
                "{reason}"
            );
            assert!(reason.contains(&first.to_string()), "{reason}");
            assert!(
                !reason.contains("rightful owner"),
                "codes, not reason texts"
            );
        }
        other => panic!("expected a confirmation, got {other:?}"),
    }
    assert_eq!(world.control().hits_for("POST", &path), 1);

    // Confirmed, it starts, and the audit trail says it was despite the flag.
    let started = desk
        .start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap();
    let trail = desk.audit_entries(Some(user), 0, 100).await.unwrap();
    let entry = trail
        .iter()
        .rfind(|r| r.entry.action == "start_verification")
        .unwrap();
    assert!(
        entry.entry.detail.contains("confirmed despite: aml_flag")
            && entry.entry.detail.contains("codes 2304")
            && entry.entry.detail.contains(started.identification.as_str()),
        "{}",
        entry.entry.detail
    );
    assert!(!entry.entry.detail.contains("owner"));

    // The new verification succeeds, its documents come, the review is validated: still flagged.
    world
        .control()
        .finish(started.identification.as_str(), Outcome::Validated, None)
        .unwrap();
    case_in(&desk, user, CaseState::Validated).await;
    desk.retrieve_documents(user).await.unwrap();
    case_in(&desk, user, CaseState::DocumentsReceived).await;
    desk.request_review(user, Confirmation::Unconfirmed)
        .await
        .unwrap();
    let case = case_in(&desk, user, CaseState::ReviewValidated).await;
    assert_eq!(case.detail.view.review, Some(KycReview::Validated));
    assert_eq!(case.detail.view.aml_flags, [flag]);
    assert!(case.reasons.is_empty(), "the current attempt has no reason");
    // Earlier attempts stay with their score and reasons.
    let earlier = &case.detail.view.attempts[0];
    assert_eq!(earlier.identification.as_ref(), Some(&first));
    assert_eq!(earlier.score, Some(kyc::Score::Refused));
    assert_eq!(earlier.reasons.len(), 2);

    // The queue's marker and filter.
    let flagged = desk
        .queue(QueueQuery {
            filter: QueueFilter {
                aml_flagged: Some(true),
                ..QueueFilter::default()
            },
            ..QueueQuery::default()
        })
        .await
        .unwrap();
    let row = flagged.rows.iter().find(|r| r.user_id == user).unwrap();
    assert!(row.aml_flagged);
    assert_eq!(row.state, CaseState::ReviewValidated);
    let counts = desk
        .counts(QueueFilter {
            aml_flagged: Some(true),
            ..QueueFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(counts.get(CaseState::ReviewValidated), 1);
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_for_shareable_reasons_raises_no_flag_and_asks_for_no_confirmation() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Lina", "Haddad");
    let case = verification_finished(
        &world,
        &desk,
        user,
        Outcome::Refused {
            reasons: vec![1310],
            comment: None,
        },
        CaseState::Refused,
    )
    .await;
    assert!(case.detail.view.aml_flags.is_empty());
    desk.start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap();
    case_in(&desk, user, CaseState::LinkIssued).await;
    desk.shutdown().await;
}
