//! Feed readers: how many long polls may wait, per feed token and in all, and how many feed
//! requests read the store at once.
//!
//! A waiting long poll costs a connection and a little memory; without a cap, one token (a
//! runaway dashboard, or a stolen token) could park enough of them to take every connection, and
//! webhooks would find none. So a token may park [`Limits::waiting_per_token`] polls (past it,
//! 429: that reader's own doing) and all tokens together [`Limits::waiting_readers`] (past it,
//! 503). Both answer at once with `Retry-After`.
//!
//! When an event is committed every parked poll wakes together and reads it. Each read runs on
//! a blocking thread with a store connection of its own, so thousands of readers waking at once
//! would open hundreds of connections and threads; [`READS_AT_ONCE`] reads run at a time and the
//! others queue for a moment, which bounds both.
//!
//! [`Limits::waiting_per_token`]: crate::config::Limits::waiting_per_token
//! [`Limits::waiting_readers`]: crate::config::Limits::waiting_readers

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tokio::sync::{Semaphore, SemaphorePermit, watch};

use super::Saturation;
use crate::app::refusal;
use crate::config::Limits;

/// Feed requests reading the store at once (the store keeps as many read connections idle).
pub const READS_AT_ONCE: usize = 8;

/// Who is reading, for the per-token cap: the digest of the credential presented (the shared feed
/// token, or an officer's own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReaderKey(pub [u8; 32]);

pub struct FeedReaders {
    per_token: usize,
    in_all: usize,
    parked: Mutex<HashMap<ReaderKey, usize>>,
    /// How many are parked in all; tests and `/healthz` watch it.
    waiting: watch::Sender<usize>,
    reads: Semaphore,
    per_token_saturation: Saturation,
    in_all_saturation: Saturation,
}

/// A parked long poll; it stops counting when dropped.
pub struct Parked<'a> {
    readers: &'a FeedReaders,
    key: ReaderKey,
}

/// Why a long poll may not park.
#[derive(Debug, PartialEq, Eq)]
pub enum Crowded {
    /// This token has `cap` long polls waiting already.
    Token { cap: usize },
    /// The relay has `cap` long polls waiting already.
    All { cap: usize },
}

impl FeedReaders {
    pub fn new(limits: &Limits) -> FeedReaders {
        FeedReaders {
            per_token: limits.waiting_per_token,
            in_all: limits.waiting_readers,
            parked: Mutex::new(HashMap::new()),
            waiting: watch::Sender::new(0),
            reads: Semaphore::new(READS_AT_ONCE),
            per_token_saturation: Saturation::new("waiting long polls of one token"),
            in_all_saturation: Saturation::new("waiting long polls"),
        }
    }

    /// Counts a long poll of `key` as waiting, if both caps allow it.
    pub fn park(&self, key: ReaderKey) -> Result<Parked<'_>, Crowded> {
        let mut parked = self.parked.lock().unwrap_or_else(|e| e.into_inner());
        if *self.waiting.borrow() >= self.in_all {
            self.in_all_saturation.refused(self.in_all);
            return Err(Crowded::All { cap: self.in_all });
        }
        let of_token = parked.entry(key).or_insert(0);
        if *of_token >= self.per_token {
            self.per_token_saturation.refused(self.per_token);
            return Err(Crowded::Token {
                cap: self.per_token,
            });
        }
        *of_token += 1;
        self.waiting.send_modify(|n| *n += 1);
        self.in_all_saturation.admitted();
        self.per_token_saturation.admitted();
        Ok(Parked { readers: self, key })
    }

    /// Waits for a turn to read the store; the turn ends when the permit is dropped.
    pub async fn read_turn(&self) -> SemaphorePermit<'_> {
        self.reads
            .acquire()
            .await
            .expect("the read semaphore is never closed")
    }

    /// How many long polls are waiting; changes as readers park and leave.
    pub fn waiting(&self) -> watch::Receiver<usize> {
        self.waiting.subscribe()
    }

    pub fn waiting_now(&self) -> usize {
        *self.waiting.borrow()
    }
}

impl Drop for Parked<'_> {
    fn drop(&mut self) {
        let mut parked = self
            .readers
            .parked
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(of_token) = parked.get_mut(&self.key) {
            *of_token -= 1;
            if *of_token == 0 {
                parked.remove(&self.key);
            }
        }
        self.readers.waiting.send_modify(|n| *n -= 1);
    }
}

impl Crowded {
    /// 429 for one token's own crowd, 503 for the relay's; both with `Retry-After`.
    pub fn response(&self) -> Response {
        let (status, code, message) = match self {
            Crowded::Token { cap } => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_waiting_for_token",
                format!(
                    "this credential already has {cap} long polls waiting, its limit; \
                     end some, or retry in a few seconds"
                ),
            ),
            Crowded::All { cap } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "too_many_waiting",
                format!(
                    "the relay already has {cap} long polls waiting, its limit; retry in a few seconds"
                ),
            ),
        };
        let mut response = refusal(status, code, &message);
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readers(per_token: usize, in_all: usize) -> FeedReaders {
        FeedReaders::new(&Limits {
            waiting_per_token: per_token,
            waiting_readers: in_all,
            ..Limits::default()
        })
    }

    #[test]
    fn a_token_parks_up_to_its_cap_and_all_tokens_up_to_theirs() {
        let readers = readers(2, 3);
        let (a, b) = (ReaderKey([1; 32]), ReaderKey([2; 32]));
        let a1 = readers.park(a).unwrap();
        let _a2 = readers.park(a).unwrap();
        assert_eq!(readers.park(a).err(), Some(Crowded::Token { cap: 2 }));
        let _b1 = readers.park(b).unwrap();
        assert_eq!(readers.waiting_now(), 3);
        assert_eq!(readers.park(b).err(), Some(Crowded::All { cap: 3 }));
        drop(a1);
        assert_eq!(readers.waiting_now(), 2);
        let _b2 = readers.park(b).unwrap();
        assert_eq!(readers.park(a).err(), Some(Crowded::All { cap: 3 }));
    }

    #[test]
    fn past_a_cap_the_answer_says_which_and_when_to_come_back() {
        let token = Crowded::Token { cap: 2 }.response();
        assert_eq!(token.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(token.headers()[header::RETRY_AFTER], "2");
        let all = Crowded::All { cap: 3 }.response();
        assert_eq!(all.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(all.headers()[header::RETRY_AFTER], "2");
    }
}
