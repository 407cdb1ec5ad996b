//! Deadlines in the cache, on a controlled clock: a case is due its state's deadline after it
//! entered that state (not after its latest event), late from then; the queue sorts by due time
//! with the cases without one last; a new policy from the hub moves every due time and is kept;
//! a file from before deadlines gets its waiting cases' due times when it is migrated.

mod common;

use std::collections::BTreeMap;

use cache::{Cache, Direction, QueueQuery, Sort, SortKey};
use common::*;
use kyc::case::{CaseEvent, LINK_LIFETIME_SECONDS};
use kyc::deadline::DeadlinePolicy;
use kyc::{CaseState, IdentificationId, Timestamp, UserId};

fn uid(id: u64) -> UserId {
    UserId::new(id).unwrap()
}

/// User 1 validated at 100 (the same webhook's news again at 300), user 2 sent a link at 0,
/// user 3 refused at 50.
fn three_cases(cache: &mut Cache) {
    cache
        .apply_batch(
            &[
                liveness(1, 1, "idv-1", "processed", Some(1), &[], 100),
                liveness(2, 3, "idv-3", "processed", Some(0), &["1"], 50),
                liveness(3, 1, "idv-1", "processed", Some(1), &[], 300),
            ],
            at(400),
        )
        .unwrap();
    let link = CaseEvent::LinkIssued {
        at: at(0),
        identification: IdentificationId::parse("idv-2").unwrap(),
        url: "https://id.example/idv-2".into(),
        expires_at: at(LINK_LIFETIME_SECONDS),
        liveness_type: None,
    };
    cache.record_case_event(uid(2), link, at(400)).unwrap();
}

/// (user, state, due) in the order of the queue sorted by due time.
fn by_due(cache: &Cache, direction: Direction) -> Vec<(u64, CaseState, Option<Timestamp>)> {
    let query = QueueQuery {
        sort: Sort {
            key: SortKey::Due,
            direction,
        },
        ..QueueQuery::default()
    };
    cache
        .queue(&query, at(400))
        .unwrap()
        .rows
        .iter()
        .map(|r| (r.user_id.get(), r.state, r.due_at))
        .collect()
}

fn policy(pairs: &[(&str, i64)]) -> DeadlinePolicy {
    DeadlinePolicy::parse(
        pairs
            .iter()
            .map(|(s, n)| ((*s).to_owned(), *n))
            .collect::<BTreeMap<_, _>>(),
    )
    .unwrap()
}

#[test]
fn a_case_is_due_its_states_deadline_after_it_entered_the_state_and_late_from_then() {
    let (_dir, mut cache) = fresh_cache();
    three_cases(&mut cache);
    assert_eq!(cache.deadlines().unwrap(), DeadlinePolicy::default());
    // Validated at 100: the same news at 300 does not start its day again.
    assert_eq!(
        by_due(&cache, Direction::Ascending),
        vec![
            (2, CaseState::LinkIssued, Some(at(900))),
            (1, CaseState::Validated, Some(at(100 + 86_400))),
            (3, CaseState::Refused, None),
        ]
    );
    assert_eq!(
        by_due(&cache, Direction::Descending)
            .iter()
            .map(|r| r.0)
            .collect::<Vec<_>>(),
        vec![3, 1, 2]
    );
    assert_eq!(cache.late_count(at(899)).unwrap(), 0);
    assert_eq!(cache.late_count(at(900)).unwrap(), 1, "due is late");
    assert_eq!(cache.late_count(at(100 + 86_400)).unwrap(), 2);
    assert_eq!(
        cache.late_count(at(10_000_000)).unwrap(),
        2,
        "a refusal is never late"
    );
    // The customer finishes: the case leaves the link's state and its deadline with it.
    cache
        .apply_batch(
            &[liveness(4, 2, "idv-2", "processing", None, &[], 600)],
            at(600),
        )
        .unwrap();
    assert_eq!(cache.late_count(at(900)).unwrap(), 0);
    assert_eq!(by_due(&cache, Direction::Ascending)[1].2, None);
}

#[test]
fn a_new_policy_moves_every_due_time_and_is_kept() {
    let (dir, mut cache) = fresh_cache();
    three_cases(&mut cache);
    let team = policy(&[("link_issued", 600), ("validated", 3600)]);
    assert!(cache.set_deadlines(&team).unwrap());
    assert!(
        !cache.set_deadlines(&team).unwrap(),
        "the same policy changes nothing"
    );
    assert_eq!(
        by_due(&cache, Direction::Ascending),
        vec![
            (2, CaseState::LinkIssued, Some(at(600))),
            (1, CaseState::Validated, Some(at(100 + 3600))),
            (3, CaseState::Refused, None),
        ]
    );
    // Without a deadline for links, the link's case sorts with those that have none.
    assert!(cache.set_deadlines(&policy(&[("validated", 60)])).unwrap());
    assert_eq!(
        by_due(&cache, Direction::Ascending),
        vec![
            (1, CaseState::Validated, Some(at(160))),
            (2, CaseState::LinkIssued, None),
            (3, CaseState::Refused, None),
        ]
    );
    let path = dir.path().join("desk").join("cache.sqlite");
    drop(cache);
    let cache = Cache::open(&path).unwrap();
    assert_eq!(cache.deadlines().unwrap(), policy(&[("validated", 60)]));
    assert_eq!(cache.late_count(at(160)).unwrap(), 1);
}

#[test]
fn a_file_from_before_deadlines_gets_its_waiting_cases_due_times() {
    let (dir, mut cache) = fresh_cache();
    three_cases(&mut cache);
    let path = dir.path().join("desk").join("cache.sqlite");
    drop(cache);
    // The file as the version before deadlines left it.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(WITHOUT_DEADLINES).unwrap();
    // Version 8 (claims) is the last before deadlines (9).
    conn.pragma_update(None, "user_version", 8).unwrap();
    drop(conn);
    let cache = Cache::open(&path).unwrap();
    assert_eq!(
        by_due(&cache, Direction::Ascending),
        vec![
            (2, CaseState::LinkIssued, Some(at(900))),
            (1, CaseState::Validated, Some(at(100 + 86_400))),
            (3, CaseState::Refused, None),
        ]
    );
}
