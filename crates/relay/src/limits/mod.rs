//! What bounds the relay's resources under abuse: a flood of idle sockets, slow bodies or long
//! polls must neither take its memory or file descriptors nor keep genuine webhooks out.
//!
//! - [`connections`]: open connections are capped; past the cap a new connection gets a 503
//!   with `Retry-After` and is closed.
//! - [`body_memory`]: webhook bodies in memory share one byte budget, taken as bytes arrive, so a
//!   slow sender holds only what it sent; past it, 503.
//! - [`feed_readers`]: long polls waiting at once are capped per feed token (429) and in all
//!   (503), and reads of the store run a few at a time however many readers wake together.
//! - [`open_files`]: the open-file limit is raised to its hard limit at start, and the connection
//!   cap lowered to what it allows.
//!
//! Every cap answers at once and says what was refused and when to come back: nothing hangs.
//! Refusals are logged when a cap starts refusing and when it admits again ([`Saturation`]),
//! never once per refusal, so that a flood does not become a flood of log lines as well.

pub mod body_memory;
pub mod connections;
pub mod feed_readers;
pub mod open_files;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Whether a cap is refusing, to log the change rather than each refusal.
pub(crate) struct Saturation {
    /// What is capped, for the log: `connections`, `body memory`, …
    what: &'static str,
    refusing: AtomicBool,
    refused: AtomicU64,
}

impl Saturation {
    pub(crate) const fn new(what: &'static str) -> Saturation {
        Saturation {
            what,
            refusing: AtomicBool::new(false),
            refused: AtomicU64::new(0),
        }
    }

    /// One more refusal; logs a warning if the cap was admitting until now.
    pub(crate) fn refused(&self, cap: usize) {
        self.refused.fetch_add(1, Ordering::Relaxed);
        if !self.refusing.swap(true, Ordering::Relaxed) {
            tracing::warn!(
                limit = self.what,
                cap,
                "a limit is reached: new requests are refused with Retry-After until it frees up"
            );
        }
    }

    /// One more admission; logs how many were refused if the cap was refusing until now.
    pub(crate) fn admitted(&self) {
        if self.refusing.load(Ordering::Relaxed) && self.refusing.swap(false, Ordering::Relaxed) {
            tracing::info!(
                limit = self.what,
                refused = self.refused.swap(0, Ordering::Relaxed),
                "a limit admits again"
            );
        }
    }
}
