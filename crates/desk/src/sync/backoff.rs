//! Capped exponential backoff with jitter, for reconnecting to the relay.

use std::time::Duration;

/// The waits between failed attempts: `first`, doubled each time up to `max`, each with up to a
/// quarter of random jitter so many dashboards do not reconnect in step.
#[derive(Clone, Debug)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub fn new(first: Duration, max: Duration) -> Backoff {
        Backoff {
            first,
            max,
            next: first,
        }
    }

    /// The wait before the next attempt.
    pub fn next_wait(&mut self) -> Duration {
        let base = self.next;
        self.next = (self.next * 2).min(self.max);
        let jitter_range = base.as_millis() as u64 / 4;
        let jitter = if jitter_range == 0 {
            0
        } else {
            rand::random_range(0..=jitter_range)
        };
        base + Duration::from_millis(jitter)
    }

    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_and_reset() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(800));
        let waits: Vec<u128> = (0..6).map(|_| backoff.next_wait().as_millis()).collect();
        for (wait, base) in waits.iter().zip([100u128, 200, 400, 800, 800, 800]) {
            assert!((base..=base + base / 4).contains(wait), "{wait} for {base}");
        }
        backoff.reset();
        assert!(backoff.next_wait() <= Duration::from_millis(125));
    }
}
