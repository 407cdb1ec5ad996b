//! Proves that the team's records from the hub's feed are kept apart from Treezor's webhooks:
//! a note lands in its case's notes with its author and never in the webhook timeline; a record
//! is applied once; one from a newer hub is kept as unreadable and changes nothing; the cursor
//! moves past them all; and a cache of the version before team records migrates and takes them.

mod common;

use cache::Cache;
use common::{WITHOUT_DEADLINES, at, event, fresh_cache, liveness};
use kyc::UserId;
use kyc::feed::FeedEvent;
use kyc::officer::OfficerName;

fn uid(id: u64) -> UserId {
    UserId::new(id).unwrap()
}

/// A team record as the hub serves it: named `team.<kind>`, with its author.
fn record(seq: u64, id: &str, author: &str, payload: &str) -> FeedEvent {
    let kind = serde_json::from_str::<serde_json::Value>(payload).unwrap()["kind"]
        .as_str()
        .unwrap()
        .to_owned();
    FeedEvent {
        object_id: Some("42".into()),
        officer: Some(OfficerName::parse(author).unwrap()),
        ..event(seq, id, &format!("team.{kind}"), "team", None, payload)
    }
}

#[test]
fn notes_are_kept_per_case_with_their_author_and_never_in_the_webhook_timeline() {
    let (_dir, mut cache) = fresh_cache();
    let note = record(
        2,
        "team:1",
        "Zoé Martin",
        r#"{"kind":"note","user_id":42,"text":"Asked for a clearer ID.\nWaiting."}"#,
    );
    let applied = cache
        .apply_batch(
            &[
                liveness(1, 42, "idv-1", "processing", None, &[], 10),
                note.clone(),
                record(
                    3,
                    "team:2",
                    "Sam",
                    r#"{"kind":"verdict","user_id":42,"says":"something new"}"#,
                ),
            ],
            at(20),
        )
        .unwrap();
    assert_eq!((applied.applied, applied.unreadable), (3, 1));
    assert_eq!(applied.cursor, 3);

    let again = cache.apply_batch(&[note], at(21)).unwrap();
    assert_eq!((again.applied, again.duplicates), (0, 1), "applied once");

    let notes = cache.notes(uid(42)).unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].author, "Zoé Martin");
    assert_eq!(notes[0].text, "Asked for a clearer ID.\nWaiting.");
    assert_eq!(notes[0].seq, 2);
    assert!(cache.notes(uid(43)).unwrap().is_empty());

    let detail = cache.case_detail(uid(42), at(22)).unwrap();
    assert_eq!(
        detail.timeline.len(),
        1,
        "only Treezor's webhook is in the timeline: {:?}",
        detail.timeline
    );
    assert!(
        cache.unreadable_webhooks(10).unwrap().is_empty(),
        "a record from a newer hub is not an unreadable webhook"
    );
}

#[test]
fn a_cache_from_before_team_records_migrates_and_takes_them() {
    let (dir, mut cache) = fresh_cache();
    cache
        .apply_batch(
            &[liveness(1, 42, "idv-1", "processing", None, &[], 10)],
            at(20),
        )
        .unwrap();
    let path = cache.path().to_path_buf();
    drop(cache);
    // Schema 6 added only this table (and its index): without it, the file is a version 5 file.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&format!(
            "DROP TABLE team_records; DROP TABLE hub_trail_outbox; DROP TABLE claims;
             DROP TABLE hub_rules; {WITHOUT_DEADLINES} PRAGMA user_version = 5;"
        ))
        .unwrap();

    let mut cache = Cache::open(&path).unwrap();
    let applied = cache
        .apply_batch(
            &[record(
                2,
                "team:1",
                "Zoé",
                r#"{"kind":"note","user_id":42,"text":"after the upgrade"}"#,
            )],
            at(30),
        )
        .unwrap();
    assert_eq!(applied.applied, 1);
    assert_eq!(cache.notes(uid(42)).unwrap()[0].text, "after the upgrade");
    assert_eq!(
        cache.case_detail(uid(42), at(30)).unwrap().timeline.len(),
        1
    );
    drop(dir);
}

#[test]
fn a_new_note_announces_its_case_as_changed_and_a_repeat_does_not() {
    let (_dir, mut cache) = fresh_cache();
    let note = record(
        1,
        "team:1",
        "Zoé",
        r#"{"kind":"note","user_id":42,"text":"seen on another desk"}"#,
    );
    let applied = cache
        .apply_batch(std::slice::from_ref(&note), at(20))
        .unwrap();
    assert_eq!(applied.changed_users, vec![uid(42)]);
    let again = cache.apply_batch(&[note], at(21)).unwrap();
    assert!(again.changed_users.is_empty(), "{:?}", again.changed_users);
}
