//! Who holds each case now, as the hub decided (see [`kyc::claim`]).
//!
//! The hub decides every claim, release and reassignment inside its serialised append and stores
//! only those it accepts; the cache applies them in the feed's order with
//! [`kyc::claim::accepted`], so every desk that has read the same feed finds the same holder,
//! since and last activity. A claim renewed by its holder (a claim record on a case they hold) moves
//! its last activity. A claim is read as held only while its holder's last activity is younger
//! than the hub's lapse (kept in `hub_rules` as the hub last said it, [`DEFAULT_LAPSE_SECONDS`]
//! until then); past it, the case reads as unclaimed.

use kyc::claim::{Claim, ClaimRequest, DEFAULT_LAPSE_SECONDS, accepted};
use kyc::officer::OfficerName;
use kyc::team::TeamEvent;
use kyc::{CaseState, Timestamp, UserId};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::codes::state_code;
use crate::error::{Doing, Result};

/// A case's live claim, as the window shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseClaim {
    pub user_id: UserId,
    pub holder: String,
    pub since: Timestamp,
    /// The holder's last activity on the case; the claim lapses `lapse` after it.
    pub last_activity: Timestamp,
    /// When the claim lapses without more activity by its holder.
    pub lapses_at: Timestamp,
}

/// The states where the case waits for an officer rather than for the customer or Treezor: what
/// "the next case that needs work" is taken from. A case waiting on a link, a verification, a
/// document pull or a review in progress, or one closed by a validated review, needs no one.
pub const AWAITING_OFFICER: [CaseState; 8] = [
    CaseState::NoVerification,
    CaseState::LinkExpired,
    CaseState::Abandoned,
    CaseState::Validated,
    CaseState::Refused,
    CaseState::Failed,
    CaseState::DocumentsReceived,
    CaseState::ReviewRefused,
];

/// Applies a claim record the hub stored as number `seq` at `at`.
pub(crate) fn apply(
    conn: &Connection,
    seq: u64,
    author: &OfficerName,
    user: UserId,
    request: &ClaimRequest,
    at: Timestamp,
) -> Result<()> {
    let lapse = lapse_seconds(conn)?;
    let current = stored(conn, user)?;
    match accepted(current.as_ref(), author, request, at, lapse) {
        Some(claim) => conn
            .prepare_cached(
                "INSERT INTO claims (user_id, holder, since, last_activity, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (user_id) DO UPDATE SET holder = excluded.holder,
                     since = excluded.since, last_activity = excluded.last_activity,
                     seq = excluded.seq",
            )
            .and_then(|mut s| {
                s.execute(params![
                    user.get() as i64,
                    claim.holder.as_str(),
                    claim.since.unix_micros(),
                    claim.last_activity.unix_micros(),
                    seq as i64,
                ])
            }),
        None => conn
            .prepare_cached("DELETE FROM claims WHERE user_id = ?1")
            .and_then(|mut s| s.execute([user.get() as i64])),
    }
    .doing("applying a claim record")?;
    Ok(())
}

/// Schema 8's hook: the claims of the claim records the file already holds, in the feed's order.
pub(crate) fn replay(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    let records: Vec<(i64, String, i64, String)> = tx
        .prepare(
            "SELECT seq, author, written_at, payload FROM team_records
             WHERE kind IN ('claim', 'release', 'reassign') AND error IS NULL ORDER BY seq",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (seq, author, written_at, payload) in records {
        // Stored only after it was read once, so it reads again; a name that no longer parses
        // is no holder anyone can be told about.
        let (Ok(author), Ok(record)) = (
            OfficerName::parse(&author),
            serde_json::from_str::<TeamEvent>(&payload),
        ) else {
            continue;
        };
        if let (Some(request), Some(user)) = (record.claim_request(), record.user()) {
            apply(
                tx,
                seq as u64,
                &author,
                user,
                &request,
                Timestamp::from_unix_micros(written_at),
            )
            .map_err(|e| rusqlite_migration::HookError::Hook(e.to_string()))?;
        }
    }
    Ok(())
}

/// Keeps the hub's claim lapse as it said it.
pub(crate) fn set_lapse_seconds(conn: &Connection, seconds: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO hub_rules (id, claim_lapse_seconds) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET claim_lapse_seconds = excluded.claim_lapse_seconds",
        [seconds],
    )
    .doing("keeping the hub's claim lapse")?;
    Ok(())
}

/// The hub's claim lapse as it last said it, or the default before it has.
pub(crate) fn lapse_seconds(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT claim_lapse_seconds FROM hub_rules WHERE id = 1")
        .and_then(|mut s| s.query_row([], |r| r.get(0)).optional())
        .doing("reading the hub's claim lapse")?
        .unwrap_or(DEFAULT_LAPSE_SECONDS))
}

/// `user`'s claim as the log left it, lapsed or not.
fn stored(conn: &Connection, user: UserId) -> Result<Option<Claim>> {
    let row: Option<(String, i64, i64)> = conn
        .prepare_cached("SELECT holder, since, last_activity FROM claims WHERE user_id = ?1")
        .and_then(|mut s| {
            s.query_row([user.get() as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
        })
        .doing("reading a case's claim")?;
    Ok(row.and_then(|(holder, since, last_activity)| {
        Some(Claim {
            holder: OfficerName::parse(&holder).ok()?,
            since: Timestamp::from_unix_micros(since),
            last_activity: Timestamp::from_unix_micros(last_activity),
        })
    }))
}

/// `user`'s claim if it holds at `now`.
pub(crate) fn live(conn: &Connection, user: UserId, now: Timestamp) -> Result<Option<CaseClaim>> {
    let lapse = lapse_seconds(conn)?;
    Ok(stored(conn, user)?
        .filter(|claim| claim.holds_at(now, lapse))
        .map(|claim| shown(user, claim, lapse)))
}

/// The live claims among `users`, in the order given.
pub(crate) fn live_of(
    conn: &Connection,
    users: &[UserId],
    now: Timestamp,
) -> Result<Vec<CaseClaim>> {
    let mut claims = Vec::new();
    for user in users {
        claims.extend(live(conn, *user, now)?);
    }
    Ok(claims)
}

/// Cases that wait for an officer and that nobody holds at `now`, those waiting longest since
/// their last change first, at most `limit`, leaving out `skip`.
pub(crate) fn unclaimed(
    conn: &Connection,
    now: Timestamp,
    skip: &[UserId],
    limit: usize,
) -> Result<Vec<UserId>> {
    let lapse = lapse_seconds(conn)?;
    let states: Vec<String> = AWAITING_OFFICER
        .iter()
        .map(|s| state_code(*s).to_string())
        .collect();
    // The states are our own numbers, not input: they go into the text; `now` and the bounds
    // are parameters.
    let sql = format!(
        "SELECT u.user_id FROM users u
         WHERE u.state IN ({}) AND NOT EXISTS (
             SELECT 1 FROM claims c WHERE c.user_id = u.user_id AND c.last_activity > ?1)
         ORDER BY u.last_change, u.user_id LIMIT ?2",
        states.join(",")
    );
    let alive_after = now.plus_seconds(-lapse).unix_micros();
    let mut stmt = conn.prepare_cached(&sql).doing("finding unclaimed cases")?;
    let rows = stmt
        .query_map(params![alive_after, (limit + skip.len()) as i64], |r| {
            r.get::<_, i64>(0)
        })
        .doing("finding unclaimed cases")?;
    let mut users = Vec::new();
    for row in rows {
        let id = row.doing("finding unclaimed cases")?;
        if let Some(user) = UserId::new(id as u64).ok().filter(|u| !skip.contains(u)) {
            users.push(user);
        }
    }
    users.truncate(limit);
    Ok(users)
}

fn shown(user: UserId, claim: Claim, lapse: i64) -> CaseClaim {
    CaseClaim {
        user_id: user,
        holder: claim.holder.to_string(),
        since: claim.since,
        lapses_at: claim.last_activity.plus_seconds(lapse),
        last_activity: claim.last_activity,
    }
}
