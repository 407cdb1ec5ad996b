//! Everything the dashboard does, with no window.
//!
//! # Layout
//! - [`desk`]: the [`Desk`] itself: its parts, and the changes it announces.
//! - [`start`]: starting in demo mode (no settings) or live (settings and keychain), and stopping.
//! - [`demo`]: the embedded Treezor sandbox and relay with seeded demo data.
//! - [`sync`]: the loop that keeps the cache in step with the relay's feed, and its health.
//! - [`team`]: the officer's team records (internal notes), written at the hub.
//! - [`team_rules`]: the four-eyes policy and the deadlines, read, and set by a senior.
//! - [`claims`]: who holds a case: take, release, reassign, next unclaimed, as the hub decides.
//! - `held`: what a colleague's claim on a case keeps for them (its changes).
//! - [`actions`]: the officer's actions, each checked, called on Treezor, then audited.
//! - [`views`]: the queue, the counts, one case in full with its customer text.
//! - [`standing`]: a user's place in its hierarchy (legal entity, parent, children), for the
//!   review rule.
//! - [`awaited`]: Treezor's list of documents read and compared with the webhooks, with backoff
//!   while a case waits for documents, and a lost `document.create` filled from it.
//! - [`copy`]: what the window may put on the clipboard, built here (the customer text, a
//!   verification link, the demo's sandbox page), never text from the window.
//! - [`viewer`]: a document fetched into memory for the window (never to disk), checked for what
//!   it is, audited as a view; and the declared identity beside the one read.
//! - [`audit`]: verifying and exporting the audit log.
//! - `trail`: the audit trail's key and anchor, in the OS keychain; appends and their anchor.
//! - [`files`]: documents on this machine: their age, purging them, interrupted downloads.
//! - [`retention`]: the personal data of cases closed for long enough leaves this machine, daily.
//! - [`status`]: the status bar.
//! - [`configure`]: changing the settings from the window and checking connections.
//! - [`settings`]: where Treezor and the relay are, where documents go; JSON, no secrets.
//! - [`secrets`]: the client secret and the relay credential (the feed token, or an officer's
//!   own for a team's hub), in the OS keychain only, each bound to the server it was entered for.
//! - `owner_only`: files and folders holding personal data, created readable by their owner only.
//! - [`officer`]: who every audit entry names: the hub's officer, or else the OS user.
//! - `store`, `actor`, `clock`: the cache's two threads, and the desk's clock (the system's, or
//!   the demo's sandbox's).
//! - [`error`]: the one error, with a stable code for the window.
//! - [`faults`]: the settings file's, the audit trail's, the demo's and the dashboard's own faults,
//!   typed for the window to word.
//! - [`words`]: what an error says, as a code and parameters the window words in its language.
//!
//! # House rules
//! - No Tauri here: the window calls these functions and forwards their notifications.
//! - Every officer action is checked against the case's state machine first, then called on
//!   Treezor, then written to the audit log, whatever its outcome.
//! - Nothing AML-sensitive goes to logs or notifications; secrets go nowhere but the keychain,
//!   and to the server each was entered for.
//! - What holds personal data on disk is owner-only (0600 files, 0700 folders).

pub mod actions;
mod actor;
pub mod audit;
pub mod awaited;
pub mod claims;
mod clock;
pub mod configure;
pub mod copy;
pub mod demo;
pub mod desk;
pub mod error;
pub mod faults;
pub mod files;
mod first_rows;
pub mod four_eyes;
mod held;
pub mod officer;
mod owner_only;
pub mod retention;
pub mod secrets;
pub mod settings;
pub mod standing;
pub mod start;
pub mod status;
mod store;
pub mod sync;
pub mod team;
pub mod team_rules;
mod trail;
pub mod viewer;
pub mod views;
pub mod words;

pub use actions::Confirmation;
pub use desk::{Change, Desk, Mode};
pub use error::{Error, Result};
pub use start::StartOptions;
