//! A user's row in `users`: read it, change the profile or the case part, write back only what
//! changed.
//!
//! The profile writer and the case projector each own their columns; the four columns the queue
//! sorts and shows that depend on both are derived here from the row as a whole, so they come out
//! the same whichever part was written last:
//! - `display_name`: a legal entity's legal name or a person's "First Last", else "User <id>";
//! - `name_key`: the display name folded (see [`crate::fold`]);
//! - `created_at`: Treezor's `createdDate`, else the first case event, else the first observation;
//! - `last_change`: the case's last event, else the profile's `modifiedDate`, `createdDate`, first
//!   observation.
//!
//! Writes are split by column group so that an update touches only the indexes over the columns
//! that really changed: each index touched is a page the batch's commit has to write.

use rusqlite::{Connection, OptionalExtension, ToSql, params};

use crate::error::{Doing, Result};
use crate::fold::fold;
use crate::tally::{CountKey, Tally};

/// Which columns `users` has. The hooks of migrations older than schema version 9 write rows
/// before its deadline columns exist; they write the rest, and version 9's own hook fills them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    deadlines: bool,
}

impl Layout {
    pub fn of(conn: &Connection) -> Result<Layout> {
        let found: i64 = conn
            .prepare_cached("SELECT count(*) FROM pragma_table_info('users') WHERE name = 'due_at'")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .doing("reading the queue table's columns")?;
        Ok(Layout {
            deadlines: found > 0,
        })
    }

    fn columns(self) -> String {
        if self.deadlines {
            format!("{COLUMNS}, state_since")
        } else {
            COLUMNS.to_owned()
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Row {
    pub user_id: i64,
    pub layout: Layout,
    // The profile's part.
    pub profile_at: Option<i64>,
    pub user_type: Option<i64>,
    pub parent_user_id: Option<i64>,
    pub profile_created: Option<i64>,
    pub profile_modified: Option<i64>,
    pub full_name: Option<String>,
    pub search_text: Option<String>,
    // The case's part.
    pub state: i64,
    pub score: Option<i64>,
    pub aml_flagged: bool,
    pub reasons: String,
    pub review: i64,
    pub first_event_at: Option<i64>,
    pub case_last_change: Option<i64>,
    pub identification: Option<String>,
    pub link_expires_at: Option<i64>,
    pub attempts_key: Option<Vec<u8>>,
    /// When the case entered its state, for the states a deadline may apply to; `due_at` is
    /// derived from it in SQL, with the `deadlines` table (see [`crate::deadline`]).
    pub state_since: Option<i64>,
}

const COLUMNS: &str = "profile_at, user_type, parent_user_id, profile_created, profile_modified,
    full_name, search_text, state, score, aml_flagged, reasons, review, first_event_at,
    case_last_change, identification, link_expires_at, attempts_key";

/// `due_at` from the state (`?st`) and `state_since` (`?since`): the state's deadline after it,
/// or the largest integer when there is none (see `schema_9.sql`).
fn due_at(state: &str, since: &str) -> String {
    format!(
        "coalesce({since} + (SELECT seconds FROM deadlines WHERE state = {state}) * 1000000, \
         9223372036854775807)"
    )
}

impl Row {
    /// A user the cache has not seen: no profile, and the case of no events.
    pub fn new(user_id: i64, layout: Layout) -> Row {
        Row {
            user_id,
            layout,
            profile_at: None,
            user_type: None,
            parent_user_id: None,
            profile_created: None,
            profile_modified: None,
            full_name: None,
            search_text: None,
            state: 0,
            score: None,
            aml_flagged: false,
            reasons: String::new(),
            review: 0,
            first_event_at: None,
            case_last_change: None,
            identification: None,
            link_expires_at: None,
            attempts_key: None,
            state_since: None,
        }
    }

    pub fn load(conn: &Connection, user_id: i64, layout: Layout) -> Result<Option<Row>> {
        conn.prepare_cached(&format!(
            "SELECT {} FROM users WHERE user_id = ?1",
            layout.columns()
        ))
        .and_then(|mut s| {
            s.query_row([user_id], |r| {
                Ok(Row {
                    user_id,
                    layout,
                    profile_at: r.get(0)?,
                    user_type: r.get(1)?,
                    parent_user_id: r.get(2)?,
                    profile_created: r.get(3)?,
                    profile_modified: r.get(4)?,
                    full_name: r.get(5)?,
                    search_text: r.get(6)?,
                    state: r.get(7)?,
                    score: r.get(8)?,
                    aml_flagged: r.get(9)?,
                    reasons: r.get(10)?,
                    review: r.get(11)?,
                    first_event_at: r.get(12)?,
                    case_last_change: r.get(13)?,
                    identification: r.get(14)?,
                    link_expires_at: r.get(15)?,
                    attempts_key: r.get(16)?,
                    state_since: if layout.deadlines { r.get(17)? } else { None },
                })
            })
            .optional()
        })
        .doing("reading a user's row")
    }

    pub fn count_key(&self) -> CountKey {
        (
            self.state,
            self.user_type.unwrap_or(0),
            i64::from(self.aml_flagged),
            self.score.unwrap_or(-9),
            self.review,
        )
    }

    fn display_name(&self) -> String {
        self.full_name
            .clone()
            .unwrap_or_else(|| format!("User {}", self.user_id))
    }

    fn name_key(&self) -> String {
        match &self.full_name {
            Some(name) => fold(name),
            None => format!("user {}", self.user_id),
        }
    }

    fn created_at(&self) -> i64 {
        self.profile_created
            .or(self.first_event_at)
            .or(self.profile_at)
            .unwrap_or(0)
    }

    fn last_change(&self) -> i64 {
        self.case_last_change
            .or(self.profile_modified)
            .or(self.profile_created)
            .or(self.profile_at)
            .unwrap_or(0)
    }

    fn profile_part(&self) -> impl PartialEq + '_ {
        (
            self.profile_at,
            self.user_type,
            self.parent_user_id,
            self.profile_created,
            self.profile_modified,
        )
    }

    fn case_part(&self) -> impl PartialEq + '_ {
        (
            self.state,
            self.score,
            self.aml_flagged,
            &self.reasons,
            self.review,
            self.first_event_at,
            self.case_last_change,
            &self.identification,
            self.link_expires_at,
            self.state_since,
        )
    }

    /// Writes `self` over `old` (`None`: a new row), changed column groups only, and keeps the
    /// per-state counts and the search index in step.
    pub fn save(&self, conn: &Connection, old: Option<&Row>, tally: &mut Tally) -> Result<()> {
        let Some(old) = old else {
            return self.insert(conn, tally);
        };
        let id = self.user_id;
        if self.profile_part() != old.profile_part() {
            conn.prepare_cached(
                "UPDATE users SET profile_at = ?2, user_type = ?3, parent_user_id = ?4,
                     profile_created = ?5, profile_modified = ?6
                 WHERE user_id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    id,
                    self.profile_at,
                    self.user_type,
                    self.parent_user_id,
                    self.profile_created,
                    self.profile_modified
                ])
            })
            .doing("writing a user's profile")?;
        }
        if self.full_name != old.full_name {
            conn.prepare_cached(
                "UPDATE users SET full_name = ?2, display_name = ?3, name_key = ?4 WHERE user_id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![id, self.full_name, self.display_name(), self.name_key()])
            })
            .doing("writing a user's name")?;
        }
        if self.search_text != old.search_text {
            conn.prepare_cached("UPDATE users SET search_text = ?2 WHERE user_id = ?1")
                .and_then(|mut s| s.execute(params![id, self.search_text]))
                .doing("writing a user's search text")?;
            reindex(
                conn,
                id,
                old.search_text.as_deref(),
                self.search_text.as_deref(),
            )?;
        }
        if self.case_part() != old.case_part() {
            let deadline = if self.layout.deadlines {
                format!(", state_since = ?11, due_at = {}", due_at("?2", "?11"))
            } else {
                String::new()
            };
            let mut values: Vec<&dyn ToSql> = vec![
                &id,
                &self.state,
                &self.score,
                &self.aml_flagged,
                &self.reasons,
                &self.review,
                &self.first_event_at,
                &self.case_last_change,
                &self.identification,
                &self.link_expires_at,
            ];
            if self.layout.deadlines {
                values.push(&self.state_since);
            }
            conn.prepare_cached(&format!(
                "UPDATE users SET state = ?2, score = ?3, aml_flagged = ?4, reasons = ?5,
                     review = ?6, first_event_at = ?7, case_last_change = ?8,
                     identification = ?9, link_expires_at = ?10{deadline}
                 WHERE user_id = ?1"
            ))
            .and_then(|mut s| s.execute(&values[..]))
            .doing("writing a queue row")?;
        }
        if (self.created_at(), self.last_change()) != (old.created_at(), old.last_change()) {
            conn.prepare_cached(
                "UPDATE users SET created_at = ?2, last_change = ?3 WHERE user_id = ?1",
            )
            .and_then(|mut s| s.execute(params![id, self.created_at(), self.last_change()]))
            .doing("writing a queue row")?;
        }
        if self.attempts_key != old.attempts_key {
            conn.prepare_cached("UPDATE users SET attempts_key = ?2 WHERE user_id = ?1")
                .and_then(|mut s| s.execute(params![id, self.attempts_key]))
                .doing("writing a queue row")?;
        }
        tally.moved(old.count_key(), self.count_key());
        Ok(())
    }

    fn insert(&self, conn: &Connection, tally: &mut Tally) -> Result<()> {
        let (display_name, name_key) = (self.display_name(), self.name_key());
        let (created_at, last_change) = (self.created_at(), self.last_change());
        let mut values: Vec<&dyn ToSql> = vec![
            &self.user_id,
            &self.profile_at,
            &self.user_type,
            &self.parent_user_id,
            &self.profile_created,
            &self.profile_modified,
            &self.full_name,
            &self.search_text,
            &self.state,
            &self.score,
            &self.aml_flagged,
            &self.reasons,
            &self.review,
            &self.first_event_at,
            &self.case_last_change,
            &self.identification,
            &self.link_expires_at,
            &self.attempts_key,
            &display_name,
            &name_key,
            &created_at,
            &last_change,
        ];
        // ?1 to ?22 above; with deadlines, state_since is ?23 and due_at follows from it.
        let deadline = if self.layout.deadlines {
            values.push(&self.state_since);
            (
                ", state_since, due_at",
                format!(", ?23, {}", due_at("?9", "?23")),
            )
        } else {
            ("", String::new())
        };
        conn.prepare_cached(&format!(
            "INSERT INTO users (user_id, {COLUMNS}, display_name, name_key, created_at, last_change{})
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                     ?18, ?19, ?20, ?21, ?22{})",
            deadline.0, deadline.1
        ))
        .and_then(|mut s| s.execute(&values[..]))
        .doing("writing a queue row")?;
        if let Some(text) = &self.search_text {
            reindex(conn, self.user_id, None, Some(text))?;
        }
        tally.add(self.count_key(), 1);
        Ok(())
    }
}

/// Keeps the trigram index in step with a row's search text.
fn reindex(conn: &Connection, id: i64, old: Option<&str>, new: Option<&str>) -> Result<()> {
    if old.is_some() {
        conn.prepare_cached("DELETE FROM users_search WHERE rowid = ?1")
            .and_then(|mut s| s.execute([id]))
            .doing("updating the search index")?;
    }
    if let Some(text) = new {
        conn.prepare_cached("INSERT INTO users_search (rowid, text) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![id, text]))
            .doing("updating the search index")?;
    }
    Ok(())
}
