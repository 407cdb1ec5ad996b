//! The relay's feed, as our own parts exchange it: `GET /v1/events` answers a [`FeedPage`].
//!
//! The relay verifies each webhook before it stores it, so everything in the feed is authentic;
//! the dashboard reads it with the feed token and never needs the webhook secret. Sequence numbers
//! start at 1, increase by one per stored webhook and are never reused; a reader keeps the highest
//! it has applied as its cursor and asks for `after=cursor`.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::ids::WebhookId;
use crate::officer::OfficerName;
use crate::team::TeamEvent;
use crate::time::Timestamp;
use crate::webhook::{Meaning, PayloadError, meaning_of};

/// One stored webhook.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FeedEvent {
    pub seq: u64,
    pub webhook_id: WebhookId,
    /// The event name, e.g. `kycliveness.update`.
    pub webhook: String,
    pub object: String,
    pub object_id: Option<String>,
    /// `webhook_created_at` as Treezor sent it, read into an instant.
    pub webhook_created_at: Option<Timestamp>,
    /// When the relay stored it.
    pub received_at: Timestamp,
    /// The payload's JSON text exactly as Treezor sent it; for a team record, its
    /// [`TeamEvent`].
    pub object_payload: Box<RawValue>,
    /// The officer who wrote this team record, named by the hub from their credential; `None`
    /// for Treezor's webhooks (and in feeds from relays older than team records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<OfficerName>,
}

impl FeedEvent {
    /// The author and team record this event carries, when the hub named an author for it; the
    /// record is `Err` with why when it cannot be read (a hub newer than this desk knows more
    /// kinds).
    pub fn team(&self) -> Option<(&OfficerName, Result<TeamEvent, String>)> {
        let author = self.officer.as_ref()?;
        let record = serde_json::from_str(self.object_payload.get())
            .map_err(|e| format!("team record {} of {author}: {e}", self.webhook));
        Some((author, record))
    }

    /// What this webhook means for the dashboard.
    pub fn meaning(&self) -> Result<Meaning, PayloadError> {
        meaning_of(
            &self.webhook,
            self.webhook_created_at,
            self.object_payload.get(),
            self.received_at,
        )
    }
}

/// One answer of `GET /v1/events`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FeedPage {
    /// Events with `seq > after`, oldest first, at most `limit`.
    pub events: Vec<FeedEvent>,
    /// The highest sequence number the relay has stored (0 when empty): how far behind the reader is.
    pub last_seq: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_round_trips_and_keeps_the_payload_bytes() {
        let json = r#"{"events":[{"seq":7,"webhook_id":"w-7","webhook":"kycliveness.create","object":"kycliveness","object_id":"42","webhook_created_at":"2024-07-01T08:00:00.000Z","received_at":"2024-07-01T08:00:01.000Z","object_payload":{"user_id":"42", "kyc-status":"processing"}}],"last_seq":9}"#;
        let page: FeedPage = serde_json::from_str(json).unwrap();
        assert_eq!(page.last_seq, 9);
        let event = &page.events[0];
        assert_eq!(
            event.object_payload.get(),
            r#"{"user_id":"42", "kyc-status":"processing"}"#
        );
        let meaning = event.meaning().unwrap();
        assert_eq!(meaning.case_events.len(), 1);
        assert_eq!(
            meaning.case_events[0].1.at(),
            event.webhook_created_at.unwrap()
        );
        let again: FeedPage = serde_json::from_str(&serde_json::to_string(&page).unwrap()).unwrap();
        assert_eq!(again.events[0].seq, 7);
    }
}
