//! The sandbox's clock: the system time plus an offset that tests and the demo can move forward,
//! so that 15-minute identification links and 30-second download URLs expire without waiting.
//!
//! Only expiry checks read this clock. Delays the sandbox waits for itself (the provider's
//! decision, Treezor's review, webhook retries) are real durations from the configuration.
//!
//! The offset is watched, not only read: the demo's dashboard follows it ([`Clock::follow`]), so
//! that a case goes late when the sandbox's time passes its deadline, and hears when it moves.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kyc::Timestamp;
use tokio::sync::watch;

#[derive(Debug)]
pub struct Clock {
    /// How far ahead of the system time, in microseconds.
    offset_micros: watch::Sender<i64>,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            offset_micros: watch::Sender::new(0),
        }
    }
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_micros() as i64)
            .unwrap_or(0);
        Timestamp::from_unix_micros(real + *self.offset_micros.borrow())
    }

    /// Moves the clock forward (never back: expiry must not be undone).
    pub fn advance(&self, by: Duration) {
        let micros = i64::try_from(by.as_micros()).unwrap_or(i64::MAX / 4);
        self.offset_micros
            .send_modify(|offset| *offset = offset.saturating_add(micros));
    }

    /// The offset from the system time, in microseconds, as it moves.
    pub fn follow(&self) -> watch::Receiver<i64> {
        self.offset_micros.subscribe()
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

    #[test]
    fn a_follower_hears_the_clock_move() {
        let clock = Clock::default();
        let mut follower = clock.follow();
        assert_eq!(*follower.borrow_and_update(), 0);
        clock.advance(Duration::from_secs(2));
        assert!(follower.has_changed().unwrap());
        assert_eq!(*follower.borrow_and_update(), 2_000_000);
    }
}
