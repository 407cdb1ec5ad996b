//! Opening the file, what a batch keeps, and the case detail the officer reads.

mod common;

use cache::{Cache, Download, Error, QueueFilter, QueueQuery, Reader};
use common::*;
use kyc::case::{CaseEvent, LINK_LIFETIME_SECONDS, ListedDocument};
use kyc::{CaseState, DocumentId, IdentificationId, UserId, WebhookId};

fn uid(n: u64) -> UserId {
    UserId::new(n).unwrap()
}

#[test]
fn open_creates_missing_folders_and_keeps_the_data_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a").join("b").join("cache.sqlite");
    {
        let mut cache = Cache::open(&path).unwrap();
        cache
            .apply_batch(
                &[user_created(1, 42, "Zoé", "Martin", "z@example.com", 0)],
                at(1),
            )
            .unwrap();
    }
    assert!(path.exists());
    let cache = Cache::open(&path).unwrap();
    assert_eq!(cache.cursor().unwrap(), 1);
    assert_eq!(
        cache.case_detail(uid(42), at(1)).unwrap().display_name,
        "Zoé Martin"
    );
}

#[test]
fn a_cache_written_by_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = cache_at_version(&dir, 99);
    for err in [
        Cache::open(&path).err().unwrap(),
        Reader::open(&path).err().unwrap(),
    ] {
        assert!(matches!(err, Error::NewerSchema { found: 99, .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains("newer KYC Desk") && text.contains("audit log"),
            "{text}"
        );
    }
    assert_eq!(version_of(&path), 99);
}

/// A cache file in `dir` whose schema version then says `version`.
fn cache_at_version(dir: &tempfile::TempDir, version: i64) -> std::path::PathBuf {
    let path = dir.path().join("cache.sqlite");
    drop(Cache::open(&path).unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.pragma_update(None, "user_version", version).unwrap();
    path
}

fn version_of(path: &std::path::Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn a_reader_refuses_an_older_file_by_its_versions_and_leaves_it_to_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = cache_at_version(&dir, 3);
    let err = Reader::open(&path).err().unwrap();
    match &err {
        Error::NotMigrated {
            path: refused,
            found: 3,
            target,
        } => {
            assert_eq!(refused, &path);
            assert!(*target > 3, "{target}");
        }
        other => panic!("not the reader's refusal of an older file: {other}"),
    }
    assert!(err.to_string().contains("open it for writing"), "{err}");
    assert_eq!(version_of(&path), 3, "a reader migrates nothing");
}

#[test]
fn a_stored_value_edited_outside_is_named_and_its_value_quoted_not_described_in_english() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.sqlite");
    drop(Cache::open(&path).unwrap());
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute("UPDATE deadlines SET seconds = 1 WHERE state = 1", [])
        .unwrap();
    drop(raw);
    let cache = Cache::open(&path).unwrap();
    match cache.deadlines().unwrap_err() {
        Error::Stored {
            what: cache::StoredValue::Deadline,
            problem:
                cache::StoredProblem::Deadlines {
                    why: kyc::deadline::DeadlineError::OutOfBounds { seconds: 1, .. },
                },
        } => {}
        other => panic!("not the stored deadline, typed: {other}"),
    }
    drop(cache);

    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute(
        "INSERT INTO deadlines (state, seconds) VALUES (99, 900)",
        [],
    )
    .unwrap();
    drop(raw);
    let error = Cache::open(&path).unwrap().deadlines().unwrap_err();
    match &error {
        Error::Stored {
            what: cache::StoredValue::CaseState,
            problem: cache::StoredProblem::Unknown { value },
        } => assert_eq!(value, "99"),
        other => panic!("not the stored state, typed: {other}"),
    }
    assert!(error.to_string().contains("edited outside"), "{error}");
}

#[test]
fn a_reader_needs_a_cache_file_that_exists() {
    let dir = tempfile::tempdir().unwrap();
    let err = Reader::open(dir.path().join("missing.sqlite"))
        .err()
        .unwrap();
    assert!(err.to_string().contains("missing.sqlite"), "{err}");
}

#[test]
fn an_unreadable_webhook_is_kept_and_shown_and_the_batch_goes_on() {
    let (_dir, mut cache) = fresh_cache();
    let bad = event(
        2,
        "w-bad",
        "kycliveness.update",
        "kycliveness",
        Some(at(20)),
        r#"{"user_id":"secret-looking-value","kyc-status":"processed","reasons":[{"reason-code":"2301"}]}"#,
    );
    let batch = [
        user_created(1, 42, "Zoé", "Martin", "z@example.com", 0),
        bad,
        liveness(3, 42, "idv-1", "processed", Some(0), &["1301"], 30),
    ];
    let applied = cache.apply_batch(&batch, at(100)).unwrap();
    assert_eq!(
        (applied.applied, applied.unreadable, applied.cursor),
        (3, 1, 3)
    );
    let unreadable = cache.unreadable_webhooks(10).unwrap();
    assert_eq!(unreadable.len(), 1);
    let error = unreadable[0].error.as_deref().unwrap();
    assert!(
        error.contains("kycliveness.update") && !error.contains("secret-looking-value"),
        "{error}"
    );
    let id = WebhookId::parse("w-bad").unwrap();
    assert!(
        cache
            .webhook_payload(&id)
            .unwrap()
            .unwrap()
            .contains("secret-looking-value")
    );
    let row = &cache.queue(&QueueQuery::default(), at(100)).unwrap().rows[0];
    assert_eq!(row.state, CaseState::Refused);
}

#[test]
fn webhooks_of_every_kind_appear_in_their_users_timeline() {
    let (_dir, mut cache) = fresh_cache();
    let card = event(
        2,
        "w-card",
        "card.create",
        "card",
        Some(at(5)),
        r#"{"cards":[{"cardId":"9","userId":"42"}]}"#,
    );
    cache
        .apply_batch(
            &[
                user_created(1, 42, "Zoé", "Martin", "z@example.com", 0),
                card,
                document(3, 7, 42, 26, 9),
            ],
            at(100),
        )
        .unwrap();
    let detail = cache.case_detail(uid(42), at(100)).unwrap();
    let events: Vec<&str> = detail.timeline.iter().map(|t| t.event.as_str()).collect();
    assert_eq!(events, ["user.create", "card.create", "document.create"]);
    assert_eq!(detail.timeline[1].seq, 2);
}

#[test]
fn a_document_that_arrives_before_its_verification_result_still_counts() {
    let (_dir, mut cache) = fresh_cache();
    cache
        .apply_batch(&[document(5, 7, 42, 26, 300)], at(1_000))
        .unwrap();
    cache
        .apply_batch(
            &[
                liveness(4, 42, "idv-1", "processed", Some(1), &[], 200),
                liveness(3, 42, "idv-1", "processing", None, &[], 100),
            ],
            at(1_000),
        )
        .unwrap();
    let row = &cache.queue(&QueueQuery::default(), at(1_000)).unwrap().rows[0];
    assert_eq!(
        row.state,
        CaseState::DocumentsRequested,
        "Treezor's list of documents has not been read yet"
    );
    let listing = CaseEvent::DocumentsListed {
        at: at(400),
        documents: vec![ListedDocument {
            document: kyc::DocumentId::new(7).unwrap(),
            document_type: kyc::DocumentTypeId::LIVENESS_RESULT,
            created_at: None,
        }],
    };
    cache
        .record_case_event(uid(42), listing, at(1_000))
        .unwrap();
    let row = &cache.queue(&QueueQuery::default(), at(1_000)).unwrap().rows[0];
    assert_eq!(row.state, CaseState::DocumentsReceived);
}

#[test]
fn an_older_update_never_overwrites_a_newer_one() {
    let (_dir, mut cache) = fresh_cache();
    // The decision first, then the "processing" that preceded it; a rename, then the old name.
    cache
        .apply_batch(
            &[
                liveness(2, 42, "idv-1", "processed", Some(0), &["2101"], 200),
                event(
                    3,
                    "w-3",
                    "user.update",
                    "user",
                    Some(at(300)),
                    r#"{"users":[{"userId":"42","firstname":"Zoé","lastname":"Bernard"}]}"#,
                ),
            ],
            at(1_000),
        )
        .unwrap();
    cache
        .apply_batch(
            &[
                liveness(1, 42, "idv-1", "processing", None, &[], 100),
                user_created(4, 42, "Zoé", "Martin", "z@example.com", 0),
            ],
            at(1_000),
        )
        .unwrap();
    let row = &cache.queue(&QueueQuery::default(), at(1_000)).unwrap().rows[0];
    assert_eq!(row.state, CaseState::Refused);
    assert_eq!(row.display_name, "Zoé Bernard");
    // The older object still fills what the newer one left out.
    let detail = cache.case_detail(uid(42), at(1_000)).unwrap();
    assert_eq!(
        detail.profile.unwrap().email.as_deref(),
        Some("z@example.com")
    );
}

#[test]
fn a_link_the_desk_issued_is_recorded_and_never_expires_on_the_clock() {
    let (_dir, mut cache) = fresh_cache();
    cache
        .apply_batch(
            &[user_created(1, 42, "Zoé", "Martin", "z@example.com", 0)],
            at(10),
        )
        .unwrap();
    let identification = IdentificationId::parse("idv-9").unwrap();
    let link = CaseEvent::LinkIssued {
        at: at(100),
        identification: identification.clone(),
        url: "https://id.example/idv-9".into(),
        expires_at: at(100 + LINK_LIFETIME_SECONDS),
        liveness_type: None,
    };
    assert!(
        cache
            .record_case_event(uid(42), link.clone(), at(100))
            .unwrap()
    );
    assert!(
        !cache.record_case_event(uid(42), link, at(100)).unwrap(),
        "a second time is a no-op"
    );
    let row =
        |cache: &Cache, t| cache.queue(&QueueQuery::default(), at(t)).unwrap().rows[0].clone();
    assert_eq!(row(&cache, 200).state, CaseState::LinkIssued);
    assert_eq!(row(&cache, 200).link_expires_at, None);
    // Its 15 minutes start when the customer opens it, which the cache does not see.
    assert_eq!(
        row(&cache, 100 * LINK_LIFETIME_SECONDS).state,
        CaseState::LinkIssued
    );
    assert_eq!(
        cache.user_of_identification(&identification).unwrap(),
        Some(uid(42))
    );
    assert_eq!(
        cache.expire_links(at(100 * LINK_LIFETIME_SECONDS)).unwrap(),
        0
    );
    let counts = cache
        .counts(&QueueFilter::default(), at(100 * LINK_LIFETIME_SECONDS))
        .unwrap();
    assert_eq!(
        (
            counts.get(CaseState::LinkExpired),
            counts.get(CaseState::LinkIssued)
        ),
        (0, 1)
    );
}

#[test]
fn the_case_detail_shows_profile_family_documents_and_downloads() {
    let (_dir, mut cache) = fresh_cache();
    let child = event(
        2,
        "w-2",
        "user.create",
        "user",
        Some(at(5)),
        r#"{"users":[{"userId":"43","userTypeId":"1","firstname":"Léa","lastname":"Martin","parentUserId":"42","parentType":"shareholder"}]}"#,
    );
    cache
        .apply_batch(
            &[
                user_created(1, 42, "Zoé", "Martin", "z@example.com", 0),
                child,
                document(3, 7, 43, 9, 50),
                document(4, 8, 42, 26, 60),
            ],
            at(100),
        )
        .unwrap();
    let download = Download {
        path: "/home/officer/kyc/42/doc-8.pdf".into(),
        size: 1234,
        sha256: "ab".repeat(32),
        downloaded_at: at(90),
    };
    cache
        .record_download(DocumentId::new(8).unwrap(), &download)
        .unwrap();
    let missing = cache
        .record_download(DocumentId::new(999).unwrap(), &download)
        .unwrap_err();
    assert!(matches!(missing, Error::UnknownDocument(999)));

    let detail = cache.case_detail(uid(42), at(100)).unwrap();
    assert_eq!(
        detail.profile.as_ref().unwrap().firstname.as_deref(),
        Some("Zoé")
    );
    assert!(detail.parent.is_none());
    assert_eq!(detail.children.len(), 1);
    assert_eq!(detail.children[0].display_name, "Léa Martin");
    assert_eq!(
        detail.children[0].documents[0]
            .document
            .file_name
            .as_deref(),
        Some("doc-7.pdf")
    );
    assert_eq!(detail.documents[0].downloads, [download]);
    let child = cache.case_detail(uid(43), at(100)).unwrap();
    assert_eq!(child.parent.unwrap().user_id, uid(42));
    assert!(matches!(
        cache.case_detail(uid(7), at(100)),
        Err(Error::UnknownUser(7))
    ));
}

#[test]
fn a_user_fetched_from_treezor_gets_a_row_and_an_older_fetch_does_not_overwrite_it() {
    let (_dir, mut cache) = fresh_cache();
    let user: kyc::objects::User =
        serde_json::from_str(r#"{"userId":77,"userTypeId":2,"firstname":"Acme","lastname":"SAS","email":"kyc@acme.example"}"#).unwrap();
    assert!(cache.upsert_user(&user, at(50)).unwrap());
    let older = kyc::objects::User {
        email: Some("old@acme.example".into()),
        ..user.clone()
    };
    cache.upsert_user(&older, at(10)).unwrap();
    let profile = cache
        .case_detail(UserId::new(77).unwrap(), at(60))
        .unwrap()
        .profile
        .unwrap();
    assert_eq!(profile.email.as_deref(), Some("kyc@acme.example"));
    let search = QueueQuery {
        filter: QueueFilter {
            search: Some("kyc@acme".into()),
            ..QueueFilter::default()
        },
        ..QueueQuery::default()
    };
    let rows = cache.queue(&search, at(60)).unwrap().rows;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, CaseState::NoVerification);
    assert_eq!(
        rows[0].created_at,
        at(10),
        "the earliest observation stands for its creation"
    );
}

#[test]
fn users_known_only_from_their_verification_are_the_ones_without_a_profile() {
    let (_dir, mut cache) = fresh_cache();
    cache
        .apply_batch(
            &[
                user_created(1, 42, "Zoé", "Martin", "z@example.com", 0),
                liveness(2, 42, "idv-42", "processing", None, &[], 1),
                liveness(3, 43, "idv-43", "processing", None, &[], 1),
            ],
            at(2),
        )
        .unwrap();
    assert_eq!(
        cache
            .users_without_profile(&[uid(42), uid(43), uid(44)])
            .unwrap(),
        [uid(43), uid(44)],
        "43 has only a verification, 44 is unknown"
    );
    let user: kyc::objects::User =
        serde_json::from_str(r#"{"userId":43,"firstname":"Hugo","lastname":"Petit"}"#).unwrap();
    cache.upsert_user(&user, at(3)).unwrap();
    assert_eq!(
        cache.users_without_profile(&[uid(42), uid(43)]).unwrap(),
        []
    );
}
