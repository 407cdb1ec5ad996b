//! Delivery: every webhook is logged, then posted to the target with retries.
//!
//! What must stay true: a webhook is retried until its target answers a 2xx or the attempts run
//! out; a webhook raised while no target is set waits and goes out when one is set; faults only
//! change how many times (none, for a dropped one) and in which order webhooks go out, never
//! their content.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kyc::Timestamp;
use kyc::webhook::WebhookSecret;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::envelope::envelope;
use crate::config::WebhookRetry;
use crate::state::lock;
use crate::world::Event;

/// Switches that make delivery misbehave as Treezor's may.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookFaults {
    /// Send every webhook twice, with the same `webhook_id`.
    #[serde(default)]
    pub duplicate: bool,
    /// Swap each webhook with the next one: the later is delivered, then the earlier.
    #[serde(default)]
    pub reorder: bool,
    /// Hold every webhook this long before its first attempt.
    #[serde(default)]
    pub delay_ms: u64,
    /// Never send the next webhooks of these events, this many each (e.g. `{"document.create":
    /// 1}`): a webhook Treezor lost. They are logged as dropped.
    #[serde(default)]
    pub drop: BTreeMap<String, u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// No target is set yet.
    Waiting,
    Sending,
    Delivered,
    /// Every attempt failed.
    GaveUp,
    /// Never sent, on purpose ([`WebhookFaults::drop`]).
    Dropped,
}

/// One webhook and what became of it.
#[derive(Clone, Debug, Serialize)]
pub struct DeliveryRecord {
    pub webhook_id: String,
    pub event: String,
    pub object_id: String,
    pub created_at: Timestamp,
    /// The envelope exactly as posted.
    pub body: String,
    pub attempts: u32,
    pub status: DeliveryStatus,
    pub last_error: Option<String>,
}

pub struct Outbox {
    secret: WebhookSecret,
    content_type: String,
    retry: WebhookRetry,
    target: Mutex<Option<String>>,
    faults: Mutex<WebhookFaults>,
    log: Mutex<Vec<DeliveryRecord>>,
    queue: mpsc::UnboundedSender<usize>,
    http: reqwest::Client,
    shutdown: CancellationToken,
}

/// How long a reordered webhook waits for a successor before going out alone.
const REORDER_WINDOW: Duration = Duration::from_millis(150);

impl Outbox {
    /// Starts the dispatcher on the current Tokio runtime.
    pub fn start(
        secret: WebhookSecret,
        content_type: String,
        retry: WebhookRetry,
        target: Option<String>,
        shutdown: CancellationToken,
    ) -> Arc<Outbox> {
        let (queue, receiver) = mpsc::unbounded_channel();
        let http = reqwest::Client::builder()
            .timeout(retry.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        let outbox = Arc::new(Outbox {
            secret,
            content_type,
            retry,
            target: Mutex::new(target),
            faults: Mutex::new(WebhookFaults::default()),
            log: Mutex::new(Vec::new()),
            queue,
            http,
            shutdown,
        });
        tokio::spawn(Arc::clone(&outbox).dispatch(receiver));
        outbox
    }

    /// Logs and queues the webhooks of one operation, in order.
    pub fn send(&self, events: Vec<Event>) {
        for event in events {
            let webhook_id = uuid::Uuid::new_v4().to_string();
            let dropped = self.take_drop(event.event);
            let record = DeliveryRecord {
                body: envelope(&event, &webhook_id, &self.secret),
                webhook_id,
                event: event.event.to_owned(),
                object_id: event.object_id,
                created_at: event.at,
                attempts: 0,
                status: if dropped {
                    DeliveryStatus::Dropped
                } else {
                    DeliveryStatus::Sending
                },
                last_error: None,
            };
            if dropped {
                lock(&self.log).push(record);
                continue;
            }
            let index = {
                let mut log = lock(&self.log);
                log.push(record);
                log.len() - 1
            };
            // The receiver lives as long as the outbox's dispatcher; after shutdown nothing is sent.
            let _ = self.queue.send(index);
        }
    }

    pub fn target(&self) -> Option<String> {
        lock(&self.target).clone()
    }

    /// Sets (or clears) the target; webhooks that were waiting for one go out now.
    pub fn set_target(&self, target: Option<String>) {
        *lock(&self.target) = target.clone();
        if target.is_none() {
            return;
        }
        let waiting: Vec<usize> = {
            let mut log = lock(&self.log);
            log.iter_mut()
                .enumerate()
                .filter(|(_, r)| r.status == DeliveryStatus::Waiting)
                .map(|(i, r)| {
                    r.status = DeliveryStatus::Sending;
                    i
                })
                .collect()
        };
        for index in waiting {
            let _ = self.queue.send(index);
        }
    }

    /// Whether the next webhook of `event` is to be dropped (and counts it).
    fn take_drop(&self, event: &str) -> bool {
        let mut faults = lock(&self.faults);
        match faults.drop.get_mut(event) {
            Some(left) if *left > 0 => {
                *left -= 1;
                true
            }
            _ => false,
        }
    }

    pub fn set_faults(&self, faults: WebhookFaults) {
        *lock(&self.faults) = faults;
    }

    pub fn faults(&self) -> WebhookFaults {
        lock(&self.faults).clone()
    }

    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        lock(&self.log).clone()
    }

    async fn dispatch(self: Arc<Self>, mut receiver: mpsc::UnboundedReceiver<usize>) {
        let mut held: Option<usize> = None;
        loop {
            let next = if held.is_some() {
                tokio::select! {
                    _ = self.shutdown.cancelled() => return,
                    next = tokio::time::timeout(REORDER_WINDOW, receiver.recv()) => match next {
                        Ok(next) => next,
                        Err(_) => {
                            if let Some(alone) = held.take() {
                                self.launch(alone);
                            }
                            continue;
                        }
                    },
                }
            } else {
                tokio::select! {
                    _ = self.shutdown.cancelled() => return,
                    next = receiver.recv() => next,
                }
            };
            let Some(index) = next else { return };
            if self.faults().reorder {
                match held.take() {
                    None => held = Some(index),
                    Some(earlier) => self.launch_swapped(index, earlier),
                }
            } else {
                if let Some(earlier) = held.take() {
                    self.launch(earlier);
                }
                self.launch(index);
            }
        }
    }

    fn launch(self: &Arc<Self>, index: usize) {
        tokio::spawn(Arc::clone(self).run(index));
    }

    /// Delivers `later` first and `earlier` only once `later` is through: a swap whatever the
    /// network's timing.
    fn launch_swapped(self: &Arc<Self>, later: usize, earlier: usize) {
        let outbox = Arc::clone(self);
        tokio::spawn(async move {
            Arc::clone(&outbox).run(later).await;
            outbox.run(earlier).await;
        });
    }

    /// One webhook, with the delay and duplicate switches applied.
    async fn run(self: Arc<Self>, index: usize) {
        let faults = self.faults();
        if faults.delay_ms > 0 {
            tokio::select! {
                _ = self.shutdown.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_millis(faults.delay_ms)) => {}
            }
        }
        if faults.duplicate {
            tokio::join!(self.deliver(index), self.deliver(index));
        } else {
            self.deliver(index).await;
        }
    }

    async fn deliver(&self, index: usize) {
        let Some(body) = lock(&self.log).get(index).map(|r| r.body.clone()) else {
            return;
        };
        let mut wait = self.retry.first_delay;
        for attempt in 1..=self.retry.max_attempts {
            let Some(target) = self.target() else {
                self.update(index, |r| r.status = DeliveryStatus::Waiting);
                return;
            };
            let outcome = self
                .http
                .post(&target)
                .header(reqwest::header::CONTENT_TYPE, &self.content_type)
                .body(body.clone())
                .send()
                .await;
            let error = match outcome {
                Ok(answer) if answer.status().is_success() => None,
                Ok(answer) => Some(format!("the target answered {}", answer.status())),
                Err(e) => Some(format!("the target could not be reached: {e}")),
            };
            let done = error.is_none();
            self.update(index, |r| {
                r.attempts += 1;
                r.last_error = error.clone();
                if done {
                    r.status = DeliveryStatus::Delivered;
                }
            });
            if done {
                return;
            }
            if let Some(error) = &error {
                tracing::warn!(attempt, %error, "webhook delivery failed");
            }
            if attempt == self.retry.max_attempts {
                break;
            }
            tokio::select! {
                _ = self.shutdown.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
            }
            wait = (wait * 2).min(self.retry.max_delay);
        }
        self.update(index, |r| {
            if r.status != DeliveryStatus::Delivered {
                r.status = DeliveryStatus::GaveUp;
            }
        });
    }

    fn update(&self, index: usize, change: impl FnOnce(&mut DeliveryRecord)) {
        if let Some(record) = lock(&self.log).get_mut(index) {
            change(record);
        }
    }
}
