//! The open-file limit: every connection is a file descriptor.
//!
//! Service managers start processes with a low soft limit (systemd: 1024) under a high hard one
//! (systemd: 524288), for the sake of old programs that `select()`. The relay uses epoll, so
//! `kyc-relay serve` raises its soft limit to the hard one at start ([`raise`]), and every relay
//! lowers its connection cap to what the limit leaves once its own files are counted, with its
//! long-poll caps below it ([`fit`]): past the cap clients get a clear 503, never a silent
//! `EMFILE` that leaves them hanging in the listen queue.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

use crate::config::Limits;

/// Descriptors the relay keeps for itself besides connections: the standard streams, the
/// listener, the data file's lock, the writer's and the readers' store files, and the
/// connections being answered 503 past the cap.
pub const RESERVED: usize =
    16 + super::connections::ANSWERING_AT_ONCE + 3 * super::feed_readers::READS_AT_ONCE;

/// When the hard limit is "unlimited", which Linux refuses as a soft limit for files: its
/// default ceiling (`fs.nr_open`).
const UNLIMITED: u64 = 1 << 20;

/// The soft limit before and after [`raise`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenFiles {
    pub before: u64,
    pub now: u64,
}

/// Raises the soft open-file limit to the hard limit.
pub fn raise() -> std::io::Result<OpenFiles> {
    let limit = getrlimit(Resource::Nofile);
    let before = limit.current.unwrap_or(UNLIMITED);
    let hard = limit.maximum.unwrap_or(UNLIMITED);
    if hard > before {
        setrlimit(
            Resource::Nofile,
            Rlimit {
                current: Some(hard),
                maximum: limit.maximum,
            },
        )?;
    }
    Ok(OpenFiles {
        before,
        now: soft_limit(),
    })
}

/// The soft open-file limit now.
pub fn soft_limit() -> u64 {
    getrlimit(Resource::Nofile).current.unwrap_or(UNLIMITED)
}

/// The connection cap that fits in an open-file limit of `files`: `wanted`, or fewer.
pub fn connections_allowed(wanted: usize, files: u64) -> usize {
    let room = usize::try_from(files)
        .unwrap_or(usize::MAX)
        .saturating_sub(RESERVED);
    wanted.min(room).max(1)
}

/// `limits` fitted to an open-file limit of `files`: the connection cap lowered to what fits, and
/// the long-poll caps kept below it (half of it at most once lowered), so that webhooks always
/// find a connection.
pub fn fit(limits: Limits, files: u64) -> Limits {
    let connections = connections_allowed(limits.connections, files);
    let waiting_readers = if limits.waiting_readers < connections {
        limits.waiting_readers
    } else {
        connections / 2
    };
    Limits {
        connections,
        waiting_readers,
        waiting_per_token: limits.waiting_per_token.min(waiting_readers),
        ..limits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_connection_cap_leaves_room_for_the_relays_own_files() {
        assert_eq!(connections_allowed(8192, 1 << 20), 8192);
        assert_eq!(connections_allowed(8192, 1024), 1024 - RESERVED);
        assert_eq!(connections_allowed(8192, 10), 1);
    }

    #[test]
    fn once_fitted_long_polls_stay_below_the_connection_cap() {
        let defaults = Limits::default();
        assert_eq!(fit(defaults, 1 << 20), defaults);
        let fitted = fit(defaults, 1024);
        assert_eq!(fitted.connections, 1024 - RESERVED);
        assert_eq!(fitted.waiting_readers, (1024 - RESERVED) / 2);
        assert_eq!(fitted.waiting_per_token, fitted.waiting_readers);
        assert_eq!(fitted.body_memory, defaults.body_memory);
    }
}
