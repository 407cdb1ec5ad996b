//! The window's first rows come first: at start, the sync loop's catch-up and the reading of cases
//! waiting for documents hold back until the window has had its first page of the queue, or for a
//! bounded time when no window asks (a desk without one, a window that failed to load).
//!
//! Why: the first page goes through the cache's reader thread and the machine's two cores; a
//! catch-up started at the same moment (the writer's fsyncs and page writes, the relay's answers)
//! and a scan of waiting cases on the same reader delay the moment the officer sees the queue,
//! while nothing they bring is shown before that first page anyway.

use std::time::Duration;

use tokio::sync::watch;

/// Opened once the window's first page of the queue has been answered.
#[derive(Clone)]
pub(crate) struct FirstRows {
    shown: watch::Sender<bool>,
}

impl FirstRows {
    pub fn new() -> FirstRows {
        FirstRows {
            shown: watch::Sender::new(false),
        }
    }

    /// The window has its first page.
    pub fn answered(&self) {
        if self
            .shown
            .send_if_modified(|shown| !std::mem::replace(shown, true))
        {
            // A step of the start's timeline (see `Desk::start`).
            tracing::debug!("start: the window's first page answered");
        }
    }

    /// Waits until the window has its first page, or `at_most`.
    pub async fn wait(&self, at_most: Duration) {
        if at_most.is_zero() {
            return;
        }
        let mut shown = self.shown.subscribe();
        let _ = tokio::time::timeout(at_most, shown.wait_for(|shown| *shown)).await;
    }
}
