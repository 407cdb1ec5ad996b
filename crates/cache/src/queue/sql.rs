//! SQL text for queue queries: a statement builder with numbered parameters, the filter's
//! predicates, and reading a row.

use kyc::{CaseState, IdentificationId, ReasonCode, Score, Timestamp, UserId, UserType};
use rusqlite::Row;
use rusqlite::types::Value;

use super::cursor::Key;
use super::{Direction, QueueFilter, QueueRow, SortKey};
use crate::codes::{ReviewState, state_code, state_from_code};
use crate::deadline::NO_DEADLINE;

/// A statement under construction; parameters are numbered in the order they are bound.
#[derive(Default)]
pub(crate) struct Sql {
    pub text: String,
    pub params: Vec<Value>,
}

impl Sql {
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Binds a value and writes its placeholder.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.params.push(value.into());
        let placeholder = format!("?{}", self.params.len());
        self.text.push_str(&placeholder);
        self
    }

    /// `(?a, ?b, …)` for a list of values.
    pub fn bind_list(&mut self, values: impl IntoIterator<Item = Value>) -> &mut Self {
        self.push("(");
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(value);
        }
        self.push(")")
    }
}

/// The columns a queue row is read from, in [`read_row`]'s order. `now` decides expired links.
pub(crate) fn columns(sql: &mut Sql, now: Timestamp, table: &str) {
    sql.push(&format!(
        "{t}.user_id, {t}.display_name, {t}.user_type, \
         CASE WHEN {t}.state = 1 AND {t}.link_expires_at <= ",
        t = table
    ));
    sql.bind(now.unix_micros());
    sql.push(&format!(
        " THEN 2 ELSE {t}.state END, {t}.score, {t}.reasons, {t}.aml_flagged, {t}.review, \
         {t}.created_at, {t}.last_change, {t}.identification, {t}.link_expires_at, {t}.name_key, \
         {t}.due_at",
        t = table
    ));
}

pub(crate) fn read_row(row: &Row<'_>) -> rusqlite::Result<QueueRow> {
    let bad = |i: usize, e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Integer, e.into())
    };
    let user: i64 = row.get(0)?;
    let reasons: String = row.get(5)?;
    Ok(QueueRow {
        user_id: UserId::new(user as u64).map_err(|e| bad(0, e.to_string()))?,
        display_name: row.get(1)?,
        user_type: row
            .get::<_, Option<i64>>(2)?
            .map(|t| UserType::parse(&t.to_string()))
            .transpose()
            .map_err(|e| bad(2, e.to_string()))?,
        state: state_from_code(row.get(3)?).map_err(|e| bad(3, e.to_string()))?,
        score: row
            .get::<_, Option<i64>>(4)?
            .map(|s| Score::parse(&s.to_string()))
            .transpose()
            .map_err(|e| bad(4, e.to_string()))?,
        reasons: reasons
            .split(',')
            .filter(|c| !c.is_empty())
            .map(ReasonCode::parse)
            .collect(),
        aml_flagged: row.get(6)?,
        review: ReviewState::from_code(row.get(7)?).map_err(|e| bad(7, e.to_string()))?,
        created_at: Timestamp::from_unix_micros(row.get(8)?),
        last_change: Timestamp::from_unix_micros(row.get(9)?),
        identification: row
            .get::<_, Option<String>>(10)?
            .map(|i| IdentificationId::parse(&i))
            .transpose()
            .map_err(|e| bad(10, e.to_string()))?,
        link_expires_at: row
            .get::<_, Option<i64>>(11)?
            .map(Timestamp::from_unix_micros),
        name_key: row.get(12)?,
        due_at: Some(row.get::<_, i64>(13)?)
            .filter(|due| *due != NO_DEADLINE)
            .map(Timestamp::from_unix_micros),
    })
}

/// The name part of the sort's indexes: `users_by_{it}` and `users_by_state_{it}`.
pub(crate) fn sort_index(key: SortKey) -> &'static str {
    match key {
        SortKey::Created => "created",
        SortKey::LastChange => "last_change",
        SortKey::Name => "name",
        SortKey::Due => "due",
    }
}

pub(crate) fn sort_column(key: SortKey) -> &'static str {
    match key {
        SortKey::Created => "created_at",
        SortKey::LastChange => "last_change",
        SortKey::Name => "name_key",
        SortKey::Due => "due_at",
    }
}

/// ` AND …` for every filter except states and search; claims are read at `now`.
pub(crate) fn filter_predicates(sql: &mut Sql, filter: &QueueFilter, now: Timestamp, table: &str) {
    super::holding::predicate(sql, filter, now, table);
    if !filter.scores.is_empty() {
        let known: Vec<Value> = filter
            .scores
            .iter()
            .flatten()
            .map(|s| Value::Integer(i64::from(s.number())))
            .collect();
        let none = filter.scores.iter().any(Option::is_none);
        sql.push(" AND (");
        if !known.is_empty() {
            sql.push(&format!("{table}.score IN "));
            sql.bind_list(known);
            if none {
                sql.push(" OR ");
            }
        }
        if none {
            sql.push(&format!("{table}.score IS NULL"));
        }
        sql.push(")");
    }
    if let Some(flagged) = filter.aml_flagged {
        sql.push(&format!(" AND {table}.aml_flagged = "));
        sql.bind(flagged);
    }
    if !filter.reviews.is_empty() {
        sql.push(&format!(" AND {table}.review IN "));
        sql.bind_list(filter.reviews.iter().map(|r| Value::Integer(r.code())));
    }
    if !filter.user_types.is_empty() {
        sql.push(&format!(" AND {table}.user_type IN "));
        sql.bind_list(filter.user_types.iter().map(|t| Value::Integer(t.number())));
    }
    for (column, range) in [
        ("created_at", &filter.created),
        ("last_change", &filter.last_change),
    ] {
        if let Some(from) = range.from {
            sql.push(&format!(" AND {table}.{column} >= "));
            sql.bind(from.unix_micros());
        }
        if let Some(until) = range.until {
            sql.push(&format!(" AND {table}.{column} < "));
            sql.bind(until.unix_micros());
        }
    }
}

/// ` AND` the shown state is one of `states` (expired links counted as expired at `now`).
pub(crate) fn state_predicate(sql: &mut Sql, states: &[CaseState], now: Timestamp, table: &str) {
    if states.is_empty() {
        return;
    }
    sql.push(&format!(
        " AND (CASE WHEN {table}.state = 1 AND {table}.link_expires_at <= "
    ));
    sql.bind(now.unix_micros());
    sql.push(&format!(" THEN 2 ELSE {table}.state END) IN "));
    sql.bind_list(states.iter().map(|s| Value::Integer(state_code(*s))));
}

/// Which rows after a cursor a page statement reads: the cursor's key with the keyset order read in
/// two statements (see `page::from_cursor`), each of which the sort index seeks to.
#[derive(Clone, Copy)]
pub(crate) enum Side {
    /// The rows with the cursor's sort key whose user id comes after its: an equality on the
    /// index's key and a range on the user id that ends each entry.
    Ties,
    /// The rows whose sort key comes after the cursor's: a range on the index's key.
    Beyond,
}

/// ` AND` the row is on `side` of the cursor in the sort.
pub(crate) fn keyset(
    sql: &mut Sql,
    key: SortKey,
    direction: Direction,
    (after, side): (&(Key, u64), Side),
    table: &str,
) {
    let column = format!("{table}.{}", sort_column(key));
    let strict = match direction {
        Direction::Ascending => ">",
        Direction::Descending => "<",
    };
    let value = match &after.0 {
        Key::Time(t) => Value::Integer(*t),
        Key::Text(s) => Value::Text(s.clone()),
    };
    match side {
        Side::Ties => {
            sql.push(&format!(" AND {column} = "));
            sql.bind(value);
            sql.push(&format!(" AND {table}.user_id {strict} "));
            sql.bind(after.1 as i64);
        }
        Side::Beyond => {
            sql.push(&format!(" AND {column} {strict} "));
            sql.bind(value);
        }
    }
}

pub(crate) fn order_by(sql: &mut Sql, key: SortKey, direction: Direction, table: &str) {
    let dir = match direction {
        Direction::Ascending => "ASC",
        Direction::Descending => "DESC",
    };
    sql.push(&format!(
        " ORDER BY {table}.{} {dir}, {table}.user_id {dir}",
        sort_column(key)
    ));
}
