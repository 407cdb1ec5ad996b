//! Running a page query: the index walk (per state when states are asked for, keeping a search's
//! candidates or checking its text), or, for a search with few candidates, those fetched by id
//! and sorted.

use kyc::{CaseState, Timestamp};
use rusqlite::{Connection, params_from_iter};

use super::counts::cube_total;
use super::cursor::{Key, key_of};
use super::holding;
use super::search::{SearchPlan, id_list};
use super::sql::{
    Side, Sql, columns, filter_predicates, keyset, order_by, read_row, sort_index, state_predicate,
};
use super::{
    Cursor, Direction, MAX_PAGE, QueueFilter, QueuePage, QueueQuery, QueueRow, SearchTuning, Sort,
};
use crate::codes::state_code;
use crate::error::{Doing, Error, Result};

pub(crate) fn page(
    conn: &Connection,
    query: &QueueQuery,
    now: Timestamp,
    tuning: SearchTuning,
) -> Result<QueuePage> {
    if query.limit == 0 || query.limit > MAX_PAGE {
        return Err(Error::PageSize {
            asked: query.limit,
            max: MAX_PAGE,
        });
    }
    let after = query
        .after
        .as_ref()
        .map(|c| c.open(query.sort))
        .transpose()?;
    // Read backward, the walk is the same one with the sort's direction turned: the keyset is
    // symmetric (key, then user id, both in the sort's direction), so "after" in the turned sort is
    // "before" in the shown one. Cursors are always made in the shown sort.
    let shown = query.sort;
    let turned;
    let query = if query.backward {
        turned = QueueQuery {
            sort: Sort {
                key: shown.key,
                direction: match shown.direction {
                    Direction::Ascending => Direction::Descending,
                    Direction::Descending => Direction::Ascending,
                },
            },
            ..query.clone()
        };
        &turned
    } else {
        query
    };
    let wanted = query.limit as usize + 1;
    let filter = &query.filter;
    let search = SearchPlan::of(filter.search.as_deref())?;
    let mine = holding::mine(conn, filter, now)?;
    let (mut rows, total) = match (search, mine) {
        // The officer's own cases are few: fetched by id like a selective search's.
        (search, Some(ids)) => fetched(
            conn,
            query,
            search.as_ref(),
            &ids,
            after.as_ref(),
            now,
            wanted,
        )?,
        (Some(search), None) => match search.candidates_up_to(conn, tuning.members_up_to)? {
            Some(ids) if ids.len() <= tuning.fetch_up_to => fetched(
                conn,
                query,
                Some(&search),
                &ids,
                after.as_ref(),
                now,
                wanted,
            )?,
            Some(ids) => {
                let members = Members(id_list(&ids));
                let walked = Walk {
                    search: Some(&search),
                    members: Some(&members),
                };
                (
                    walk(conn, query, walked, after.as_ref(), now, wanted)?,
                    None,
                )
            }
            None => {
                let walked = Walk {
                    search: Some(&search),
                    members: None,
                };
                (
                    walk(conn, query, walked, after.as_ref(), now, wanted)?,
                    None,
                )
            }
        },
        (None, None) => (
            walk(conn, query, Walk::default(), after.as_ref(), now, wanted)?,
            cube_total(conn, filter, now)?,
        ),
    };
    // In the walk's order: `beyond` continues the walk, `behind` turns back from where it began.
    let beyond = if rows.len() > query.limit as usize {
        rows.truncate(query.limit as usize);
        rows.last().map(|row| Cursor::after(shown, row))
    } else {
        None
    };
    let behind = match after {
        Some(_) => rows.first().map(|row| Cursor::after(shown, row)),
        None => None,
    };
    let (next, previous) = if query.backward {
        rows.reverse();
        (behind, beyond)
    } else {
        (beyond, behind)
    };
    Ok(QueuePage {
        rows,
        next,
        previous,
        total,
    })
}

/// Which stored rows make up the shown states: a stored state number and what its link expiry
/// must be. "Link issued" rows whose link has passed are shown as expired.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Stored(i64),
    LiveLinks,
    PassedLinks,
}

fn parts(states: &[CaseState]) -> Vec<Part> {
    let issued = states.contains(&CaseState::LinkIssued);
    let expired = states.contains(&CaseState::LinkExpired);
    let mut parts = Vec::new();
    for state in states {
        let part = match state {
            CaseState::LinkIssued if !expired => Part::LiveLinks,
            CaseState::LinkExpired if !issued => {
                parts.push(Part::PassedLinks);
                Part::Stored(state_code(*state))
            }
            _ => Part::Stored(state_code(*state)),
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    parts
}

/// The candidate ids a walk keeps, as a JSON array.
struct Members(String);

/// What a walk checks besides the filter: the search, and the candidates' ids when known.
#[derive(Clone, Copy, Default)]
struct Walk<'a> {
    search: Option<&'a SearchPlan>,
    members: Option<&'a Members>,
}

/// Walks the sort index (one walk per part when states are asked for) and merges.
fn walk(
    conn: &Connection,
    query: &QueueQuery,
    walked: Walk<'_>,
    after: Option<&(Key, u64)>,
    now: Timestamp,
    wanted: usize,
) -> Result<Vec<QueueRow>> {
    let sort = query.sort;
    let index = sort_index(sort.key);
    if query.filter.states.is_empty() {
        return from_cursor(after, wanted, |from, limit| {
            let mut sql = Sql::default();
            sql.push("SELECT ");
            columns(&mut sql, now, "u");
            sql.push(&format!(
                " FROM users AS u INDEXED BY users_by_{index} WHERE 1"
            ));
            walked.members_predicate(&mut sql);
            tail(&mut sql, query, walked.search, from, now, limit);
            run(conn, &sql)
        });
    }
    let mut rows = Vec::new();
    for part in parts(&query.filter.states) {
        rows.extend(from_cursor(after, wanted, |from, limit| {
            walk_part(conn, query, walked, part, from, now, limit)
        })?);
    }
    sort_rows(&mut rows, sort);
    rows.truncate(wanted);
    Ok(rows)
}

/// One part of a walk by state: the rows of `part` on `from`'s side of the cursor.
fn walk_part(
    conn: &Connection,
    query: &QueueQuery,
    walked: Walk<'_>,
    part: Part,
    from: Option<(&(Key, u64), Side)>,
    now: Timestamp,
    limit: usize,
) -> Result<Vec<QueueRow>> {
    let index = sort_index(query.sort.key);
    let mut sql = Sql::default();
    sql.push("SELECT ");
    columns(&mut sql, now, "u");
    // Links passed on the clock are few (none since schema 5, which stopped storing expiries):
    // found by the partial index of live links and sorted, rather than by walking every "link
    // issued" row in the sort index for them (B6 measured 180 ms for "link expired" so).
    let by = match part {
        Part::PassedLinks => "users_live_links".to_owned(),
        _ => format!("users_by_state_{index}"),
    };
    sql.push(&format!(" FROM users AS u INDEXED BY {by} WHERE "));
    // State numbers are written literally (they are ours, not input) so the index's leading
    // column is an equality the planner sees.
    match part {
        Part::Stored(code) => sql.push(&format!("u.state = {code}")),
        Part::LiveLinks => sql
            .push("u.state = 1 AND (u.link_expires_at IS NULL OR u.link_expires_at > ")
            .bind(now.unix_micros())
            .push(")"),
        Part::PassedLinks => sql
            .push("u.state = 1 AND u.link_expires_at <= ")
            .bind(now.unix_micros()),
    };
    walked.members_predicate(&mut sql);
    tail(&mut sql, query, walked.search, from, now, limit);
    run(conn, &sql)
}

/// Reads the rows after `after` (all from the start without one) in two statements, up to `wanted`:
/// those tied with the cursor on the sort key, then, while the page is not full, those past its
/// key. `read` runs one statement for a side and a limit.
///
/// Why not one statement (`key <= K AND (key < K OR user_id < I)`): the index seeks to K, then
/// steps over every entry tied at K before the cursor's user id. Ties are many where a sort key is
/// shared: every case without a deadline has the same due time, and B6's deep page by due time,
/// descending, stepped over 500,000 of them for its page (49 ms p99). Each of the two statements
/// is a seek: an equality and a user id range on the index entry, then a range on the key.
fn from_cursor<T>(
    after: Option<&(Key, u64)>,
    wanted: usize,
    mut read: impl FnMut(Option<(&(Key, u64), Side)>, usize) -> Result<Vec<T>>,
) -> Result<Vec<T>> {
    let Some(after) = after else {
        return read(None, wanted);
    };
    let mut rows = read(Some((after, Side::Ties)), wanted)?;
    if rows.len() < wanted {
        let more = read(Some((after, Side::Beyond)), wanted - rows.len())?;
        rows.extend(more);
    }
    Ok(rows)
}

impl Walk<'_> {
    /// ` AND` the row's id is a candidate: checked on the index entry, before any table read.
    fn members_predicate(&self, sql: &mut Sql) {
        if let Some(Members(ids)) = self.members {
            sql.push(" AND u.user_id IN (SELECT value FROM json_each(")
                .bind(ids.clone())
                .push("))");
        }
    }
}

/// A page of the few users `ids` (a search's candidates, or the officer's claims), fetched by id
/// and sorted; with its total on a first page.
fn fetched(
    conn: &Connection,
    query: &QueueQuery,
    search: Option<&SearchPlan>,
    ids: &[i64],
    after: Option<&(Key, u64)>,
    now: Timestamp,
    wanted: usize,
) -> Result<(Vec<QueueRow>, Option<u64>)> {
    let ids = id_list(ids);
    let rows = selective(conn, query, search, &ids, after, now, wanted)?;
    let total = match after {
        None => Some(selective_total(conn, &query.filter, search, &ids, now)?),
        Some(_) => None,
    };
    Ok((rows, total))
}

/// Pages through the few users a search (or the officer's claims) may match: their sort keys first (the predicate checked,
/// sorted, cut to the page), then the page's rows.
fn selective(
    conn: &Connection,
    query: &QueueQuery,
    search: Option<&SearchPlan>,
    ids: &str,
    after: Option<&(Key, u64)>,
    now: Timestamp,
    wanted: usize,
) -> Result<Vec<QueueRow>> {
    let page: Vec<i64> = from_cursor(after, wanted, |from, limit| {
        let mut keys = Sql::default();
        keys.push("SELECT u.user_id FROM json_each(")
            .bind(ids.to_owned())
            .push(") AS c CROSS JOIN users AS u ON u.user_id = c.value WHERE 1");
        state_predicate(&mut keys, &query.filter.states, now, "u");
        tail(&mut keys, query, search, from, now, limit);
        conn.prepare_cached(&keys.text)
            .and_then(|mut s| {
                s.query_map(params_from_iter(keys.params.iter()), |r| r.get(0))?
                    .collect()
            })
            .doing("searching the queue")
    })?;
    let mut sql = Sql::default();
    sql.push("SELECT ");
    columns(&mut sql, now, "u");
    sql.push(" FROM json_each(")
        .bind(id_list(&page))
        .push(") AS c CROSS JOIN users AS u ON u.user_id = c.value");
    order_by(&mut sql, query.sort.key, query.sort.direction, "u");
    run(conn, &sql)
}

/// How many users a selective search (or the officer's claims) matches under the filter.
fn selective_total(
    conn: &Connection,
    filter: &QueueFilter,
    search: Option<&SearchPlan>,
    ids: &str,
    now: Timestamp,
) -> Result<u64> {
    let mut sql = Sql::default();
    sql.push("SELECT count(*) FROM json_each(")
        .bind(ids.to_owned())
        .push(") AS c CROSS JOIN users AS u ON u.user_id = c.value WHERE 1");
    state_predicate(&mut sql, &filter.states, now, "u");
    filter_predicates(&mut sql, filter, now, "u");
    if let Some(search) = search {
        search.predicate(&mut sql, "u");
    }
    conn.prepare_cached(&sql.text)
        .and_then(|mut s| s.query_row(params_from_iter(sql.params.iter()), |r| r.get::<_, i64>(0)))
        .map(|n| n as u64)
        .doing("counting the queue")
}

/// Filters, search, keyset, order and limit: the end every page statement shares.
fn tail(
    sql: &mut Sql,
    query: &QueueQuery,
    search: Option<&SearchPlan>,
    from: Option<(&(Key, u64), Side)>,
    now: Timestamp,
    limit: usize,
) {
    filter_predicates(sql, &query.filter, now, "u");
    if let Some(search) = search {
        search.predicate(sql, "u");
    }
    if let Some(from) = from {
        keyset(sql, query.sort.key, query.sort.direction, from, "u");
    }
    order_by(sql, query.sort.key, query.sort.direction, "u");
    sql.push(" LIMIT ").bind(limit as i64);
}

fn run(conn: &Connection, sql: &Sql) -> Result<Vec<QueueRow>> {
    conn.prepare_cached(&sql.text)
        .and_then(|mut s| {
            s.query_map(params_from_iter(sql.params.iter()), read_row)?
                .collect()
        })
        .doing("reading the queue")
}

fn sort_rows(rows: &mut [QueueRow], sort: Sort) {
    rows.sort_by(|a, b| {
        let order = (key_of(sort.key, a), a.user_id).cmp(&(key_of(sort.key, b), b.user_id));
        match sort.direction {
            Direction::Ascending => order,
            Direction::Descending => order.reverse(),
        }
    });
}

/// The row at position `n` (0-based) of the queue, or `None` past its end. It skips `n` rows, so
/// it costs in proportion to `n`: for tests and benchmarks that need a position deep in the list,
/// never for paging.
pub(crate) fn nth_row(
    conn: &Connection,
    query: &QueueQuery,
    n: u64,
    now: Timestamp,
) -> Result<Option<QueueRow>> {
    let mut sql = Sql::default();
    sql.push("SELECT ");
    columns(&mut sql, now, "u");
    sql.push(" FROM users AS u WHERE 1");
    state_predicate(&mut sql, &query.filter.states, now, "u");
    filter_predicates(&mut sql, &query.filter, now, "u");
    if let Some(search) = SearchPlan::of(query.filter.search.as_deref())? {
        search.predicate(&mut sql, "u");
    }
    order_by(&mut sql, query.sort.key, query.sort.direction, "u");
    sql.push(" LIMIT 1 OFFSET ").bind(n as i64);
    Ok(run(conn, &sql)?.into_iter().next())
}
