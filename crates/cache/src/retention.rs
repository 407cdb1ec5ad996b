//! Retention: the personal data of a user whose case has been closed for long enough leaves the
//! cache; the audit log stays whole.
//!
//! **Closed** means nothing runs at Treezor or with the customer and nothing waits on the officer:
//! the case is in one of [`CLOSED_STATES`] — the link expired, the customer abandoned, the
//! verification was refused or failed (a new one would start over), or the KYC review was
//! validated or refused. **Closed for N days** means, on top, no activity for N days: neither a
//! case event nor an observation of the profile (a webhook or a fetch from Treezor) since.
//! Families go together: a user is pruned only if their parent and their children (those the
//! cache knows) are prunable too, so a case in progress never loses a relative it shows.
//!
//! **Pruned** is everything about the user in the cache but the audit log: the queue row and its
//! search entry, the merged profile, the case events and verifications, the documents and the
//! records of their downloads (the desk removes the files first), and the payloads of the webhooks
//! that concern only pruned users (their ids and payload keys stay, so a redelivery or a replay is
//! still recognised and never brings the data back). A row in `pruned_users` keeps who, in which
//! closed state, since when. A user who shows activity again (a new webhook) comes back as a new
//! row.
//!
//! What must stay true: the closed-for-N-days check is made again inside the transaction that
//! deletes, so a webhook applied between the listing and the prune keeps its user; per-state
//! counts move with the deleted rows; deleted content is overwritten (`secure_delete`) and the
//! WAL emptied afterwards ([`crate::Cache::prune_closed_users`]), so the bytes do not linger in
//! the file. (The trigram search index marks the entry deleted at once; its three-character
//! fragments leave its segments when FTS5 merges them.)

use kyc::{CaseState, Timestamp, UserId};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::codes::{state_code, state_from_code};
use crate::documents::LocalDownload;
use crate::error::{Doing, Error, Result};
use crate::project::expire_links;
use crate::row::{Layout, Row};
use crate::tally::Tally;

/// The states of a closed case.
pub const CLOSED_STATES: [CaseState; 6] = [
    CaseState::LinkExpired,
    CaseState::Abandoned,
    CaseState::Refused,
    CaseState::Failed,
    CaseState::ReviewValidated,
    CaseState::ReviewRefused,
];

/// What one prune removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// Users whose personal data left the cache, with their closed state.
    pub users: Vec<(UserId, CaseState)>,
    /// Documents removed.
    pub documents: usize,
    /// Download records removed, with the files they named (the caller removes the files first).
    pub downloads: Vec<LocalDownload>,
    /// Webhook payloads emptied.
    pub webhooks_emptied: usize,
}

/// A user whose personal data was pruned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PrunedUser {
    pub user_id: UserId,
    /// The closed state the case was in.
    pub state: CaseState,
    /// The last activity before the prune.
    pub closed_since: Timestamp,
    pub pruned_at: Timestamp,
}

/// `state IN (…)` for the closed states, as literal numbers (see `codes`).
fn closed_states_sql() -> String {
    CLOSED_STATES
        .iter()
        .map(|s| state_code(*s).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The condition on a `users` row named `{t}`: closed, with no activity since `?1`.
fn closed_before(t: &str) -> String {
    format!(
        "({t}.state IN ({states}) AND max(coalesce({t}.case_last_change, 0),
             coalesce({t}.profile_at, 0), coalesce({t}.first_event_at, 0)) < ?1)",
        states = closed_states_sql()
    )
}

/// `{u}` closed since `?1`, and its family with it.
fn prunable(u: &str) -> String {
    format!(
        "{closed}
             AND NOT EXISTS (SELECT 1 FROM users AS c
                 WHERE c.parent_user_id = {u}.user_id AND NOT {c})
             AND NOT EXISTS (SELECT 1 FROM users AS p
                 WHERE p.user_id = {u}.parent_user_id AND NOT {p})",
        closed = closed_before(u),
        c = closed_before("c"),
        p = closed_before("p"),
    )
}

/// Users closed with no activity since `before`, whose family is too, in id order, at most
/// `limit`.
pub(crate) fn closed_users(
    conn: &Connection,
    before: Timestamp,
    limit: usize,
) -> Result<Vec<UserId>> {
    let sql = format!(
        "SELECT u.user_id FROM users AS u WHERE {} ORDER BY u.user_id LIMIT ?2",
        prunable("u")
    );
    conn.prepare_cached(&sql)
        .and_then(|mut s| {
            s.query_map(
                params![
                    before.unix_micros(),
                    i64::try_from(limit).unwrap_or(i64::MAX)
                ],
                |r| r.get::<_, i64>(0),
            )?
            .collect::<rusqlite::Result<Vec<i64>>>()
        })
        .doing("listing closed cases")?
        .into_iter()
        .map(|id| {
            UserId::new(id as u64).map_err(|e| Error::Stored {
                what: crate::StoredValue::UserId,
                problem: crate::StoredProblem::invalid(e),
            })
        })
        .collect()
}

/// Prunes those of `users` that are still closed with no activity since `before` (checked again
/// here), as of `now`. The caller holds the write transaction and flushes `tally`.
pub(crate) fn prune(
    conn: &Connection,
    users: &[UserId],
    before: Timestamp,
    now: Timestamp,
    tally: &mut Tally,
) -> Result<Pruned> {
    // A link whose time passed is an expired link: let it count as closed.
    expire_links(conn, now, tally)?;
    let check = format!(
        "SELECT EXISTS (SELECT 1 FROM users AS u WHERE u.user_id = ?2 AND {})",
        prunable("u")
    );
    let mut pruned = Pruned::default();
    let layout = Layout::of(conn)?;
    for &user in users {
        let id = user.get() as i64;
        let still: bool = conn
            .prepare_cached(&check)
            .and_then(|mut s| s.query_row(params![before.unix_micros(), id], |r| r.get(0)))
            .doing("checking a closed case")?;
        if !still {
            continue;
        }
        let Some(row) = Row::load(conn, id, layout)? else {
            continue;
        };
        let state = state_from_code(row.state)?;
        let closed_since = [row.case_last_change, row.profile_at, row.first_event_at]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(0);
        tally.add(row.count_key(), -1);
        run(conn, "DELETE FROM users WHERE user_id = ?1", id)?;
        if row.search_text.is_some() {
            run(conn, "DELETE FROM users_search WHERE rowid = ?1", id)?;
        }
        for table in ["profiles", "case_events", "identifications", "team_records"] {
            run(conn, &format!("DELETE FROM {table} WHERE user_id = ?1"), id)?;
        }
        prune_documents(conn, user, &mut pruned)?;
        pruned.webhooks_emptied += prune_webhooks(conn, id)?;
        conn.prepare_cached(
            "INSERT OR REPLACE INTO pruned_users (user_id, state, closed_since, pruned_at)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut s| s.execute(params![id, row.state, closed_since, now.unix_micros()]))
        .doing("recording a pruned user")?;
        pruned.users.push((user, state));
    }
    Ok(pruned)
}

fn run(conn: &Connection, sql: &str, id: i64) -> Result<usize> {
    conn.prepare_cached(sql)
        .and_then(|mut s| s.execute([id]))
        .doing("pruning a closed case")
}

fn prune_documents(conn: &Connection, user: UserId, pruned: &mut Pruned) -> Result<()> {
    let downloads = crate::documents::local_downloads(conn, Some(user))?;
    for download in &downloads {
        run(
            conn,
            "DELETE FROM document_downloads WHERE id = ?1",
            download.id,
        )?;
    }
    pruned.downloads.extend(downloads);
    pruned.documents += run(
        conn,
        "DELETE FROM documents WHERE user_id = ?1",
        user.get() as i64,
    )?;
    Ok(())
}

/// Unlinks the user's webhooks and empties the payload of those that concern nobody else.
fn prune_webhooks(conn: &Connection, id: i64) -> Result<usize> {
    let webhooks: Vec<i64> = conn
        .prepare_cached("SELECT webhook FROM webhook_users WHERE user_id = ?1")
        .and_then(|mut s| s.query_map([id], |r| r.get(0))?.collect())
        .doing("pruning a closed case's webhooks")?;
    run(conn, "DELETE FROM webhook_users WHERE user_id = ?1", id)?;
    let mut emptied = 0;
    for webhook in webhooks {
        let shared: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM webhook_users WHERE webhook = ?1)")
            .and_then(|mut s| s.query_row([webhook], |r| r.get(0)))
            .doing("pruning a closed case's webhooks")?;
        if !shared {
            emptied += run(
                conn,
                "UPDATE webhooks SET payload = '{}' WHERE id = ?1",
                webhook,
            )?;
        }
    }
    Ok(emptied)
}

/// The record of a pruned user, if `user` was pruned.
pub(crate) fn pruned_user(conn: &Connection, user: UserId) -> Result<Option<PrunedUser>> {
    let found: Option<(i64, i64, i64)> = conn
        .prepare_cached(
            "SELECT state, closed_since, pruned_at FROM pruned_users WHERE user_id = ?1",
        )
        .and_then(|mut s| {
            s.query_row([user.get() as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
        })
        .doing("reading a pruned user")?;
    found
        .map(|(state, closed_since, pruned_at)| {
            Ok(PrunedUser {
                user_id: user,
                state: state_from_code(state)?,
                closed_since: Timestamp::from_unix_micros(closed_since),
                pruned_at: Timestamp::from_unix_micros(pruned_at),
            })
        })
        .transpose()
}
