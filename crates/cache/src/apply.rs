//! Applying the relay's feed: a batch of events in one transaction, with the cursor.
//!
//! A team record (an event the hub names an author for) goes to [`crate::team`] and nowhere else.
//! For each other event not seen before (by `webhook_id`): keep it in `webhooks` (every kind, readable or
//! not) with the time it belongs at in a timeline, and note which users it concerns. An event whose
//! signed payload an earlier event carried is a replay ([`crate::replay`]): kept and shown, applied
//! no further. Otherwise record the document objects it carries (newest observation wins), and
//! gather its user objects and case events per user. Every time comes from
//! `kyc::webhook::meaning`, which prefers the payload's signed times to the envelope's. Then each touched user's profile
//! is merged, their case projected and their row written, once; links past their time are marked
//! expired; and the cursor moves to the batch's highest sequence number, all in the same commit:
//! a crash before the commit leaves the cache as it was, and the sync asks the relay again from
//! the old cursor.
//!
//! Cost (B5): each event touches a handful of pages spread over the users' tables and indexes, and
//! a commit writes every page it touched; pages of 1,000 events therefore write several thousand
//! pages each. Larger pages share those writes among more events.

use std::collections::BTreeSet;

use kyc::feed::FeedEvent;
use kyc::webhook::{Meaning, Times};
use kyc::{Timestamp, UserId};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::batch::Batch;
use crate::documents::observe_document;
use crate::error::{Doing, Result};
use crate::project::expire_links;
use crate::replay::{first_carrier, payload_key};
use crate::tally::Tally;
use crate::{claims, team};

/// What a batch did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// Events stored for the first time (including unreadable ones).
    pub applied: usize,
    /// Events skipped because their `webhook_id` was applied already.
    pub duplicates: usize,
    /// Events kept but not applied because an earlier event carried the same signed payload.
    pub replays: usize,
    /// The sequence numbers of the events that changed nothing: duplicates and replays.
    pub skipped: Vec<u64>,
    /// Events whose payload could not be read; kept and shown as unreadable webhooks.
    pub unreadable: usize,
    /// The feed cursor after the batch.
    pub cursor: u64,
    /// Users whose queue row, profile, documents or team records changed, in id order.
    pub changed_users: Vec<UserId>,
}

pub(crate) fn apply_events(
    conn: &Connection,
    events: &[FeedEvent],
    now: Timestamp,
    tally: &mut Tally,
) -> Result<Applied> {
    let mut applied = Applied::default();
    let mut batch = Batch::default();
    let mut documents: BTreeSet<UserId> = BTreeSet::new();
    let mut team_users: BTreeSet<UserId> = BTreeSet::new();
    for event in events {
        if let Some((author, record)) = event.team() {
            let claim = record
                .as_ref()
                .ok()
                .and_then(|r| Some((r.user()?, r.claim_request()?)));
            match team::keep(conn, event, author, record)? {
                team::Kept::New { readable, user } => {
                    if let Some((user, request)) = claim {
                        claims::apply(conn, event.seq, author, user, &request, event.received_at)?;
                    }
                    applied.applied += 1;
                    applied.unreadable += usize::from(!readable);
                    // The window shows a colleague's record on the case as it shows a webhook.
                    team_users.extend(user);
                }
                team::Kept::Duplicate => {
                    applied.duplicates += 1;
                    applied.skipped.push(event.seq);
                }
            }
            continue;
        }
        let meaning = event.meaning();
        let error = meaning.as_ref().err().map(ToString::to_string);
        let at = match &meaning {
            Ok(meaning) => meaning.at,
            Err(_) => Times::new(event.webhook_created_at, event.received_at).envelope(),
        };
        let key = payload_key(event.object_payload.get());
        let original = first_carrier(conn, &key)?;
        let stored = Stored {
            error: error.as_deref(),
            at,
            key: &key,
            replay_of: original,
        };
        let Some(webhook) = insert_webhook(conn, event, &stored, now)? else {
            applied.duplicates += 1;
            applied.skipped.push(event.seq);
            continue;
        };
        applied.applied += 1;
        if error.is_some() {
            applied.unreadable += 1;
        }
        let concerned = match &meaning {
            Ok(meaning) if !meaning.is_empty() => users_in(meaning),
            _ => mentioned_users(event.object_payload.get()),
        };
        for user in &concerned {
            link_user(conn, *user, webhook)?;
        }
        if original.is_some() {
            applied.replays += 1;
            applied.skipped.push(event.seq);
            continue;
        }
        let Ok(meaning) = meaning else { continue };
        for (user, observed) in &meaning.users {
            batch.observe(user, *observed);
        }
        for (document, observed) in &meaning.documents {
            if let Some(Some(user)) = observe_document(conn, document, *observed)? {
                documents.insert(user);
            }
        }
        for (user, case_event) in &meaning.case_events {
            batch.record(conn, *user, case_event)?;
        }
    }
    let mut changed: BTreeSet<UserId> = batch.finish(conn, now, tally)?.into_iter().collect();
    expire_links(conn, now, tally)?;
    applied.cursor = advance_cursor(conn, events.iter().map(|e| e.seq).max())?;
    changed.extend(documents);
    changed.extend(team_users);
    applied.changed_users = changed.into_iter().collect();
    Ok(applied)
}

/// What the cache adds to a webhook when it stores it.
struct Stored<'a> {
    /// Why its payload could not be read.
    error: Option<&'a str>,
    /// Its place in a case's timeline.
    at: Timestamp,
    /// The digest of its signed payload.
    key: &'a [u8],
    /// The webhook that carried the same payload first, when this one is a replay.
    replay_of: Option<i64>,
}

/// Stores a webhook unless its `webhook_id` was applied already. Returns its row id when new.
fn insert_webhook(
    conn: &Connection,
    event: &FeedEvent,
    stored: &Stored<'_>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO webhooks (seq, webhook_id, event, object, object_id, created_at,
                 received_at, applied_at, payload, error, at, payload_key, replay_of)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (webhook_id) DO NOTHING",
        )
        .and_then(|mut s| {
            s.execute(params![
                event.seq as i64,
                event.webhook_id.as_str(),
                event.webhook,
                event.object,
                event.object_id,
                event.webhook_created_at.map(Timestamp::unix_micros),
                event.received_at.unix_micros(),
                now.unix_micros(),
                event.object_payload.get(),
                stored.error,
                stored.at.unix_micros(),
                stored.key,
                stored.replay_of,
            ])
        })
        .doing("storing a webhook")?;
    Ok((inserted == 1).then(|| conn.last_insert_rowid()))
}

fn link_user(conn: &Connection, user: UserId, webhook: i64) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO webhook_users (user_id, webhook) VALUES (?1, ?2)")
        .and_then(|mut s| s.execute(params![user.get() as i64, webhook]))
        .doing("linking a webhook to its user")?;
    Ok(())
}

/// Moves the cursor forward (never back: a batch of old, re-delivered events leaves it).
pub(crate) fn advance_cursor(conn: &Connection, seq: Option<u64>) -> Result<u64> {
    if let Some(seq) = seq {
        conn.prepare_cached("UPDATE feed_cursor SET seq = max(seq, ?1) WHERE id = 1")
            .and_then(|mut s| s.execute([seq as i64]))
            .doing("saving the feed cursor")?;
    }
    read_cursor(conn)
}

pub(crate) fn read_cursor(conn: &Connection) -> Result<u64> {
    conn.prepare_cached("SELECT seq FROM feed_cursor WHERE id = 1")
        .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)))
        .map(|seq| seq as u64)
        .doing("reading the feed cursor")
}

pub(crate) fn users_in(meaning: &Meaning) -> BTreeSet<UserId> {
    let mut users: BTreeSet<UserId> = meaning.users.iter().map(|(u, _)| u.user_id).collect();
    users.extend(meaning.documents.iter().filter_map(|(d, _)| d.user_id));
    users.extend(meaning.case_events.iter().map(|(u, _)| *u));
    users
}

/// Users named by a payload the product does not act on (or could not read), so that the case
/// timeline still shows the webhook: `userId` / `user_id` at the top level or in the objects of a
/// top-level list. At most 100.
fn mentioned_users(payload: &str) -> BTreeSet<UserId> {
    let mut users = BTreeSet::new();
    let Ok(value) = serde_json::from_str::<serde_json::Value>(payload) else {
        return users;
    };
    let mut look = |object: &serde_json::Value| {
        for key in ["userId", "user_id"] {
            let id = match object.get(key) {
                Some(serde_json::Value::String(s)) => UserId::parse(s).ok(),
                Some(serde_json::Value::Number(n)) => n.as_u64().and_then(|n| UserId::new(n).ok()),
                _ => None,
            };
            if let Some(id) = id {
                users.insert(id);
            }
        }
    };
    look(&value);
    if let Some(object) = value.as_object() {
        for item in object
            .values()
            .filter_map(serde_json::Value::as_array)
            .flatten()
            .take(100)
        {
            look(item);
        }
    }
    users
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_found_in_payloads_of_any_kind() {
        let ids =
            |p: &str| -> Vec<u64> { mentioned_users(p).into_iter().map(UserId::get).collect() };
        assert_eq!(ids(r#"{"userId":"42","cardId":"7"}"#), [42]);
        assert_eq!(
            ids(r#"{"cards":[{"userId":3},{"user_id":"4"},{"userId":"x"}]}"#),
            [3, 4]
        );
        assert_eq!(ids(r#"not json"#), Vec::<u64>::new());
        assert_eq!(ids(r#"{"userId":"0"}"#), Vec::<u64>::new());
    }
}
