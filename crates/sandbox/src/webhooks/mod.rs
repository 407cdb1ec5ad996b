//! Webhooks as Treezor sends them: the flat envelope, the payload in PHP's `json_encode` form,
//! signed with the webhook secret, posted to the configured target and retried with backoff
//! until it answers a 2xx; with switches for duplicates, reordering and delays.

mod envelope;
mod outbox;

pub use envelope::envelope;
pub use outbox::{DeliveryRecord, DeliveryStatus, Outbox, WebhookFaults};
