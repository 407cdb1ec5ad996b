//! Schema version 5 brings a file an older version wrote in line with this version's rules:
//! the AML flag of a person whose latest verification is clean, a business shown by its legal
//! name, a link an older version had marked expired on the clock. The older file is made the way
//! an older version left it: the same stored webhooks and events, with the rows it derived then.

mod common;

use cache::{Cache, QueueFilter, QueueQuery};
use common::{WITHOUT_DEADLINES, at, event, fresh_cache, liveness, user_created};
use kyc::CaseState;
use kyc::case::{CaseEvent, LINK_LIFETIME_SECONDS};

fn uid(id: u64) -> kyc::UserId {
    kyc::UserId::new(id).unwrap()
}

#[test]
fn an_older_file_gets_the_person_wide_aml_flag_legal_names_and_links_that_do_not_expire() {
    let (dir, mut cache) = fresh_cache();
    let path = cache.path().to_path_buf();
    let business = event(
        3,
        "w-3",
        "user.create",
        "user",
        Some(at(5)),
        r#"{"users":[{"userId":"7","userTypeId":"2","legalName":"Atelier Zoé SAS","email":"contact@atelier.example"}]}"#,
    );
    cache
        .apply_batch(
            &[
                user_created(1, 42, "Zoé", "Martin", "z@example.com", 0),
                user_created(2, 43, "Léa", "Roux", "l@example.com", 0),
                business,
                liveness(4, 42, "idv-1", "processed", Some(0), &["1301", "2304"], 100),
                liveness(5, 42, "idv-2", "processing", None, &[], 500),
            ],
            at(1_000),
        )
        .unwrap();
    let link = CaseEvent::LinkIssued {
        at: at(600),
        identification: kyc::IdentificationId::parse("idv-3").unwrap(),
        url: "https://id.example/idv-3".into(),
        expires_at: at(600 + LINK_LIFETIME_SECONDS),
        liveness_type: None,
    };
    cache.record_case_event(uid(43), link, at(1_000)).unwrap();
    drop(cache);

    // What schema version 4 had derived from the same data.
    let old = rusqlite::Connection::open(&path).unwrap();
    old.execute_batch(&format!(
        "UPDATE users SET aml_flagged = 0 WHERE user_id = 42;
         UPDATE users SET state = 2, link_expires_at = {expiry} WHERE user_id = 43;
         UPDATE profiles SET fields = json_remove(fields, '$.legalName') WHERE user_id = 7;
         UPDATE users SET full_name = NULL, display_name = 'User 7', name_key = 'user 7',
             search_text = 'contact@atelier.example' WHERE user_id = 7;
         DELETE FROM users_search WHERE rowid = 7;
         INSERT INTO users_search (rowid, text) VALUES (7, 'contact@atelier.example');
         DELETE FROM queue_counts;
         INSERT INTO queue_counts SELECT state, coalesce(user_type, 0), aml_flagged,
             coalesce(score, -9), review, count(*) FROM users GROUP BY 1, 2, 3, 4, 5;
         DROP TABLE team_records;
         DROP TABLE hub_trail_outbox;
         DROP TABLE claims;
         DROP TABLE hub_rules;
         {WITHOUT_DEADLINES}
         PRAGMA user_version = 4;",
        expiry = at(600 + LINK_LIFETIME_SECONDS).unix_micros()
    ))
    .unwrap();
    drop(old);

    let cache = Cache::open(&path).unwrap();
    let now = at(10 * LINK_LIFETIME_SECONDS);
    let rows = cache.queue(&QueueQuery::default(), now).unwrap().rows;
    let row = |id: u64| rows.iter().find(|r| r.user_id == uid(id)).unwrap().clone();
    assert!(
        row(42).aml_flagged,
        "the flag raised by idv-1 is the person's"
    );
    assert_eq!(row(42).state, CaseState::Processing);
    assert_eq!(row(43).state, CaseState::LinkIssued);
    assert_eq!(row(43).link_expires_at, None);
    assert_eq!(row(7).display_name, "Atelier Zoé SAS");
    let flagged = cache
        .queue(
            &QueueQuery {
                filter: QueueFilter {
                    aml_flagged: Some(true),
                    ..QueueFilter::default()
                },
                ..QueueQuery::default()
            },
            now,
        )
        .unwrap();
    assert_eq!(flagged.rows.len(), 1);
    assert_eq!(flagged.total, Some(1), "the counts follow the rows");
    let found = cache
        .queue(
            &QueueQuery {
                filter: QueueFilter {
                    search: Some("atelier zoe".into()),
                    ..QueueFilter::default()
                },
                ..QueueQuery::default()
            },
            now,
        )
        .unwrap();
    assert_eq!(found.rows.len(), 1);
    assert_eq!(found.rows[0].user_id, uid(7));
    let counts = cache.counts(&QueueFilter::default(), now).unwrap();
    assert_eq!(counts.get(CaseState::LinkIssued), 1);
    assert_eq!(counts.get(CaseState::LinkExpired), 0);
    drop(dir);
}
