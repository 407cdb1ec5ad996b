//! Schema 3's migration: the webhooks a file kept from before it are dated and deduplicated as
//! new ones are (see [`crate::apply`] and [`crate::replay`]).
//!
//! Before schema 3, every case event a webhook brought was dated by the envelope's
//! `webhook_created_at` when it had one, and a replayed payload under a fresh `webhook_id` added
//! its own, re-dated copy of the event. The migration walks the stored webhooks in the order they
//! were applied and, for each:
//! - computes its payload's key and its timeline time; a payload met earlier makes it a replay of
//!   that earlier webhook;
//! - re-dates the case events it brought: the event as it was stored (at the envelope's time) is
//!   removed, and the event at the time the payload gives is stored; a replay's events are
//!   removed, not replaced.
//!
//! Then every user whose events changed is projected again. Removals all come before insertions,
//! so an event that two webhooks brought is kept. Webhooks whose payload retention emptied (`{}`)
//! keep no key: their content is gone. Profiles and document observations keep the times they
//! were merged at; only the case histories are rebuilt.

use std::collections::{BTreeSet, HashMap};

use kyc::case::CaseEvent;
use kyc::webhook::{Meaning, Times, meaning_of};
use kyc::{Timestamp, UserId};
use rusqlite::{Connection, params};

use crate::batch::Batch;
use crate::error::{Doing, Result};
use crate::project::{insert_event, remove_event};
use crate::replay::payload_key;
use crate::tally::Tally;

/// What retention leaves of a pruned webhook's payload.
const EMPTIED: &str = "{}";

/// Webhooks read per query: the walk streams, however many the file holds.
const PAGE: i64 = 1_000;

struct StoredWebhook {
    id: i64,
    event: String,
    created_at: Option<Timestamp>,
    received_at: Timestamp,
    applied_at: i64,
    payload: String,
}

impl StoredWebhook {
    fn meaning(&self) -> Option<Meaning> {
        meaning_of(
            &self.event,
            self.created_at,
            &self.payload,
            self.received_at,
        )
        .ok()
    }

    /// Its case events, each as the file stored it before schema 3 and as it is dated now.
    fn events(&self) -> Vec<(UserId, CaseEvent, CaseEvent)> {
        let Some(meaning) = self.meaning() else {
            return Vec::new();
        };
        meaning
            .case_events
            .into_iter()
            .map(|(user, event)| {
                let before = match self.created_at {
                    Some(created) => event.clone().with_at(created),
                    None => event.clone(),
                };
                (user, before, event)
            })
            .collect()
    }
}

/// Runs inside schema 3's migration transaction. Two walks over the webhooks, in the order they
/// were applied: the first keys them, finds replays and removes every stale event; the second
/// stores the re-dated ones.
pub(crate) fn redate_histories(conn: &Connection) -> Result<()> {
    let mut first_by_key: HashMap<[u8; 16], i64> = HashMap::new();
    let mut replays: BTreeSet<i64> = BTreeSet::new();
    let mut batch = Batch::default();
    let mut last_applied = 0i64;
    let mut mark = conn
        .prepare("UPDATE webhooks SET payload_key = ?2, at = ?3, replay_of = ?4 WHERE id = ?1")
        .doing("re-dating stored webhooks")?;
    each_webhook(conn, |webhook| {
        last_applied = last_applied.max(webhook.applied_at);
        let at = webhook.meaning().map_or_else(
            || Times::new(webhook.created_at, webhook.received_at).envelope(),
            |m| m.at,
        );
        let key = (webhook.payload != EMPTIED).then(|| payload_key(&webhook.payload));
        let replay_of = key.and_then(|key| first_by_key.get(&key).copied());
        match (key, replay_of) {
            (Some(key), None) => {
                first_by_key.insert(key, webhook.id);
            }
            (_, Some(_)) => {
                replays.insert(webhook.id);
            }
            (None, None) => {}
        }
        mark.execute(params![
            webhook.id,
            key.as_ref().map(|k| &k[..]),
            at.unix_micros(),
            replay_of
        ])
        .doing("re-dating stored webhooks")?;
        for (user, before, now) in webhook.events() {
            if (before != now || replay_of.is_some()) && remove_event(conn, user, &before)? {
                batch.touch(user);
            }
        }
        Ok(())
    })?;
    each_webhook(conn, |webhook| {
        if replays.contains(&webhook.id) {
            return Ok(());
        }
        for (user, _, now) in webhook.events() {
            if insert_event(conn, user, &now)? {
                batch.touch(user);
            }
        }
        Ok(())
    })?;
    let mut tally = Tally::default();
    // The last time a batch was applied stands for "now": the rows are as that batch left them,
    // and the next batch marks whatever links expired since.
    batch.finish(conn, Timestamp::from_unix_micros(last_applied), &mut tally)?;
    tally.flush(conn)
}

/// Every stored webhook in the order it was applied, a page at a time.
fn each_webhook(
    conn: &Connection,
    mut each: impl FnMut(StoredWebhook) -> Result<()>,
) -> Result<()> {
    let mut after = 0i64;
    loop {
        let page: Vec<StoredWebhook> = conn
            .prepare_cached(
                "SELECT id, event, created_at, received_at, applied_at, payload FROM webhooks
                 WHERE id > ?1 ORDER BY id LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map([after, PAGE], |r| {
                    Ok(StoredWebhook {
                        id: r.get(0)?,
                        event: r.get(1)?,
                        created_at: r.get::<_, Option<i64>>(2)?.map(Timestamp::from_unix_micros),
                        received_at: Timestamp::from_unix_micros(r.get(3)?),
                        applied_at: r.get(4)?,
                        payload: r.get(5)?,
                    })
                })?
                .collect()
            })
            .doing("reading stored webhooks")?;
        let Some(last) = page.last().map(|w| w.id) else {
            return Ok(());
        };
        for webhook in page {
            each(webhook)?;
        }
        after = last;
    }
}

#[cfg(test)]
mod tests {
    use kyc::case::CaseEvent;
    use kyc::{IdentificationId, LivenessStatus, Reason, ReasonCode, Score};
    use rusqlite::Connection;

    use super::*;
    use crate::Cache;

    const T: i64 = 1_720_000_000;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_unix_seconds(T + seconds)
    }

    fn refusal_at(time: Timestamp) -> CaseEvent {
        CaseEvent::Liveness {
            at: time,
            identification: Some(IdentificationId::parse("idv-1").unwrap()),
            status: LivenessStatus::Processed,
            score: Some(Score::Refused),
            reasons: vec![Reason {
                code: ReasonCode::parse("2301"),
                message: "counterfeit".into(),
            }],
            comment: None,
        }
    }

    /// A schema-2 file as its apply left it: a refusal Treezor signed at `at(0)` and sent five
    /// seconds later, its replay a century ahead, and a pruned webhook's emptied payload; each
    /// case event dated by its envelope.
    fn schema_2_file(path: &std::path::Path) {
        let mut conn = Connection::open(path).unwrap();
        super::super::schema::migrations()
            .to_version(&mut conn, 2)
            .unwrap();
        let payload = format!(
            r#"{{"user_id":"42","kyc-status":"processed","score":"0","reasons":[{{"reason-code":"2301","reason-message":"counterfeit"}}],"identification-id":"idv-1","updated-at":"{}"}}"#,
            at(0).to_treezor_date()
        );
        let far = at(100 * 365 * 86_400);
        for (id, webhook, created, received, payload) in [
            (1, "w-genuine", at(5), at(6), payload.as_str()),
            (2, "w-replayed", far, at(900), payload.as_str()),
            (3, "w-pruned", at(7), at(8), EMPTIED),
        ] {
            conn.execute(
                "INSERT INTO webhooks (id, seq, webhook_id, event, object, created_at,
                     received_at, applied_at, payload)
                 VALUES (?1, ?1, ?2, 'kycliveness.update', 'kycliveness', ?3, ?4, ?4, ?5)",
                params![
                    id,
                    webhook,
                    created.unix_micros(),
                    received.unix_micros(),
                    payload
                ],
            )
            .unwrap();
            if id < 3 {
                conn.execute(
                    "INSERT INTO webhook_users (user_id, webhook) VALUES (42, ?1)",
                    [id],
                )
                .unwrap();
            }
        }
        let user = UserId::new(42).unwrap();
        let mut batch = Batch::default();
        let tx = conn.transaction().unwrap();
        for event in [refusal_at(at(5)), refusal_at(far)] {
            insert_event(&tx, user, &event).unwrap();
            batch.touch(user);
        }
        let mut tally = Tally::default();
        batch.finish(&tx, at(900), &mut tally).unwrap();
        tally.flush(&tx).unwrap();
        tx.commit().unwrap();
    }

    #[test]
    fn histories_stored_before_schema_3_are_re_dated_and_their_replays_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite");
        schema_2_file(&path);

        let cache = Cache::open(&path).unwrap();
        let raw = Connection::open(&path).unwrap();
        let events: Vec<String> = raw
            .prepare("SELECT event FROM case_events WHERE user_id = 42")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(events.len(), 1, "one event for the refusal: {events:?}");
        assert_eq!(
            crate::stored_event::read_event(&events[0]).unwrap(),
            refusal_at(at(0)),
            "dated by Treezor's signed time"
        );
        let marks: Vec<(String, Option<i64>, Option<String>, bool)> = raw
            .prepare(
                "SELECT w.webhook_id, w.at, o.webhook_id, w.payload_key IS NOT NULL
                 FROM webhooks AS w LEFT JOIN webhooks AS o ON o.id = w.replay_of ORDER BY w.id",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            marks,
            [
                ("w-genuine".into(), Some(at(0).unix_micros()), None, true),
                (
                    "w-replayed".into(),
                    Some(at(0).unix_micros()),
                    Some("w-genuine".into()),
                    true
                ),
                ("w-pruned".into(), Some(at(7).unix_micros()), None, false),
            ]
        );
        let case = cache
            .case_detail(UserId::new(42).unwrap(), at(1000))
            .unwrap();
        assert_eq!(case.view.last_change, Some(at(0)));
        assert!(case.view.aml_flagged());
        let last_change: i64 = raw
            .query_row(
                "SELECT last_change FROM users WHERE user_id = 42",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            last_change,
            at(0).unix_micros(),
            "the queue row is projected again"
        );
    }
}
