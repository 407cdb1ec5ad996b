//! The sync loop itself.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use kyc::UserId;
use kyc::feed::{FeedEvent, FeedPage};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use super::backoff::Backoff;
use super::feed::Feed;
use super::health::{Connection, SignedIn, SyncHealth};
use super::notice::Announced;
use crate::clock::Clock;
use crate::desk::{Change, read};
use crate::store::Store;
use crate::words::Words;

/// How the loop reads the feed.
#[derive(Clone, Copy, Debug)]
pub struct SyncOptions {
    /// Events asked for per request.
    pub page_size: u32,
    /// How long one long poll may wait for an event.
    pub wait: Duration,
    /// The first wait after a failure; doubled up to `max_backoff`.
    pub first_backoff: Duration,
    pub max_backoff: Duration,
    /// While the relay holds more than a page ahead, pages are gathered into one transaction of up
    /// to this many events. Each commit rewrites every page of the cache it touched, so catching
    /// up in larger transactions writes far less (B5); a small backlog is still applied a page at
    /// a time, so live webhooks reach the queue at once (B4).
    pub catch_up_batch: usize,
    /// When Treezor's list of documents is read while a case waits for its documents.
    pub documents: crate::awaited::DocumentsWatch,
    /// At start, how long the loop (and the reading of cases waiting for documents) may wait for
    /// the window's first rows before catching up (see `first_rows`); zero for no wait.
    pub hold_for_first_rows: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            page_size: 1000,
            wait: Duration::from_secs(25),
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            catch_up_batch: 50_000,
            documents: Default::default(),
            hold_for_first_rows: Duration::ZERO,
        }
    }
}

/// A running sync loop.
pub struct SyncLoop {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    /// The outbox toward the hub's trail, beside the loop on the same feed.
    outbox: JoinHandle<()>,
    /// The team's deadlines and the late count, beside the loop on the same feed.
    deadlines: JoinHandle<()>,
}

/// What the loop works with.
pub(crate) struct Parts {
    pub feed: Feed,
    /// The desk's clock (see `crate::clock`).
    pub clock: Clock,
    pub store: Store,
    pub treezor: Arc<RwLock<Option<treezor::Client>>>,
    pub changes: broadcast::Sender<Change>,
    pub health: watch::Sender<SyncHealth>,
    pub first_rows: crate::first_rows::FirstRows,
    /// Told after each audit entry (see [`super::outbox`]).
    pub trail_appended: std::sync::Arc<tokio::sync::Notify>,
}

impl SyncLoop {
    /// Starts the loop on the current runtime.
    pub(crate) fn spawn(parts: Parts, options: SyncOptions) -> SyncLoop {
        let (stop, stopped) = watch::channel(false);
        let outbox = tokio::spawn(super::outbox::run(
            parts.feed.clone(),
            parts.store.clone(),
            parts.health.subscribe(),
            parts.trail_appended.clone(),
            options,
            stopped.clone(),
        ));
        let deadlines = tokio::spawn(super::deadlines::run(
            parts.feed.clone(),
            parts.store.clone(),
            parts.clock.clone(),
            parts.health.clone(),
            parts.changes.clone(),
            stopped.clone(),
        ));
        let task = tokio::spawn(run(parts, options, stopped));
        SyncLoop {
            stop,
            task,
            outbox,
            deadlines,
        }
    }

    /// Stops the loop and waits for it: a batch being applied is committed or not at all.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        let _ = self.outbox.await;
        let _ = self.deadlines.await;
    }
}

async fn run(parts: Parts, options: SyncOptions, mut stopped: watch::Receiver<bool>) {
    let Parts {
        feed,
        clock,
        store,
        treezor,
        changes,
        health,
        first_rows,
        trail_appended: _,
    } = parts;
    tokio::select! {
        _ = stopped.changed() => return,
        _ = first_rows.wait(options.hold_for_first_rows) => {}
    }
    let mut backoff = Backoff::new(options.first_backoff, options.max_backoff);
    let mut cursor = match store.write(|cache| cache.cursor()).await {
        Ok(cursor) => cursor,
        Err(e) => {
            health
                .send_modify(|h| h.failed(format!("the cache could not be read: {e}"), e.words()));
            return;
        }
    };
    // The late count and the clock are the deadlines task's, which may have set them already.
    health.send_modify(|h| {
        let (late, clock_offset_ms) = (h.late, h.clock_offset_ms);
        *h = SyncHealth::starting(cursor);
        (h.late, h.clock_offset_ms) = (late, clock_offset_ms);
    });
    // While far behind, the next batch is fetched while the writer applies the current one.
    let mut prefetched: Option<Batch> = None;
    // Whether the hub has said who the credential belongs to since the last failure.
    let mut identified = false;
    loop {
        if !identified {
            let me = tokio::select! {
                _ = stopped.changed() => break,
                me = feed.me() => me,
            };
            match me {
                Ok(me) => {
                    identified = true;
                    // The hub's lapse is kept in the cache, so that a desk cut off from the hub
                    // still lets claims lapse by the hub's own time.
                    if let Some(lapse) = me.as_ref().and_then(|me| me.claim_lapse_seconds)
                        && let Err(e) = store.write(move |cache| cache.set_claim_lapse(lapse)).await
                    {
                        tracing::error!("the hub's claim lapse could not be kept: {e}");
                    }
                    health.send_modify(|h| {
                        // A relay older than officers (no answer) names no one either.
                        h.names_no_officer = me.as_ref().is_none_or(|me| me.name.is_none());
                        h.signed_in = me.and_then(SignedIn::from_me);
                    });
                }
                Err(e) => {
                    tracing::warn!(
                        relay = feed.base_url(),
                        "the relay did not say who we are: {e}"
                    );
                    health.send_modify(|h| {
                        // A refused credential names no one any more; a hub that is away or
                        // failing has not said otherwise, so the officer it named stays named.
                        if e.is_refusal() {
                            h.signed_in = None;
                        }
                        h.failed(
                            e.to_string(),
                            Words::Relay {
                                problem: (&e).into(),
                            },
                        );
                    });
                    if pause(backoff.next_wait(), &mut stopped).await {
                        break;
                    }
                    continue;
                }
            }
        }
        let batch = match prefetched.take() {
            Some(batch) => batch,
            None => {
                let page = tokio::select! {
                    _ = stopped.changed() => break,
                    page = feed.page(cursor, options.page_size, options.wait) => page,
                };
                match page {
                    Ok(page) => {
                        backoff.reset();
                        health.send_modify(|h| h.contact(clock.now(), page.last_seq));
                        if page.events.is_empty() {
                            continue;
                        }
                        gather(&feed, page, &options).await
                    }
                    Err(e) => {
                        tracing::warn!(relay = feed.base_url(), "relay feed failed: {e}");
                        health.send_modify(|h| {
                            h.failed(
                                e.to_string(),
                                Words::Relay {
                                    problem: (&e).into(),
                                },
                            )
                        });
                        identified = false;
                        if pause(backoff.next_wait(), &mut stopped).await {
                            break;
                        }
                        continue;
                    }
                }
            }
        };
        let Batch { events, relay_last } = batch;
        let announced = Announced::of(&events);
        let last_seq = events.last().map_or(cursor, |e| e.seq);
        let now = clock.now();
        let apply = store.write(move |cache| cache.apply_batch(&events, now));
        let prefetch = async {
            if relay_last > last_seq {
                fetch(&feed, last_seq, &options).await
            } else {
                None
            }
        };
        let (applied, next) = tokio::join!(apply, prefetch);
        let applied = match applied {
            Ok(applied) => applied,
            Err(e) => {
                tracing::error!("a feed page could not be applied to the cache: {e}");
                health.send_modify(|h| {
                    h.failed(
                        format!("the cache could not store new webhooks: {e}"),
                        e.words(),
                    )
                });
                if pause(backoff.next_wait(), &mut stopped).await {
                    break;
                }
                continue;
            }
        };
        cursor = applied.cursor;
        prefetched = next;
        health.send_modify(|h| {
            h.applied(clock.now(), applied.cursor, applied.unreadable);
            h.relay_last_seq = h.relay_last_seq.max(relay_last);
            h.lag = h.relay_last_seq - h.cursor;
        });
        let notice = announced.without(&applied.skipped);
        let changed = applied.changed_users;
        refresh_unknown_users(&store, &clock, &treezor, &changed).await;
        if !changed.is_empty() {
            let _ = changes.send(Change::Users(changed));
        }
        if !notice.is_empty() {
            let _ = changes.send(Change::Notice(notice));
        }
    }
    // A stopped loop no longer holds a credential the hub vouches for (settings moved to another
    // hub, or none): the OS user is named again.
    health.send_modify(|h| {
        h.connection = Connection::Stopped;
        h.signed_in = None;
    });
}

/// Events to apply in one transaction, and how far the relay was when they were read.
struct Batch {
    events: Vec<FeedEvent>,
    relay_last: u64,
}

/// The page's events, followed, while the relay holds more, by the next pages up to
/// `catch_up_batch` events. A page that cannot be read ends the gathering: what was gathered is
/// applied, and the loop asks again from the new cursor.
async fn gather(feed: &Feed, first: FeedPage, options: &SyncOptions) -> Batch {
    let mut batch = Batch {
        events: first.events,
        relay_last: first.last_seq,
    };
    while batch.events.len() < options.catch_up_batch {
        let Some(last) = batch.events.last().map(|e| e.seq) else {
            break;
        };
        if batch.relay_last <= last {
            break;
        }
        match feed.page(last, options.page_size, Duration::ZERO).await {
            Ok(page) if !page.events.is_empty() => {
                batch.relay_last = page.last_seq;
                batch.events.extend(page.events);
            }
            _ => break,
        }
    }
    batch
}

/// The next batch after `after`, without waiting; `None` when there is none or it failed (the
/// loop then asks again from its cursor).
async fn fetch(feed: &Feed, after: u64, options: &SyncOptions) -> Option<Batch> {
    match feed.page(after, options.page_size, Duration::ZERO).await {
        Ok(page) if !page.events.is_empty() => Some(gather(feed, page, options).await),
        _ => None,
    }
}

/// Waits `wait`, or less if the loop is stopped; says whether it was stopped.
async fn pause(wait: Duration, stopped: &mut watch::Receiver<bool>) -> bool {
    tokio::select! {
        _ = stopped.changed() => true,
        () = tokio::time::sleep(wait) => false,
    }
}

const MAX_REFRESH_PER_PAGE: usize = 50;

/// Fetches from Treezor the users a webhook named but the cache has no profile for, so the queue
/// can show who they are. Failures are logged and retried with the next change: the case itself
/// is already in the cache.
async fn refresh_unknown_users(
    store: &Store,
    clock: &Clock,
    treezor: &Arc<RwLock<Option<treezor::Client>>>,
    changed: &[UserId],
) {
    let Some(client) = read(treezor).clone() else {
        return;
    };
    let ids = changed.to_vec();
    let unknown = match store
        .read(move |reader| reader.users_without_profile(&ids))
        .await
    {
        Ok(unknown) => unknown,
        Err(e) => {
            tracing::warn!("could not list users without a profile: {e}");
            return;
        }
    };
    // Bounded per page, so that a burst of unknown users cannot hold the loop for long; the rest
    // are fetched as their next webhooks arrive.
    for user in unknown.into_iter().take(MAX_REFRESH_PER_PAGE) {
        match client.get_user(user).await {
            Ok(profile) => {
                let now = clock.now();
                let saved = store
                    .write(move |cache| cache.upsert_user(&profile, now))
                    .await;
                if let Err(e) = saved {
                    tracing::warn!(%user, "could not store the fetched user: {e}");
                }
            }
            Err(e) => tracing::warn!(%user, "could not fetch the user from Treezor: {e}"),
        }
    }
}
