//! B6: the queue's own queries on a cache of 1,000,000 users and 3,000,000 webhooks: every filter,
//! sort and text search the window offers, each on its first page and on a page deep in the list
//! (half-way through its rows, at most 500,000 in), on a reader connection as the window uses.
//!
//! `B6_ONLY=<text>` runs only the queries whose name contains the text (while tuning).

use std::time::Instant;

use cache::{Direction, QueueFilter, QueueQuery, Reader, ReviewState, Sort, SortKey, TimeRange};
use kyc::{CaseState, Score, UserType};

use super::big::{self, NOW};
use super::percentile;
use crate::figure::Figure;

/// Rows per page, as the window's virtualized table asks.
const PAGE: u32 = 100;
/// Runs of each query page; the figure is the p99 over all of them.
const RUNS: usize = 20;

pub fn run() -> Vec<Figure> {
    let path = big::path();
    let reader = Reader::open(&path).expect("the benchmark cache opens for reading");
    let only = std::env::var("B6_ONLY").unwrap_or_default();
    let cases: Vec<_> = cases()
        .into_iter()
        .filter(|c| c.0.contains(&only))
        .collect();

    let mut all: Vec<f64> = Vec::new();
    let mut worst: (f64, String) = (0.0, String::new());
    eprintln!(
        "B6: {:<52} {:>9} {:>9} {:>9} {:>9}",
        "query", "rows", "p50 ms", "p99 ms", "deep p99"
    );
    for (name, filter, sort) in &cases {
        let first = QueueQuery {
            filter: filter.clone(),
            sort: *sort,
            after: None,
            limit: PAGE,
            backward: false,
        };
        let deep = deep_query(&reader, &first);
        let (first_samples, rows) = measure(&reader, &first);
        let deep_samples = deep
            .as_ref()
            .map(|q| measure(&reader, q).0)
            .unwrap_or_default();
        let p = |s: &[f64], q| percentile(s, q);
        eprintln!(
            "    {name:<52} {rows:>9} {:>9.2} {:>9.2} {:>9.2}",
            p(&first_samples, 50.0),
            p(&first_samples, 99.0),
            p(&deep_samples, 99.0)
        );
        for (samples, which) in [(&first_samples, "first"), (&deep_samples, "deep")] {
            let p99 = p(samples, 99.0);
            if p99 > worst.0 {
                worst = (p99, format!("{name}, {which} page"));
            }
            all.extend(samples.iter().copied());
        }
    }
    all.sort_by(f64::total_cmp);
    let p99 = percentile(&all, 99.0);
    let p50 = percentile(&all, 50.0);

    let mut counts: Vec<f64> = Vec::new();
    for (_, filter, _) in cases.iter().filter(|(name, _, _)| !name.contains("deep")) {
        for _ in 0..3 {
            let started = Instant::now();
            reader.counts(filter, NOW).expect("counts");
            counts.push(started.elapsed().as_secs_f64() * 1e3);
        }
    }
    counts.sort_by(f64::total_cmp);
    eprintln!("B6: slowest query: {} ({:.2} ms p99)", worst.1, worst.0);

    vec![
        Figure {
            id: "B6",
            figure: format!(
                "queue query p99, {} queries x first+deep page, 1M users/3M webhooks",
                cases.len()
            ),
            value: p99,
            unit: "ms",
            target: "<= 20",
            meets_target: p99 <= 20.0,
        },
        Figure {
            id: "B6",
            figure: "queue query p50 (same runs)".into(),
            value: p50,
            unit: "ms",
            target: "-",
            meets_target: true,
        },
        Figure {
            id: "B6",
            figure: "per-state counts p99, same filters (informative)".into(),
            value: percentile(&counts, 99.0),
            unit: "ms",
            target: "-",
            meets_target: true,
        },
    ]
}

/// Runs a page query `RUNS` times. Returns the times in ms (sorted) and the rows of a page.
fn measure(reader: &Reader, query: &QueueQuery) -> (Vec<f64>, usize) {
    let mut samples = Vec::with_capacity(RUNS);
    let mut rows = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let page = reader.queue(query, NOW).expect("a queue page");
        samples.push(started.elapsed().as_secs_f64() * 1e3);
        rows = page.rows.len();
    }
    samples.sort_by(f64::total_cmp);
    (samples, rows)
}

/// The same query starting half-way through its rows (at most 500,000 in), or `None` when it has
/// no more than a page of them.
fn deep_query(reader: &Reader, first: &QueueQuery) -> Option<QueueQuery> {
    let counts = reader.counts(&first.filter, NOW).expect("counts");
    let total: u64 = if first.filter.states.is_empty() {
        counts.total
    } else {
        first.filter.states.iter().map(|s| counts.get(*s)).sum()
    };
    if total <= u64::from(PAGE) {
        return None;
    }
    let position = (total / 2).min(500_000);
    let row = reader
        .queue_row_at(first, position, NOW)
        .expect("a deep row")?;
    Some(QueueQuery {
        after: Some(cache::Cursor::after(first.sort, &row)),
        ..first.clone()
    })
}

fn cases() -> Vec<(String, QueueFilter, Sort)> {
    let by = |key, direction| Sort { key, direction };
    let recent = by(SortKey::LastChange, Direction::Descending);
    let f = QueueFilter::default;
    let mut cases: Vec<(String, QueueFilter, Sort)> = Vec::new();
    for (key, name) in [
        (SortKey::Created, "age"),
        (SortKey::LastChange, "last change"),
        (SortKey::Name, "name"),
        (SortKey::Due, "due time"),
    ] {
        for direction in [Direction::Ascending, Direction::Descending] {
            cases.push((
                format!("all users, by {name} {direction:?}"),
                f(),
                by(key, direction),
            ));
        }
    }
    for state in CaseState::ALL {
        cases.push((
            format!("state {state}"),
            QueueFilter {
                states: vec![state],
                ..f()
            },
            recent,
        ));
    }
    cases.push((
        "states needing action, by age".into(),
        QueueFilter {
            states: vec![
                CaseState::Validated,
                CaseState::DocumentsReceived,
                CaseState::Processing,
                CaseState::LinkExpired,
            ],
            ..f()
        },
        by(SortKey::Created, Direction::Ascending),
    ));
    cases.push((
        "states with a deadline, by due time".into(),
        QueueFilter {
            states: kyc::deadline::WAITING_STATES.to_vec(),
            ..f()
        },
        by(SortKey::Due, Direction::Ascending),
    ));
    cases.push((
        "state refused, by name".into(),
        QueueFilter {
            states: vec![CaseState::Refused],
            ..f()
        },
        by(SortKey::Name, Direction::Ascending),
    ));
    for (name, score) in [
        ("1", Some(Score::Validated)),
        ("0", Some(Score::Refused)),
        ("-1", Some(Score::Failed)),
        ("none", None),
    ] {
        cases.push((
            format!("score {name}"),
            QueueFilter {
                scores: vec![score],
                ..f()
            },
            recent,
        ));
    }
    for flagged in [true, false] {
        cases.push((
            format!("AML flagged {flagged}"),
            QueueFilter {
                aml_flagged: Some(flagged),
                ..f()
            },
            recent,
        ));
    }
    for review in [
        ReviewState::NotRequested,
        ReviewState::Pending,
        ReviewState::Validated,
        ReviewState::Refused,
    ] {
        cases.push((
            format!("review {}", review.as_str()),
            QueueFilter {
                reviews: vec![review],
                ..f()
            },
            recent,
        ));
    }
    for (name, user_type) in [
        ("person", UserType::Person),
        ("business", UserType::Business),
    ] {
        cases.push((
            format!("user type {name}"),
            QueueFilter {
                user_types: vec![user_type],
                ..f()
            },
            recent,
        ));
    }
    let day = 86_400;
    cases.push((
        "created in the last 30 days, by age".into(),
        QueueFilter {
            created: TimeRange {
                from: Some(NOW.plus_seconds(-30 * day)),
                until: None,
            },
            ..f()
        },
        by(SortKey::Created, Direction::Descending),
    ));
    cases.push((
        "created over 2 years ago, by age".into(),
        QueueFilter {
            created: TimeRange {
                from: None,
                until: Some(NOW.plus_seconds(-730 * day)),
            },
            ..f()
        },
        by(SortKey::Created, Direction::Ascending),
    ));
    cases.push((
        "changed in the last 7 days".into(),
        QueueFilter {
            last_change: TimeRange {
                from: Some(NOW.plus_seconds(-7 * day)),
                until: None,
            },
            ..f()
        },
        recent,
    ));
    for text in [
        "zoe",
        "Zoé Martin",
        "dupont",
        "martin",
        "jean",
        "ois",
        "lefevre",
        "o'brien",
        "xylophage",
        "zo",
        "m",
        "123456",
        "marie.dubois",
        "example.net",
    ] {
        cases.push((
            format!("search {text:?}"),
            QueueFilter {
                search: Some(text.into()),
                ..f()
            },
            recent,
        ));
    }
    cases.push((
        "search \"martin\", by name".into(),
        QueueFilter {
            search: Some("martin".into()),
            ..f()
        },
        by(SortKey::Name, Direction::Ascending),
    ));
    cases.push((
        "refused and AML flagged".into(),
        QueueFilter {
            states: vec![CaseState::Refused],
            aml_flagged: Some(true),
            ..f()
        },
        recent,
    ));
    cases.push((
        "search \"martin\" in state validated".into(),
        QueueFilter {
            search: Some("martin".into()),
            states: vec![CaseState::Validated],
            ..f()
        },
        recent,
    ));
    cases.push((
        "businesses with a review pending".into(),
        QueueFilter {
            user_types: vec![UserType::Business],
            reviews: vec![ReviewState::Pending],
            ..f()
        },
        recent,
    ));
    cases
}
