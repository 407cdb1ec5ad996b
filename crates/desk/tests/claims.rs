//! Proves that claims are decided by the team's hub and shown the same on every desk: a case
//! taken on one desk shows its holder on a colleague's, whose own claim is refused naming who
//! holds it and since when; only the holder releases, only a senior reassigns; work on a held
//! case (an action, a note, a decision, a proposal) renews the claim for everyone; "next
//! unclaimed" takes the case waiting longest and never one a colleague holds; and a desk cut off from the hub keeps the team state it had, says since
//! when, and refuses claims saying what to do. A case a colleague holds refuses its changes
//! (naming the holder, audited) and stays open to reading, notes, downloads and answers; the
//! queue's "Mine" and "Unclaimed" follow the claims.

mod common;

use cache::{Holding, QueueFilter, QueueQuery};
use common::{World, documents_received, known, signed_in, until};
use desk::Confirmation;
use desk::claims::{ClaimView, TeamState};
use desk::desk::Desk;
use desk::words::Words;
use kyc::UserId;
use kyc::claim::DEFAULT_LAPSE_SECONDS;
use kyc::decision::DecisionKind;
use kyc::four_eyes::{GuardedAction, Verdict};
use kyc::officer::Role;

/// `user`'s claim on `desk` once `holder` holds it (`None`: once nobody does).
async fn held_by(desk: &Desk, user: UserId, holder: Option<&str>) -> ClaimView {
    until(desk, &format!("user {user} held by {holder:?}"), || async {
        let view = desk.case_claim(user).await.unwrap();
        (view.claim.as_ref().map(|c| c.holder.as_str()) == holder).then_some(view)
    })
    .await
}

fn last_audit(entries: &[cache::AuditRecord]) -> (&str, cache::Outcome) {
    let entry = &entries.last().unwrap().entry;
    (entry.action.as_str(), entry.outcome)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_on_one_desk_shows_on_a_colleagues_who_is_told_who_holds_it() {
    let world = World::start().await;
    let zoe = signed_in(&world, "zoe", "Zoé Martin", Role::Officer).await;
    let sam = signed_in(&world, "sam", "Sam", Role::Senior).await;
    let user = world.person("Ana", "Souza");
    known(&zoe, user).await;
    known(&sam, user).await;

    zoe.claim(user).await.unwrap();
    let on_sam = held_by(&sam, user, Some("Zoé Martin")).await;
    assert!(!on_sam.mine);
    assert_eq!(on_sam.team, TeamState::Live);
    let claim = on_sam.claim.unwrap();
    assert_eq!(
        claim.lapses_at,
        claim.last_activity.plus_seconds(DEFAULT_LAPSE_SECONDS),
        "the lapse is the hub's"
    );
    let on_zoe = held_by(&zoe, user, Some("Zoé Martin")).await;
    assert!(on_zoe.mine);
    assert_eq!(
        on_zoe.claim.as_ref(),
        Some(&claim),
        "the same on both desks"
    );
    assert_eq!(
        sam.claims_of(vec![user]).await.unwrap(),
        vec![claim.clone()]
    );

    let refused = sam.claim(user).await.unwrap_err();
    assert_eq!(refused.code(), "claim_refused", "{refused}");
    let words = refused.to_string();
    assert!(
        words.contains("Zoé Martin holds this case since")
            && words.contains(&claim.since.to_rfc3339())
            && words.contains("ask them, or a senior to reassign it"),
        "{words}"
    );
    assert_eq!(
        last_audit(&sam.audit_entries(Some(user), 0, 100).await.unwrap()),
        ("claim", cache::Outcome::Failed)
    );
    assert_eq!(
        last_audit(&zoe.audit_entries(Some(user), 0, 100).await.unwrap()),
        ("claim", cache::Outcome::Succeeded)
    );
    zoe.shutdown().await;
    sam.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_holder_releases_only_a_senior_reassigns_and_work_renews_the_claim() {
    let world = World::start().await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let sam = signed_in(&world, "sam", "Sam", Role::Senior).await;
    let _lea = signed_in(&world, "lea", "Léa", Role::Officer).await;
    let user = world.person("Ana", "Souza");
    known(&zoe, user).await;
    known(&sam, user).await;

    zoe.claim(user).await.unwrap();
    let taken = held_by(&sam, user, Some("Zoé")).await.claim.unwrap();
    zoe.write_note(user, "Called the customer").await.unwrap();
    let renewed = until(&sam, "the renewed claim", || async {
        let claim = sam.case_claim(user).await.unwrap().claim?;
        (claim.last_activity > taken.last_activity).then_some(claim)
    })
    .await;
    assert_eq!(
        (renewed.holder.as_str(), renewed.since),
        ("Zoé", taken.since),
        "a renewal keeps the holder and the start"
    );

    let error = sam.release(user).await.unwrap_err();
    assert_eq!(error.code(), "claim_refused", "{error}");
    assert!(
        error.to_string().contains("only they can release it"),
        "{error}"
    );
    let error = zoe.reassign(user, "Léa").await.unwrap_err();
    assert_eq!(error.code(), "claim_refused", "{error}");
    assert!(
        error.to_string().contains("only a senior reassigns"),
        "{error}"
    );

    sam.reassign(user, "Léa").await.unwrap();
    assert!(!held_by(&zoe, user, Some("Léa")).await.mine);

    let error = zoe.release(user).await.unwrap_err();
    assert!(error.to_string().contains("Léa holds this case"), "{error}");
    zoe.claim(user).await.unwrap_err();
    sam.reassign(user, "Zoé").await.unwrap();
    held_by(&zoe, user, Some("Zoé")).await;
    zoe.release(user).await.unwrap();
    held_by(&sam, user, None).await;
    let error = zoe.release(user).await.unwrap_err();
    assert!(
        error.to_string().contains("nobody holds this case"),
        "{error}"
    );
    zoe.shutdown().await;
    sam.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_and_a_proposal_renew_the_claim_like_an_action() {
    let world = World::start().await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let sam = signed_in(&world, "sam", "Sam", Role::Senior).await;
    let user = world.person("Ana", "Souza");
    known(&zoe, user).await;
    known(&sam, user).await;

    zoe.claim(user).await.unwrap();
    let taken = held_by(&sam, user, Some("Zoé")).await.claim.unwrap();
    let renewed_after = |before: kyc::Timestamp| {
        let sam = sam.clone();
        async move {
            until(&sam, "the claim renewed", || async {
                let claim = sam.case_claim(user).await.unwrap().claim?;
                (claim.last_activity > before).then_some(claim)
            })
            .await
        }
    };

    zoe.record_decision(
        user,
        DecisionKind::KeepWaiting,
        "The customer asked for a day",
    )
    .await
    .unwrap();
    let after_decision = renewed_after(taken.last_activity).await;
    assert_eq!(
        (after_decision.holder.as_str(), after_decision.since),
        ("Zoé", taken.since),
        "a renewal keeps the holder and the start"
    );

    zoe.propose(user, GuardedAction::RequestReview, "Documents checked")
        .await
        .unwrap();
    let after_proposal = renewed_after(after_decision.last_activity).await;
    assert_eq!(after_proposal.since, taken.since);
    zoe.shutdown().await;
    sam.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_unclaimed_takes_the_case_waiting_longest_and_never_one_a_colleague_holds() {
    let world = World::start().await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let sam = signed_in(&world, "sam", "Sam", Role::Officer).await;
    let first = world.person("Ana", "Souza");
    let second = world.person("Bea", "Lima");
    let third = world.person("Cy", "Moreau");
    for user in [first, second, third] {
        known(&zoe, user).await;
        known(&sam, user).await;
    }

    // Sam takes the case waiting longest; Zoé asks at once, before or after her desk has seen
    // it: either her cache passes over it or the hub refuses it and she moves on.
    sam.claim(first).await.unwrap();
    assert_eq!(zoe.next_unclaimed().await.unwrap(), Some(second));
    assert!(held_by(&zoe, second, Some("Zoé")).await.mine);
    assert_eq!(
        held_by(&zoe, first, Some("Sam"))
            .await
            .claim
            .unwrap()
            .holder,
        "Sam"
    );
    held_by(&sam, second, Some("Zoé")).await;
    assert_eq!(sam.next_unclaimed().await.unwrap(), Some(third));
    held_by(&zoe, third, Some("Sam")).await;
    assert_eq!(zoe.next_unclaimed().await.unwrap(), None, "nothing left");
    zoe.shutdown().await;
    sam.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_cut_off_from_the_hub_keeps_its_team_state_and_refuses_claims() {
    let mut world = World::start().await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let user = world.person("Ana", "Souza");
    let other = world.person("Bea", "Lima");
    known(&zoe, user).await;
    known(&zoe, other).await;
    zoe.claim(user).await.unwrap();
    let before = held_by(&zoe, user, Some("Zoé")).await;
    let contact = zoe.status().sync.last_contact_at;

    world.stop_relay().await;
    let away = until(&zoe, "the hub to be away", || async {
        let view = zoe.case_claim(user).await.unwrap();
        matches!(view.team, TeamState::Away { .. }).then_some(view)
    })
    .await;
    assert_eq!(away.claim, before.claim, "the last team state it had");
    let TeamState::Away { as_of } = away.team else {
        unreachable!()
    };
    assert!(as_of >= contact && as_of.is_some(), "{as_of:?}");

    let error = zoe.claim(other).await.unwrap_err();
    assert_eq!(error.code(), "hub_unreachable", "{error}");
    let words = error.to_string();
    assert!(
        words.contains("Taking a case for user")
            && words.contains("cannot be reached")
            && words.contains("retry once the hub answers"),
        "{words}"
    );
    assert!(zoe.next_unclaimed().await.is_err());
    assert!(zoe.case_claim(other).await.unwrap().claim.is_none());

    world.restart_relay().await;
    until(&zoe, "the hub to answer again", || async {
        (zoe.team_state() == TeamState::Live).then_some(())
    })
    .await;
    zoe.claim(other).await.unwrap();
    held_by(&zoe, other, Some("Zoé")).await;
    zoe.shutdown().await;
}

/// Every case `desk`'s queue shows under `holding`, and the count of them.
async fn queue_under(desk: &Desk, holding: Holding) -> (Vec<UserId>, u64) {
    let filter = QueueFilter {
        holding: Some(holding),
        ..QueueFilter::default()
    };
    let page = desk
        .queue(QueueQuery {
            filter: filter.clone(),
            ..QueueQuery::default()
        })
        .await
        .unwrap();
    let counted = desk.counts(filter).await.unwrap().total;
    (page.rows.iter().map(|r| r.user_id).collect(), counted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_a_colleague_holds_refuses_its_changes_naming_them_and_stays_readable() {
    let world = World::start().await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;
    let sam = signed_in(&world, "sam", "Sam", Role::Senior).await;
    let user = world.person("Ana", "Souza");
    let other = world.person("Bea", "Lima");
    let documents = documents_received(&world, &zoe, user)
        .await
        .detail
        .documents;
    known(&sam, other).await;
    let case = until(&sam, "the documents", || async {
        sam.case_file(user)
            .await
            .ok()
            .filter(|c| c.detail.documents.len() == documents.len())
    })
    .await;
    zoe.claim(user).await.unwrap();
    let claim = held_by(&sam, user, Some("Zoé")).await.claim.unwrap();
    // The holder's own desk learns its claim from the feed too, like any other desk.
    held_by(&zoe, user, Some("Zoé")).await;

    // The queue's "Mine" is the officer's own; "Unclaimed" leaves out what anyone holds.
    assert_eq!(queue_under(&zoe, Holding::Mine).await, (vec![user], 1));
    assert_eq!(queue_under(&sam, Holding::Mine).await, (vec![], 0));
    assert_eq!(
        queue_under(&sam, Holding::Unclaimed).await,
        (vec![other], 1)
    );

    let refusals = [
        sam.start_verification(user, None, Confirmation::Confirmed)
            .await
            .map(drop),
        sam.retrieve_documents(user).await,
        sam.request_review(user, Confirmation::Confirmed)
            .await
            .map(drop),
        sam.record_decision(user, DecisionKind::Escalate, "looks odd")
            .await
            .map(drop),
        sam.propose(user, GuardedAction::RequestReview, "ready")
            .await
            .map(drop),
    ];
    for refused in refusals {
        let error = refused.unwrap_err();
        assert_eq!(error.code(), "held_by_colleague", "{error}");
        let words = error.to_string();
        assert!(
            words.contains(&format!(
                "on the case of user {user} was refused: Zoé holds this case"
            )) && words.contains(&claim.lapses_at.to_rfc3339())
                && words.contains("Ask them to release it, or a senior to reassign it to you."),
            "{words}"
        );
        assert!(matches!(
            error.words(),
            Words::HeldByColleague { ref holder, .. } if holder == "Zoé"
        ));
    }
    let trail = sam.audit_entries(Some(user), 0, 100).await.unwrap();
    let refused: Vec<&str> = trail
        .iter()
        .filter(|r| r.entry.outcome == cache::Outcome::Refused)
        .map(|r| r.entry.action.as_str())
        .collect();
    assert_eq!(
        refused,
        [
            "start_verification",
            "retrieve_documents",
            "request_review",
            "decision",
            "propose"
        ],
        "every refusal is in the trail"
    );

    // Reading, notes, downloads and a senior's answer to the holder's proposal stay open.
    sam.case_file(user).await.unwrap();
    sam.write_note(user, "Seen the documents").await.unwrap();
    let document = case.detail.documents[0].document.document_id;
    sam.download_document(user, document, |_| {}).await.unwrap();
    zoe.propose(user, GuardedAction::CloseAccepted, "documents valid")
        .await
        .unwrap();
    let proposal = until(&sam, "Zoé's proposal", || async {
        sam.four_eyes(user)
            .await
            .unwrap()
            .proposals
            .last()
            .map(|p| p.seq)
    })
    .await;
    sam.answer_proposal(user, proposal, Verdict::Approved, "checked")
        .await
        .unwrap();
    // The holder works the case as before.
    zoe.record_decision(user, DecisionKind::KeepWaiting, "customer calls back")
        .await
        .unwrap();

    // Released, the case is anyone's again.
    zoe.release(user).await.unwrap();
    held_by(&sam, user, None).await;
    sam.record_decision(user, DecisionKind::Escalate, "looks odd")
        .await
        .unwrap();
    zoe.shutdown().await;
    sam.shutdown().await;
}
