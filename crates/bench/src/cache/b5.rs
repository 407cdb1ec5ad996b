//! B5: 200,000 feed events applied to an empty cache, in pages of the feed's size, as a sync loop
//! catching up would. Measured at the page size the sync loop asks for (1,000), and, for
//! comparison, at 10,000 per page.

use std::time::Instant;

use kyc::Timestamp;
use kyc::feed::FeedEvent;

use super::population::{Dice, feed_event, story};
use crate::figure::Figure;

const EVENTS: usize = 200_000;
/// Events per feed page (the relay's page size the sync loop asks for).
const PAGE: usize = 1_000;
/// A larger page, for comparison: what a sync loop far behind could ask for.
const LARGE_PAGE: usize = 10_000;

pub fn run() -> Vec<Figure> {
    let events = feed();
    let mut figures = Vec::new();
    for page in [PAGE, LARGE_PAGE] {
        let rate = apply_all(&events, page);
        figures.push(Figure {
            id: "B5",
            figure: format!(
                "catch-up: {}k events into an empty cache, pages of {page} (apply path)",
                EVENTS / 1000
            ),
            value: rate,
            unit: "events/s",
            target: if page == PAGE { ">= 50000" } else { "-" },
            meets_target: page != PAGE || rate >= 50_000.0,
        });
    }
    figures
}

/// Applies every event in pages of `page` to a new cache file. Returns events per second.
fn apply_all(events: &[FeedEvent], page: usize) -> f64 {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut cache = cache::Cache::open(dir.path().join("b5.sqlite")).expect("an empty cache");
    let now = Timestamp::from_unix_seconds(1_750_000_000);
    let started = Instant::now();
    let (mut applied, mut replays) = (0, 0);
    for chunk in events.chunks(page) {
        let batch = cache.apply_batch(chunk, now).expect("a page applies");
        applied += batch.applied;
        replays += batch.replays;
    }
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(applied, events.len(), "every generated event is new");
    // A replay skips the work of applying: none may flatter the figure.
    assert_eq!(replays, 0, "every generated payload is distinct");
    let size = |name: &str| {
        std::fs::metadata(dir.path().join(name))
            .map(|m| m.len() / (1024 * 1024))
            .unwrap_or(0)
    };
    eprintln!(
        "B5: {} events in {seconds:.2} s, pages of {page}, straight into Cache::apply_batch \
         (cache file {} MiB, WAL {} MiB)",
        events.len(),
        size("b5.sqlite"),
        size("b5.sqlite-wal")
    );
    events.len() as f64 / seconds
}
/// 200,000 webhooks in the order the relay received them: users signing up over a day, each
/// verification's webhooks minutes to days apart, all interleaved.
fn feed() -> Vec<FeedEvent> {
    let mut dice = Dice::new(0xB5);
    let start = Timestamp::from_unix_seconds(1_740_000_000);
    let mut webhooks = Vec::new();
    let mut id = 1u64;
    // Users sign up through the day; Treezor's ids grow with sign-up time.
    let users = EVENTS as u64 * 100 / 295;
    while webhooks.len() < EVENTS {
        let created = start.plus_seconds((id * 86_400 / users) as i64);
        webhooks.extend(
            story(
                &mut dice,
                id,
                created,
                Timestamp::from_unix_seconds(4_000_000_000),
            )
            .webhooks,
        );
        id += 1;
    }
    webhooks.truncate(EVENTS);
    webhooks.sort_by_key(|w| w.at);
    webhooks
        .iter()
        .enumerate()
        .map(|(i, w)| feed_event(i as u64 + 1, w))
        .collect()
}
