//! Proves the desk enforces four eyes with what the hub recorded: on an AML-flagged case,
//! requesting the review, starting a verification and closing as accepted are refused
//! (`needs_approval`, audited) until a senior other than the proposer approved a proposal at the
//! hub, read from the cache of the hub's feed; the proposer cannot approve their own proposal; a
//! policy a senior sets binds an unflagged case; a desk on the team's shared feed token (one
//! officer) is not bound. An approval is spent by one run of its action, on any desk, even two
//! desks running it at once; a run that failed goes again under it. Decisions, an FIU report among them, reach a colleague's desk with
//! their author, and the local audit trail records them without their justification.

mod common;

use common::{World, known, signed_in, until, verification_finished};
use desk::desk::Desk;
use desk::{Confirmation, Error};
use kyc::decision::DecisionKind;
use kyc::four_eyes::{GuardedAction, Verdict};
use kyc::officer::Role;
use kyc::{CaseState, UserId};
use sandbox::{Fault, FaultRule, Outcome};

/// A person refused for an AML-sensitive reason (2304), as `desk` sees them.
async fn flagged(world: &World, desk: &Desk) -> UserId {
    let user = world.person("Viktor", "Orlov");
    let refused = Outcome::Refused {
        reasons: vec![1310, 2304],
        comment: None,
    };
    let case = verification_finished(world, desk, user, refused, CaseState::Refused).await;
    assert!(case.detail.view.aml_flagged());
    user
}

/// Waits until `desk`'s cache holds an approval of `action` on `user`'s case.
async fn approved_on(desk: &Desk, user: UserId, action: GuardedAction) {
    until(desk, "the approval", || async {
        let four_eyes = desk.four_eyes(user).await.unwrap();
        four_eyes.approved.contains(&action).then_some(())
    })
    .await
}

/// The number of the newest proposal `desk`'s cache holds on `user`'s case, once it has `count`.
async fn proposal_on(desk: &Desk, user: UserId, count: usize) -> u64 {
    until(desk, "the proposal", || async {
        let proposals = desk.four_eyes(user).await.unwrap().proposals;
        (proposals.len() >= count).then(|| proposals.last().unwrap().seq)
    })
    .await
}

/// `proposer` proposes `action` (the case's `count`th proposal) and `senior` approves it; returns
/// once `proposer`'s cache holds the approval.
async fn approved(
    proposer: &Desk,
    senior: &Desk,
    user: UserId,
    action: GuardedAction,
    count: usize,
) {
    proposer
        .propose(user, action, "the case is ready")
        .await
        .unwrap();
    let number = proposal_on(proposer, user, count).await;
    senior
        .answer_proposal(user, number, Verdict::Approved, "checked")
        .await
        .unwrap();
    approved_on(proposer, user, action).await;
}

fn needs_approval(error: &Error) -> bool {
    error.code() == "needs_approval"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flagged_case_moves_forward_only_with_an_approval_the_hub_recorded() {
    let world = World::start().await;
    // The flag is raised by a single-officer desk on the shared feed token: it is not bound.
    let alone = world.desk().await;
    let user = flagged(&world, &alone).await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let sam = signed_in(&world, "sam", "Sam", Role::Senior).await;
    let lea = signed_in(&world, "lea", "Léa", Role::Senior).await;
    known(&zoe, user).await;
    known(&sam, user).await;

    let four_eyes = zoe.four_eyes(user).await.unwrap();
    assert!(four_eyes.applies && four_eyes.aml_flagged);
    assert_eq!(four_eyes.bound, GuardedAction::ALL);
    for refused in [
        zoe.start_verification(user, None, Confirmation::Confirmed)
            .await
            .unwrap_err(),
        zoe.request_review(user, Confirmation::Confirmed)
            .await
            .unwrap_err(),
        zoe.record_decision(user, DecisionKind::CloseAccepted, "all good")
            .await
            .unwrap_err(),
    ] {
        assert!(needs_approval(&refused), "{refused}");
        assert!(refused.to_string().contains("Propose it"), "{refused}");
    }
    let entries = zoe.audit_entries(Some(user), 0, 100).await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.entry.action == "start_verification"
                && e.entry.outcome == cache::Outcome::Refused
                && e.entry.detail.contains("second officer")),
        "the refusal is audited"
    );

    // Zoé proposes a new verification; the refusal now names the pending proposal.
    zoe.propose(
        user,
        GuardedAction::StartVerification,
        "new ID card arrived",
    )
    .await
    .unwrap();
    let number = proposal_on(&zoe, user, 1).await;
    let waiting = zoe
        .start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap_err();
    assert!(
        waiting
            .to_string()
            .contains(&format!("Proposal {number} by Zoé waits")),
        "{waiting}"
    );
    // An officer who is not a senior cannot approve it, nor can the proposer.
    let own = zoe
        .answer_proposal(user, number, Verdict::Approved, "fine by me")
        .await
        .unwrap_err();
    assert_eq!(own.code(), "hub_refused", "{own}");
    // Sam approves: only then, and only from the hub's feed, does Zoé's desk let it run.
    sam.answer_proposal(user, number, Verdict::Approved, "checked the video")
        .await
        .unwrap();
    approved_on(&zoe, user, GuardedAction::StartVerification).await;
    zoe.start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap();
    // The approval is for that action only.
    let review = zoe
        .request_review(user, Confirmation::Confirmed)
        .await
        .unwrap_err();
    assert!(needs_approval(&review), "{review}");

    // A senior's own proposal needs another senior.
    sam.propose(user, GuardedAction::CloseAccepted, "documents valid")
        .await
        .unwrap();
    let closing = proposal_on(&sam, user, 2).await;
    let own = sam
        .answer_proposal(user, closing, Verdict::Approved, "mine")
        .await
        .unwrap_err();
    assert_eq!(own.code(), "hub_refused", "{own}");
    assert!(
        own.to_string()
            .contains("a different senior officer must approve or reject it"),
        "{own}"
    );
    assert!(
        matches!(
            own.words(),
            desk::words::Words::Hub {
                cause: desk::words::HubProblem::Declined {
                    status: 403,
                    refusal: desk::sync::HubRefusal::OwnProposal,
                    ..
                },
                ..
            }
        ),
        "typed from the hub's code: {:?}",
        own.words()
    );
    let still = sam
        .record_decision(user, DecisionKind::CloseAccepted, "closing")
        .await
        .unwrap_err();
    assert!(needs_approval(&still), "{still}");
    lea.answer_proposal(user, closing, Verdict::Approved, "agreed")
        .await
        .unwrap();
    approved_on(&sam, user, GuardedAction::CloseAccepted).await;
    sam.record_decision(user, DecisionKind::CloseAccepted, "closing")
        .await
        .unwrap();
    for desk in [alone, zoe, sam, lea] {
        desk.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_is_spent_by_one_run_and_a_failed_run_goes_again_under_it() {
    let world = World::start().await;
    let alone = world.desk().await;
    let user = flagged(&world, &alone).await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let sam = signed_in(&world, "sam", "Sam", Role::Senior).await;
    known(&zoe, user).await;
    known(&sam, user).await;

    // One approval to start a verification.
    approved(&zoe, &sam, user, GuardedAction::StartVerification, 1).await;

    // The first run fails on the way to Treezor: the same run goes again and is not refused.
    let path = format!("/v1/users/{user}/kycliveness");
    world.control().inject(
        FaultRule::new(
            &path,
            Fault::Status {
                status: 503,
                after_handling: false,
            },
        )
        .method("POST"),
    );
    let failed = zoe
        .start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap_err();
    assert!(!needs_approval(&failed), "{failed}");
    world.control().clear_faults();
    zoe.start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap();

    // Spent: neither this desk nor a colleague's runs it again without a new approval.
    let again = zoe
        .start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap_err();
    assert!(needs_approval(&again), "{again}");
    until(&sam, "the run in a colleague's feed", || async {
        let four_eyes = sam.four_eyes(user).await.unwrap();
        (!four_eyes
            .approved
            .contains(&GuardedAction::StartVerification))
        .then_some(())
    })
    .await;
    let colleague = sam
        .start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap_err();
    assert!(needs_approval(&colleague), "{colleague}");

    // A new approval allows one more run.
    approved(&zoe, &sam, user, GuardedAction::StartVerification, 2).await;
    zoe.start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap();
    for desk in [alone, zoe, sam] {
        desk.shutdown().await;
    }
}

/// Two desks holding the same approval run its action at the same moment, three times over:
/// each time the hub stores one run and refuses the other (`already_run`), so Treezor is asked
/// once and the other officer is told the action needs a new approval, not that the hub failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_desks_running_one_approval_at_once_one_acts_and_the_other_needs_a_new_one() {
    let world = World::start().await;
    let alone = world.desk().await;
    let user = flagged(&world, &alone).await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let max = signed_in(&world, "max", "Max", Role::Officer).await;
    let sam = signed_in(&world, "sam", "Sam", Role::Senior).await;
    for desk in [&zoe, &max, &sam] {
        known(desk, user).await;
    }
    for round in 1..=3 {
        approved(&zoe, &sam, user, GuardedAction::StartVerification, round).await;
        approved_on(&max, user, GuardedAction::StartVerification).await;
        let (by_zoe, by_max) = tokio::join!(
            zoe.start_verification(user, None, Confirmation::Confirmed),
            max.start_verification(user, None, Confirmation::Confirmed),
        );
        let refused: Vec<Error> = [by_zoe.err(), by_max.err()].into_iter().flatten().collect();
        assert_eq!(refused.len(), 1, "round {round}: exactly one desk acts");
        assert!(needs_approval(&refused[0]), "round {round}: {}", refused[0]);
    }
    for desk in [alone, zoe, max, sam] {
        desk.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_proposal_allows_nothing_and_a_policy_binds_unflagged_cases() {
    let world = World::start().await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let sam = signed_in(&world, "sam", "Sam", Role::Senior).await;
    let user = world.person("Ana", "Souza");
    known(&zoe, user).await;
    // Unflagged, under the default policy: one officer decides.
    assert!(zoe.four_eyes(user).await.unwrap().bound.is_empty());
    zoe.record_decision(user, DecisionKind::CloseAccepted, "fine")
        .await
        .unwrap();

    sam.set_four_eyes_policy(kyc::four_eyes::Policy {
        close_accepted: kyc::four_eyes::Rule::Always,
        ..Default::default()
    })
    .await
    .unwrap();
    until(&zoe, "the policy", || async {
        let bound = zoe.four_eyes(user).await.unwrap().bound;
        (bound == [GuardedAction::CloseAccepted]).then_some(())
    })
    .await;
    let refused = zoe
        .record_decision(user, DecisionKind::CloseAccepted, "fine")
        .await
        .unwrap_err();
    assert!(needs_approval(&refused), "{refused}");
    let by_officer = zoe
        .set_four_eyes_policy(kyc::four_eyes::Policy::default())
        .await
        .unwrap_err();
    assert_eq!(by_officer.code(), "hub_refused", "{by_officer}");

    zoe.propose(user, GuardedAction::CloseAccepted, "fine")
        .await
        .unwrap();
    let number = proposal_on(&zoe, user, 1).await;
    sam.answer_proposal(user, number, Verdict::Rejected, "wait for the new card")
        .await
        .unwrap();
    until(&zoe, "the rejection", || async {
        let proposals = zoe.four_eyes(user).await.unwrap().proposals;
        proposals[0].answer.clone()
    })
    .await;
    let still = zoe
        .record_decision(user, DecisionKind::CloseAccepted, "fine")
        .await
        .unwrap_err();
    assert!(needs_approval(&still), "{still}");
    zoe.shutdown().await;
    sam.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_reaches_a_colleague_with_its_author_and_stays_out_of_the_local_trail() {
    let world = World::start().await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let sam = signed_in(&world, "sam", "Sam", Role::Senior).await;
    let user = world.person("Ana", "Souza");
    known(&zoe, user).await;

    let why = "Counterfeit document, second attempt with another name";
    zoe.record_decision(user, DecisionKind::ReportToFiu, why)
        .await
        .unwrap();
    zoe.record_decision(user, DecisionKind::Escalate, "needs a senior")
        .await
        .unwrap();
    let on_sam = until(&sam, "the decisions", || async {
        let decisions = sam.decisions(user).await.unwrap();
        (decisions.len() == 2).then_some(decisions)
    })
    .await;
    assert_eq!(
        (
            on_sam[0].author.as_str(),
            on_sam[0].decision,
            on_sam[0].justification.as_str()
        ),
        ("Zoé", DecisionKind::ReportToFiu, why)
    );
    assert_eq!(on_sam[1].decision, DecisionKind::Escalate);
    let entries = zoe.audit_entries(Some(user), 0, 100).await.unwrap();
    let entry = &entries.last().unwrap().entry;
    assert_eq!(entry.action, "decision");
    assert!(
        !entries
            .iter()
            .any(|e| e.entry.detail.contains("Counterfeit")),
        "the justification stays in the team's log"
    );
    let empty = zoe
        .record_decision(user, DecisionKind::KeepWaiting, "  ")
        .await
        .unwrap_err();
    assert_eq!(empty.code(), "invalid_justification", "{empty}");
    zoe.shutdown().await;
    sam.shutdown().await;
}
