//! When the news a webhook carries happened: the time a case's history is ordered by.
//!
//! Treezor signs `object_payload` only. The envelope around it (`webhook`, `webhook_id`,
//! `webhook_created_at`) travels unauthenticated, so anyone who captured a genuine payload could
//! post it again under a fresh id and another time. What must stay true:
//!
//! - **A signed time wins.** When the payload carries a time of its own (`updated-at`,
//!   `modifiedDate`, `createdDate`…), that is the event's time, whatever the envelope says.
//! - **The envelope only refines it.** Treezor's object dates are to the second; when the
//!   envelope's `webhook_created_at` falls inside that second, it is taken for the sub-second
//!   part, so two events of the same second keep their order. An envelope outside the second is
//!   ignored: a replayer can move an event within its signed second, never out of it.
//! - **An unsigned time never runs ahead.** A payload without a time falls back on
//!   `webhook_created_at`, unless that is more than [`ENVELOPE_LEEWAY_SECONDS`] after the relay
//!   received the webhook: a time in the future cannot be Treezor's, and is clamped to the
//!   relay's reception time. Without any `webhook_created_at`, the reception time is the time.

use crate::time::Timestamp;

/// How far after the relay received a webhook its `webhook_created_at` may lie and still be
/// believed: five minutes covers any honest difference between Treezor's clock and the relay's.
pub const ENVELOPE_LEEWAY_SECONDS: i64 = 5 * 60;

/// One second, in microseconds: the precision of Treezor's object dates.
const SECOND_MICROS: i64 = 1_000_000;

/// The times one webhook offers: its envelope's, and the relay's reception.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Times {
    envelope: Timestamp,
}

impl Times {
    /// `created_at` is the envelope's `webhook_created_at`; `received_at` the relay's clock.
    pub fn new(created_at: Option<Timestamp>, received_at: Timestamp) -> Times {
        let latest_believable = received_at.plus_seconds(ENVELOPE_LEEWAY_SECONDS);
        let envelope = match created_at {
            Some(created) if created <= latest_believable => created,
            _ => received_at,
        };
        Times { envelope }
    }

    /// The envelope's time as far as it is believed: for a payload that carries none.
    pub fn envelope(self) -> Timestamp {
        self.envelope
    }

    /// The first of `signed` that the payload carries, refined within its second by the envelope;
    /// the envelope's time when the payload carries none.
    pub fn of(self, signed: &[Option<Timestamp>]) -> Timestamp {
        let Some(signed) = signed.iter().flatten().next().copied() else {
            return self.envelope;
        };
        let whole_second = signed.unix_micros().rem_euclid(SECOND_MICROS) == 0;
        let within = self.envelope >= signed
            && self.envelope.unix_micros() < signed.unix_micros().saturating_add(SECOND_MICROS);
        if whole_second && within {
            self.envelope
        } else {
            signed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECEIVED: Timestamp = Timestamp::from_unix_seconds(1_700_000_000);

    fn micros(seconds: i64, micros: i64) -> Timestamp {
        Timestamp::from_unix_micros(seconds * SECOND_MICROS + micros)
    }

    #[test]
    fn a_signed_time_wins_over_any_envelope() {
        let signed = Timestamp::from_unix_seconds(1_600_000_000);
        for created in [
            None,
            Some(RECEIVED),
            Some(Timestamp::from_unix_seconds(1_500_000_000)),
            Some(RECEIVED.plus_seconds(86_400 * 365 * 50)),
        ] {
            assert_eq!(Times::new(created, RECEIVED).of(&[Some(signed)]), signed);
        }
        let second = Timestamp::from_unix_seconds(1_650_000_000);
        assert_eq!(
            Times::new(None, RECEIVED).of(&[None, Some(second), Some(signed)]),
            second,
            "the first time the payload carries, in the order asked"
        );
    }

    #[test]
    fn the_envelope_refines_a_signed_second_and_nothing_more() {
        let signed = Timestamp::from_unix_seconds(1_600_000_000);
        let inside = micros(1_600_000_000, 734_100);
        assert_eq!(
            Times::new(Some(inside), RECEIVED).of(&[Some(signed)]),
            inside
        );
        for outside in [
            micros(1_600_000_001, 0),
            micros(1_599_999_999, 999_999),
            RECEIVED,
        ] {
            assert_eq!(
                Times::new(Some(outside), RECEIVED).of(&[Some(signed)]),
                signed,
                "{outside}"
            );
        }
        let precise = micros(1_600_000_000, 250_000);
        assert_eq!(
            Times::new(Some(micros(1_600_000_000, 900_000)), RECEIVED).of(&[Some(precise)]),
            precise,
            "a signed time finer than the second is kept whole"
        );
    }

    #[test]
    fn an_envelope_time_in_the_future_is_clamped_to_the_reception() {
        let soon = RECEIVED.plus_seconds(ENVELOPE_LEEWAY_SECONDS);
        assert_eq!(Times::new(Some(soon), RECEIVED).of(&[None]), soon);
        let later = RECEIVED.plus_seconds(ENVELOPE_LEEWAY_SECONDS + 1);
        assert_eq!(Times::new(Some(later), RECEIVED).of(&[None]), RECEIVED);
        let far = Timestamp::from_unix_micros(i64::MAX / 2);
        assert_eq!(Times::new(Some(far), RECEIVED).envelope(), RECEIVED);
        let past = Timestamp::from_unix_seconds(1_000_000_000);
        assert_eq!(Times::new(Some(past), RECEIVED).envelope(), past);
        assert_eq!(Times::new(None, RECEIVED).envelope(), RECEIVED);
    }
}
