//! Users' profiles, merged from every observation so that arrival order never matters.
//!
//! An observation is a `User` object from a webhook or a REST answer, with the instant it
//! describes (the webhook's time, or when the REST answer was fetched). Webhooks do not all carry
//! the whole object (a review webhook may hold little more than `kycReview`), so the profile is
//! merged field by field: each field keeps the value of the newest observation that had one,
//! "newest" being the pair (instant, digest of the observation) so that two observations of the
//! same instant still give one answer in every order. That is a maximum over the set of
//! observations, so only the winners need keeping: `profiles.fields` holds, per field, the
//! winning value with its instant and digest. A field Treezor empties keeps its last known value.
//!
//! The profile's columns of `users` (type, parent, dates, name, search text) are rewritten only
//! when the merged values change, through [`crate::row`].

use kyc::Timestamp;
use kyc::objects::User;
use rusqlite::{Connection, OptionalExtension, params};

use crate::row::Row;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::error::{Doing, Error, Result, StoredProblem, StoredValue};
use crate::fold::fold;

/// Merges observations of one user into their stored profile and into `row`'s profile columns.
pub(crate) fn merge_observations(
    conn: &Connection,
    observations: &[(User, Timestamp)],
    row: &mut Row,
) -> Result<()> {
    let id = row.user_id;
    let stored: Option<String> = conn
        .prepare_cached("SELECT fields FROM profiles WHERE user_id = ?1")
        .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
        .doing("reading a user's profile")?;
    let mut fields: Map<String, Value> = match &stored {
        Some(text) => match serde_json::from_str(text).map_err(|e| not_json(&e))? {
            Value::Object(fields) => fields,
            _ => return Err(stored_error(StoredProblem::NotItsShape)),
        },
        None => Map::new(),
    };
    let (mut newer, mut changed) = (false, false);
    for (user, at) in observations {
        let Value::Object(observed) = serde_json::to_value(user).expect("a user serializes") else {
            unreachable!("a user serializes to an object")
        };
        let digest = Sha256::digest(Value::Object(observed.clone()).to_string().as_bytes());
        let key = i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"));
        let at = at.unix_micros();
        for (field, value) in observed {
            if value.is_null() {
                continue;
            }
            let wins = match fields.get(&field) {
                None => true,
                Some(known) => (at, key) > provenance(known)?,
            };
            if wins {
                newer = true;
                changed |= fields.get(&field).and_then(|k| k.get(2)) != Some(&value);
                fields.insert(field, json!([at, key, value]));
            }
        }
        // The earliest observation is the user's creation time of last resort, whatever the
        // order: even an observation that wins no field counts here.
        row.profile_at = Some(row.profile_at.map_or(at, |p| p.min(at)));
    }
    if newer {
        conn.prepare_cached(
            "INSERT INTO profiles (user_id, fields) VALUES (?1, ?2)
             ON CONFLICT (user_id) DO UPDATE SET fields = excluded.fields",
        )
        .and_then(|mut s| s.execute(params![id, Value::Object(fields.clone()).to_string()]))
        .doing("writing a user's profile")?;
    }
    if changed {
        let user = merged(fields)?;
        let names = Names::of(&user);
        row.user_type = user.user_type.map(|t| t.number());
        row.parent_user_id = user.parent_user_id.map(|p| p.get() as i64);
        row.profile_created = user.created_at.map(Timestamp::unix_micros);
        row.profile_modified = user.modified_at.map(Timestamp::unix_micros);
        row.full_name = names.full;
        row.search_text = names.search;
    }
    Ok(())
}

/// The (instant, digest) of a stored field.
fn provenance(known: &Value) -> Result<(i64, i64)> {
    match (
        known.get(0).and_then(Value::as_i64),
        known.get(1).and_then(Value::as_i64),
    ) {
        (Some(at), Some(key)) => Ok((at, key)),
        _ => Err(stored_error(StoredProblem::NotItsShape)),
    }
}

fn merged(fields: Map<String, Value>) -> Result<User> {
    let values: Map<String, Value> = fields
        .into_iter()
        .map(|(field, mut known)| (field, known.get_mut(2).map(Value::take).unwrap_or_default()))
        .collect();
    serde_json::from_value(Value::Object(values)).map_err(|e| not_json(&e))
}

/// The merged profile of a user, if any observation of them was recorded.
pub(crate) fn load_profile(conn: &Connection, id: i64) -> Result<Option<User>> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT fields FROM profiles WHERE user_id = ?1")
        .and_then(|mut s| s.query_row([id], |r| r.get(0)).optional())
        .doing("reading a user's profile")?;
    stored
        .map(
            |text| match serde_json::from_str(&text).map_err(|e| not_json(&e))? {
                Value::Object(fields) => merged(fields),
                _ => Err(stored_error(StoredProblem::NotItsShape)),
            },
        )
        .transpose()
}

fn stored_error(problem: StoredProblem) -> Error {
    Error::Stored {
        what: StoredValue::UserProfile,
        problem,
    }
}

fn not_json(error: &serde_json::Error) -> Error {
    stored_error(StoredProblem::json(error))
}

/// What the queue shows, sorts and searches on, from a user's names and email.
struct Names {
    full: Option<String>,
    search: Option<String>,
}

impl Names {
    fn of(user: &User) -> Names {
        // A legal entity by its legal name, a person by first and last name (`User::name`).
        let full = user.name();
        let person = match (user.firstname.as_deref(), user.lastname.as_deref()) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
            (None, None) => None,
        };
        // "first last legal-name email": every word a search may look for, in one folded text.
        let mut parts: Vec<String> = Vec::new();
        for text in [
            person.as_deref(),
            user.legal_name.as_deref(),
            user.email.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            let folded = fold(text);
            if !parts.contains(&folded) {
                parts.push(folded);
            }
        }
        let search = (!parts.is_empty()).then(|| parts.join(" "));
        Names { full, search }
    }
}
