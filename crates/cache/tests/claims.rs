//! Proves that the cache holds each case's claim as the hub decided it: claim records applied in
//! the feed's order give the holder, since and last activity the hub has, a renewal by the holder
//! moves only the last activity, a release frees the case and a reassignment hands it over; a
//! claim whose holder has been inactive past the hub's lapse reads as none; "the next unclaimed
//! case" is the one waiting longest for an officer with no live claim; and a cache of schema 7
//! migrates, replaying the claim records it already holds.

mod common;

use cache::Cache;
use common::{WITHOUT_DEADLINES, at, event, fresh_cache, liveness};
use kyc::feed::FeedEvent;
use kyc::officer::OfficerName;
use kyc::{Timestamp, UserId};

const LAPSE: i64 = 3600;

fn uid(id: u64) -> UserId {
    UserId::new(id).unwrap()
}

/// A team record as the hub serves it, stored by the hub at `t`.
fn record(seq: u64, author: &str, t: i64, payload: &str) -> FeedEvent {
    let kind = serde_json::from_str::<serde_json::Value>(payload).unwrap()["kind"]
        .as_str()
        .unwrap()
        .to_owned();
    FeedEvent {
        officer: Some(OfficerName::parse(author).unwrap()),
        received_at: at(t),
        ..event(
            seq,
            &format!("team-{seq}"),
            &format!("team.{kind}"),
            "team",
            None,
            payload,
        )
    }
}

fn holder(cache: &Cache, user: u64, now: Timestamp) -> Option<(String, Timestamp, Timestamp)> {
    cache
        .claim(uid(user), now)
        .unwrap()
        .map(|c| (c.holder, c.since, c.last_activity))
}

#[test]
fn claim_records_give_the_holder_the_hub_decided_and_an_idle_claim_lapses() {
    let (_dir, mut cache) = fresh_cache();
    cache.set_claim_lapse(LAPSE).unwrap();
    let applied = cache
        .apply_batch(
            &[
                liveness(1, 42, "idv-1", "processed", Some(0), &[], 10),
                record(2, "Zoé", 100, r#"{"kind":"claim","user_id":42}"#),
                record(3, "Zoé", 200, r#"{"kind":"claim","user_id":42}"#),
            ],
            at(201),
        )
        .unwrap();
    assert!(applied.changed_users.contains(&uid(42)));
    assert_eq!(
        holder(&cache, 42, at(201)),
        Some(("Zoé".into(), at(100), at(200))),
        "a renewal by the holder keeps since and moves the last activity"
    );
    let live = cache.claim(uid(42), at(201)).unwrap().unwrap();
    assert_eq!(live.lapses_at, at(200 + LAPSE));
    assert!(holder(&cache, 42, at(200 + LAPSE - 1)).is_some());
    assert_eq!(
        holder(&cache, 42, at(200 + LAPSE)),
        None,
        "past the lapse without activity, nobody holds it"
    );

    // Past the lapse the hub let Sam take it: a fresh claim.
    cache
        .apply_batch(
            &[record(
                4,
                "Sam",
                300 + LAPSE,
                r#"{"kind":"claim","user_id":42}"#,
            )],
            at(301 + LAPSE),
        )
        .unwrap();
    assert_eq!(
        holder(&cache, 42, at(301 + LAPSE)),
        Some(("Sam".into(), at(300 + LAPSE), at(300 + LAPSE)))
    );
    cache
        .apply_batch(
            &[
                record(
                    5,
                    "Sam",
                    400 + LAPSE,
                    r#"{"kind":"reassign","user_id":42,"to":"Léa"}"#,
                ),
                record(6, "Zoé", 410 + LAPSE, r#"{"kind":"claim","user_id":43}"#),
            ],
            at(411 + LAPSE),
        )
        .unwrap();
    assert_eq!(
        holder(&cache, 42, at(411 + LAPSE)).map(|h| h.0),
        Some("Léa".into())
    );
    let page = cache
        .claims_of(&[uid(41), uid(43), uid(42)], at(411 + LAPSE))
        .unwrap();
    let holders: Vec<(u64, &str)> = page
        .iter()
        .map(|c| (c.user_id.get(), c.holder.as_str()))
        .collect();
    assert_eq!(holders, vec![(43, "Zoé"), (42, "Léa")]);
    cache
        .apply_batch(
            &[record(
                7,
                "Léa",
                500 + LAPSE,
                r#"{"kind":"release","user_id":42}"#,
            )],
            at(501 + LAPSE),
        )
        .unwrap();
    assert_eq!(holder(&cache, 42, at(501 + LAPSE)), None);
}

#[test]
fn the_same_log_gives_the_same_holder_however_it_is_batched() {
    let log = [
        record(1, "Zoé", 100, r#"{"kind":"claim","user_id":42}"#),
        record(2, "Zoé", 150, r#"{"kind":"note","user_id":42,"text":"x"}"#),
        record(3, "Zoé", 200, r#"{"kind":"release","user_id":42}"#),
        record(4, "Sam", 300, r#"{"kind":"claim","user_id":42}"#),
        record(5, "Sam", 400, r#"{"kind":"claim","user_id":42}"#),
    ];
    let (_a, mut whole) = fresh_cache();
    whole.apply_batch(&log, at(500)).unwrap();
    let (_b, mut one_by_one) = fresh_cache();
    for event in &log {
        one_by_one
            .apply_batch(std::slice::from_ref(event), at(500))
            .unwrap();
    }
    // A record seen again changes nothing.
    one_by_one.apply_batch(&log[3..4], at(500)).unwrap();
    let expected = Some(("Sam".into(), at(300), at(400)));
    assert_eq!(holder(&whole, 42, at(500)), expected);
    assert_eq!(holder(&one_by_one, 42, at(500)), expected);
}

#[test]
fn the_next_unclaimed_case_waits_for_an_officer_longest_and_has_no_live_claim() {
    let (_dir, mut cache) = fresh_cache();
    cache.set_claim_lapse(LAPSE).unwrap();
    cache
        .apply_batch(
            &[
                liveness(1, 41, "idv-41", "processing", None, &[], 5),
                liveness(2, 42, "idv-42", "processed", Some(0), &[], 10),
                liveness(3, 43, "idv-43", "processed", Some(-1), &[], 20),
                liveness(4, 44, "idv-44", "processed", Some(0), &[], 30),
                record(5, "Zoé", 100, r#"{"kind":"claim","user_id":42}"#),
            ],
            at(101),
        )
        .unwrap();
    assert_eq!(
        cache.unclaimed(at(101), &[], 10).unwrap(),
        vec![uid(43), uid(44)],
        "41 waits for the customer, 42 is held"
    );
    assert_eq!(
        cache.unclaimed(at(101), &[uid(43)], 1).unwrap(),
        vec![uid(44)]
    );
    assert_eq!(
        cache.unclaimed(at(100 + LAPSE), &[], 10).unwrap(),
        vec![uid(42), uid(43), uid(44)],
        "a lapsed claim holds nothing"
    );
}

#[test]
fn a_cache_of_schema_7_migrates_and_replays_the_claims_it_holds() {
    let (dir, mut cache) = fresh_cache();
    cache
        .apply_batch(
            &[
                record(1, "Zoé", 100, r#"{"kind":"claim","user_id":42}"#),
                record(2, "Zoé", 120, r#"{"kind":"claim","user_id":43}"#),
                record(
                    3,
                    "Sam",
                    130,
                    r#"{"kind":"reassign","user_id":43,"to":"Léa"}"#,
                ),
            ],
            at(131),
        )
        .unwrap();
    let path = cache.path().to_path_buf();
    drop(cache);
    // Schema 8 added only these tables: without them (and deadlines' tables, which came after),
    // the file is a version 7 file holding the same claim records.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&format!(
            "DROP TABLE claims; DROP TABLE hub_rules; {WITHOUT_DEADLINES} PRAGMA user_version = 7;"
        ))
        .unwrap();

    let cache = Cache::open(&path).unwrap();
    assert_eq!(
        holder(&cache, 42, at(131)),
        Some(("Zoé".into(), at(100), at(100)))
    );
    assert_eq!(
        holder(&cache, 43, at(131)),
        Some(("Léa".into(), at(130), at(130)))
    );
    assert_eq!(
        cache.claim_lapse_seconds().unwrap(),
        kyc::claim::DEFAULT_LAPSE_SECONDS
    );
    drop(dir);
}
