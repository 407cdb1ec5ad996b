//! Proves that the cache holds each case's claim as the hub decided it: claim records applied in
//! the feed's order give the holder, since and last activity the hub has, a renewal by the holder
//! moves only the last activity, a release frees the case and a reassignment hands it over; a
//! claim whose holder has been inactive past the hub's lapse reads as none; "the next unclaimed
//! case" is the one waiting longest for an officer with no live claim; the queue's "Mine" and
//! "Unclaimed" filters page and count by live claims; and a cache of schema 7 migrates,
//! replaying the claim records it already holds.

mod common;

use cache::{Cache, Holding, QueueFilter, QueueQuery, Sort};
use common::{WITHOUT_DEADLINES, at, event, fresh_cache, liveness};
use kyc::feed::FeedEvent;
use kyc::officer::OfficerName;
use kyc::{CaseState, Timestamp, UserId};

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

/// Every row of `query` read page by page, forward and backward (both must agree), with the
/// first page's total.
fn paged_ids(cache: &Cache, filter: &QueueFilter, now: Timestamp) -> (Vec<u64>, Option<u64>) {
    let mut ids = Vec::new();
    let mut after = None;
    let mut total = None;
    loop {
        let page = cache
            .queue(
                &QueueQuery {
                    filter: filter.clone(),
                    sort: Sort::default(),
                    after: after.clone(),
                    limit: 2,
                    backward: false,
                },
                now,
            )
            .unwrap();
        if after.is_none() {
            total = page.total;
        }
        ids.extend(page.rows.iter().map(|r| r.user_id.get()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut backward = Vec::new();
    let mut before = None;
    loop {
        let page = cache
            .queue(
                &QueueQuery {
                    filter: filter.clone(),
                    sort: Sort::default(),
                    after: before.clone(),
                    limit: 2,
                    backward: true,
                },
                now,
            )
            .unwrap();
        let mut rows: Vec<u64> = page.rows.iter().map(|r| r.user_id.get()).collect();
        rows.extend(backward);
        backward = rows;
        match page.previous {
            Some(previous) => before = Some(previous),
            None => break,
        }
    }
    assert_eq!(backward, ids, "read backward from the end, {filter:?}");
    (ids, total)
}

#[test]
fn the_queue_filters_mine_and_unclaimed_page_and_count_by_live_claims_with_the_state_filters() {
    let (_dir, mut cache) = fresh_cache();
    cache.set_claim_lapse(LAPSE).unwrap();
    // Users 41..=48, each changed at its own time (the queue's default sort: latest first);
    // even ones refused (score 0), odd ones still processing.
    let mut log: Vec<FeedEvent> = (41..=48u64)
        .map(|user| {
            let (status, score) = if user % 2 == 0 {
                ("processed", Some(0))
            } else {
                ("processing", None)
            };
            liveness(
                user,
                user,
                &format!("idv-{user}"),
                status,
                score,
                &[],
                user as i64,
            )
        })
        .collect();
    // Zoé holds 41, 42, 44 and 47 (42 since long ago: lapsed by the time of the reads below);
    // Sam holds 43 and 46; 45 and 48 nobody holds.
    log.extend([
        record(100, "Zoé", 60, r#"{"kind":"claim","user_id":42}"#),
        record(101, "Zoé", LAPSE, r#"{"kind":"claim","user_id":41}"#),
        record(102, "Zoé", LAPSE, r#"{"kind":"claim","user_id":44}"#),
        record(103, "Zoé", LAPSE, r#"{"kind":"claim","user_id":47}"#),
        record(104, "Sam", LAPSE, r#"{"kind":"claim","user_id":43}"#),
        record(105, "Sam", LAPSE, r#"{"kind":"claim","user_id":46}"#),
    ]);
    let now = at(LAPSE + 100);
    cache.apply_batch(&log, now).unwrap();

    let zoe = Some(OfficerName::parse("Zoé").unwrap());
    let filter = |holding, states: &[CaseState], officer: &Option<OfficerName>| QueueFilter {
        holding: Some(holding),
        states: states.to_vec(),
        officer: officer.clone(),
        ..QueueFilter::default()
    };
    let refused = [CaseState::Refused];
    for (name, filter, expected) in [
        ("mine", filter(Holding::Mine, &[], &zoe), vec![47, 44, 41]),
        (
            "mine, refused",
            filter(Holding::Mine, &refused, &zoe),
            vec![44],
        ),
        (
            "unclaimed",
            filter(Holding::Unclaimed, &[], &zoe),
            vec![48, 45, 42],
        ),
        (
            "unclaimed, refused",
            filter(Holding::Unclaimed, &refused, &zoe),
            vec![48, 42],
        ),
        (
            "mine without an officer",
            filter(Holding::Mine, &[], &None),
            vec![],
        ),
    ] {
        let (ids, total) = paged_ids(&cache, &filter, now);
        assert_eq!(ids, expected, "{name}");
        if let Some(total) = total {
            assert_eq!(total, expected.len() as u64, "{name}: the page's total");
        }
        let counts = cache.counts(&filter, now).unwrap();
        let shown: u64 = if filter.states.is_empty() {
            counts.total
        } else {
            counts.get(CaseState::Refused)
        };
        assert_eq!(shown, expected.len() as u64, "{name}: the counts");
    }

    // With a search, "Mine" still keeps only the officer's cases.
    let searched = QueueFilter {
        search: Some("44".into()),
        ..filter(Holding::Mine, &[], &zoe)
    };
    assert_eq!(paged_ids(&cache, &searched, now).0, vec![44]);

    // Once Zoé's claims lapse, nothing is hers and every case is unclaimed.
    let later = at(2 * LAPSE + 100);
    assert_eq!(
        paged_ids(&cache, &filter(Holding::Mine, &[], &zoe), later).0,
        Vec::<u64>::new()
    );
    let (all, total) = paged_ids(&cache, &filter(Holding::Unclaimed, &[], &zoe), later);
    assert_eq!(all, (41..=48).rev().collect::<Vec<u64>>());
    assert_eq!(total, Some(8));
}
