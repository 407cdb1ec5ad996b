//! Instants, as microseconds since the Unix epoch (UTC), and the three ways Treezor writes them.
//!
//! - `webhook_created_at`: a Unix epoch documented in units of 10^-4 s, sent as an integer
//!   (`16900000001234`) or as a string of seconds with a fraction (`"1690000000.1234"`). An integer
//!   of 12 digits or more is read as 10^-4 s (that covers every date after 2001-09-09 in those
//!   units); a shorter one as seconds.
//! - Object dates (`createdDate`, `modifiedDate`): `YYYY-MM-DD HH:mm:ss` in Europe/Paris time. The
//!   offset follows the EU summer-time rule (UTC+2 from the last Sunday of March 01:00 UTC to the
//!   last Sunday of October 01:00 UTC, UTC+1 otherwise), which has held since 1996.
//! - RFC 3339, which our own parts write.

use std::fmt;

use crate::error::{ParseError, Result};

const MICROS_PER_SECOND: i64 = 1_000_000;

/// An instant, UTC, to the microsecond.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_unix_micros(micros: i64) -> Self {
        Timestamp(micros)
    }

    pub const fn from_unix_seconds(seconds: i64) -> Self {
        Timestamp(seconds * MICROS_PER_SECOND)
    }

    pub const fn unix_micros(self) -> i64 {
        self.0
    }

    pub const fn unix_millis(self) -> i64 {
        self.0.div_euclid(1000)
    }

    pub const fn plus_seconds(self, seconds: i64) -> Self {
        Timestamp(self.0 + seconds * MICROS_PER_SECOND)
    }

    /// Seconds from `self` to `later` (negative when `later` is earlier).
    pub fn seconds_until(self, later: Timestamp) -> i64 {
        (later.0 - self.0).div_euclid(MICROS_PER_SECOND)
    }

    /// Reads `webhook_created_at` in any of its shapes (see the module doc).
    pub fn parse_webhook_created_at(raw: &str) -> Result<Self> {
        const FIELD: &str = "webhook_created_at";
        const EXPECTED: &str = "a Unix time in seconds or in 10^-4 seconds";
        let trimmed = raw.trim();
        let invalid = || ParseError::new(FIELD, raw, EXPECTED);
        if let Some((whole, fraction)) = trimmed.split_once('.') {
            let seconds: i64 = parse_digits(whole).ok_or_else(invalid)?;
            if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            let mut micros = 0i64;
            for (i, digit) in fraction.bytes().take(6).enumerate() {
                micros += i64::from(digit - b'0') * 10i64.pow(5 - i as u32);
            }
            return seconds
                .checked_mul(MICROS_PER_SECOND)
                .and_then(|s| s.checked_add(micros))
                .map(Timestamp)
                .ok_or_else(invalid);
        }
        let value = parse_digits(trimmed).ok_or_else(invalid)?;
        let micros = if trimmed.len() >= 12 {
            value.checked_mul(100)
        } else {
            value.checked_mul(MICROS_PER_SECOND)
        };
        micros.map(Timestamp).ok_or_else(invalid)
    }

    /// Reads a Treezor object date (`2024-03-31 02:30:00`, Paris time) or an RFC 3339 instant.
    pub fn parse_treezor_date(raw: &str) -> Result<Self> {
        let trimmed = raw.trim();
        if trimmed.len() == 19 && trimmed.as_bytes()[10] == b' ' {
            let local = parse_civil(trimmed)
                .ok_or_else(|| ParseError::new("date", raw, "YYYY-MM-DD HH:mm:ss or RFC 3339"))?;
            return Ok(paris_to_utc(local));
        }
        Self::parse_rfc3339(trimmed)
    }

    /// Reads `2024-05-01T10:00:00Z`, `2024-05-01T12:00:00.250+02:00` and the like.
    pub fn parse_rfc3339(raw: &str) -> Result<Self> {
        let invalid =
            || ParseError::new("date", raw, "an RFC 3339 date such as 2024-05-01T10:00:00Z");
        let s = raw.trim();
        // Byte offsets below: the first 19 bytes must be whole characters (a date is ASCII).
        if s.len() < 20
            || !s.is_char_boundary(19)
            || !matches!(s.as_bytes()[10], b'T' | b't' | b' ')
        {
            return Err(invalid());
        }
        let base = parse_civil(&s[..19]).ok_or_else(invalid)?;
        let mut rest = &s[19..];
        let mut micros = 0i64;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(invalid());
            }
            for (i, digit) in fraction.bytes().take(digits.min(6)).enumerate() {
                micros += i64::from(digit - b'0') * 10i64.pow(5 - i as u32);
            }
            rest = &fraction[digits..];
        }
        let offset_seconds = match rest {
            "Z" | "z" => 0,
            _ if rest.len() == 6
                && matches!(rest.as_bytes()[0], b'+' | b'-')
                && rest.as_bytes()[3] == b':' =>
            {
                let hours: i64 = parse_digits(&rest[1..3]).ok_or_else(invalid)?;
                let minutes: i64 = parse_digits(&rest[4..6]).ok_or_else(invalid)?;
                let sign = if rest.starts_with('-') { -1 } else { 1 };
                sign * (hours * 3600 + minutes * 60)
            }
            _ => return Err(invalid()),
        };
        Ok(Timestamp(
            (base - offset_seconds) * MICROS_PER_SECOND + micros,
        ))
    }

    /// RFC 3339 in UTC, to the millisecond: `2024-05-01T10:00:00.000Z`.
    pub fn to_rfc3339(self) -> String {
        let seconds = self.0.div_euclid(MICROS_PER_SECOND);
        let millis = self.0.rem_euclid(MICROS_PER_SECOND) / 1000;
        let (date, time) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(date);
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            time / 3600,
            time % 3600 / 60,
            time % 60
        )
    }

    /// A Treezor object date (`YYYY-MM-DD HH:mm:ss`, Paris time), as the sandbox writes them.
    pub fn to_treezor_date(self) -> String {
        let seconds = self.0.div_euclid(MICROS_PER_SECOND);
        let local = seconds + paris_offset_at_utc(seconds);
        let (date, time) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(date);
        format!(
            "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
            time / 3600,
            time % 3600 / 60,
            time % 60
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        crate::lenient::parse_with(d, Timestamp::parse_treezor_date)
    }
}

fn parse_digits(s: &str) -> Option<i64> {
    if s.is_empty() || s.len() > 18 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DD?HH:MM:SS` → seconds since the epoch, as if UTC.
fn parse_civil(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if !s.is_ascii()
        || b.len() != 19
        || b[4] != b'-'
        || b[7] != b'-'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = parse_digits(&s[0..4])?;
    let month = parse_digits(&s[5..7])?;
    let day = parse_digits(&s[8..10])?;
    let hour = parse_digits(&s[11..13])?;
    let minute = parse_digits(&s[14..16])?;
    let second = parse_digits(&s[17..19])?;
    let valid = (1..=12).contains(&month)
        && day >= 1
        && day <= days_in_month(year, month)
        && hour < 24
        && minute < 60
        && second < 61;
    valid.then(|| days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Seconds since the epoch of 01:00 UTC on the last Sunday of `month` in `year`.
fn last_sunday_one_utc(year: i64, month: i64) -> i64 {
    let last = days_from_civil(year, month, days_in_month(year, month));
    // 1970-01-01 was a Thursday: weekday 0 = Sunday.
    let weekday = (last + 4).rem_euclid(7);
    (last - weekday) * 86_400 + 3600
}

/// Paris's offset from UTC, in seconds, at a UTC instant.
fn paris_offset_at_utc(utc_seconds: i64) -> i64 {
    let (year, _, _) = civil_from_days(utc_seconds.div_euclid(86_400));
    let summer = last_sunday_one_utc(year, 3)..last_sunday_one_utc(year, 10);
    if summer.contains(&utc_seconds) {
        7200
    } else {
        3600
    }
}

/// A Paris wall-clock time (seconds, as if UTC) to a UTC instant. In the autumn's repeated hour the
/// first occurrence (summer time) is taken; in the spring's missing hour, the instant an hour later.
fn paris_to_utc(local_seconds: i64) -> Timestamp {
    let summer_guess = local_seconds - 7200;
    let utc = if paris_offset_at_utc(summer_guess) == 7200 {
        summer_guess
    } else {
        local_seconds - 3600
    };
    Timestamp::from_unix_seconds(utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhook_created_at_in_every_shape() {
        let expected = Timestamp::from_unix_micros(1_690_000_000_123_400);
        assert_eq!(
            Timestamp::parse_webhook_created_at("16900000001234").unwrap(),
            expected
        );
        assert_eq!(
            Timestamp::parse_webhook_created_at("1690000000.1234").unwrap(),
            expected
        );
        assert_eq!(
            Timestamp::parse_webhook_created_at("1690000000").unwrap(),
            Timestamp::from_unix_seconds(1_690_000_000)
        );
        for bad in [
            "",
            "abc",
            "1690000000.",
            "-5",
            "1.2.3",
            "99999999999999999999",
        ] {
            assert!(Timestamp::parse_webhook_created_at(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn paris_dates_follow_summer_time() {
        // Winter: UTC+1.
        let winter = Timestamp::parse_treezor_date("2024-01-15 10:00:00").unwrap();
        assert_eq!(winter.to_rfc3339(), "2024-01-15T09:00:00.000Z");
        // Summer: UTC+2.
        let summer = Timestamp::parse_treezor_date("2024-07-01 10:00:00").unwrap();
        assert_eq!(summer.to_rfc3339(), "2024-07-01T08:00:00.000Z");
        // 2024-03-31 is the last Sunday of March: 03:30 local is summer time.
        let after_switch = Timestamp::parse_treezor_date("2024-03-31 03:30:00").unwrap();
        assert_eq!(after_switch.to_rfc3339(), "2024-03-31T01:30:00.000Z");
        let before_switch = Timestamp::parse_treezor_date("2024-03-31 01:30:00").unwrap();
        assert_eq!(before_switch.to_rfc3339(), "2024-03-31T00:30:00.000Z");
        // 2024-10-27 02:30 happens twice: the first (summer) is taken.
        let repeated = Timestamp::parse_treezor_date("2024-10-27 02:30:00").unwrap();
        assert_eq!(repeated.to_rfc3339(), "2024-10-27T00:30:00.000Z");
    }

    #[test]
    fn treezor_dates_round_trip_outside_the_repeated_hour() {
        for raw in [
            "2023-02-28 23:59:59",
            "2024-02-29 00:00:00",
            "2025-08-15 12:34:56",
        ] {
            let instant = Timestamp::parse_treezor_date(raw).unwrap();
            assert_eq!(instant.to_treezor_date(), raw);
        }
        for bad in [
            "2023-02-29 10:00:00",
            "2023-13-01 10:00:00",
            "2023-01-01 24:00:00",
            "yesterday",
        ] {
            assert!(Timestamp::parse_treezor_date(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rfc3339_with_offsets_and_fractions() {
        let a = Timestamp::parse_rfc3339("2024-05-01T12:00:00.250+02:00").unwrap();
        let b = Timestamp::parse_rfc3339("2024-05-01T10:00:00.25Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_rfc3339(), "2024-05-01T10:00:00.250Z");
        assert_eq!(
            Timestamp::from_unix_seconds(0).to_rfc3339(),
            "1970-01-01T00:00:00.000Z"
        );
        assert!(Timestamp::parse_rfc3339("2024-05-01T10:00:00").is_err());
    }

    /// Found by fuzzing: a character across byte 19 panicked (a slice inside a character).
    #[test]
    fn non_ascii_dates_are_refused_not_sliced() {
        for raw in [
            "0é-é😀 é😀 😀€€ é ",
            "2024-05-01T10:00:0😀Z",
            "2024-05-01T10:00:é0Z",
            "2024-05-01é10:00:00Z",
            "2024-05-0é 10:00:00",
        ] {
            assert!(Timestamp::parse_rfc3339(raw).is_err(), "{raw:?}");
            assert!(Timestamp::parse_treezor_date(raw).is_err(), "{raw:?}");
        }
    }

    #[test]
    fn arithmetic() {
        let t = Timestamp::from_unix_seconds(100);
        assert_eq!(t.plus_seconds(900).unix_micros(), 1_000_000_000);
        assert_eq!(t.seconds_until(t.plus_seconds(900)), 900);
        assert_eq!(t.plus_seconds(900).seconds_until(t), -900);
    }
}
