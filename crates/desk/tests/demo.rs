//! With no settings the dashboard runs on its embedded sandbox and relay, seeded, and the seeded
//! webhooks reach its queue through the real relay and sync loop. The demo's hub signs the officer
//! in as the team's senior, and its scripted colleague's claims, notes and proposal reach the cache
//! through the feed, where the officer can answer her proposal.

mod common;

use std::time::Duration;

use cache::{QueueFilter, QueueQuery};
use desk::demo::{DemoOptions, DemoWorld};
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

/// A case the demo's officer sends a link for, as its sandbox's customer.
async fn link_sent(desk: &Desk) -> kyc::UserId {
    let sandbox = desk.demo_sandbox().expect("demo mode");
    let user = sandbox
        .create_user(&sandbox::NewUser {
            user_type_id: Some(1),
            firstname: Some("Ana".into()),
            lastname: Some("Souza".into()),
            birthday: Some("1990-04-12".into()),
            email: Some("ana.souza@example.com".into()),
            ..sandbox::NewUser::default()
        })
        .unwrap();
    let user = kyc::UserId::new(user).unwrap();
    common::known(desk, user).await;
    desk.start_verification(user, None, desk::Confirmation::Unconfirmed)
        .await
        .unwrap();
    user
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_desk_keeps_its_sandboxs_time_so_moving_it_makes_a_case_late() {
    let home = tempfile::tempdir().unwrap();
    let desk = demo_desk(&home, 10, 7).await;
    let user = link_sent(&desk).await;
    let by_due = QueueQuery {
        sort: cache::Sort {
            key: cache::SortKey::Due,
            ..cache::Sort::default()
        },
        limit: 500,
        ..QueueQuery::default()
    };
    let due_of = || async {
        let page = desk.queue(by_due.clone()).await.ok()?;
        page.rows
            .into_iter()
            .find(|r| r.user_id == user && r.state == CaseState::LinkIssued)?
            .due_at
    };
    let due = common::until(&desk, "the link's due time", due_of).await;
    assert!(due > desk.now(), "a link just sent is due, not late");
    assert_eq!(desk.status().sync.clock_offset_ms, 0);

    // Past the link's 15 minutes, on the sandbox's clock only.
    let ahead = Duration::from_secs(16 * 60);
    desk.demo_sandbox().unwrap().advance_clock(ahead);
    assert!(
        desk.now() >= due,
        "the desk's clock is the sandbox's: the case is late at once"
    );
    let status = common::until(
        &desk,
        "the window told of the clock and the late case",
        || async {
            let sync = desk.status().sync;
            (sync.clock_offset_ms == ahead.as_millis() as i64 && sync.late >= 1).then_some(sync)
        },
    )
    .await;
    assert!(status.late >= 1);
    let page = desk.queue(by_due.clone()).await.unwrap();
    let row = page.rows.iter().find(|r| r.user_id == user).unwrap();
    assert!(row.due_at.is_some_and(|due| due <= desk.now()), "{row:?}");
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_desk_keeps_this_computers_time_whatever_its_treezor_says() {
    let world = common::World::start().await;
    let desk = world.desk().await;
    let before = desk.now();
    world.control().advance_clock(Duration::from_secs(86_400));
    assert!(
        before.seconds_until(desk.now()) < 3_600,
        "the system's clock, not the sandbox's"
    );
    assert_eq!(desk.status().sync.clock_offset_ms, 0);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demo_that_cannot_start_says_which_step_and_the_systems_own_words_typed() {
    let home = tempfile::tempdir().unwrap();
    // A file where the demo's folder should go: the system refuses to make a folder in it.
    let file = home.path().join("not-a-folder");
    std::fs::write(&file, b"").unwrap();
    let officer = Officer::named("demo.officer");
    let refused = DemoWorld::start(&file.join("demo"), DemoOptions::default(), &officer)
        .await
        .err()
        .unwrap();
    let words = serde_json::to_value(refused.words()).unwrap();
    assert_eq!(words["kind"], "demo");
    assert_eq!(words["step"], "create_folder");
    assert_eq!(words["cause"]["cause"], "system", "{words}");
    let detail = words["cause"]["detail"].as_str().unwrap();
    assert!(
        detail.contains("os error"),
        "the system's own text: {detail}"
    );

    // An address the sandbox cannot listen on: held by another socket.
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = held.local_addr().unwrap();
    let options = DemoOptions {
        users: 1,
        sandbox: sandbox::SandboxConfig {
            listen: addr,
            ..sandbox::SandboxConfig::for_tests()
        },
        ..DemoOptions::default()
    };
    let refused = DemoWorld::start(&home.path().join("demo"), options, &officer)
        .await
        .err()
        .unwrap();
    let words = serde_json::to_value(refused.words()).unwrap();
    assert_eq!(words["step"], "start_sandbox", "{words}");
    assert_eq!(words["cause"]["cause"], "listen", "{words}");
    assert_eq!(words["cause"]["addr"], addr.to_string());
    assert!(
        refused
            .to_string()
            .contains("the demo sandbox did not start"),
        "{refused}"
    );
}
