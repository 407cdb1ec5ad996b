//! Deadlines in the cache: the team's policy as the hub last served it, and each case's due time.
//!
//! A case's `due_at` is when it entered its state (`state_since`, found by
//! [`kyc::Case::state_since`] when the case is projected) plus its state's deadline; it is
//! written with the rest of the case's row, so the queue sorts by it through an index
//! (`users_by_due`, `users_by_state_due`) like any other sort, and pages by keyset. A new policy
//! rewrites `due_at` of the cases in waiting states, in one transaction: rare (a senior's
//! change), and a walk of the state index rather than of the table.
//!
//! Late is a matter of the clock, not of the row: a case is late at `now` when `due_at <= now`,
//! which the queries compute with the caller's `now` (the cache has no clock).

use kyc::Timestamp;
use kyc::deadline::{DeadlinePolicy, WAITING_STATES};
use rusqlite::{Connection, Transaction, params};
use rusqlite_migration::{HookError, HookResult};

use crate::batch::Batch;
use crate::codes::{state_code, state_from_code};
use crate::error::{Doing, Error, Result};
use crate::tally::Tally;

/// What `due_at` holds for a case with no deadline: after every real time.
pub(crate) const NO_DEADLINE: i64 = i64::MAX;

/// Cases handled per page when the migration projects them again.
const PAGE: i64 = 5_000;

fn waiting_codes() -> String {
    WAITING_STATES.map(|s| state_code(s).to_string()).join(", ")
}

/// The policy the cache works by.
pub(crate) fn policy(conn: &Connection) -> Result<DeadlinePolicy> {
    let rows: Vec<(i64, i64)> = conn
        .prepare_cached("SELECT state, seconds FROM deadlines ORDER BY state")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .doing("reading the deadlines")?;
    let mut raw = std::collections::BTreeMap::new();
    for (code, seconds) in rows {
        raw.insert(state_from_code(code)?.as_str().to_owned(), seconds);
    }
    DeadlinePolicy::parse(raw).map_err(|why| Error::Stored {
        what: crate::StoredValue::Deadline,
        problem: crate::StoredProblem::Deadlines { why },
    })
}

/// Makes `policy` the one in force and rewrites every due time it moves. Returns whether it
/// differed from the one in force.
pub(crate) fn set_policy(conn: &Connection, new: &DeadlinePolicy) -> Result<bool> {
    if policy(conn)? == *new {
        return Ok(false);
    }
    conn.execute("DELETE FROM deadlines", [])
        .doing("writing the deadlines")?;
    for (state, seconds) in new.iter() {
        conn.execute(
            "INSERT INTO deadlines (state, seconds) VALUES (?1, ?2)",
            params![state_code(state), seconds],
        )
        .doing("writing the deadlines")?;
    }
    conn.execute(
        &format!(
            "UPDATE users SET due_at = coalesce(state_since + \
                 (SELECT seconds FROM deadlines WHERE state = users.state) * 1000000, {NO_DEADLINE}) \
             WHERE state IN ({})",
            waiting_codes()
        ),
        [],
    )
    .doing("moving the cases' due times")?;
    Ok(true)
}

/// How many cases are late at `now`: due at or before it.
pub(crate) fn late(conn: &Connection, now: Timestamp) -> Result<u64> {
    conn.prepare_cached("SELECT count(*) FROM users WHERE due_at <= ?1")
        .and_then(|mut s| s.query_row([now.unix_micros()], |r| r.get::<_, i64>(0)))
        .map(|n| n as u64)
        .doing("counting late cases")
}

/// Schema version 9's hook: the cases already in a waiting state are projected again, which
/// finds when they entered it and sets their due time under the default policy.
pub(crate) fn migrate(tx: &Transaction) -> HookResult {
    project_waiting(tx).map_err(|e| HookError::Hook(e.to_string()))
}

fn project_waiting(conn: &Connection) -> Result<()> {
    let now = crate::rederive::last_instant(conn)?;
    let mut tally = Tally::default();
    let mut after = 0i64;
    loop {
        let users: Vec<i64> = conn
            .prepare(&format!(
                "SELECT user_id FROM users WHERE user_id > ?1 AND state IN ({})
                 ORDER BY user_id LIMIT ?2",
                waiting_codes()
            ))
            .and_then(|mut s| s.query_map([after, PAGE], |r| r.get(0))?.collect())
            .doing("listing the waiting cases")?;
        let Some(&last) = users.last() else {
            break;
        };
        let mut batch = Batch::default();
        for user in users {
            if let Ok(user) = kyc::UserId::new(user as u64) {
                batch.touch(user);
            }
        }
        batch.finish(conn, now, &mut tally)?;
        after = last;
    }
    tally.flush(conn)
}
