//! How the sync with the relay is doing, for the status bar.

use kyc::Timestamp;
use kyc::officer::{Me, Role};
use serde::Serialize;

/// Where the sync loop stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Connection {
    /// Not started yet, or asking the relay for the first time.
    Connecting,
    /// The last request to the relay succeeded.
    Connected,
    /// The last request failed; the loop is waiting before it tries again.
    Disconnected,
    /// The loop was stopped.
    Stopped,
}

/// The sync loop's health.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncHealth {
    pub connection: Connection,
    /// The highest feed sequence number applied to the cache.
    pub cursor: u64,
    /// The highest sequence number the relay holds, as of the last answer.
    pub relay_last_seq: u64,
    /// Events the relay holds that the cache has not applied yet.
    pub lag: u64,
    /// When the last event was applied.
    pub last_event_at: Option<Timestamp>,
    /// When the relay last answered.
    pub last_contact_at: Option<Timestamp>,
    /// What went wrong last, in English, for logs; cleared by the next success.
    pub last_error: Option<String>,
    /// The same for the window to word, with what the officer can do.
    pub problem: Option<crate::words::Words>,
    /// Webhooks whose payload could not be read (kept, shown in the case timeline).
    pub unreadable: u64,
    /// The officer the hub knows the credential as; `None` with the shared feed token (the OS
    /// user is named then), while the hub has not said yet, once it refused the credential, and
    /// once the loop stopped. Kept while the hub is away: it named this officer and has not said
    /// otherwise.
    pub signed_in: Option<SignedIn>,
    /// The hub said the credential names no officer (the team's shared feed token): one
    /// officer, so no four eyes. False until the hub says so.
    #[serde(skip)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub names_no_officer: bool,
    /// Cases past their state's deadline (the team's, from the hub): a count only, like the
    /// notifications.
    pub late: u64,
    /// How far the desk's clock is ahead of this computer's, in milliseconds: zero but in the
    /// demo, whose sandbox's clock can be moved forward (see `crate::clock`). The window's clock
    /// adds it, so that "due in / late by" reads the desk's time.
    pub clock_offset_ms: i64,
}

/// Who the hub says this dashboard's officer is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignedIn {
    pub name: String,
    pub role: Role,
}

impl SignedIn {
    /// The hub's answer, when it names someone.
    pub fn from_me(me: Me) -> Option<SignedIn> {
        Some(SignedIn {
            name: me.name?.to_string(),
            role: me.role,
        })
    }
}

impl SyncHealth {
    pub fn starting(cursor: u64) -> SyncHealth {
        SyncHealth {
            connection: Connection::Connecting,
            cursor,
            relay_last_seq: cursor,
            lag: 0,
            last_event_at: None,
            last_contact_at: None,
            last_error: None,
            problem: None,
            unreadable: 0,
            signed_in: None,
            names_no_officer: false,
            late: 0,
            clock_offset_ms: 0,
        }
    }

    pub(crate) fn contact(&mut self, now: Timestamp, relay_last_seq: u64) {
        self.connection = Connection::Connected;
        self.last_contact_at = Some(now);
        self.relay_last_seq = relay_last_seq.max(self.cursor);
        self.lag = self.relay_last_seq - self.cursor;
        self.last_error = None;
        self.problem = None;
    }

    pub(crate) fn applied(&mut self, now: Timestamp, cursor: u64, unreadable: usize) {
        self.cursor = cursor;
        self.relay_last_seq = self.relay_last_seq.max(cursor);
        self.lag = self.relay_last_seq - cursor;
        self.last_event_at = Some(now);
        self.unreadable += unreadable as u64;
    }

    pub(crate) fn failed(&mut self, message: String, problem: crate::words::Words) {
        self.connection = Connection::Disconnected;
        self.last_error = Some(message);
        self.problem = Some(problem);
    }
}
