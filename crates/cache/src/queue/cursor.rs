//! The queue's opaque position: the sort it belongs to and the last row's key.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use kyc::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Direction, QueueRow, Sort, SortKey};
use crate::error::{CursorProblem, Error, Result};

/// Where a page ends. Opaque to the window: it passes back what it was given.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(transparent)]
pub struct Cursor(String);

/// The sort key of one row.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum Key {
    Time(i64),
    Text(String),
}

#[derive(Serialize, Deserialize)]
struct Inner {
    s: SortKey,
    d: Direction,
    k: Key,
    u: u64,
}

impl Cursor {
    /// The position right after `row` in `sort`.
    pub fn after(sort: Sort, row: &QueueRow) -> Cursor {
        let inner = Inner {
            s: sort.key,
            d: sort.direction,
            k: key_of(sort.key, row),
            u: row.user_id.get(),
        };
        let json = serde_json::to_vec(&inner).expect("a cursor serializes");
        Cursor(URL_SAFE_NO_PAD.encode(json))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key and user id, checked against the sort the page asks for.
    pub(crate) fn open(&self, sort: Sort) -> Result<(Key, u64)> {
        let bytes = URL_SAFE_NO_PAD
            .decode(&self.0)
            .map_err(|_| Error::Cursor(CursorProblem::NotMadeHere))?;
        let inner: Inner = serde_json::from_slice(&bytes)
            .map_err(|_| Error::Cursor(CursorProblem::NotMadeHere))?;
        if inner.s != sort.key || inner.d != sort.direction {
            return Err(Error::Cursor(CursorProblem::OtherSort));
        }
        let fits = matches!(
            (&inner.k, sort.key),
            (Key::Text(_), SortKey::Name)
                | (
                    Key::Time(_),
                    SortKey::Created | SortKey::LastChange | SortKey::Due
                )
        );
        if !fits {
            return Err(Error::Cursor(CursorProblem::KeyNotOfSort));
        }
        Ok((inner.k, inner.u))
    }
}

pub(crate) fn key_of(key: SortKey, row: &QueueRow) -> Key {
    match key {
        SortKey::Created => Key::Time(row.created_at.unix_micros()),
        SortKey::LastChange => Key::Time(row.last_change.unix_micros()),
        SortKey::Name => Key::Text(row.name_key.clone()),
        SortKey::Due => Key::Time(
            row.due_at
                .map_or(crate::deadline::NO_DEADLINE, Timestamp::unix_micros),
        ),
    }
}
