//! Users per state under a filter.
//!
//! A filter on states, scores, AML flag, review and user type only is answered from
//! `queue_counts` (a few thousand rows at most), corrected for links whose time has passed since
//! they were stored. Date ranges and searches need the rows themselves: a search matching few
//! users counts those, anything else is a scan (measured by the benchmark, not used by paging).

use kyc::{CaseState, Timestamp};
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};

use super::holding::{self, Holding};
use super::search::{SearchPlan, id_list};
use super::sql::{Sql, filter_predicates};
use super::{QueueFilter, SearchTuning, StateCounts};
use crate::codes::{state_code, state_from_code};
use crate::error::{Doing, Result};

pub(crate) fn counts(
    conn: &Connection,
    filter: &QueueFilter,
    now: Timestamp,
    tuning: SearchTuning,
) -> Result<StateCounts> {
    let filter = filter.without_states();
    if let Some(counts) = cube_counts(conn, &filter, now)? {
        return Ok(counts);
    }
    let mut sql = Sql::default();
    sql.push("SELECT CASE WHEN u.state = 1 AND u.link_expires_at <= ")
        .bind(now.unix_micros())
        .push(" THEN 2 ELSE u.state END AS shown, count(*) FROM ");
    let search = SearchPlan::of(filter.search.as_deref())?;
    match (search, holding::mine(conn, &filter, now)?) {
        (search, Some(ids)) => {
            sql.push("json_each(")
                .bind(id_list(&ids))
                .push(") AS c CROSS JOIN users AS u ON u.user_id = c.value WHERE 1");
            if let Some(search) = search {
                search.predicate(&mut sql, "u");
            }
        }
        (Some(search), None) => match search.candidates_up_to(conn, tuning.members_up_to)? {
            Some(ids) => {
                sql.push("json_each(")
                    .bind(id_list(&ids))
                    .push(") AS c CROSS JOIN users AS u ON u.user_id = c.value WHERE 1");
                search.predicate(&mut sql, "u");
            }
            None => {
                sql.push("users AS u WHERE 1");
                search.predicate(&mut sql, "u");
            }
        },
        (None, None) => {
            sql.push("users AS u WHERE 1");
        }
    }
    filter_predicates(&mut sql, &filter, now, "u");
    sql.push(" GROUP BY shown");
    let rows: Vec<(i64, i64)> = conn
        .prepare_cached(&sql.text)
        .and_then(|mut s| {
            s.query_map(params_from_iter(sql.params.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect()
        })
        .doing("counting the queue")?;
    assemble(rows)
}
/// The total for a page's filter, when the counts table can answer it.
pub(crate) fn cube_total(
    conn: &Connection,
    filter: &QueueFilter,
    now: Timestamp,
) -> Result<Option<u64>> {
    let Some(counts) = cube_counts(conn, &filter.without_states(), now)? else {
        return Ok(None);
    };
    Ok(Some(if filter.states.is_empty() {
        counts.total
    } else {
        CaseState::ALL
            .into_iter()
            .filter(|s| filter.states.contains(s))
            .map(|s| counts.get(s))
            .sum()
    }))
}

fn cube_counts(
    conn: &Connection,
    filter: &QueueFilter,
    now: Timestamp,
) -> Result<Option<StateCounts>> {
    if filter.search.is_some()
        || !filter.created.is_open()
        || !filter.last_change.is_open()
        || filter.holding == Some(Holding::Mine)
    {
        return Ok(None);
    }
    let mut sql = Sql::default();
    sql.push("SELECT state, sum(n) FROM queue_counts WHERE 1");
    cube_predicates(&mut sql, filter);
    sql.push(" GROUP BY state");
    let mut rows: Vec<(i64, i64)> = conn
        .prepare_cached(&sql.text)
        .and_then(|mut s| {
            s.query_map(params_from_iter(sql.params.iter()), |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect()
        })
        .doing("counting the queue")?;

    // Stored as issued, shown as expired.
    let mut passed = Sql::default();
    passed
        .push("SELECT count(*) FROM users AS u INDEXED BY users_live_links WHERE u.state = 1 AND u.link_expires_at <= ")
        .bind(now.unix_micros());
    filter_predicates(&mut passed, filter, now, "u");
    let moved: i64 = conn
        .prepare_cached(&passed.text)
        .and_then(|mut s| s.query_row(params_from_iter(passed.params.iter()), |r| r.get(0)))
        .doing("counting expired links")?;
    if moved > 0 {
        rows.push((state_code(CaseState::LinkIssued), -moved));
        rows.push((state_code(CaseState::LinkExpired), moved));
    }
    // The counts table knows no claims: the unclaimed are all of them less the few held.
    if filter.holding == Some(Holding::Unclaimed) {
        rows.extend(
            holding::held_counts(conn, filter, now)?
                .into_iter()
                .map(|(state, n)| (state, -n)),
        );
    }
    assemble(rows).map(Some)
}

/// The filter's conditions on the counts table's columns (no score is -9, no type 0 there).
fn cube_predicates(sql: &mut Sql, filter: &QueueFilter) {
    if !filter.scores.is_empty() {
        sql.push(" AND score IN ");
        sql.bind_list(
            filter
                .scores
                .iter()
                .map(|s| Value::Integer(s.map_or(-9, |s| i64::from(s.number())))),
        );
    }
    if let Some(flagged) = filter.aml_flagged {
        sql.push(" AND aml_flagged = ").bind(flagged);
    }
    if !filter.reviews.is_empty() {
        sql.push(" AND review IN ");
        sql.bind_list(filter.reviews.iter().map(|r| Value::Integer(r.code())));
    }
    if !filter.user_types.is_empty() {
        sql.push(" AND user_type IN ");
        sql.bind_list(filter.user_types.iter().map(|t| Value::Integer(t.number())));
    }
}

fn assemble(rows: Vec<(i64, i64)>) -> Result<StateCounts> {
    let mut states: Vec<(CaseState, u64)> = CaseState::ALL.into_iter().map(|s| (s, 0)).collect();
    for (code, n) in rows {
        let state = state_from_code(code)?;
        if let Some(slot) = states.iter_mut().find(|(s, _)| *s == state) {
            slot.1 = (slot.1 as i64 + n).max(0) as u64;
        }
    }
    let total = states.iter().map(|(_, n)| n).sum();
    Ok(StateCounts { states, total })
}
