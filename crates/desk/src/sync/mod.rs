//! Keeping the cache in step with the relay's feed.
//!
//! The loop long-polls `GET /v1/events` from the cursor saved in the cache, applies each page in
//! one transaction that also moves the cursor (so a restart loses and repeats nothing), notifies
//! the window of the users that changed, and reconnects with capped exponential backoff when the
//! relay cannot be reached. A webhook about a user the cache has no profile for makes the loop
//! fetch that user from Treezor, so the queue can show a name.
//!
//! Before its first page, and again after any failure, the loop asks the hub who the credential
//! belongs to (`GET /v1/me`): an officer's own credential names them, and the audit trail names
//! that officer instead of the OS user; a revoked one is refused with the hub's message, which the
//! status bar shows. Beside the loop, [`outbox`] sends the officer's audit entries to the hub's
//! team trail, and [`deadlines`] keeps the team's deadlines from the hub and the count of late
//! cases current.

mod backoff;
mod deadlines;
mod feed;
mod health;
mod notice;
mod outbox;
mod refusal;
mod run;

pub use feed::{Feed, FeedError, HubAnswer};
pub use health::{Connection, SignedIn, SyncHealth};
pub use notice::Notice;
pub use refusal::HubRefusal;
pub(crate) use run::Parts;
pub use run::{SyncLoop, SyncOptions};
