//! The queue's claim filters: the officer's own cases ("Mine") and those nobody holds
//! ("Unclaimed"), read at the query's `now` against the hub's lapse, as [`crate::claims`] reads a
//! single claim.
//!
//! An officer holds few cases, so "Mine" is answered like a selective search: the live claims of
//! the officer (from `claims_by_holder`) are the candidates, fetched by id and sorted. Most cases
//! are unclaimed, so "Unclaimed" walks the sort index like any filter, checking each row's claim
//! by its primary key; its counts are the counts without it less those of the few live claims.

use kyc::Timestamp;
use kyc::claim::DEFAULT_LAPSE_SECONDS;
use rusqlite::{Connection, params_from_iter};
use serde::{Deserialize, Serialize};

use super::QueueFilter;
use super::sql::Sql;
use crate::error::{Doing, Result};

/// Whose cases the queue shows, besides its other filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Holding {
    /// Cases the desk's officer holds (none when the desk has no officer signed in at a hub).
    Mine,
    /// Cases nobody holds: never claimed, released, or lapsed.
    Unclaimed,
}

/// The earliest last activity that still holds a claim at `now`, in SQL: the hub's lapse as the
/// cache keeps it (see `claims::lapse_seconds`), read in the statement itself.
fn alive_after(sql: &mut Sql, now: Timestamp) {
    sql.bind(now.unix_micros()).push(&format!(
        " - 1000000 * COALESCE((SELECT claim_lapse_seconds FROM hub_rules WHERE id = 1), \
         {DEFAULT_LAPSE_SECONDS})"
    ));
}

/// ` AND` the row's claim fits the filter's holding at `now`.
pub(crate) fn predicate(sql: &mut Sql, filter: &QueueFilter, now: Timestamp, table: &str) {
    match filter.holding {
        None => {}
        Some(Holding::Mine) => {
            let Some(me) = &filter.officer else {
                sql.push(" AND 0");
                return;
            };
            sql.push(&format!(
                " AND EXISTS (SELECT 1 FROM claims AS h WHERE h.user_id = {table}.user_id \
                 AND h.holder = "
            ));
            sql.bind(me.as_str().to_owned())
                .push(" AND h.last_activity > ");
            alive_after(sql, now);
            sql.push(")");
        }
        Some(Holding::Unclaimed) => {
            sql.push(&format!(
                " AND NOT EXISTS (SELECT 1 FROM claims AS h WHERE h.user_id = {table}.user_id \
                 AND h.last_activity > "
            ));
            alive_after(sql, now);
            sql.push(")");
        }
    }
}

/// For "Mine": the ids of the cases the officer holds at `now` (the candidates of the page and
/// counts); `None` for any other filter.
pub(crate) fn mine(
    conn: &Connection,
    filter: &QueueFilter,
    now: Timestamp,
) -> Result<Option<Vec<i64>>> {
    if filter.holding != Some(Holding::Mine) {
        return Ok(None);
    }
    let Some(me) = &filter.officer else {
        return Ok(Some(Vec::new()));
    };
    let mut sql = Sql::default();
    sql.push("SELECT user_id FROM claims INDEXED BY claims_by_holder WHERE holder = ")
        .bind(me.as_str().to_owned())
        .push(" AND last_activity > ");
    alive_after(&mut sql, now);
    let ids = conn
        .prepare_cached(&sql.text)
        .and_then(|mut s| {
            s.query_map(params_from_iter(sql.params.iter()), |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()
        })
        .doing("reading the officer's claims")?;
    Ok(Some(ids))
}

/// For "Unclaimed": the counts by stored state of the cases held at `now` under the rest of the
/// filter, to take from the counts table's (which are by stored state too; links passed on the
/// clock are moved after, over the unclaimed rows only).
pub(crate) fn held_counts(
    conn: &Connection,
    filter: &QueueFilter,
    now: Timestamp,
) -> Result<Vec<(i64, i64)>> {
    let rest = QueueFilter {
        holding: None,
        ..filter.clone()
    };
    let mut sql = Sql::default();
    sql.push(
        "SELECT u.state, count(*) FROM claims AS c \
         CROSS JOIN users AS u ON u.user_id = c.user_id WHERE c.last_activity > ",
    );
    alive_after(&mut sql, now);
    super::sql::filter_predicates(&mut sql, &rest, now, "u");
    sql.push(" GROUP BY u.state");
    conn.prepare_cached(&sql.text)
        .and_then(|mut s| {
            s.query_map(params_from_iter(sql.params.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect()
        })
        .doing("counting the held cases")
}
