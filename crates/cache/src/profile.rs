//! Users' profiles, merged from every observation so that arrival order never matters.
//!
//! An observation is a `User` object from a webhook or a REST answer, with the instant it
//! describes (the webhook's time, or when the REST answer was fetched). Webhooks do not all carry
//! the whole object (a review webhook may hold little more than `kycReview`), so the profile is
//! merged field by field: each field takes its value from the newest observation that has one,
//! "newest" being the pair (instant, digest of the object) so that two observations of the same
//! instant still give one answer in every order. A field Treezor empties therefore keeps its last
//! known value. Observations that no longer win any field are dropped.
//!
//! The profile columns hold what the queue filters, sorts and searches on (type, folded names and
//! email, the search text and its trigram index); the case columns of the same row are written
//! only by [`crate::project`].

use kyc::Timestamp;
use kyc::objects::User;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Doing, Error, Result};
use crate::fold::fold;

/// Records one observation of a user. Returns whether the merged profile changed.
pub(crate) fn observe_user(conn: &Connection, user: &User, at: Timestamp) -> Result<bool> {
    let json = serde_json::to_string(user).expect("a user always serializes");
    let key = Sha256::digest(json.as_bytes())[..16].to_vec();
    let id = user.user_id.get() as i64;
    let added = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO user_observations (user_id, at, key, object)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut s| s.execute(params![id, at.unix_micros(), key, json]))
        .doing("storing a user observation")?;
    if added == 0 {
        return Ok(false);
    }
    let (merged, newest) = merge(conn, id)?;
    let known: Option<(Option<String>, Option<String>)> = conn
        .prepare_cached("SELECT profile, search_text FROM users WHERE user_id = ?1")
        .and_then(|mut s| s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .doing("reading a user's profile")?;
    let merged_json = serde_json::to_string(&merged).expect("a user always serializes");
    let (old_profile, old_search) = known.unwrap_or_default();
    if old_profile.as_deref() == Some(merged_json.as_str()) {
        return Ok(false);
    }
    write(conn, &merged, &merged_json, newest)?;
    let names = Names::of(&merged);
    if old_search != names.search {
        reindex(conn, id, old_search.as_deref(), names.search.as_deref())?;
    }
    Ok(true)
}

/// The user's observations merged, and the newest observation's instant. Drops the observations
/// that win no field.
fn merge(conn: &Connection, id: i64) -> Result<(User, i64)> {
    let observations: Vec<(i64, Vec<u8>, String)> = conn
        .prepare_cached(
            "SELECT at, key, object FROM user_observations WHERE user_id = ?1 ORDER BY at, key",
        )
        .and_then(|mut s| {
            s.query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect()
        })
        .doing("reading a user's observations")?;
    let mut merged = Map::new();
    let mut winner: Vec<usize> = Vec::new();
    let mut wins = vec![0usize; observations.len()];
    let mut fields: Vec<String> = Vec::new();
    for (index, (_, _, object)) in observations.iter().enumerate() {
        let Value::Object(object) = serde_json::from_str(object).map_err(stored)? else {
            return Err(stored("not an object"));
        };
        for (field, value) in object {
            if value.is_null() {
                continue;
            }
            match fields.iter().position(|f| *f == field) {
                Some(slot) => {
                    wins[winner[slot]] -= 1;
                    winner[slot] = index;
                }
                None => {
                    fields.push(field.clone());
                    winner.push(index);
                }
            }
            wins[index] += 1;
            merged.insert(field, value);
        }
    }
    for ((at, key, _), wins) in observations.iter().zip(&wins) {
        if *wins == 0 {
            conn.prepare_cached(
                "DELETE FROM user_observations WHERE user_id = ?1 AND at = ?2 AND key = ?3",
            )
            .and_then(|mut s| s.execute(params![id, at, key]))
            .doing("dropping an outdated user observation")?;
        }
    }
    let newest = observations.last().map_or(0, |(at, _, _)| *at);
    let user: User = serde_json::from_value(Value::Object(merged)).map_err(stored)?;
    Ok((user, newest))
}

fn stored(detail: impl ToString) -> Error {
    Error::Stored {
        what: "user observation",
        detail: detail.to_string(),
    }
}

fn write(conn: &Connection, user: &User, json: &str, newest: i64) -> Result<()> {
    let names = Names::of(user);
    conn.prepare_cached(
        "INSERT INTO users (user_id, profile, profile_at, user_type, parent_user_id,
             profile_created, profile_modified, full_name, name_fold, last_first_fold, email_fold,
             search_text)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (user_id) DO UPDATE SET
             profile = excluded.profile, profile_at = excluded.profile_at,
             user_type = excluded.user_type, parent_user_id = excluded.parent_user_id,
             profile_created = excluded.profile_created,
             profile_modified = excluded.profile_modified, full_name = excluded.full_name,
             name_fold = excluded.name_fold, last_first_fold = excluded.last_first_fold,
             email_fold = excluded.email_fold, search_text = excluded.search_text",
    )
    .and_then(|mut s| {
        s.execute(params![
            user.user_id.get() as i64,
            json,
            newest,
            user.user_type.map(|t| t.number()),
            user.parent_user_id.map(|p| p.get() as i64),
            user.created_at.map(Timestamp::unix_micros),
            user.modified_at.map(Timestamp::unix_micros),
            names.full,
            names.first_last,
            names.last_first,
            names.email,
            names.search,
        ])
    })
    .doing("writing a user's profile")?;
    Ok(())
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

/// What the queue shows, sorts and searches on, from a user's names and email.
struct Names {
    full: Option<String>,
    first_last: Option<String>,
    last_first: Option<String>,
    email: Option<String>,
    search: Option<String>,
}

impl Names {
    fn of(user: &User) -> Names {
        let first = user.firstname.as_deref();
        let last = user.lastname.as_deref();
        let full = match (first, last) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
            (None, None) => None,
        };
        let first_last = full.as_deref().map(fold);
        let last_first = match (first, last) {
            (Some(f), Some(l)) => Some(fold(&format!("{l} {f}"))),
            _ => first_last.clone(),
        };
        let email = user.email.as_deref().map(fold);
        // "first last | last first | email": a search for either name order or any part of the
        // email is a substring of this.
        let parts: Vec<&str> = [&first_last, &last_first, &email]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let search = (!parts.is_empty()).then(|| parts.join(" | "));
        Names {
            full,
            first_last,
            last_first,
            email,
            search,
        }
    }
}
