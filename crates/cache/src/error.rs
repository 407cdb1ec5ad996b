//! The one error of the cache.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;
use thiserror::Error;

/// What went wrong in the cache. Messages name the file or object and say what the officer or
/// the caller can do; none quotes a webhook payload or a reason text.
#[derive(Debug, Error)]
pub enum Error {
    #[error(
        "could not create the folder {path} for the cache file: {source}. Check that the folder is writable."
    )]
    CreateFolder {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "could not open the cache file {path}: {source}. Check that the file is not held by another program and the disk is not full."
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error(
        "could not bring the cache file {path} to schema version {target}: {detail}. The file is unchanged; keep it (it holds the audit log) and report this error."
    )]
    Migration {
        path: PathBuf,
        target: usize,
        detail: String,
    },

    /// A reader found the file older than this version: only the writer migrates it.
    #[error(
        "could not read the cache file {path}: it is at schema version {found}, and this version reads {target}; open it for writing first so that it is migrated."
    )]
    NotMigrated {
        path: PathBuf,
        found: i64,
        target: usize,
    },

    #[error(
        "the cache file {path} was written by a newer KYC Desk (schema version {found}, this version knows up to {known}). Update KYC Desk; do not delete the file, it holds the audit log."
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        known: usize,
    },

    #[error("the cache database failed while {doing}: {source}")]
    Database {
        doing: &'static str,
        source: rusqlite::Error,
    },

    #[error(
        "a stored {what} could not be read back ({problem}). The cache file may have been edited outside KYC Desk."
    )]
    Stored {
        what: StoredValue,
        problem: StoredProblem,
    },

    #[error("the queue position is not valid: {0}. Reload the queue from its first page.")]
    Cursor(CursorProblem),

    #[error("a queue page holds 1 to {max} rows, not {asked}.")]
    PageSize { asked: u32, max: u32 },

    #[error("the search text is too long ({0} characters, at most 200).")]
    SearchTooLong(usize),

    #[error(
        "user {0} is not in the cache. Sync with the relay or fetch the user from Treezor first."
    )]
    UnknownUser(u64),

    #[error("document {0} is not in the cache. Sync with the relay before recording its download.")]
    UnknownDocument(u64),

    #[error("could not write the audit export: {0}. Check the destination and try again.")]
    Export(#[from] std::io::Error),
}

/// Why a queue position the window passed back is refused: the window words it; `Display` is the
/// English of the logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CursorProblem {
    /// Not a position this cache wrote (not base64, or not its JSON).
    NotMadeHere,
    /// A position of another sort order or direction.
    OtherSort,
    /// Its key is not of the kind the sort orders by (a name for a date, or the reverse).
    KeyNotOfSort,
}

impl fmt::Display for CursorProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CursorProblem::NotMadeHere => "it was not made by this cache",
            CursorProblem::OtherSort => "it belongs to another sort order",
            CursorProblem::KeyNotOfSort => "its key does not fit the sort",
        })
    }
}

/// What stored value could not be read back, named for the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StoredValue {
    UserProfile,
    AuditOutcome,
    CaseState,
    ReviewState,
    UserId,
    Download,
    Document,
    CaseEvent,
    Deadline,
}

impl fmt::Display for StoredValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StoredValue::UserProfile => "user profile",
            StoredValue::AuditOutcome => "audit outcome",
            StoredValue::CaseState => "case state",
            StoredValue::ReviewState => "review state",
            StoredValue::UserId => "user id",
            StoredValue::Download => "download",
            StoredValue::Document => "document",
            StoredValue::CaseEvent => "case event",
            StoredValue::Deadline => "deadline",
        })
    }
}

/// Why a stored value could not be read back: the window words it. `detail` is the JSON
/// parser's own description; `value` the stored text or number, quoted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum StoredProblem {
    /// Not the JSON this version writes.
    NotJson { detail: String },
    /// JSON, but not of the shape this version writes (not an object, a field without its instant).
    NotItsShape,
    /// A number or name this version does not know.
    Unknown { value: String },
    /// Not a valid `field` (an id, a type).
    Invalid { field: String, value: String },
    /// The stored deadlines do not make a policy, for `why`.
    Deadlines { why: kyc::deadline::DeadlineError },
}

impl StoredProblem {
    pub(crate) fn json(error: &serde_json::Error) -> StoredProblem {
        StoredProblem::NotJson {
            detail: error.to_string(),
        }
    }

    pub(crate) fn invalid(error: kyc::ParseError) -> StoredProblem {
        StoredProblem::Invalid {
            field: error.field.to_owned(),
            value: error.value,
        }
    }
}

impl fmt::Display for StoredProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoredProblem::NotJson { detail } => {
                write!(f, "not the JSON KYC Desk writes: {detail}")
            }
            StoredProblem::NotItsShape => f.write_str("not of the shape KYC Desk writes"),
            StoredProblem::Unknown { value } => write!(f, "{value:?} is unknown to this version"),
            StoredProblem::Invalid { field, value } => {
                write!(f, "{value:?} is not a valid {field}")
            }
            StoredProblem::Deadlines { why } => write!(f, "{why}"),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Adds what the cache was doing to a database error.
pub(crate) trait Doing<T> {
    fn doing(self, doing: &'static str) -> Result<T>;
}

impl<T> Doing<T> for std::result::Result<T, rusqlite::Error> {
    fn doing(self, doing: &'static str) -> Result<T> {
        self.map_err(|source| Error::Database { doing, source })
    }
}
