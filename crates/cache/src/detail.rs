//! One user's case in full: profile, parent and children, the case as of now, documents and every
//! webhook that concerned them.

use kyc::case::CaseView;
use kyc::objects::User;
use kyc::{CaseState, IdentificationId, Timestamp, UserId, WebhookId};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::deadline::NO_DEADLINE;
use crate::documents::{StoredDocument, documents_of};
use crate::error::{Doing, Error, Result};
use crate::profile::load_profile;
use crate::project::load_case;

/// Everything the case screen shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseDetail {
    pub user_id: UserId,
    /// Treezor's user object, when the cache has seen one.
    pub profile: Option<User>,
    pub display_name: String,
    pub parent: Option<Relative>,
    pub children: Vec<Relative>,
    /// The case as of the `now` asked for. Its reasons are for the officer only.
    pub view: CaseView,
    pub documents: Vec<StoredDocument>,
    /// Every webhook about this user, in the order of [`TimelineEntry::at`].
    pub timeline: Vec<TimelineEntry>,
    /// When the case is due under the team's deadlines (as in the queue); `None` when its state
    /// has none.
    pub due_at: Option<Timestamp>,
}

/// A parent or child user, with their own documents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Relative {
    pub user_id: UserId,
    pub display_name: String,
    /// `None` when the cache has not seen this user.
    pub profile: Option<User>,
    pub state: Option<CaseState>,
    pub documents: Vec<StoredDocument>,
}

/// One webhook in a case's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimelineEntry {
    pub seq: u64,
    pub webhook_id: WebhookId,
    /// The event name, e.g. `kycliveness.update`.
    pub event: String,
    pub object: String,
    pub object_id: Option<String>,
    /// When what it tells happened: the signed payload's own time, else `created_at` unless that
    /// lies in the future of `received_at` (see `kyc::webhook::when`). The timeline's order.
    pub at: Timestamp,
    /// Treezor's `webhook_created_at`, as the (unsigned) envelope gave it.
    pub created_at: Option<Timestamp>,
    /// When the relay received it.
    pub received_at: Timestamp,
    /// Why its payload could not be read, for an unreadable webhook.
    pub error: Option<String>,
    /// For a replay, the webhook that carried the same signed payload first: this one added
    /// nothing to the case.
    pub replay_of: Option<WebhookId>,
}

pub(crate) fn case_detail(conn: &Connection, user: UserId, now: Timestamp) -> Result<CaseDetail> {
    let Some((profile, display_name, parent)) = profile_of(conn, user)? else {
        return Err(Error::UnknownUser(user.get()));
    };
    let case = load_case(conn, user)?;
    let parent = parent
        .and_then(|p| UserId::new(p as u64).ok())
        .map(|p| relative(conn, p, now))
        .transpose()?;
    let children = children_of(conn, user)?
        .into_iter()
        .map(|child| relative(conn, child, now))
        .collect::<Result<Vec<_>>>()?;
    Ok(CaseDetail {
        user_id: user,
        profile,
        display_name,
        parent,
        children,
        view: case.view(now),
        documents: documents_of(conn, user)?,
        timeline: timeline(conn, user)?,
        due_at: due_of(conn, user)?,
    })
}

fn due_of(conn: &Connection, user: UserId) -> Result<Option<Timestamp>> {
    let due: i64 = conn
        .prepare_cached("SELECT due_at FROM users WHERE user_id = ?1")
        .and_then(|mut s| s.query_row([user.get() as i64], |r| r.get(0)))
        .doing("reading a user's due time")?;
    Ok((due != NO_DEADLINE).then(|| Timestamp::from_unix_micros(due)))
}

type ProfileRow = (Option<User>, String, Option<i64>);

fn profile_of(conn: &Connection, user: UserId) -> Result<Option<ProfileRow>> {
    let row: Option<(String, Option<i64>)> = conn
        .prepare_cached("SELECT display_name, parent_user_id FROM users WHERE user_id = ?1")
        .and_then(|mut s| {
            s.query_row([user.get() as i64], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .doing("reading a user")?;
    row.map(|(name, parent)| Ok((load_profile(conn, user.get() as i64)?, name, parent)))
        .transpose()
}

fn relative(conn: &Connection, user: UserId, now: Timestamp) -> Result<Relative> {
    let known = profile_of(conn, user)?;
    let state = match known {
        Some(_) => Some(load_case(conn, user)?.view(now).state),
        None => None,
    };
    let (profile, display_name) = match known {
        Some((profile, name, _)) => (profile, name),
        None => (None, format!("User {user}")),
    };
    Ok(Relative {
        user_id: user,
        display_name,
        profile,
        state,
        documents: documents_of(conn, user)?,
    })
}

fn children_of(conn: &Connection, user: UserId) -> Result<Vec<UserId>> {
    let ids: Vec<i64> = conn
        .prepare_cached("SELECT user_id FROM users WHERE parent_user_id = ?1 ORDER BY user_id")
        .and_then(|mut s| s.query_map([user.get() as i64], |r| r.get(0))?.collect())
        .doing("reading a user's children")?;
    Ok(ids
        .into_iter()
        .filter_map(|id| UserId::new(id as u64).ok())
        .collect())
}

const TIMELINE_COLUMNS: &str = "w.seq, w.webhook_id, w.event, w.object, w.object_id, w.created_at,
    w.received_at, w.error, coalesce(w.at, w.created_at, w.received_at), o.webhook_id";

fn timeline(conn: &Connection, user: UserId) -> Result<Vec<TimelineEntry>> {
    conn.prepare_cached(&format!(
        "SELECT {TIMELINE_COLUMNS} FROM webhook_users AS wu JOIN webhooks AS w ON w.id = wu.webhook
         LEFT JOIN webhooks AS o ON o.id = w.replay_of
         WHERE wu.user_id = ?1
         ORDER BY coalesce(w.at, w.created_at, w.received_at), w.received_at, w.webhook_id"
    ))
    .and_then(|mut s| s.query_map([user.get() as i64], read_entry)?.collect())
    .doing("reading a case's timeline")
}

/// Webhooks whose payload could not be read, newest first.
pub(crate) fn unreadable(conn: &Connection, limit: u32) -> Result<Vec<TimelineEntry>> {
    conn.prepare_cached(&format!(
        "SELECT {TIMELINE_COLUMNS} FROM webhooks AS w LEFT JOIN webhooks AS o ON o.id = w.replay_of
         WHERE w.error IS NOT NULL
         ORDER BY w.id DESC LIMIT ?1"
    ))
    .and_then(|mut s| s.query_map([limit], read_entry)?.collect())
    .doing("reading unreadable webhooks")
}

/// A stored webhook's payload, exactly as Treezor sent it.
pub(crate) fn payload(conn: &Connection, webhook: &WebhookId) -> Result<Option<String>> {
    conn.prepare_cached("SELECT payload FROM webhooks WHERE webhook_id = ?1")
        .and_then(|mut s| s.query_row([webhook.as_str()], |r| r.get(0)).optional())
        .doing("reading a webhook")
}

/// The user a verification belongs to.
pub(crate) fn user_of_identification(
    conn: &Connection,
    identification: &IdentificationId,
) -> Result<Option<UserId>> {
    let id: Option<i64> = conn
        .prepare_cached("SELECT user_id FROM identifications WHERE identification = ?1 LIMIT 1")
        .and_then(|mut s| {
            s.query_row([identification.as_str()], |r| r.get(0))
                .optional()
        })
        .doing("finding a verification")?;
    Ok(id.and_then(|id| UserId::new(id as u64).ok()))
}

fn read_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<TimelineEntry> {
    let webhook_id = |column: usize, raw: String| {
        WebhookId::parse(&raw).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, e.into())
        })
    };
    Ok(TimelineEntry {
        seq: r.get::<_, i64>(0)? as u64,
        webhook_id: webhook_id(1, r.get(1)?)?,
        event: r.get(2)?,
        object: r.get(3)?,
        object_id: r.get(4)?,
        created_at: r.get::<_, Option<i64>>(5)?.map(Timestamp::from_unix_micros),
        received_at: Timestamp::from_unix_micros(r.get(6)?),
        error: r.get(7)?,
        at: Timestamp::from_unix_micros(r.get(8)?),
        replay_of: r
            .get::<_, Option<String>>(9)?
            .map(|raw| webhook_id(9, raw))
            .transpose()?,
    })
}

pub(crate) fn users_without_profile(conn: &Connection, users: &[UserId]) -> Result<Vec<UserId>> {
    let mut statement = conn
        // `profile_at` is set by the first observation of the user's object.
        .prepare_cached("SELECT profile_at IS NULL FROM users WHERE user_id = ?1")
        .doing("preparing the profile check")?;
    let mut missing = Vec::new();
    for user in users {
        let without: Option<bool> = statement
            .query_row([user.get() as i64], |r| r.get(0))
            .optional()
            .doing("checking a user's profile")?;
        if without.unwrap_or(true) {
            missing.push(*user);
        }
    }
    Ok(missing)
}
