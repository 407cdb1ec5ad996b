//! The outbox toward the team's trail at the hub: every entry of this desk's audit trail that
//! names the officer signed in at the hub goes to the hub's trail too (`POST /v1/trail`), in
//! order, once.
//!
//! The audit log is the queue (append-only and numbered); the cache keeps, per hub and officer,
//! the last entry the hub confirmed (`cache::hub_trail`, schema 7). The sender reads the entries
//! after it, sends those naming the officer, and moves the position on after each answer, so a
//! restart or a dead network resends from the first entry not confirmed, and the hub stores a
//! resent entry once (its id is the entry's number and MAC). It wakes when an entry is appended,
//! when the hub names the officer again, and after a failure, on the sync loop's backoff.
//!
//! Only an officer's own credential sends: the shared feed token names no one, and the auditor's
//! role writes nothing at the hub. The local trail is unchanged by any of this: it stays the
//! record for a desk used alone.
//!
//! Each number the hub gives an entry is kept as the cache's witness of how long the hub's trail
//! is (`cache::hub_trail`, schema 10): Verify holds the hub's answer to it.

use std::sync::Arc;

use cache::{AuditRecord, AuditScope};
use kyc::officer::Role;
use kyc::trail::{DETAIL_MAX_CHARS, TrailWrite};
use tokio::sync::{Notify, watch};

use super::backoff::Backoff;
use super::feed::{Feed, FeedError};
use super::health::SyncHealth;
use super::run::SyncOptions;
use crate::store::Store;

/// Entries read from the cache at a time.
const PAGE: usize = 200;

/// Why a pass stopped early: it is tried again after a wait.
struct Retry;

pub(crate) async fn run(
    feed: Feed,
    store: Store,
    mut health: watch::Receiver<SyncHealth>,
    appended: Arc<Notify>,
    options: SyncOptions,
    mut stopped: watch::Receiver<bool>,
) {
    let mut backoff = Backoff::new(options.first_backoff, options.max_backoff);
    loop {
        let officer = health
            .borrow_and_update()
            .signed_in
            .as_ref()
            .filter(|signed_in| signed_in.role != Role::Auditor)
            .map(|signed_in| signed_in.name.clone());
        if let Some(officer) = officer {
            match drain(&feed, &store, &officer).await {
                Ok(()) => backoff.reset(),
                Err(Retry) => {
                    tokio::select! {
                        _ = stopped.changed() => break,
                        () = tokio::time::sleep(backoff.next_wait()) => continue,
                    }
                }
            }
        }
        tokio::select! {
            _ = stopped.changed() => break,
            changed = health.changed() => if changed.is_err() { break },
            () = appended.notified() => {}
        }
    }
}

/// Sends every entry after the hub's position that names `officer`, oldest first.
async fn drain(feed: &Feed, store: &Store, officer: &str) -> Result<(), Retry> {
    let hub = feed.base_url().to_owned();
    loop {
        let (key, name) = (hub.clone(), officer.to_owned());
        let entries = store
            .read(move |reader| {
                let after = reader.hub_trail_sent_through(&key, &name)?;
                reader.audit_entries(AuditScope::All, after, PAGE)
            })
            .await
            .map_err(|error| {
                tracing::warn!(%error, "the trail's outbox could not be read");
                Retry
            })?;
        let Some(last) = entries.last().map(|record| record.seq) else {
            return Ok(());
        };
        for record in &entries {
            if record.entry.officer != officer {
                continue;
            }
            match feed.write_trail(&write_of(record)).await {
                // The number the hub gave the entry: its trail holds at least that many from
                // now on, which this desk can later hold it to.
                Ok(written) => {
                    if let Some(seq) = written.seq {
                        witness(store, &hub, seq).await?;
                    }
                }
                Err(
                    error @ (FeedError::Status { status: 400, .. }
                    | FeedError::Declined { status: 400, .. }),
                ) => {
                    // The hub will never take this entry as it is: say so once and go on, rather
                    // than hold back every entry after it. The local trail keeps it.
                    tracing::error!(seq = record.seq, %error, "the hub refused an audit entry for its trail");
                }
                Err(error) => {
                    tracing::warn!(seq = record.seq, %error, "an audit entry could not be sent to the hub's trail; it is sent again later");
                    mark_sent(store, &hub, officer, record.seq - 1).await?;
                    return Err(Retry);
                }
            }
            mark_sent(store, &hub, officer, record.seq).await?;
        }
        mark_sent(store, &hub, officer, last).await?;
    }
}

async fn mark_sent(store: &Store, hub: &str, officer: &str, seq: u64) -> Result<(), Retry> {
    let (hub, officer) = (hub.to_owned(), officer.to_owned());
    store
        .write(move |cache| cache.hub_trail_sent(&hub, &officer, seq))
        .await
        .map_err(|error| {
            tracing::warn!(%error, "the trail's outbox could not be moved on");
            Retry
        })
}

async fn witness(store: &Store, hub: &str, seq: u64) -> Result<(), Retry> {
    let hub = hub.to_owned();
    store
        .write(move |cache| cache.hub_trail_witness(&hub, seq, crate::clock::now()))
        .await
        .map_err(|error| {
            tracing::warn!(%error, "what the hub's trail holds could not be recorded");
            Retry
        })
}

/// What the hub is sent for a local entry. Its id is the entry's number and the start of its MAC:
/// the same entry always, another desk's entry never.
fn write_of(record: &AuditRecord) -> TrailWrite {
    let entry = &record.entry;
    TrailWrite {
        id: format!(
            "{}-{}",
            record.seq,
            &record.hash[..16.min(record.hash.len())]
        ),
        action: machine_name(&entry.action),
        outcome: entry.outcome.as_str().to_owned(),
        user_id: entry.user_id.map(|user| user.get().to_string()),
        document_id: entry.document_id.map(|document| document.get().to_string()),
        detail: entry
            .detail
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(DETAIL_MAX_CHARS)
            .collect(),
        occurred_at: entry.at,
    }
}

/// The desk's action names are snake_case already; anything else is brought to the hub's shape.
fn machine_name(action: &str) -> String {
    let name: String = action
        .chars()
        .take(64)
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '_' | '.') => c,
            _ => '_',
        })
        .collect();
    if name.is_empty() {
        "unnamed".into()
    } else {
        name
    }
}
