//! The desk's clock, in the domain's instants: the system's, or in the demo the embedded
//! sandbox's.
//!
//! The demo is one world with one clock. Its sandbox's clock can be moved forward (tests and the
//! demo make a link expire or a case go late without waiting), and the desk judges by the same
//! time: "due in / late by", the late count, a link's expiry, the times it stamps on what it
//! records. The desk follows the sandbox's offset from the system time, hears when it moves, and
//! gives it to the window ([`crate::sync::SyncHealth::clock_offset_ms`]), whose one clock adds it.
//!
//! What the hub decides stays on the hub's clock, the system's: who holds a claim and until when,
//! and the hub's trail (see [`system_now`]).

use std::time::{SystemTime, UNIX_EPOCH};

use kyc::Timestamp;
use tokio::sync::watch;

/// Which time the desk keeps.
#[derive(Clone, Debug)]
pub(crate) enum Clock {
    /// This computer's.
    System,
    /// This computer's plus an offset in microseconds that someone else moves (the demo's sandbox).
    Follows(watch::Receiver<i64>),
}

impl Clock {
    /// Now, to the microsecond.
    pub fn now(&self) -> Timestamp {
        Timestamp::from_unix_micros(
            system_now()
                .unix_micros()
                .saturating_add(self.offset_micros()),
        )
    }

    /// How far ahead of this computer's clock, in microseconds.
    pub fn offset_micros(&self) -> i64 {
        match self {
            Clock::System => 0,
            Clock::Follows(offset) => *offset.borrow(),
        }
    }

    /// Waits until the offset moves; never returns for the system's clock or once the one it
    /// follows is gone (the demo stopping).
    pub async fn moved(&mut self) {
        if let Clock::Follows(offset) = self
            && offset.changed().await.is_ok()
        {
            return;
        }
        std::future::pending().await
    }
}

/// This computer's time, to the microsecond: for what the hub decides on its own clock.
pub(crate) fn system_now() -> Timestamp {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_unix_micros(since_epoch.as_micros() as i64)
}
