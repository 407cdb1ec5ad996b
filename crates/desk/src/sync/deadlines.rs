//! The team's deadlines, kept in step with the hub, and the count of late cases for the status
//! bar.
//!
//! The hub serves the policy a senior set (`GET /v1/deadlines`); this task reads it when the loop
//! starts and every [`EVERY`], makes it the cache's (which moves the due times it changes) and
//! asks the window to reload what it shows when it changed. A hub that is away leaves the desk on
//! the policy it had: the queue keeps showing due times, as it keeps showing the rest.
//!
//! Cases go late with the clock, not only with events: the count is taken again every [`EVERY`],
//! and after every change the loop announces.

use std::time::Duration;

use tokio::sync::{broadcast, watch};

use super::feed::Feed;
use super::health::SyncHealth;
use crate::clock::now;
use crate::desk::Change;
use crate::store::Store;

/// How often the policy is read again and the late cases counted.
pub(crate) const EVERY: Duration = Duration::from_secs(15);

pub(crate) async fn run(
    feed: Feed,
    store: Store,
    health: watch::Sender<SyncHealth>,
    changes: broadcast::Sender<Change>,
    mut stopped: watch::Receiver<bool>,
) {
    let mut changed = changes.subscribe();
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
        count_late(&store, &health).await;
        let until = tokio::time::sleep(EVERY);
        tokio::pin!(until);
        loop {
            tokio::select! {
                _ = stopped.changed() => return,
                () = &mut until => break,
                change = changed.recv() => {
                    if let Ok(Change::Users(_)) | Err(broadcast::error::RecvError::Lagged(_)) = change {
                        count_late(&store, &health).await;
                    }
                }
            }
        }
    }
}

async fn count_late(store: &Store, health: &watch::Sender<SyncHealth>) {
    let now = now();
    match store.read(move |reader| reader.late_count(now)).await {
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
