//! The queue's text search: a user id, or part of a name or email.
//!
//! The officer's text is folded like the stored names (see [`crate::fold`]). Three characters or
//! more match anywhere in "first last | last first | email" (trigram index); one or two characters
//! match the start of the first name, the last name or the email (b-tree prefix ranges); digits
//! also match the user id exactly. Both ways of running a search (fetching the matches by id, or
//! checking each row of an index walk) use the same rule, so they return the same rows.

use rusqlite::{Connection, params_from_iter};

use super::sql::Sql;
use crate::error::{Doing, Error, Result};
use crate::fold::fold;

/// The longest search text accepted.
const MAX_SEARCH_CHARS: usize = 200;

pub(crate) struct SearchPlan {
    folded: String,
    user_id: Option<i64>,
    long: bool,
}

impl SearchPlan {
    /// `None` when there is nothing to search for.
    pub fn of(raw: Option<&str>) -> Result<Option<SearchPlan>> {
        let Some(raw) = raw else { return Ok(None) };
        let chars = raw.chars().count();
        if chars > MAX_SEARCH_CHARS {
            return Err(Error::SearchTooLong(chars));
        }
        let folded = fold(raw);
        if folded.is_empty() {
            return Ok(None);
        }
        let user_id = folded
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| folded.parse::<i64>().ok())
            .flatten();
        let long = folded.chars().count() >= 3;
        Ok(Some(SearchPlan {
            folded,
            user_id,
            long,
        }))
    }

    /// A `SELECT id …` of every matching user id, without duplicates.
    pub fn candidates(&self, sql: &mut Sql) {
        if self.long {
            sql.push("SELECT rowid AS id FROM users_search WHERE users_search MATCH ");
            sql.bind(format!("\"{}\"", self.folded.replace('"', "\"\"")));
        } else {
            let low = self.folded.clone();
            let high = format!("{low}\u{10FFFF}");
            for (i, column) in ["name_key", "last_first_fold", "email_fold"]
                .into_iter()
                .enumerate()
            {
                if i > 0 {
                    sql.push(" UNION ");
                }
                sql.push(&format!(
                    "SELECT user_id AS id FROM users WHERE {column} >= "
                ));
                sql.bind(low.clone());
                sql.push(&format!(" AND {column} < "));
                sql.bind(high.clone());
            }
        }
        if let Some(id) = self.user_id {
            sql.push(" UNION SELECT user_id AS id FROM users WHERE user_id = ");
            sql.bind(id);
        }
    }

    /// ` AND` the row matches, for walks over a sort index.
    pub fn predicate(&self, sql: &mut Sql, table: &str) {
        let pattern = escape_like(&self.folded);
        sql.push(" AND (");
        if self.long {
            sql.push(&format!("{table}.search_text LIKE "));
            sql.bind(format!("%{pattern}%"));
            sql.push(" ESCAPE '\\'");
        } else {
            for (i, column) in ["name_key", "last_first_fold", "email_fold"]
                .into_iter()
                .enumerate()
            {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push(&format!("{table}.{column} LIKE "));
                sql.bind(format!("{pattern}%"));
                sql.push(" ESCAPE '\\'");
            }
        }
        if let Some(id) = self.user_id {
            sql.push(&format!(" OR {table}.user_id = "));
            sql.bind(id);
        }
        sql.push(")");
    }

    /// How many users match, if at most `limit`; `None` when more do.
    pub fn count_up_to(&self, conn: &Connection, limit: usize) -> Result<Option<usize>> {
        let mut sql = Sql::default();
        sql.push("SELECT count(*) FROM (");
        self.candidates(&mut sql);
        sql.push(" LIMIT ");
        sql.bind(limit as i64 + 1);
        sql.push(")");
        let n: i64 = conn
            .prepare_cached(&sql.text)
            .and_then(|mut s| s.query_row(params_from_iter(sql.params.iter()), |r| r.get(0)))
            .doing("searching the queue")?;
        Ok((n as usize <= limit).then_some(n as usize))
    }
}

/// Makes `%`, `_` and `\` literal in a LIKE pattern (used with `ESCAPE '\'`).
fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_folded_and_bounded() {
        let plan = SearchPlan::of(Some("  Zoé ")).unwrap().unwrap();
        assert_eq!(plan.folded, "zoe");
        assert!(plan.long && plan.user_id.is_none());
        let id = SearchPlan::of(Some("42")).unwrap().unwrap();
        assert_eq!(id.user_id, Some(42));
        assert!(!id.long);
        assert!(SearchPlan::of(Some("   ")).unwrap().is_none());
        assert!(SearchPlan::of(None).unwrap().is_none());
        assert!(matches!(
            SearchPlan::of(Some(&"a".repeat(201))),
            Err(Error::SearchTooLong(201))
        ));
    }

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
