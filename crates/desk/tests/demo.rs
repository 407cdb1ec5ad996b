//! With no settings the dashboard runs on its embedded sandbox and relay, seeded, and the seeded
//! webhooks reach its queue through the real relay and sync loop. The demo's hub signs the officer
//! in as the team's senior, and its scripted colleague's claims, notes and proposal reach the cache
//! through the feed, where the officer can answer her proposal.

mod common;

use std::time::Duration;

use cache::{QueueFilter, QueueQuery};
use desk::demo::DemoOptions;
use desk::officer::Officer;
use desk::secrets::SecretStore;
use desk::settings::Paths;
use desk::status::ModeView;
use desk::sync::SyncOptions;
use desk::{Desk, StartOptions};
use kyc::CaseState;

/// A dashboard with no settings in `home`: on its demo world of `users` seeded from `rng_seed`.
async fn demo_desk(home: &tempfile::TempDir, users: usize, rng_seed: u64) -> Desk {
    Desk::start(StartOptions {
        paths: Paths::under(home.path()),
        secrets: SecretStore::memory(),
        officer: Officer::named("demo.officer"),
        sync: SyncOptions {
            wait: Duration::from_secs(2),
            ..SyncOptions::default()
        },
        demo: DemoOptions {
            users,
            rng_seed,
            sandbox: sandbox::SandboxConfig::for_tests(),
        },
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_no_settings_the_demo_world_fills_the_queue() {
    let home = tempfile::tempdir().unwrap();
    let desk = demo_desk(&home, 40, 7).await;
    let ModeView::Demo {
        sandbox_url,
        relay_url,
    } = desk.status().mode
    else {
        panic!("no settings means demo mode");
    };
    assert!(
        sandbox_url.starts_with("http://127.0.0.1:") && relay_url.starts_with("http://127.0.0.1:")
    );
    assert!(desk.demo_sandbox().is_some());

    let counts = common::until(&desk, "the seeded cases to reach the queue", || async {
        let counts = desk.counts(QueueFilter::default()).await.ok()?;
        let health = desk.health().borrow().clone();
        (health.lag == 0 && health.cursor > 0 && counts.total > 0).then_some(counts)
    })
    .await;
    assert!(counts.total >= 10, "{counts:?}");
    // The demo's hub signs the officer in as a team's hub does.
    let signed_in = desk
        .status()
        .sync
        .signed_in
        .expect("signed in by the demo hub");
    assert_eq!(
        (signed_in.name.as_str(), signed_in.role),
        ("demo.officer", kyc::officer::Role::Senior)
    );
    let page = desk.queue(QueueQuery::default()).await.unwrap();
    assert!(!page.rows.is_empty());
    let check = desk.check_treezor().await;
    assert!(check.ok, "{check:?}");
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_businesses_in_every_stage_of_a_parents_review() {
    let home = tempfile::tempdir().unwrap();
    let desk = demo_desk(&home, 300, 42).await;
    let businesses = QueueQuery {
        filter: QueueFilter {
            user_types: vec![kyc::UserType::Business],
            ..QueueFilter::default()
        },
        limit: 1_000,
        ..QueueQuery::default()
    };
    // Each stage as the officer sees it: children without documents, some with, all with
    // (ready), the review pending, validated and refused.
    let stages = common::until(&desk, "every stage of a business's review", || async {
        let page = desk.queue(businesses.clone()).await.ok()?;
        let mut stages = std::collections::BTreeSet::new();
        for row in &page.rows {
            let case = desk.case_file(row.user_id).await.ok()?;
            let needing = case.children_without_documents.len();
            let need_any = case
                .detail
                .children
                .iter()
                .filter(|c| {
                    kyc::hierarchy::child_needs_documents(
                        c.profile.as_ref().and_then(|p| p.parent_type.as_deref()),
                    )
                })
                .count();
            let stage = match case.detail.view.state {
                CaseState::NoVerification if needing == 0 => "ready",
                CaseState::NoVerification if needing < need_any => "some",
                CaseState::NoVerification => "none",
                other => other.as_str(),
            };
            stages.insert(stage);
            assert!(case.legal_entity && !case.detail.display_name.starts_with("User "));
        }
        (stages.len() == 6).then_some(stages)
    })
    .await;
    assert_eq!(
        stages.into_iter().collect::<Vec<_>>(),
        [
            "none",
            "ready",
            "review_refused",
            "review_requested",
            "review_validated",
            "some"
        ]
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demos_colleague_claims_notes_and_proposes_and_the_officer_answers_her() {
    let home = tempfile::tempdir().unwrap();
    let desk = demo_desk(&home, 40, 7).await;
    let colleague = desk::demo::COLLEAGUE;
    let everyone = QueueQuery {
        limit: 1_000,
        ..QueueQuery::default()
    };
    // Her work as the cache holds it: the cases she holds, every note she wrote, her proposals.
    let (held, noted, proposed) = common::until(&desk, "the colleague's work", || async {
        let users: Vec<_> = desk
            .queue(everyone.clone())
            .await
            .ok()?
            .rows
            .iter()
            .map(|row| row.user_id)
            .collect();
        let held: Vec<_> = desk
            .claims_of(users.clone())
            .await
            .ok()?
            .into_iter()
            .filter(|claim| claim.holder == colleague)
            .map(|claim| claim.user_id)
            .collect();
        let mut noted = Vec::new();
        let mut proposed = Vec::new();
        for user in users {
            if desk
                .notes(user)
                .await
                .ok()?
                .iter()
                .any(|n| n.author == colleague)
            {
                noted.push(user);
            }
            for proposal in desk.four_eyes(user).await.ok()?.proposals {
                if proposal.author == colleague {
                    proposed.push((user, proposal));
                }
            }
        }
        (held.len() == 2 && noted.len() == 3 && proposed.len() == 1)
            .then_some((held, noted, proposed))
    })
    .await;
    assert!(
        held.iter().all(|user| noted.contains(user)),
        "she wrote a note on each case she holds: {held:?} {noted:?}"
    );
    let (user, proposal) = &proposed[0];
    assert!(held.contains(user), "she proposes on a case she holds");
    assert_eq!(
        proposal.action,
        kyc::four_eyes::GuardedAction::RequestReview
    );
    // The review she proposes is the case's next step.
    common::case_in(&desk, *user, CaseState::DocumentsReceived).await;

    // The officer, the team's senior, answers her proposal; the hub takes it.
    desk.answer_proposal(
        *user,
        proposal.seq,
        kyc::four_eyes::Verdict::Approved,
        "Checked the documents too: go ahead.",
    )
    .await
    .unwrap();
    let answer = common::until(&desk, "the approval to come back", || async {
        let proposals = desk.four_eyes(*user).await.ok()?.proposals;
        proposals.into_iter().find_map(|p| p.answer)
    })
    .await;
    assert_eq!(answer.by, "demo.officer");
    desk.shutdown().await;
}
