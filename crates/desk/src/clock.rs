//! The wall clock, in the domain's instants.

use std::time::{SystemTime, UNIX_EPOCH};

use kyc::Timestamp;

/// Now, to the microsecond.
pub fn now() -> Timestamp {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp::from_unix_micros(since_epoch.as_micros() as i64)
}
