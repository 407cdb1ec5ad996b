//! The team's audit trail at the hub (see [`kyc::trail`] for the chain and its verification).
//!
//! - [`key`]: the key, in an owner-only file, never in the database.
//! - [`TrailRecord`]: what an entry will hold before it is numbered and sealed; made from a team
//!   record the hub is storing ([`TrailRecord::of_team`]) or from a desk's entry
//!   ([`TrailRecord::of_desk`]), always with the author the credential named.
//! - [`sqlite`] and [`postgres`]: sealing and reading on each store. Entries are numbered and
//!   chained where the log's appends are serialised (the SQLite writer thread, the PostgreSQL
//!   append lock), in the transaction that stores what they record.
//! - [`http`]: `POST /v1/trail`, `GET /v1/trail/verify`, `GET /v1/trail/export`; [`export`]
//!   writes CSV.

pub mod export;
pub mod http;
pub mod key;
pub mod postgres;
pub mod sqlite;

use kyc::Timestamp;
use kyc::officer::OfficerName;
use kyc::trail::{TrailEntry, TrailWrite};
use sha2::{Digest, Sha256};

pub use key::TrailKey;

use crate::store::Record;

/// The outcome a team record's entry carries: the hub stored it.
pub const RECORDED: &str = "recorded";

/// An entry to be numbered, chained and stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrailRecord {
    /// Unique in the trail: what makes a retry land once.
    pub entry_id: String,
    pub officer: OfficerName,
    pub action: String,
    pub outcome: String,
    pub user_id: Option<String>,
    pub document_id: Option<String>,
    pub detail: String,
    pub occurred_at: Option<Timestamp>,
    pub feed_seq: Option<u64>,
}

impl TrailRecord {
    /// The entry of a team record stored as feed event `feed_seq`; `None` for a webhook (no
    /// author). Its detail is the record itself: the trail keeps what the team wrote, for as
    /// long as the trail is kept, whatever retention does to the feed.
    pub fn of_team(record: &Record, feed_seq: u64) -> Option<TrailRecord> {
        let officer = OfficerName::parse(record.officer.as_deref()?).ok()?;
        Some(TrailRecord {
            entry_id: record.webhook_id.clone(),
            officer,
            action: record.event.clone(),
            outcome: RECORDED.to_owned(),
            user_id: record.object_id.clone(),
            document_id: None,
            detail: record.payload.clone(),
            occurred_at: None,
            feed_seq: Some(feed_seq),
        })
    }

    /// The entry a desk sent for `author` (checked with [`TrailWrite::check`] first). The id
    /// joins the author to the desk's id, as a team record's does, so that no officer's id can
    /// collide with another's entry.
    pub fn of_desk(author: &OfficerName, write: TrailWrite) -> TrailRecord {
        let digest = Sha256::digest(format!("{author}\0{}", write.id).as_bytes());
        TrailRecord {
            entry_id: format!("desk:{}", hex::encode(&digest[..16])),
            officer: author.clone(),
            action: write.action,
            outcome: write.outcome,
            user_id: write.user_id,
            document_id: write.document_id,
            detail: write.detail,
            occurred_at: Some(write.occurred_at),
            feed_seq: None,
        }
    }

    /// The entry numbered `seq` at `at`, sealed after the entry whose MAC is `head.mac`; moves
    /// `head` on.
    pub fn seal(&self, key: &TrailKey, head: &mut Head, at: Timestamp) -> TrailEntry {
        let mut entry = TrailEntry {
            seq: head.seq + 1,
            at,
            officer: self.officer.clone(),
            action: self.action.clone(),
            outcome: self.outcome.clone(),
            user_id: self.user_id.clone(),
            document_id: self.document_id.clone(),
            detail: self.detail.clone(),
            occurred_at: self.occurred_at,
            feed_seq: self.feed_seq,
            prev_mac: String::new(),
            mac: String::new(),
        };
        head.mac = kyc::trail::seal(key.as_bytes(), &head.mac, &mut entry);
        head.seq = entry.seq;
        entry
    }
}

/// The trail's last entry: its number and MAC (0 and the genesis for an empty trail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub mac: [u8; 32],
}

impl Head {
    pub fn from_stored(seq: Option<i64>, mac: Option<String>) -> Head {
        let mut bytes = kyc::trail::GENESIS;
        if let Some(mac) = mac {
            // A MAC that is not hex stays the genesis: the next entry then fails verification
            // at that place, which is where the damage is.
            let _ = hex::decode_to_slice(mac, &mut bytes);
        }
        Head {
            seq: seq.unwrap_or(0) as u64,
            mac: bytes,
        }
    }
}

/// Which entries an export covers; every field narrows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrailFilter {
    /// The case: entries naming this user.
    pub user_id: Option<String>,
    pub officer: Option<String>,
    /// Entries the hub stored at or after this instant, in microseconds.
    pub from: Option<i64>,
    /// Entries the hub stored before this instant, in microseconds.
    pub to: Option<i64>,
}

/// Reads a stored entry's columns back into an entry.
#[allow(clippy::too_many_arguments)]
pub(crate) fn entry_of(
    seq: i64,
    at: i64,
    officer: String,
    action: String,
    outcome: String,
    user_id: Option<String>,
    document_id: Option<String>,
    detail: String,
    occurred_at: Option<i64>,
    feed_seq: Option<i64>,
    prev_mac: String,
    mac: String,
) -> crate::Result<TrailEntry> {
    let officer = OfficerName::parse(&officer).map_err(|detail| crate::RelayError::Corrupt {
        seq: seq as u64,
        detail: format!("trail entry's officer: {detail}"),
    })?;
    Ok(TrailEntry {
        seq: seq as u64,
        at: Timestamp::from_unix_micros(at),
        officer,
        action,
        outcome,
        user_id,
        document_id,
        detail,
        occurred_at: occurred_at.map(Timestamp::from_unix_micros),
        feed_seq: feed_seq.map(|seq| seq as u64),
        prev_mac,
        mac,
    })
}
