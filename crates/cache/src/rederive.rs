//! The hook of schema version 5: what the cache derives, derived again from what it stores.
//!
//! Rows of `users` and `profiles` are derived from the stored webhooks and case events; a new
//! rule (the AML flag over every attempt, no expiry on the clock, the documents rule, legal names
//! and the fields a review checks) changes what they should hold, so existing files are brought
//! in line here, in the migration's transaction: every stored user webhook is observed again
//! (profile fields an older version dropped are kept now), and every case is projected again.
//! Merging and projecting are order-free (see the crate doc), so doing it in pages is the same as
//! doing it at once.

use kyc::webhook::meaning_of;
use kyc::{Timestamp, UserId};
use rusqlite::{Connection, Transaction};
use rusqlite_migration::{HookError, HookResult};

use crate::batch::Batch;
use crate::error::{Doing, Result};
use crate::tally::Tally;

/// Webhooks (or users) handled per page, bounding memory on a large cache.
const PAGE: i64 = 5_000;

/// The instant a migration's projection takes: no rule uses it, and the cache has no clock, so
/// the last instant the file knows of.
pub(crate) fn last_instant(conn: &Connection) -> Result<Timestamp> {
    let now: i64 = conn
        .query_row(
            "SELECT coalesce(max(received_at), 0) FROM webhooks",
            [],
            |r| r.get(0),
        )
        .doing("finding the cache's last instant")?;
    Ok(Timestamp::from_unix_micros(now))
}

pub(crate) fn rederive(tx: &Transaction) -> HookResult {
    run(tx).map_err(|e| HookError::Hook(e.to_string()))
}

fn run(conn: &Connection) -> Result<()> {
    let now = last_instant(conn)?;
    let mut tally = Tally::default();
    observe_users_again(conn, now, &mut tally)?;
    project_cases_again(conn, now, &mut tally)?;
    tally.flush(conn)
}

type StoredWebhook = (i64, String, Option<i64>, i64, String);

fn observe_users_again(conn: &Connection, now: Timestamp, tally: &mut Tally) -> Result<()> {
    let mut after = 0i64;
    loop {
        let page: Vec<StoredWebhook> = conn
            .prepare(
                "SELECT id, event, created_at, received_at, payload FROM webhooks
                 WHERE id > ?1 AND error IS NULL AND replay_of IS NULL AND event LIKE 'user.%'
                 ORDER BY id LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map([after, PAGE], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect()
            })
            .doing("reading stored user webhooks")?;
        let Some(last) = page.last().map(|w| w.0) else {
            return Ok(());
        };
        let mut batch = Batch::default();
        for (_, event, created_at, received_at, payload) in page {
            let created_at = created_at.map(Timestamp::from_unix_micros);
            let received_at = Timestamp::from_unix_micros(received_at);
            // A payload this version cannot read was stored as unreadable; one it now cannot
            // read is left as it was rather than failing the migration.
            let Ok(meaning) = meaning_of(&event, created_at, &payload, received_at) else {
                continue;
            };
            for (user, observed) in &meaning.users {
                batch.observe(user, *observed);
            }
        }
        batch.finish(conn, now, tally)?;
        after = last;
    }
}

fn project_cases_again(conn: &Connection, now: Timestamp, tally: &mut Tally) -> Result<()> {
    let mut after = 0i64;
    loop {
        let users: Vec<i64> = conn
            .prepare(
                "SELECT DISTINCT user_id FROM case_events WHERE user_id > ?1
                 ORDER BY user_id LIMIT ?2",
            )
            .and_then(|mut s| s.query_map([after, PAGE], |r| r.get(0))?.collect())
            .doing("listing the cases")?;
        let Some(&last) = users.last() else {
            return Ok(());
        };
        let mut batch = Batch::default();
        for user in users {
            if let Ok(user) = UserId::new(user as u64) {
                batch.touch(user);
            }
        }
        batch.finish(conn, now, tally)?;
        after = last;
    }
}
