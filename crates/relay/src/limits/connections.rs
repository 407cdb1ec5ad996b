//! The cap on open connections, and the answer past it.
//!
//! Every connection holds a permit from the moment it is accepted until it closes. Past the cap,
//! the connection is answered `503` with `Retry-After` and closed: Treezor delivers again, a
//! dashboard's sync retries, and the relay's memory and descriptors stay bounded. The answer is
//! written at once (without waiting for the request), then the write side is shut and the
//! request is read and dropped briefly, so that closing does not reset the connection before the
//! client has read the 503. Those answers are themselves bounded: a few at a time, each for a
//! short while; past that, connections are dropped unanswered.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::Saturation;

/// How many connections past the cap are being answered at once; more are dropped unanswered.
pub const ANSWERING_AT_ONCE: usize = 64;
/// How long one of those answers may take, writing and then reading what the client sent.
const ANSWER_TIME: Duration = Duration::from_secs(2);
/// How much of the refused request is read before closing.
const DRAIN_BYTES: usize = 64 * 1024;

/// The open connections and their cap.
pub struct Connections {
    cap: usize,
    open: Arc<Semaphore>,
    answering: Arc<Semaphore>,
    saturation: Saturation,
}

/// What the accept loop does with a new connection.
pub enum Admission {
    /// Serve it; the connection counts until this permit is dropped.
    Serve(OwnedSemaphorePermit),
    /// Answer it 503 and close it; the answer counts against [`ANSWERING_AT_ONCE`] until this
    /// permit is dropped.
    Refuse(OwnedSemaphorePermit),
    /// Drop it at once: too many refusals are being answered already.
    Drop,
}

impl Connections {
    pub fn new(cap: usize) -> Connections {
        Connections {
            cap,
            open: Arc::new(Semaphore::new(cap)),
            answering: Arc::new(Semaphore::new(ANSWERING_AT_ONCE)),
            saturation: Saturation::new("connections"),
        }
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Decides for a connection just accepted.
    pub fn admit(&self) -> Admission {
        if let Ok(permit) = self.open.clone().try_acquire_owned() {
            self.saturation.admitted();
            return Admission::Serve(permit);
        }
        self.saturation.refused(self.cap);
        match self.answering.clone().try_acquire_owned() {
            Ok(permit) => Admission::Refuse(permit),
            Err(_) => Admission::Drop,
        }
    }

    /// Writes the 503 on `stream`, then reads and drops what the client sends, within a short
    /// bound, and closes.
    pub async fn answer_full<S>(&self, mut stream: S)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        let body = format!(
            r#"{{"error":"too_many_connections","message":"the relay has {} connections open, its limit; retry in a second"}}"#,
            self.cap
        );
        let answer = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
             retry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        let _ = tokio::time::timeout(ANSWER_TIME, async {
            stream.write_all(answer.as_bytes()).await?;
            stream.shutdown().await?;
            let mut sink = [0u8; 4096];
            let mut drained = 0;
            while drained < DRAIN_BYTES {
                match stream.read(&mut sink).await? {
                    0 => break,
                    n => drained += n,
                }
            }
            Ok::<_, std::io::Error>(())
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_cap_connections_are_answered_then_dropped() {
        let connections = Connections::new(2);
        let first = connections.admit();
        let second = connections.admit();
        assert!(matches!(first, Admission::Serve(_)));
        assert!(matches!(second, Admission::Serve(_)));
        let refused: Vec<Admission> = (0..ANSWERING_AT_ONCE)
            .map(|_| connections.admit())
            .collect();
        assert!(refused.iter().all(|a| matches!(a, Admission::Refuse(_))));
        assert!(matches!(connections.admit(), Admission::Drop));
        drop(first);
        assert!(matches!(connections.admit(), Admission::Serve(_)));
    }
}
