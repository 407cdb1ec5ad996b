//! Retention through the dashboard, against the sandbox and the relay: cases closed for longer than
//! the retention period lose their personal data on this machine (cache and downloaded files), the
//! audit log keeps their trail and stays verifiable; local documents are listed with their age and
//! purged only when they are still the downloaded bytes.

mod common;

use common::{World, case_in, documents_received, verification_finished};
use desk::Confirmation;
use desk::files::PurgeSelection;
use kyc::{CaseState, Timestamp};
use sandbox::{Outcome, ReviewDecision};

const DAY: i64 = 86_400;

fn wall_clock() -> Timestamp {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;
    Timestamp::from_unix_micros(micros)
}

/// The cache file and its WAL, as text.
fn cache_text(world: &World) -> String {
    let base = world.desk_home().join("cache.sqlite");
    let mut bytes = std::fs::read(&base).unwrap();
    if let Ok(wal) = std::fs::read(base.with_extension("sqlite-wal")) {
        bytes.extend(wal);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_cases_leave_this_machine_after_the_retention_period_and_their_trail_stays() {
    let world = World::start().await;
    let desk = world.desk().await;

    // Validated by the KYC review, with a document downloaded: closed.
    let reviewed = world.person("Viviane", "Révisée");
    world
        .control()
        .set_review_decision(reviewed.get(), ReviewDecision::Validated)
        .unwrap();
    let case = documents_received(&world, &desk, reviewed).await;
    let document = case.detail.documents[0].document.document_id;
    let saved = desk
        .download_document(reviewed, document, |_| {})
        .await
        .unwrap();
    desk.request_review(reviewed, Confirmation::Confirmed)
        .await
        .unwrap();
    case_in(&desk, reviewed, CaseState::ReviewValidated).await;

    // Refused by the provider: closed.
    let refused = world.person("Rafael", "Refusé");
    verification_finished(
        &world,
        &desk,
        refused,
        Outcome::Refused {
            reasons: vec![1301],
            comment: None,
        },
        CaseState::Refused,
    )
    .await;

    // Validated, documents not asked for yet: waiting on the officer, not closed.
    let waiting = world.person("Wanda", "Waiting");
    verification_finished(
        &world,
        &desk,
        waiting,
        Outcome::Validated,
        CaseState::Validated,
    )
    .await;

    // Today nothing is old enough.
    let run = desk.retention_pass(wall_clock()).await.unwrap();
    assert!(run.users.is_empty(), "{run:?}");
    assert!(saved.path.exists());

    // 91 days later, with the default 90-day period.
    let run = desk
        .retention_pass(wall_clock().plus_seconds(91 * DAY))
        .await
        .unwrap();
    assert_eq!(run.days, 90);
    let mut pruned: Vec<_> = run.users.clone();
    pruned.sort();
    let mut expected = vec![
        (reviewed, CaseState::ReviewValidated),
        (refused, CaseState::Refused),
    ];
    expected.sort();
    assert_eq!(pruned, expected);
    assert_eq!(run.files.removed, std::slice::from_ref(&saved.path));
    assert!(
        !saved.path.exists(),
        "the downloaded document left the disk"
    );
    assert!(run.webhooks_emptied > 0);

    for user in [reviewed, refused] {
        assert!(desk.case_file(user).await.is_err());
        let record = desk.pruned_user(user).await.unwrap().unwrap();
        assert_eq!(record.user_id, user);
    }
    assert!(desk.case_file(waiting).await.is_ok());
    assert!(desk.pruned_user(waiting).await.unwrap().is_none());
    let rows: Vec<_> = desk
        .queue(Default::default())
        .await
        .unwrap()
        .rows
        .iter()
        .map(|r| r.user_id)
        .collect();
    assert!(rows.contains(&waiting) && !rows.contains(&reviewed) && !rows.contains(&refused));
    assert!(desk.local_documents().await.unwrap().is_empty());
    let text = cache_text(&world);
    for gone in ["viviane.révisée@example.com", "Rafael Refusé"] {
        assert!(!text.contains(gone), "{gone} is still in the cache file");
    }
    assert!(text.contains("wanda.waiting@example.com"));

    // The audit log keeps the whole trail, with the removals, and still verifies.
    assert!(desk.verify_audit().await.unwrap().intact);
    let trail: Vec<(String, cache::Outcome)> = desk
        .audit_entries(Some(reviewed), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.entry.action, r.entry.outcome))
        .collect();
    for action in [
        "start_verification",
        "retrieve_documents",
        "download_document",
        "request_review",
        "purge_document",
        "retention_prune",
    ] {
        assert!(
            trail.iter().any(|(a, _)| a == action),
            "{action} in {trail:?}"
        );
    }
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_documents_are_listed_with_their_age_and_purged_only_when_unchanged() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Lena", "Local");
    let case = documents_received(&world, &desk, user).await;
    let mut saved = Vec::new();
    for stored in &case.detail.documents {
        saved.push(
            desk.download_document(user, stored.document.document_id, |_| {})
                .await
                .unwrap(),
        );
    }
    assert_eq!(saved.len(), 2);
    let listed = desk.local_documents().await.unwrap();
    assert_eq!(listed.len(), 2);
    assert!(
        listed
            .iter()
            .all(|d| d.present && d.age_days == 0 && d.user_id == Some(user))
    );

    // Nothing is older than a day yet.
    let report = desk
        .purge_documents(PurgeSelection::OlderThanDays(1))
        .await
        .unwrap();
    assert!(report.removed.is_empty() && report.kept.is_empty());

    // One file was edited since: it is not the downloaded document any more, and stays.
    std::fs::write(&saved[1].path, b"edited by hand").unwrap();
    let report = desk
        .purge_documents(PurgeSelection::Documents(
            saved.iter().map(|s| s.document_id).collect(),
        ))
        .await
        .unwrap();
    assert_eq!(report.removed, [saved[0].path.clone()]);
    assert_eq!(report.kept.len(), 1);
    assert_eq!(report.kept[0].0, saved[1].path);
    assert_eq!(report.kept[0].1, desk::files::LeftInPlace::Changed);
    assert!(!saved[0].path.exists() && saved[1].path.exists());
    let listed = desk.local_documents().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].document_id, saved[1].document_id);

    let mut purges: Vec<&str> = desk
        .audit_entries(Some(user), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == "purge_document")
        .map(|r| r.entry.outcome.as_str())
        .collect();
    purges.sort_unstable();
    assert_eq!(
        purges,
        ["failed", "succeeded"],
        "each removal and each refusal is audited"
    );
    let case = desk.case_file(user).await.unwrap();
    let downloads: usize = case
        .detail
        .documents
        .iter()
        .map(|d| d.downloads.len())
        .sum();
    assert_eq!(downloads, 1, "the removed download is forgotten");
    desk.shutdown().await;
}
