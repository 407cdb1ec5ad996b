//! A few hundred users with every case state, names with accents, shared creation instants; the
//! queue's filters, sorts and searches over them; and a plain model of what each should return.

use cache::fold::fold;
use cache::{Cache, Direction, QueueFilter, QueueQuery, QueueRow, Sort, SortKey, TimeRange};
use kyc::case::{CaseEvent, LINK_LIFETIME_SECONDS, ListedDocument};
use kyc::feed::FeedEvent;
use kyc::{DocumentId, DocumentTypeId, IdentificationId, Timestamp, UserId};

use super::*;

pub const USERS: u64 = 300;
/// Queries run at this instant.
pub const NOW: i64 = 100_000;

pub const FIRST: [&str; 8] = ["Zoé", "Zoe", "Ann", "Jérôme", "Élodie", "Bo", "Anaïs", "Li"];
pub const LAST: [&str; 7] = [
    "Martin", "Lee", "Müller", "O'Brien", "Dubois", "Zhang", "Anderson",
];

pub struct Person {
    pub id: u64,
    /// `None`: known only from verification webhooks.
    pub names: Option<(String, String, String)>,
}

/// A small deterministic generator (xorshift), so the data is the same on every run.
pub struct Dice(pub u64);

impl Dice {
    pub fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}

pub fn populate() -> (tempfile::TempDir, Cache, Vec<Person>) {
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
                // A link, still out or, in Treezor's word, expired.
                let issued = if dice.roll(2) == 0 { NOW - 60 } else { t };
                if dice.roll(2) == 0 {
                    feed.push(liveness(
                        next(),
                        id,
                        &ident,
                        "expired",
                        None,
                        &[],
                        issued + 1,
                    ));
                }
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
                    links.push((
                        UserId::new(id).unwrap(),
                        CaseEvent::DocumentsListed {
                            at: at(t + 15),
                            documents: vec![ListedDocument {
                                document: DocumentId::new(id * 10).unwrap(),
                                document_type: DocumentTypeId::LIVENESS_RESULT,
                                created_at: None,
                            }],
                        },
                    ));
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
    for chunk in feed.chunks(97) {
        cache.apply_batch(chunk, at(0)).unwrap();
    }
    cache.record_case_events(&links, at(0)).unwrap();
    (dir, cache, people)
}

pub fn all_rows(cache: &Cache) -> Vec<QueueRow> {
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
pub fn paged(cache: &Cache, filter: &QueueFilter, sort: Sort) -> Vec<QueueRow> {
    let mut rows = Vec::new();
    let mut query = QueueQuery {
        filter: filter.clone(),
        sort,
        after: None,
        limit: 7,
        backward: false,
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

/// Every page of a query read from the end, following the `previous` cursors, in the queue's
/// order: page by page, each page's rows must already be in that order.
pub fn paged_backward(cache: &Cache, filter: &QueueFilter, sort: Sort) -> Vec<QueueRow> {
    let mut pages = Vec::new();
    let mut query = QueueQuery {
        filter: filter.clone(),
        sort,
        after: None,
        limit: 7,
        backward: true,
    };
    loop {
        let page = cache.queue(&query, at(NOW)).unwrap();
        assert!(page.rows.len() <= 7);
        pages.push(page.rows);
        match page.previous {
            Some(previous) => query.after = Some(previous),
            None => return pages.into_iter().rev().flatten().collect(),
        }
    }
}

pub fn matches_search(row: &QueueRow, people: &[Person], text: &str) -> bool {
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

pub fn model(
    rows: &[QueueRow],
    people: &[Person],
    filter: &QueueFilter,
    sort: Sort,
) -> Vec<QueueRow> {
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
            // Cases without a deadline come after every due one.
            SortKey::Due => (
                r.due_at.map_or(i64::MAX, |t| t.unix_micros()),
                String::new(),
            ),
        };
        let order = (key(a), a.user_id).cmp(&(key(b), b.user_id));
        match sort.direction {
            Direction::Ascending => order,
            Direction::Descending => order.reverse(),
        }
    });
    out
}

/// Users with neither a profile nor a case event have no row.
pub fn rows_without_anything(people: &[Person], rows: &[QueueRow]) -> u64 {
    people
        .iter()
        .filter(|p| !rows.iter().any(|r| r.user_id.get() == p.id))
        .count() as u64
}
