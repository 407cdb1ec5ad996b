//! Everything the dashboard does, with no window.
//!
//! # Layout
//! - [`settings`]: where Treezor and the relay are, where documents go; JSON, no secrets.
//! - [`secrets`]: the client secret and the feed token, in the OS keychain only.
//! - [`officer`]: the OS user, named in every audit entry.
//! - [`error`]: the one error, with a stable code for the window.
//!
//! # House rules
//! - No Tauri here: the window calls these functions and forwards their notifications.
//! - Every officer action is checked against the case's state machine first, then called on
//!   Treezor, then written to the audit log, whatever its outcome.
//! - Nothing AML-sensitive goes to logs or notifications; secrets go nowhere but the keychain.

pub mod error;
pub mod officer;
pub mod secrets;
pub mod settings;

pub use error::{Error, Result};
