//! Keeping the cache in step with the relay's feed.
//!
//! The loop long-polls `GET /v1/events` from the cursor saved in the cache, applies each page in
//! one transaction that also moves the cursor (so a restart loses and repeats nothing), notifies
//! the window of the users that changed, and reconnects with capped exponential backoff when the
//! relay cannot be reached. A webhook about a user the cache has no profile for makes the loop
//! fetch that user from Treezor, so the queue can show a name.

mod backoff;
mod feed;
mod health;
mod notice;
mod run;

pub use feed::{Feed, FeedError};
pub use health::{Connection, SyncHealth};
pub use notice::Notice;
pub(crate) use run::Parts;
pub use run::{SyncLoop, SyncOptions};
