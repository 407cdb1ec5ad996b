//! The team's records from the hub's feed (see [`kyc::team`]): kept in `team_records`, apart from
//! Treezor's webhooks, and read back per case.
//!
//! A record is applied once, by its id, like a webhook. One this desk cannot read (a newer hub
//! knows more kinds) is kept with the reason and counted as unreadable; it changes nothing else.

use kyc::feed::FeedEvent;
use kyc::officer::OfficerName;
use kyc::team::TeamEvent;
use kyc::{Timestamp, UserId};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::error::{Doing, Result};

/// What became of one team record in a batch.
pub(crate) enum Kept {
    /// Stored; `user` is the case it is about, when it names one.
    New {
        readable: bool,
        user: Option<UserId>,
    },
    Duplicate,
}

/// Stores a team record unless its id was applied already.
pub(crate) fn keep(
    conn: &Connection,
    event: &FeedEvent,
    author: &OfficerName,
    record: std::result::Result<TeamEvent, String>,
) -> Result<Kept> {
    let (kind, user, error) = match &record {
        Ok(team) => (team.kind().to_owned(), team.user(), None),
        Err(error) => (
            event.webhook.clone(),
            event
                .object_id
                .as_deref()
                .and_then(|id| UserId::parse(id).ok()),
            Some(error.as_str()),
        ),
    };
    let inserted = conn
        .prepare_cached(
            "INSERT INTO team_records (seq, record_id, kind, user_id, author, written_at, payload,
                 error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT DO NOTHING",
        )
        .and_then(|mut s| {
            s.execute(params![
                event.seq as i64,
                event.webhook_id.as_str(),
                kind,
                user.map(|u| u.get() as i64),
                author.as_str(),
                event.received_at.unix_micros(),
                event.object_payload.get(),
                error,
            ])
        })
        .doing("storing a team record")?;
    Ok(if inserted == 1 {
        Kept::New {
            readable: record.is_ok(),
            user,
        }
    } else {
        Kept::Duplicate
    })
}

/// An internal note on a case, as the window lists it. Never customer text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Note {
    pub seq: u64,
    pub author: String,
    /// When the hub stored it.
    pub written_at: Timestamp,
    pub text: String,
}

/// The notes on `user`'s case, oldest first.
pub(crate) fn notes(conn: &Connection, user: UserId) -> Result<Vec<Note>> {
    Ok(records(conn, Some(user), "note", "reading a case's notes")?
        .into_iter()
        .filter_map(|(written, record)| match record {
            TeamEvent::Note { text, .. } => Some(Note {
                seq: written.seq,
                author: written.author,
                written_at: written.at,
                text: text.into(),
            }),
            _ => None,
        })
        .collect())
}

/// Who wrote a team record, when, under which number.
pub(crate) struct Written {
    pub seq: u64,
    pub author: String,
    pub at: Timestamp,
}

/// The readable team records of `kind` on `user`'s case (`None`: records about no case, as the
/// policy), oldest first. `doing` names the read in an error.
pub(crate) fn records(
    conn: &Connection,
    user: Option<UserId>,
    kind: &str,
    doing: &'static str,
) -> Result<Vec<(Written, TeamEvent)>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, author, written_at, payload FROM team_records
             WHERE user_id IS ?1 AND kind = ?2 AND error IS NULL ORDER BY seq",
        )
        .doing(doing)?;
    let rows = stmt
        .query_map(params![user.map(|u| u.get() as i64), kind], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .doing(doing)?;
    let mut records = Vec::new();
    for row in rows {
        let (seq, author, written_at, payload) = row.doing(doing)?;
        // Stored only after it was read once, so it reads again.
        if let Ok(record) = serde_json::from_str(&payload) {
            let written = Written {
                seq: seq as u64,
                author,
                at: Timestamp::from_unix_micros(written_at),
            };
            records.push((written, record));
        }
    }
    Ok(records)
}
