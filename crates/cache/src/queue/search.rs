//! The queue's text search: a user id, or words of a name or email.
//!
//! The officer's text is folded like the stored names (see [`crate::fold`]) and split into words.
//! - Text with no word of three characters (`z`, `zo`, `jo b`): the display name starts with it.
//! - Otherwise each word of three characters or more must occur anywhere in the user's folded
//!   "first last email", and each shorter word must start one of its words: `martin zo`
//!   finds "Zoé Martin", `ois` finds "François", `dubois3@` an email.
//! - Text made only of digits also finds the user with that id.
//!
//! Both ways of running a search (fetching the matches by id, or checking each row of an index
//! walk) apply this same rule, so they return the same rows.

use rusqlite::{Connection, params_from_iter};

use super::sql::Sql;
use crate::error::{Doing, Error, Result};
use crate::fold::fold;

/// The longest search text accepted.
const MAX_SEARCH_CHARS: usize = 200;

pub(crate) struct SearchPlan {
    folded: String,
    /// Words of three characters or more (`None` for a search with none: a name prefix).
    long_words: Option<Vec<String>>,
    short_words: Vec<String>,
    user_id: Option<i64>,
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
        let (long, short): (Vec<String>, Vec<String>) = folded
            .split(' ')
            .map(str::to_owned)
            .partition(|w| w.chars().count() >= 3);
        let long_words = (!long.is_empty()).then_some(long);
        Ok(Some(SearchPlan {
            folded,
            long_words,
            short_words: short,
            user_id,
        }))
    }

    /// A `SELECT id …` of candidate user ids (no duplicates): every match, perhaps more. Callers
    /// keep only the rows that also pass [`SearchPlan::predicate`].
    pub fn candidates(&self, sql: &mut Sql) {
        match &self.long_words {
            Some(long) => {
                sql.push("SELECT rowid AS id FROM users_search WHERE users_search MATCH ");
                sql.bind(trigram_query(long));
            }
            None => self.name_prefix_candidates(sql, &self.folded),
        }
        if let Some(id) = self.user_id {
            sql.push(" UNION SELECT user_id AS id FROM users WHERE user_id = ");
            sql.bind(id);
        }
    }

    fn name_prefix_candidates(&self, sql: &mut Sql, prefix: &str) {
        sql.push("SELECT user_id AS id FROM users WHERE name_key >= ");
        sql.bind(prefix.to_owned());
        sql.push(" AND name_key < ");
        sql.bind(format!("{prefix}\u{10FFFF}"));
    }

    /// ` AND` the row matches.
    pub fn predicate(&self, sql: &mut Sql, table: &str) {
        sql.push(" AND (");
        match &self.long_words {
            None => {
                sql.push(&format!("{table}.name_key LIKE "));
                sql.bind(format!("{}%", escape_like(&self.folded)));
                sql.push(" ESCAPE '\\'");
            }
            Some(long) => {
                sql.push("(1");
                for word in long {
                    sql.push(&format!(" AND {table}.search_text LIKE "));
                    sql.bind(format!("%{}%", escape_like(word)));
                    sql.push(" ESCAPE '\\'");
                }
                for word in &self.short_words {
                    sql.push(&format!(" AND (' ' || {table}.search_text) LIKE "));
                    sql.bind(format!("% {}%", escape_like(word)));
                    sql.push(" ESCAPE '\\'");
                }
                sql.push(")");
            }
        }
        if let Some(id) = self.user_id {
            sql.push(&format!(" OR {table}.user_id = "));
            sql.bind(id);
        }
        sql.push(")");
    }

    /// The candidate ids, if there are at most `limit`; `None` when there are more.
    pub fn candidates_up_to(&self, conn: &Connection, limit: usize) -> Result<Option<Vec<i64>>> {
        let mut sql = Sql::default();
        self.candidates(&mut sql);
        sql.push(" LIMIT ");
        sql.bind(limit as i64 + 1);
        let ids: Vec<i64> = conn
            .prepare_cached(&sql.text)
            .and_then(|mut s| {
                s.query_map(params_from_iter(sql.params.iter()), |r| r.get(0))?
                    .collect()
            })
            .doing("searching the queue")?;
        Ok((ids.len() <= limit).then_some(ids))
    }
}

/// Candidate ids as the JSON array `json_each` reads: how a statement receives a set of ids.
pub(crate) fn id_list(ids: &[i64]) -> String {
    let mut out = String::with_capacity(ids.len() * 8 + 2);
    out.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out.push(']');
    out
}

/// An FTS5 query for rows holding trigrams of every word: without positions in the index, a word
/// is asked for as its first and last trigrams, which finds every row containing it (and some
/// more, which the predicate drops). Two posting lists per word: each one read costs time in
/// proportion to how common its trigram is, and more of them narrow the candidates little.
fn trigram_query(words: &[String]) -> String {
    let mut terms: Vec<String> = Vec::new();
    for word in words {
        let chars: Vec<char> = word.chars().collect();
        for start in [0, chars.len() - 3] {
            let trigram: String = chars[start..start + 3].iter().collect();
            let term = format!("\"{}\"", trigram.replace('"', "\"\""));
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
    }
    terms.join(" AND ")
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
    fn search_text_is_folded_split_and_bounded() {
        let plan = SearchPlan::of(Some("  Zoé  MARTIN ")).unwrap().unwrap();
        assert_eq!(plan.folded, "zoe martin");
        assert_eq!(
            plan.long_words.as_deref(),
            Some(&["zoe".to_owned(), "martin".to_owned()][..])
        );
        assert!(plan.short_words.is_empty() && plan.user_id.is_none());
        let mixed = SearchPlan::of(Some("martin zo")).unwrap().unwrap();
        assert_eq!(mixed.short_words, ["zo"]);
        let short = SearchPlan::of(Some("Zo")).unwrap().unwrap();
        assert!(short.long_words.is_none());
        let id = SearchPlan::of(Some("42")).unwrap().unwrap();
        assert_eq!(id.user_id, Some(42));
        assert!(SearchPlan::of(Some("   ")).unwrap().is_none());
        assert!(SearchPlan::of(None).unwrap().is_none());
        assert!(matches!(
            SearchPlan::of(Some(&"a".repeat(201))),
            Err(Error::SearchTooLong(201))
        ));
    }

    #[test]
    fn words_are_asked_for_as_their_first_and_last_trigrams() {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(trigram_query(&words(&["zoe"])), r#""zoe""#);
        assert_eq!(trigram_query(&words(&["martin"])), r#""mar" AND "tin""#);
        assert_eq!(trigram_query(&words(&["dubois"])), r#""dub" AND "ois""#);
        assert_eq!(trigram_query(&words(&["duboiss"])), r#""dub" AND "iss""#);
        assert_eq!(
            trigram_query(&words(&["zoe", "martin"])),
            r#""zoe" AND "mar" AND "tin""#
        );
        assert_eq!(trigram_query(&words(&["o\"br"])), r#""o""b" AND """br""#);
    }

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
