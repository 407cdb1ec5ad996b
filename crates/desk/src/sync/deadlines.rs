//! The team's deadlines, kept in step with the hub, and the count of late cases for the status
//! bar.
//!
//! The hub serves the policy a senior set (`GET /v1/deadlines`); this task reads it when the loop
//! starts and every [`EVERY`], makes it the cache's (which moves the due times it changes) and
//! asks the window to reload what it shows when it changed. A hub that is away leaves the desk on
//! the policy it had: the queue keeps showing due times, as it keeps showing the rest.
//!
//! Cases go late with the clock, not only with events: the count is taken again every [`EVERY`],
//! after every change the loop announces, and at once when the desk's clock moves (the demo's
//! sandbox moved forward), whose offset this task gives the window with the count.

use std::time::Duration;

use tokio::sync::{broadcast, watch};

use super::feed::Feed;
use super::health::SyncHealth;
use crate::clock::Clock;
use crate::desk::Change;
use crate::store::Store;

/// How often the policy is read again and the late cases counted.
pub(crate) const EVERY: Duration = Duration::from_secs(15);

pub(crate) async fn run(
    feed: Feed,
    store: Store,
    mut clock: Clock,
    health: watch::Sender<SyncHealth>,
    changes: broadcast::Sender<Change>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut changed = changes.subscribe();
    follow(&clock, &health);
    loop {
        match feed.deadlines().await {
            Ok(Some(policy)) => {
                match store.write(move |cache| cache.set_deadlines(&policy)).await {
                    // Every row's due time may have moved: the window reloads what it shows.
                    Ok(true) => {
                        let _ = changes.send(Change::Users(Vec::new()));
                    }
                    Ok(false) => {}
                    Err(e) => tracing::error!("the team's deadlines could not be kept: {e}"),
                }
            }
            Ok(None) => {}
            // The sync loop reports the hub's state; the desk keeps the deadlines it has.
            Err(e) => tracing::debug!("the team's deadlines were not read: {e}"),
        }
        count_late(&store, &clock, &health).await;
        let until = tokio::time::sleep(EVERY);
        tokio::pin!(until);
        loop {
            tokio::select! {
                _ = stopped.changed() => return,
                () = &mut until => break,
                () = clock.moved() => {
                    follow(&clock, &health);
                    count_late(&store, &clock, &health).await;
                }
                change = changed.recv() => {
                    if let Ok(Change::Users(_)) | Err(broadcast::error::RecvError::Lagged(_)) = change {
                        count_late(&store, &clock, &health).await;
                    }
                }
            }
        }
    }
}

/// Gives the window the desk's clock, as an offset from the computer's.
fn follow(clock: &Clock, health: &watch::Sender<SyncHealth>) {
    let offset_ms = clock.offset_micros() / 1000;
    health.send_if_modified(|h| {
        let moved = h.clock_offset_ms != offset_ms;
        h.clock_offset_ms = offset_ms;
        moved
    });
}

async fn count_late(store: &Store, clock: &Clock, health: &watch::Sender<SyncHealth>) {
    let now = clock.now();
    // A range count over the due index: on the scanner, beside the window's pages.
    match store.scan(move |reader| reader.late_count(now)).await {
        Ok(late) => {
            health.send_if_modified(|h| {
                let moved = h.late != late;
                h.late = late;
                moved
            });
        }
        Err(e) => tracing::error!("the late cases could not be counted: {e}"),
    }
}
