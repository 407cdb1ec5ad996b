//! A user's case, projected into the row the queue reads and into their identifications.
//!
//! The case is rebuilt from the user's full stored event set every time the set grows, so the row
//! depends only on the set (and the instant `now`, for links that expired), never on the order
//! the events came in.

use kyc::case::{Case, CaseEvent, CaseView};
use kyc::deadline::WAITING_STATES;
use kyc::{CaseState, Score, Timestamp, UserId};
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

use crate::codes::{ReviewState, state_code};
use crate::error::{Doing, Result};
use crate::row::Row;
use crate::stored_event::{StoredEvent, read_event};
use crate::tally::Tally;

/// Stores a case event. Returns whether it was new.
pub(crate) fn insert_event(conn: &Connection, user: UserId, event: &CaseEvent) -> Result<bool> {
    let stored = StoredEvent::of(event);
    let inserted = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO case_events (user_id, key, at, event) VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut s| {
            s.execute(params![
                user.get() as i64,
                &stored.key[..],
                stored.at,
                stored.json
            ])
        })
        .doing("storing a case event")?;
    Ok(inserted == 1)
}

/// Removes a stored case event. Returns whether it was there.
pub(crate) fn remove_event(conn: &Connection, user: UserId, event: &CaseEvent) -> Result<bool> {
    let stored = StoredEvent::of(event);
    let removed = conn
        .prepare_cached("DELETE FROM case_events WHERE user_id = ?1 AND key = ?2")
        .and_then(|mut s| s.execute(params![user.get() as i64, &stored.key[..]]))
        .doing("removing a case event")?;
    Ok(removed == 1)
}

/// The user's case, from every stored event.
pub(crate) fn load_case(conn: &Connection, user: UserId) -> Result<Case> {
    let mut statement = conn
        .prepare_cached("SELECT event FROM case_events WHERE user_id = ?1")
        .doing("reading a case")?;
    let mut rows = statement
        .query([user.get() as i64])
        .doing("reading a case")?;
    let mut case = Case::new();
    while let Some(row) = rows.next().doing("reading a case")? {
        let json: String = row.get(0).doing("reading a case")?;
        case.record(read_event(&json)?);
    }
    Ok(case)
}

/// Sets `row`'s case columns from the user's stored events, and rewrites their identifications
/// if the attempts changed.
pub(crate) fn project_into(
    conn: &Connection,
    user: UserId,
    now: Timestamp,
    row: &mut Row,
) -> Result<()> {
    let case = load_case(conn, user)?;
    let view = case.view(now);
    let current = view.current_attempt();
    row.state = state_code(view.state);
    row.score = current.and_then(|a| a.score).map(|s| i64::from(s.number()));
    // The person's flag, whatever attempt is current (see `kyc::case::AmlFlag`).
    row.aml_flagged = view.aml_flagged();
    row.reasons = current
        .map(|a| {
            a.reasons
                .iter()
                .map(|r| r.code.to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    row.review = ReviewState::of(view.review).code();
    row.first_event_at = case
        .events()
        .map(CaseEvent::at)
        .min()
        .map(Timestamp::unix_micros);
    row.case_last_change = view.last_change.map(Timestamp::unix_micros);
    // Only where a deadline may apply: finding when the state began costs a look back.
    row.state_since = if WAITING_STATES.contains(&view.state) {
        case.state_since().map(Timestamp::unix_micros)
    } else {
        None
    };
    row.identification = current
        .and_then(|a| a.identification.as_ref())
        .map(|i| i.as_str().to_owned());
    // A link's 15 minutes start when the customer opens it, which the cache never learns: no
    // row is shown expired on the clock (`link_expires_at` stays empty, so the queue's
    // expired-link correction never applies; see `kyc::case`).
    row.link_expires_at = None;
    let attempts = serde_json::to_string(&view.attempts).expect("attempts serialize");
    let attempts_key = Some(Sha256::digest(attempts.as_bytes())[..16].to_vec());
    if row.attempts_key != attempts_key {
        write_identifications(conn, user, &view)?;
        row.attempts_key = attempts_key;
    }
    Ok(())
}

fn write_identifications(conn: &Connection, user: UserId, view: &CaseView) -> Result<()> {
    let id = user.get() as i64;
    conn.prepare_cached("DELETE FROM identifications WHERE user_id = ?1")
        .and_then(|mut s| s.execute([id]))
        .doing("writing identifications")?;
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO identifications (user_id, position, identification, url, liveness_type,
                 started_at, expires_at, status, score, comment, reasons, decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )
        .doing("writing identifications")?;
    for (position, attempt) in view.attempts.iter().enumerate() {
        let liveness_type = attempt
            .liveness_type
            .map(|t| serde_json::to_value(t).expect("a liveness type serializes"))
            .and_then(|v| v.as_str().map(str::to_owned));
        insert
            .execute(params![
                id,
                position as i64,
                attempt.identification.as_ref().map(|i| i.as_str()),
                attempt.url,
                liveness_type,
                attempt.started_at.unix_micros(),
                attempt.expires_at.map(Timestamp::unix_micros),
                attempt.status.as_ref().map(|s| s.as_str()),
                attempt.score.map(Score::number),
                attempt.comment,
                serde_json::to_string(&attempt.reasons).expect("reasons serialize"),
                attempt.decided_at.map(Timestamp::unix_micros),
            ])
            .doing("writing identifications")?;
    }
    Ok(())
}

/// Moves the queue rows of links whose time has passed from "link issued" to "link expired",
/// as [`Case::view`] would at `now`. Returns how many rows moved.
pub(crate) fn expire_links(conn: &Connection, now: Timestamp, tally: &mut Tally) -> Result<usize> {
    // Literal state numbers (see `codes`): the partial index `users_live_links` is used only when
    // the query states `state = 1` itself.
    debug_assert_eq!(state_code(CaseState::LinkIssued), 1);
    debug_assert_eq!(state_code(CaseState::LinkExpired), 2);
    let expired: Vec<(i64, i64, i64, i64, i64)> = conn
        .prepare_cached(
            "SELECT coalesce(user_type, 0), aml_flagged, coalesce(score, -9), review, count(*)
             FROM users WHERE state = 1 AND link_expires_at <= ?1
             GROUP BY 1, 2, 3, 4",
        )
        .and_then(|mut s| {
            s.query_map([now.unix_micros()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect()
        })
        .doing("finding expired links")?;
    if expired.is_empty() {
        return Ok(0);
    }
    for (user_type, aml, score, review, n) in expired {
        tally.add((1, user_type, aml, score, review), -n);
        tally.add((2, user_type, aml, score, review), n);
    }
    conn.prepare_cached("UPDATE users SET state = 2 WHERE state = 1 AND link_expires_at <= ?1")
        .and_then(|mut s| s.execute([now.unix_micros()]))
        .doing("marking expired links")
}
