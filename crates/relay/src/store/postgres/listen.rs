//! The instance's ear: one connection that `LISTEN`s for every instance's commits and moves the
//! `committed` watch, so that long polls wake whichever instance stored the event.
//!
//! When the connection drops (PostgreSQL restarted, network cut), it connects again with a
//! growing pause (the pause is a backoff between attempts, not a wait for an event), listens, and
//! then reads the head: anything committed while it was away wakes its readers at once.

use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, NoTls};
use tokio_util::sync::CancellationToken;

use super::{CHANNEL, CONNECT_TIMEOUT, advance};

const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(2);

pub(super) async fn run(
    mut config: tokio_postgres::Config,
    publish: std::sync::Arc<watch::Sender<u64>>,
    stopping: CancellationToken,
) {
    config.connect_timeout(CONNECT_TIMEOUT);
    config.application_name("kyc-relay listener");
    let mut pause = FIRST_PAUSE;
    loop {
        let outcome = tokio::select! {
            _ = stopping.cancelled() => return,
            outcome = listen(&config, &publish) => outcome,
        };
        match outcome {
            Ok(()) => {
                pause = FIRST_PAUSE;
                tracing::warn!("the store's notification connection closed; reconnecting");
            }
            Err(error) => {
                tracing::warn!(%error, "the store's notification connection failed; reconnecting");
            }
        }
        tokio::select! {
            _ = stopping.cancelled() => return,
            _ = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}

/// Listens until the connection ends.
async fn listen(
    config: &tokio_postgres::Config,
    publish: &watch::Sender<u64>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (notes, mut heard) = mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(note)) => {
                    if notes.send(note.payload().to_owned()).is_err() {
                        return Ok(());
                    }
                }
                Ok(_) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    // Listening from here on: the head covers whatever committed before.
    let head = client
        .query_one("SELECT last_seq FROM log_head", &[])
        .await?;
    advance(publish, head.get::<_, i64>(0) as u64);
    while let Some(payload) = heard.recv().await {
        if let Ok(seq) = payload.parse::<u64>() {
            advance(publish, seq);
        }
    }
    drop(client);
    driver.await.unwrap_or(Ok(()))
}
