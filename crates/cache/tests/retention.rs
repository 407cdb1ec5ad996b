//! Retention in the cache: which cases count as closed for N days, what a prune removes and what it
//! keeps (the audit log, the ids of applied webhooks), and that the removed text is gone from the
//! files themselves, not only from the queries.

mod common;

use cache::{AuditAnchor, AuditEntry, AuditKey, AuditScope, Download, Error, Outcome, QueueQuery};
use common::*;
use kyc::{CaseState, DocumentId, Timestamp, UserId};

fn uid(n: u64) -> UserId {
    UserId::new(n).unwrap()
}

const DAY: i64 = 86_400;

/// A child of `parent`, created at `t`.
fn child_created(seq: u64, user: u64, parent: u64, t: i64) -> kyc::feed::FeedEvent {
    event(
        seq,
        &format!("w-{seq}"),
        "user.create",
        "user",
        Some(at(t)),
        &format!(
            r#"{{"users":[{{"userId":"{user}","userTypeId":"1","firstname":"Child","lastname":"Of{parent}","email":"child{user}@example.com","parentUserId":"{parent}","parentType":"shareholder"}}]}}"#
        ),
    )
}

/// The bytes of the cache file and its WAL, as text.
fn file_text(dir: &std::path::Path) -> String {
    let base = dir.join("desk").join("cache.sqlite");
    let mut bytes = std::fs::read(&base).unwrap();
    if let Ok(wal) = std::fs::read(base.with_extension("sqlite-wal")) {
        bytes.extend(wal);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn cases_closed_for_n_days_lose_their_personal_data_and_keep_their_audit_trail() {
    let (dir, mut cache) = fresh_cache();
    let old = 0;
    let recent = 99 * DAY;
    let events = vec![
        // 1: refused long ago, with a document downloaded: closed.
        user_created(1, 1, "Olga", "Refusée", "olga.refusee@example.com", old),
        liveness(2, 1, "idv-1", "processed", Some(0), &["1301"], old + 10),
        document(3, 101, 1, 9, old + 20),
        // 2: KYC review validated long ago: closed.
        user_created(4, 2, "Victor", "Validé", "victor.valide@example.com", old),
        liveness(15, 2, "idv-2", "processed", Some(1), &[], old + 10),
        document(16, 102, 2, 26, old + 20),
        review(17, 2, "user.kycrequest", 1, old + 25),
        review(5, 2, "user.kycreview", 2, old + 30),
        // 3: the provider is still deciding: in progress.
        user_created(6, 3, "Paula", "Pending", "paula.pending@example.com", old),
        liveness(7, 3, "idv-3", "processing", None, &[], old + 40),
        // 4: no verification ever: not a closed case.
        user_created(8, 4, "Nadia", "Nothing", "nadia.nothing@example.com", old),
        // 5: refused yesterday: closed, but not for long enough.
        user_created(9, 5, "Rémi", "Récent", "remi.recent@example.com", old),
        liveness(10, 5, "idv-5", "processed", Some(0), &["1301"], recent),
        // 6: refused long ago, but its child 7 is in progress: the family stays.
        user_created(11, 6, "Fiona", "Family", "fiona.family@example.com", old),
        liveness(12, 6, "idv-6", "processed", Some(-1), &[], old + 50),
        child_created(13, 7, 6, old),
        liveness(14, 7, "idv-7", "processing", None, &[], old + 60),
    ];
    cache.apply_batch(&events, at(recent + 1)).unwrap();
    let download = Download {
        path: "/tmp/kyc-desk-test/user-1/doc-101.pdf".into(),
        size: 10,
        sha256: "ab".repeat(32),
        downloaded_at: at(old + 100),
    };
    cache
        .record_download(DocumentId::new(101).unwrap(), &download)
        .unwrap();
    let trail = AuditEntry {
        at: at(old + 100),
        officer: "officer.test".into(),
        action: "download_document".into(),
        user_id: Some(uid(1)),
        document_id: Some(DocumentId::new(101).unwrap()),
        outcome: Outcome::Succeeded,
        detail: "saved doc-101.pdf".into(),
    };
    let key = AuditKey::from_bytes([9; 32]);
    let (_, anchor) = cache
        .audit_append(&key, &AuditAnchor::empty(), &trail)
        .unwrap();

    let now = at(100 * DAY);
    let before = now.plus_seconds(-90 * DAY);
    let closed = cache.closed_users(before, 100).unwrap();
    assert_eq!(closed, [uid(1), uid(2)]);
    assert!(file_text(dir.path()).contains("olga.refusee@example.com"));

    let pruned = cache.prune_closed_users(&closed, before, now).unwrap();
    assert_eq!(
        pruned.users,
        [
            (uid(1), CaseState::Refused),
            (uid(2), CaseState::ReviewValidated)
        ]
    );
    assert_eq!(pruned.documents, 2);
    assert_eq!(pruned.downloads.len(), 1);
    assert_eq!(pruned.downloads[0].download, download);
    assert!(pruned.webhooks_emptied >= 4);

    // Gone from every query...
    for user in [1, 2] {
        assert!(matches!(
            cache.case_detail(uid(user), now),
            Err(Error::UnknownUser(_))
        ));
        let record = cache.pruned_user(uid(user)).unwrap().unwrap();
        assert_eq!(record.pruned_at, now);
    }
    assert_eq!(
        cache.pruned_user(uid(1)).unwrap().unwrap().closed_since,
        at(old + 20),
        "the last activity: the document"
    );
    assert!(cache.pruned_user(uid(3)).unwrap().is_none());
    let rows: Vec<u64> = cache
        .queue(&QueueQuery::default(), now)
        .unwrap()
        .rows
        .iter()
        .map(|r| r.user_id.get())
        .collect();
    assert_eq!(rows.len(), 5);
    assert!(!rows.contains(&1) && !rows.contains(&2));
    let counts = cache.counts(&Default::default(), now).unwrap();
    assert_eq!(counts.total, 5);
    assert_eq!(counts.get(CaseState::Refused), 1, "only the recent refusal");
    assert_eq!(counts.get(CaseState::ReviewValidated), 0);
    assert!(cache.local_downloads(Some(uid(1))).unwrap().is_empty());

    // ...and from the files: the deleted text was overwritten, the WAL emptied.
    let text = file_text(dir.path());
    for gone in [
        "olga.refusee@example.com",
        "Refusée",
        "victor.valide@example.com",
        "idv-1",
        "doc-101.pdf\"",
    ] {
        assert!(!text.contains(gone), "{gone} is still in the cache's files");
    }
    assert!(
        text.contains("paula.pending@example.com"),
        "the others stay"
    );

    // The audit log is whole, the user's trail included.
    assert!(matches!(
        cache.audit_verify(&key, Some(&anchor)).unwrap(),
        Ok(1)
    ));
    let kept = cache
        .audit_entries(AuditScope::User(uid(1)), 0, 10)
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].entry, trail);

    // A redelivery of the old webhooks brings nothing back.
    let again = cache.apply_batch(&events, now).unwrap();
    assert_eq!(again.applied, 0);
    assert!(cache.case_detail(uid(1), now).is_err());

    // New activity does: the user is a case again.
    cache
        .apply_batch(
            &[liveness(
                20,
                1,
                "idv-1b",
                "processing",
                None,
                &[],
                100 * DAY,
            )],
            now,
        )
        .unwrap();
    let back = cache.case_detail(uid(1), now).unwrap();
    assert_eq!(back.view.state, CaseState::Processing);
    assert!(back.profile.is_none(), "the old profile stays pruned");
    assert_eq!(cache.counts(&Default::default(), now).unwrap().total, 6);
}

#[test]
fn a_case_that_moves_between_listing_and_pruning_is_kept() {
    let (_dir, mut cache) = fresh_cache();
    cache
        .apply_batch(
            &[
                user_created(1, 1, "Lou", "Late", "lou.late@example.com", 0),
                liveness(2, 1, "idv-1", "processed", Some(0), &["1301"], 10),
            ],
            at(20),
        )
        .unwrap();
    let now = at(100 * DAY);
    let before = now.plus_seconds(-90 * DAY);
    let closed = cache.closed_users(before, 10).unwrap();
    assert_eq!(closed, [uid(1)]);
    // A new verification starts after the listing.
    cache
        .apply_batch(
            &[liveness(3, 1, "idv-2", "processing", None, &[], 99 * DAY)],
            now,
        )
        .unwrap();
    let pruned = cache.prune_closed_users(&closed, before, now).unwrap();
    assert!(pruned.users.is_empty());
    assert!(cache.case_detail(uid(1), now).is_ok());
    assert!(cache.pruned_user(uid(1)).unwrap().is_none());
}

#[test]
fn an_expired_link_is_closed_and_a_link_still_open_is_not() {
    let (_dir, mut cache) = fresh_cache();
    let issued = |seq: u64, t: i64| kyc::CaseEvent::LinkIssued {
        at: at(t),
        identification: kyc::IdentificationId::parse(&format!("idv-{seq}")).unwrap(),
        url: "https://id.example/x".into(),
        expires_at: at(t + 900),
        liveness_type: None,
    };
    cache
        .record_case_events(
            &[(uid(1), issued(1, 0)), (uid(2), issued(2, 99 * DAY))],
            at(0),
        )
        .unwrap();
    let now = at(99 * DAY + 60);
    let before: Timestamp = now.plus_seconds(-90 * DAY);
    let pruned = cache
        .prune_closed_users(&[uid(1), uid(2)], before, now)
        .unwrap();
    assert_eq!(pruned.users, [(uid(1), CaseState::LinkExpired)]);
}
