//! The queue's filters, sorts, search and keyset paging, checked against a plain model: every row
//! read once unfiltered, then filtered and sorted in Rust. Pages are small so every query spans
//! several, and search runs every way it can (candidates fetched by id, kept along an index walk,
//! or text checked along a walk).

mod common;

use cache::{Direction, QueueFilter, QueueQuery, QueueRow, Sort, SortKey};
use common::people::*;
use common::queries::*;
use common::*;
use kyc::CaseState;
use kyc::case::LINK_LIFETIME_SECONDS;

#[test]
fn every_filter_and_sort_pages_through_exactly_the_matching_rows_in_order() {
    let (_dir, mut cache, people) = populate();
    let rows = all_rows(&cache);
    assert_eq!(
        rows.len() as u64,
        USERS - rows_without_anything(&people, &rows)
    );
    for threshold in search_ways() {
        cache.set_search_tuning(threshold);
        for (name, filter) in filters() {
            for sort in sorts() {
                let expected = model(&rows, &people, &filter, sort);
                let got = paged(&cache, &filter, sort);
                let ids = |r: &[QueueRow]| r.iter().map(|r| r.user_id.get()).collect::<Vec<_>>();
                assert_eq!(
                    ids(&got),
                    ids(&expected),
                    "{name}, {sort:?}, search {threshold:?}"
                );
                assert_eq!(got, expected, "{name}, {sort:?}");
            }
        }
    }
}

#[test]
fn every_filter_and_sort_reads_the_same_rows_backward_from_the_end() {
    let (_dir, mut cache, people) = populate();
    let rows = all_rows(&cache);
    let ids = |r: &[QueueRow]| r.iter().map(|r| r.user_id.get()).collect::<Vec<_>>();
    for threshold in search_ways() {
        cache.set_search_tuning(threshold);
        for (name, filter) in filters() {
            for sort in sorts() {
                let expected = model(&rows, &people, &filter, sort);
                let got = paged_backward(&cache, &filter, sort);
                assert_eq!(
                    ids(&got),
                    ids(&expected),
                    "{name}, {sort:?}, search {threshold:?}"
                );
            }
        }
    }
}

#[test]
fn a_page_read_forward_turns_back_to_the_rows_before_it() {
    let (_dir, cache, _people) = populate();
    let forward = QueueQuery {
        limit: 7,
        ..QueueQuery::default()
    };
    let first = cache.queue(&forward, at(NOW)).unwrap();
    assert_eq!(first.previous, None, "nothing comes before the first page");
    let second = cache
        .queue(
            &QueueQuery {
                after: first.next.clone(),
                ..forward.clone()
            },
            at(NOW),
        )
        .unwrap();
    let back = cache
        .queue(
            &QueueQuery {
                after: second.previous.clone(),
                backward: true,
                ..forward.clone()
            },
            at(NOW),
        )
        .unwrap();
    assert_eq!(back.rows, first.rows);
    assert_eq!(back.previous, None, "the page read back is the first one");
    assert_eq!(
        back.next, first.next,
        "and it leads forward where the first page did"
    );
}

#[test]
fn the_data_covers_what_the_filters_test() {
    let (_dir, cache, people) = populate();
    let rows = all_rows(&cache);
    for state in [
        CaseState::LinkIssued,
        CaseState::LinkExpired,
        CaseState::Processing,
        CaseState::Refused,
        CaseState::Failed,
        CaseState::DocumentsReceived,
        CaseState::ReviewRequested,
        CaseState::ReviewValidated,
        CaseState::ReviewRefused,
    ] {
        assert!(rows.iter().any(|r| r.state == state), "no {state} row");
    }
    assert!(rows.iter().any(|r| r.aml_flagged));
    assert!(people.iter().any(|p| p.names.is_none()));
    for (name, filter) in filters() {
        let n = model(&rows, &people, &filter, Sort::default()).len();
        assert!(
            n > 7
                || name.contains("nothing")
                || name.contains("user id")
                || name.contains("at once")
                || name.contains("email")
                || name.contains("nameless")
                || name.contains("live"),
            "{name}: {n} rows"
        );
    }
}

#[test]
fn counts_per_state_match_the_rows_under_every_filter() {
    let (_dir, mut cache, people) = populate();
    let rows = all_rows(&cache);
    for threshold in search_ways() {
        cache.set_search_tuning(threshold);
        for (name, filter) in filters() {
            let counts = cache.counts(&filter, at(NOW)).unwrap();
            let matching = model(&rows, &people, &filter.without_states(), Sort::default());
            for state in CaseState::ALL {
                let expected = matching.iter().filter(|r| r.state == state).count() as u64;
                assert_eq!(counts.get(state), expected, "{name}: {state}");
            }
            assert_eq!(counts.total, matching.len() as u64, "{name}");
            let first = cache
                .queue(
                    &QueueQuery {
                        filter: filter.clone(),
                        ..QueueQuery::default()
                    },
                    at(NOW),
                )
                .unwrap();
            if let Some(total) = first.total {
                assert_eq!(
                    total as usize,
                    model(&rows, &people, &filter, Sort::default()).len(),
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn a_link_is_still_shown_issued_long_after_its_first_fifteen_minutes() {
    let (_dir, cache, _people) = populate();
    let live = QueueQuery {
        filter: QueueFilter {
            states: vec![CaseState::LinkIssued],
            ..QueueFilter::default()
        },
        limit: 1_000,
        ..QueueQuery::default()
    };
    let before = cache.queue(&live, at(NOW)).unwrap().rows;
    assert!(!before.is_empty());
    let later = at(NOW + 10 * LINK_LIFETIME_SECONDS);
    let still = cache.queue(&live, later).unwrap().rows;
    assert_eq!(
        still.iter().map(|r| r.user_id).collect::<Vec<_>>(),
        before.iter().map(|r| r.user_id).collect::<Vec<_>>()
    );
    assert_eq!(
        cache
            .counts(&QueueFilter::default(), later)
            .unwrap()
            .get(CaseState::LinkIssued),
        before.len() as u64
    );
}

#[test]
fn a_cursor_from_another_sort_or_a_bad_page_size_is_refused() {
    let (_dir, cache, _people) = populate();
    let first = cache
        .queue(
            &QueueQuery {
                limit: 5,
                ..QueueQuery::default()
            },
            at(NOW),
        )
        .unwrap();
    let other = QueueQuery {
        sort: Sort {
            key: SortKey::Name,
            direction: Direction::Ascending,
        },
        after: first.next.clone(),
        ..QueueQuery::default()
    };
    let err = cache.queue(&other, at(NOW)).unwrap_err();
    assert!(
        matches!(err, cache::Error::Cursor(cache::CursorProblem::OtherSort)),
        "{err}"
    );
    let forged = QueueQuery {
        after: Some(serde_json::from_str("\"not-a-cursor\"").unwrap()),
        ..QueueQuery::default()
    };
    assert!(matches!(
        cache.queue(&forged, at(NOW)),
        Err(cache::Error::Cursor(cache::CursorProblem::NotMadeHere))
    ));
    let huge = QueueQuery {
        limit: 5_000,
        ..QueueQuery::default()
    };
    assert!(matches!(
        cache.queue(&huge, at(NOW)),
        Err(cache::Error::PageSize {
            asked: 5_000,
            max: 1_000
        })
    ));
}

#[test]
fn a_reader_on_its_own_connection_sees_what_the_writer_committed() {
    let (_dir, mut cache, _people) = populate();
    let reader = cache.reader().unwrap();
    let before = reader
        .counts(&QueueFilter::default(), at(NOW))
        .unwrap()
        .total;
    cache
        .apply_batch(
            &[user_created(
                10_000,
                99_999,
                "New",
                "Comer",
                "new@example.com",
                1,
            )],
            at(NOW),
        )
        .unwrap();
    let after = reader
        .counts(&QueueFilter::default(), at(NOW))
        .unwrap()
        .total;
    assert_eq!(after, before + 1);
    let found = reader
        .queue(
            &QueueQuery {
                filter: QueueFilter {
                    search: Some("comer".into()),
                    ..QueueFilter::default()
                },
                ..QueueQuery::default()
            },
            at(NOW),
        )
        .unwrap();
    assert_eq!(found.rows.len(), 1);
    assert_eq!(found.rows[0].display_name, "New Comer");
}
