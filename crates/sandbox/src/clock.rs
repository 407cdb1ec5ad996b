//! The sandbox's clock: the system time plus an offset that tests and the demo can move forward,
//! so that 15-minute identification links and 30-second download URLs expire without waiting.
//!
//! Only expiry checks read this clock. Delays the sandbox waits for itself (the provider's
//! decision, Treezor's review, webhook retries) are real durations from the configuration.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kyc::Timestamp;

#[derive(Debug, Default)]
pub struct Clock {
    offset_micros: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0);
        Timestamp::from_unix_micros(real + self.offset_micros.load(Ordering::Relaxed))
    }

    /// Moves the clock forward (never back: expiry must not be undone).
    pub fn advance(&self, by: Duration) {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX / 4);
        self.offset_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

/// `instant + duration`, for expiry times.
pub fn after(instant: Timestamp, duration: Duration) -> Timestamp {
    let micros = i64::try_from(duration.as_micros()).unwrap_or(i64::MAX / 4);
    Timestamp::from_unix_micros(instant.unix_micros().saturating_add(micros))
}

/// `instant - duration`.
pub fn before(instant: Timestamp, duration: Duration) -> Timestamp {
    let micros = i64::try_from(duration.as_micros()).unwrap_or(i64::MAX / 4);
    Timestamp::from_unix_micros(instant.unix_micros().saturating_sub(micros))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward() {
        let clock = Clock::default();
        let before_advance = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(before_advance.seconds_until(clock.now()) >= 3600);
    }
}
