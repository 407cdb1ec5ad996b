//! The officer's team records, written at the hub (see `kyc::team`): internal notes on a case
//! here; claims in [`crate::claims`]; decisions and four eyes in [`crate::four_eyes`]; all sent by
//! [`Desk::write_record`].
//!
//! A record goes to the hub first, with the officer's own credential, and reaches this desk's
//! cache the way it reaches every colleague's: through the feed. The desk never writes a team
//! record into its cache itself, so what it shows is what the hub holds. Without a hub, or when
//! the hub refuses or cannot be reached, nothing is recorded and the error says what to do.
//!
//! The local audit trail records that a note was written (its length and its number at the hub),
//! never its text: the text stays in the team's log, and a local export cannot carry it away.

use cache::{Note, Outcome};
use kyc::UserId;
use kyc::team::{NoteText, TeamEvent, TeamWrite, TeamWritten};
use serde::Serialize;

use crate::desk::{Desk, lock};
use crate::error::{Deed, Error, Result};
use crate::sync::{Feed, FeedError};

/// The audit trail's name for writing a note.
const NOTE: &str = "note";

/// A note the hub recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NoteWritten {
    /// Its number in the hub's feed; `None` when the hub had it already (a retry).
    pub seq: Option<u64>,
}

impl Desk {
    /// Writes an internal note on `user`'s case at the hub. Its text is checked first (1 to
    /// 4,000 characters, no control characters but line breaks and tabs).
    pub async fn write_note(&self, user: UserId, text: &str) -> Result<NoteWritten> {
        let text = NoteText::parse(text).map_err(|problem| Error::InvalidNote { user, problem })?;
        let characters = text.as_str().chars().count();
        let event = TeamEvent::Note {
            user_id: user,
            text,
        };
        let written = self
            .write_record(event, Deed::WriteNote, NOTE, |at| {
                format!("a note of {characters} characters, {at}")
            })
            .await?;
        self.renew_claim(user);
        Ok(NoteWritten { seq: written.seq })
    }

    /// Sends `event` to the hub with the officer's credential and audits it under `action`,
    /// whatever the hub answers; `describe` words a stored record's audit detail from its place
    /// at the hub. `what` names the officer's act in errors.
    pub(crate) async fn write_record(
        &self,
        event: TeamEvent,
        what: Deed,
        action: &'static str,
        describe: impl FnOnce(String) -> String,
    ) -> Result<TeamWritten> {
        let user = event.user();
        let hub = self.hub(what)?;
        self.audit_ready().await?;
        let write = TeamWrite {
            id: record_id(),
            event,
        };
        let written = hub
            .write_team(&write)
            .await
            .map_err(|cause| match (cause, user) {
                (FeedError::Claim(refusal), Some(user)) => Error::ClaimRefused {
                    what,
                    user,
                    refusal,
                },
                (cause, user) => Error::Hub { what, user, cause },
            });
        let (outcome, detail) = match &written {
            Ok(answer) => (
                Outcome::Succeeded,
                describe(answer.seq.map_or_else(
                    || "already at the hub".to_owned(),
                    |seq| format!("number {seq} at the hub"),
                )),
            ),
            Err(error) => (Outcome::Failed, error.to_string()),
        };
        self.audit_named(action, user, None, outcome, detail)
            .await?;
        if let Ok(TeamWritten { seq: Some(seq) }) = &written {
            self.until_applied(*seq).await;
        }
        written
    }

    /// Waits, [`APPLIED_WAIT`] at most, for the feed to bring this desk's cache up to `seq`: the
    /// record the officer just wrote is then shown on their own desk when the act returns (their
    /// "Mine", their note, their claim renewed by the next action). Past the wait nothing fails:
    /// the record is at the hub and is shown when the feed brings it.
    async fn until_applied(&self, seq: u64) {
        let mut health = self.health();
        let deadline = tokio::time::Instant::now() + APPLIED_WAIT;
        while health.borrow_and_update().cursor < seq {
            match tokio::time::timeout_at(deadline, health.changed()).await {
                Ok(Ok(())) => {}
                _ => {
                    tracing::info!(
                        seq,
                        "a team record is at the hub, not yet in this desk's feed"
                    );
                    return;
                }
            }
        }
    }

    /// The team's notes on `user`'s case, as the cache last had them from the hub.
    pub async fn notes(&self, user: UserId) -> Result<Vec<Note>> {
        self.store().read(move |reader| reader.notes(user)).await
    }

    /// The hub this desk syncs from, with the desk's credential.
    pub(crate) fn hub(&self, what: Deed) -> Result<Feed> {
        lock(&self.inner.running)
            .hub
            .clone()
            .ok_or(Error::NoHub { what })
    }
}

/// How long an officer's act waits for its record to come back in the desk's own feed.
const APPLIED_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A fresh id for a team record: 128 random bits, so two desks never pick the same one.
pub(crate) fn record_id() -> String {
    let bytes: [u8; 16] = rand::random();
    hex::encode(bytes)
}
