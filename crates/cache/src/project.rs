//! A user's case, projected into the row the queue reads and into their identifications.
//!
//! The case is rebuilt from the user's full stored event set every time the set grows, so the row
//! depends only on the set (and the instant `now`, for links that expired), never on the order
//! the events came in.

use kyc::case::{Case, CaseEvent, CaseView};
use kyc::{CaseState, Score, Timestamp, UserId};
use rusqlite::{Connection, params};

use crate::codes::{ReviewState, state_code};
use crate::error::{Doing, Result};
use crate::stored_event::{StoredEvent, read_event};

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

/// Rewrites the user's case columns and identifications from their stored events.
pub(crate) fn project(conn: &Connection, user: UserId, now: Timestamp) -> Result<()> {
    let case = load_case(conn, user)?;
    let view = case.view(now);
    let first_event = case.events().map(CaseEvent::at).min();
    write_row(conn, user, &view, first_event)?;
    write_identifications(conn, user, &view)
}

fn write_row(
    conn: &Connection,
    user: UserId,
    view: &CaseView,
    first_event: Option<Timestamp>,
) -> Result<()> {
    let current = view.current_attempt();
    let reasons = current
        .map(|a| {
            a.reasons
                .iter()
                .map(|r| r.code.to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    conn.prepare_cached(
        "INSERT INTO users (user_id, state, score, aml_flagged, reasons, review, first_event_at,
             case_last_change, identification, link_expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (user_id) DO UPDATE SET
             state = excluded.state, score = excluded.score, aml_flagged = excluded.aml_flagged,
             reasons = excluded.reasons, review = excluded.review,
             first_event_at = excluded.first_event_at,
             case_last_change = excluded.case_last_change,
             identification = excluded.identification,
             link_expires_at = excluded.link_expires_at",
    )
    .and_then(|mut s| {
        s.execute(params![
            user.get() as i64,
            state_code(view.state),
            current.and_then(|a| a.score).map(Score::number),
            view.aml_flagged(),
            reasons,
            ReviewState::of(view.review).code(),
            first_event.map(Timestamp::unix_micros),
            view.last_change.map(Timestamp::unix_micros),
            current.and_then(|a| a.identification.as_ref().map(|i| i.as_str())),
            current
                .and_then(|a| a.expires_at)
                .map(Timestamp::unix_micros),
        ])
    })
    .doing("writing a queue row")?;
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
pub(crate) fn expire_links(conn: &Connection, now: Timestamp) -> Result<usize> {
    // Literal state numbers (see `codes`): the partial index `users_live_links` is used only when
    // the query states `state = 1` itself.
    debug_assert_eq!(state_code(CaseState::LinkIssued), 1);
    debug_assert_eq!(state_code(CaseState::LinkExpired), 2);
    conn.prepare_cached("UPDATE users SET state = 2 WHERE state = 1 AND link_expires_at <= ?1")
        .and_then(|mut s| s.execute([now.unix_micros()]))
        .doing("marking expired links")
}
