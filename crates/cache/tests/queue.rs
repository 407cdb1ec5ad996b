//! The queue's filters, sorts, search and keyset paging, checked against a plain model: every row
//! read once unfiltered, then filtered and sorted in Rust. Pages are small so every query spans
//! several, and search runs both ways (matches fetched by id, and checked along an index walk).

mod common;

use cache::fold::fold;
use cache::{
    Cache, Direction, QueueFilter, QueueQuery, QueueRow, ReviewState, SearchTuning, Sort, SortKey,
    TimeRange,
};
use common::*;
use kyc::case::{CaseEvent, LINK_LIFETIME_SECONDS};
use kyc::feed::FeedEvent;
use kyc::{CaseState, IdentificationId, Score, Timestamp, UserId, UserType};

const USERS: u64 = 300;
/// Queries run at this instant: links issued in the last 15 minutes before it are live.
const NOW: i64 = 100_000;

const FIRST: [&str; 8] = ["Zoé", "Zoe", "Ann", "Jérôme", "Élodie", "Bo", "Anaïs", "Li"];
const LAST: [&str; 7] = [
    "Martin", "Lee", "Müller", "O'Brien", "Dubois", "Zhang", "Anderson",
];

struct Person {
    id: u64,
    /// `None`: known only from verification webhooks.
    names: Option<(String, String, String)>,
}

/// A small deterministic generator (xorshift), so the data is the same on every run.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}

fn populate() -> (tempfile::TempDir, Cache, Vec<Person>) {
    let (dir, mut cache) = fresh_cache();
    let mut dice = Dice(0x9E37_79B9_7F4A_7C15);
    let mut feed: Vec<FeedEvent> = Vec::new();
    let mut links: Vec<(UserId, CaseEvent)> = Vec::new();
    let mut people = Vec::new();
    let mut seq = 0u64;
    let mut next = || {
        seq += 1;
        seq
    };
    for i in 0..USERS {
        let id = 1_000 + i;
        // Many users share a creation instant, so ties on the sort key are the rule.
        let created = (i % 40) as i64 * 1_000;
        let names = (dice.roll(10) != 0).then(|| {
            let first = FIRST[dice.roll(FIRST.len() as u64) as usize].to_owned();
            let last = LAST[dice.roll(LAST.len() as u64) as usize].to_owned();
            let email = format!("{}.{}{}@example.com", fold(&first), fold(&last), i % 7);
            (first, last, email)
        });
        if let Some((first, last, email)) = &names {
            let mut e = user_created(next(), id, first, last, email, created);
            if dice.roll(3) == 0 {
                // Businesses too.
                let text = e
                    .object_payload
                    .get()
                    .replace(r#""userTypeId":"1""#, r#""userTypeId":"2""#);
                e.object_payload = serde_json::value::RawValue::from_string(text).unwrap();
            }
            feed.push(e);
        }
        let t = created + 100 + dice.roll(50_000) as i64;
        let ident = format!("idv-{id}");
        match dice.roll(12) {
            0 => {}
            1 | 2 => {
                // A link, live or expired at NOW.
                let issued = if dice.roll(2) == 0 { NOW - 60 } else { t };
                links.push((
                    UserId::new(id).unwrap(),
                    CaseEvent::LinkIssued {
                        at: at(issued),
                        identification: IdentificationId::parse(&ident).unwrap(),
                        url: format!("https://id.example/{ident}"),
                        expires_at: at(issued + LINK_LIFETIME_SECONDS),
                        liveness_type: None,
                    },
                ));
            }
            3 => feed.push(liveness(next(), id, &ident, "processing", None, &[], t)),
            4 => feed.push(liveness(next(), id, &ident, "aborted", None, &[], t)),
            5 => feed.push(liveness(
                next(),
                id,
                &ident,
                "processed",
                Some(0),
                &["2301"],
                t,
            )),
            6 => feed.push(liveness(
                next(),
                id,
                &ident,
                "processed",
                Some(-1),
                &["1301"],
                t,
            )),
            7 => feed.push(liveness(
                next(),
                id,
                &ident,
                "processed",
                Some(0),
                &["1301", "3101"],
                t,
            )),
            roll => {
                feed.push(liveness(next(), id, &ident, "processed", Some(1), &[], t));
                if roll >= 9 {
                    feed.push(document(next(), id * 10, id, 26, t + 10));
                }
                if roll >= 10 {
                    feed.push(review(next(), id, "user.kycrequest", 1, t + 20));
                }
                if roll == 11 {
                    let decision = if dice.roll(2) == 0 { 2 } else { 3 };
                    feed.push(review(next(), id, "user.kycreview", decision, t + 30));
                }
            }
        }
        people.push(Person { id, names });
    }
    // Apply at an early instant so that the links expired at NOW are still stored as issued: the
    // queue must show them expired without a write.
    for chunk in feed.chunks(97) {
        cache.apply_batch(chunk, at(0)).unwrap();
    }
    cache.record_case_events(&links, at(0)).unwrap();
    (dir, cache, people)
}

fn all_rows(cache: &Cache) -> Vec<QueueRow> {
    let page = cache
        .queue(
            &QueueQuery {
                limit: 1_000,
                ..QueueQuery::default()
            },
            at(NOW),
        )
        .unwrap();
    assert!(page.next.is_none());
    page.rows
}

/// Every page of a query, following the cursors.
fn paged(cache: &Cache, filter: &QueueFilter, sort: Sort) -> Vec<QueueRow> {
    let mut rows = Vec::new();
    let mut query = QueueQuery {
        filter: filter.clone(),
        sort,
        after: None,
        limit: 7,
    };
    loop {
        let page = cache.queue(&query, at(NOW)).unwrap();
        assert!(page.rows.len() <= 7);
        rows.extend(page.rows);
        match page.next {
            Some(next) => query.after = Some(next),
            None => return rows,
        }
    }
}

fn matches_search(row: &QueueRow, people: &[Person], text: &str) -> bool {
    let q = fold(text);
    if q.bytes().all(|b| b.is_ascii_digit()) && q.parse::<u64>() == Ok(row.user_id.get()) {
        return true;
    }
    let person = people.iter().find(|p| p.id == row.user_id.get()).unwrap();
    let words: Vec<&str> = q.split(' ').collect();
    if words.iter().all(|w| w.chars().count() < 3) {
        let name_key = match &person.names {
            Some((f, l, _)) => fold(&format!("{f} {l}")),
            None => format!("user {}", person.id),
        };
        return name_key.starts_with(&q);
    }
    let Some((f, l, e)) = &person.names else {
        return false;
    };
    let text = format!(" {} {}", fold(&format!("{f} {l}")), fold(e));
    words.iter().all(|w| {
        if w.chars().count() >= 3 {
            text.contains(w)
        } else {
            text.contains(&format!(" {w}"))
        }
    })
}

fn model(rows: &[QueueRow], people: &[Person], filter: &QueueFilter, sort: Sort) -> Vec<QueueRow> {
    let within = |t: Timestamp, r: &TimeRange| {
        r.from.is_none_or(|f| t >= f) && r.until.is_none_or(|u| t < u)
    };
    let mut out: Vec<QueueRow> = rows
        .iter()
        .filter(|r| filter.states.is_empty() || filter.states.contains(&r.state))
        .filter(|r| filter.scores.is_empty() || filter.scores.contains(&r.score))
        .filter(|r| filter.aml_flagged.is_none_or(|f| r.aml_flagged == f))
        .filter(|r| filter.reviews.is_empty() || filter.reviews.contains(&r.review))
        .filter(|r| {
            filter.user_types.is_empty()
                || r.user_type.is_some_and(|t| filter.user_types.contains(&t))
        })
        .filter(|r| {
            within(r.created_at, &filter.created) && within(r.last_change, &filter.last_change)
        })
        .filter(|r| {
            filter
                .search
                .as_ref()
                .is_none_or(|s| matches_search(r, people, s))
        })
        .cloned()
        .collect();
    out.sort_by(|a, b| {
        let key = |r: &QueueRow| match sort.key {
            SortKey::Created => (r.created_at.unix_micros(), String::new()),
            SortKey::LastChange => (r.last_change.unix_micros(), String::new()),
            SortKey::Name => (0, fold(&r.display_name)),
        };
        let order = (key(a), a.user_id).cmp(&(key(b), b.user_id));
        match sort.direction {
            Direction::Ascending => order,
            Direction::Descending => order.reverse(),
        }
    });
    out
}

fn filters() -> Vec<(&'static str, QueueFilter)> {
    let f = QueueFilter::default;
    vec![
        ("everything", f()),
        (
            "refused",
            QueueFilter {
                states: vec![CaseState::Refused],
                ..f()
            },
        ),
        (
            "link issued (live only)",
            QueueFilter {
                states: vec![CaseState::LinkIssued],
                ..f()
            },
        ),
        (
            "link expired (stored as issued too)",
            QueueFilter {
                states: vec![CaseState::LinkExpired],
                ..f()
            },
        ),
        (
            "links, both",
            QueueFilter {
                states: vec![CaseState::LinkIssued, CaseState::LinkExpired],
                ..f()
            },
        ),
        (
            "several states",
            QueueFilter {
                states: vec![
                    CaseState::Validated,
                    CaseState::DocumentsReceived,
                    CaseState::ReviewRequested,
                    CaseState::NoVerification,
                ],
                ..f()
            },
        ),
        (
            "score 0 or none",
            QueueFilter {
                scores: vec![Some(Score::Refused), None],
                ..f()
            },
        ),
        (
            "score 1",
            QueueFilter {
                scores: vec![Some(Score::Validated)],
                ..f()
            },
        ),
        (
            "AML flagged",
            QueueFilter {
                aml_flagged: Some(true),
                ..f()
            },
        ),
        (
            "not AML flagged",
            QueueFilter {
                aml_flagged: Some(false),
                ..f()
            },
        ),
        (
            "review pending or refused",
            QueueFilter {
                reviews: vec![ReviewState::Pending, ReviewState::Refused],
                ..f()
            },
        ),
        (
            "businesses",
            QueueFilter {
                user_types: vec![UserType::Business],
                ..f()
            },
        ),
        (
            "created in a window",
            QueueFilter {
                created: TimeRange {
                    from: Some(at(5_000)),
                    until: Some(at(20_000)),
                },
                ..f()
            },
        ),
        (
            "changed lately",
            QueueFilter {
                last_change: TimeRange {
                    from: Some(at(30_000)),
                    until: None,
                },
                ..f()
            },
        ),
        (
            "search zoe (accents folded)",
            QueueFilter {
                search: Some("ZOE".into()),
                ..f()
            },
        ),
        (
            "search inside a name",
            QueueFilter {
                search: Some("ller".into()),
                ..f()
            },
        ),
        (
            "search last name first",
            QueueFilter {
                search: Some("martin zo".into()),
                ..f()
            },
        ),
        (
            "search email",
            QueueFilter {
                search: Some("dubois3@".into()),
                ..f()
            },
        ),
        (
            "search two letters",
            QueueFilter {
                search: Some("An".into()),
                ..f()
            },
        ),
        (
            "search one letter",
            QueueFilter {
                search: Some("z".into()),
                ..f()
            },
        ),
        (
            "search user id",
            QueueFilter {
                search: Some("1042".into()),
                ..f()
            },
        ),
        (
            "search nameless user",
            QueueFilter {
                search: Some("us".into()),
                ..f()
            },
        ),
        (
            "search nothing found",
            QueueFilter {
                search: Some("qqq".into()),
                ..f()
            },
        ),
        (
            "search with filters",
            QueueFilter {
                search: Some("an".into()),
                states: vec![
                    CaseState::Refused,
                    CaseState::Failed,
                    CaseState::NoVerification,
                    CaseState::DocumentsReceived,
                ],
                aml_flagged: Some(false),
                ..f()
            },
        ),
        (
            "everything at once",
            QueueFilter {
                states: vec![CaseState::Refused, CaseState::Failed, CaseState::Validated],
                scores: vec![Some(Score::Refused), Some(Score::Failed)],
                aml_flagged: Some(false),
                user_types: vec![UserType::Person],
                created: TimeRange {
                    from: Some(at(1_000)),
                    until: None,
                },
                ..f()
            },
        ),
    ]
}

fn sorts() -> Vec<Sort> {
    let mut sorts = Vec::new();
    for key in [SortKey::Created, SortKey::LastChange, SortKey::Name] {
        for direction in [Direction::Ascending, Direction::Descending] {
            sorts.push(Sort { key, direction });
        }
    }
    sorts
}

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

/// Every way a search can run: candidates fetched and sorted, kept along a walk, or each row's
/// text checked along a walk.
fn search_ways() -> [SearchTuning; 3] {
    [
        SearchTuning::default(),
        SearchTuning {
            fetch_up_to: 0,
            members_up_to: 1_000_000,
        },
        SearchTuning {
            fetch_up_to: 0,
            members_up_to: 0,
        },
    ]
}

/// Users with neither a profile nor a case event have no row.
fn rows_without_anything(people: &[Person], rows: &[QueueRow]) -> u64 {
    people
        .iter()
        .filter(|p| !rows.iter().any(|r| r.user_id.get() == p.id))
        .count() as u64
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
fn a_link_shows_expired_once_its_time_passes_without_any_write() {
    let (_dir, cache, _people) = populate();
    let live = QueueFilter {
        states: vec![CaseState::LinkIssued],
        ..QueueFilter::default()
    };
    let query = QueueQuery {
        filter: live.clone(),
        limit: 1_000,
        ..QueueQuery::default()
    };
    let before = cache.queue(&query, at(NOW)).unwrap().rows;
    assert!(!before.is_empty());
    let later = at(NOW + LINK_LIFETIME_SECONDS);
    assert!(cache.queue(&query, later).unwrap().rows.is_empty());
    assert_eq!(
        cache
            .counts(&QueueFilter::default(), later)
            .unwrap()
            .get(CaseState::LinkIssued),
        0
    );
    let expired = QueueQuery {
        filter: QueueFilter {
            states: vec![CaseState::LinkExpired],
            ..QueueFilter::default()
        },
        limit: 1_000,
        ..QueueQuery::default()
    };
    let now_expired = cache.queue(&expired, later).unwrap().rows;
    for row in &before {
        let shown = now_expired
            .iter()
            .find(|r| r.user_id == row.user_id)
            .expect("shown as expired");
        assert_eq!(shown.state, CaseState::LinkExpired);
    }
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
    assert!(err.to_string().contains("another sort order"), "{err}");
    let forged = QueueQuery {
        after: Some(serde_json::from_str("\"not-a-cursor\"").unwrap()),
        ..QueueQuery::default()
    };
    assert!(
        cache
            .queue(&forged, at(NOW))
            .unwrap_err()
            .to_string()
            .contains("not made by this cache")
    );
    let huge = QueueQuery {
        limit: 5_000,
        ..QueueQuery::default()
    };
    assert!(cache.queue(&huge, at(NOW)).is_err());
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
