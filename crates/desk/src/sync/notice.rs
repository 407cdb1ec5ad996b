//! What a desktop notification may say about a batch of webhooks: counts, nothing else.
//!
//! Notifications show on a screen others may see and in the OS's notification history, so they
//! carry no name, no user id and no reason: only how many verifications were processed and how many
//! review decisions came.

use kyc::feed::FeedEvent;
use kyc::{CaseEvent, LivenessStatus};
use serde::Serialize;

/// Counts for one notification.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Notice {
    pub verifications_processed: u32,
    pub review_decisions: u32,
}

impl Notice {
    /// Counts what the events of a page announce.
    pub fn of(events: &[FeedEvent]) -> Notice {
        let mut notice = Notice::default();
        for event in events {
            let Ok(meaning) = event.meaning() else {
                continue;
            };
            for (_, case_event) in &meaning.case_events {
                match case_event {
                    CaseEvent::Liveness {
                        status: LivenessStatus::Processed,
                        ..
                    } if event.webhook == "kycliveness.update" => {
                        notice.verifications_processed += 1
                    }
                    CaseEvent::Review { review, .. }
                        if event.webhook == "user.kycreview" && review.is_decision() =>
                    {
                        notice.review_decisions += 1
                    }
                    _ => {}
                }
            }
        }
        notice
    }

    pub fn is_empty(&self) -> bool {
        self.verifications_processed == 0 && self.review_decisions == 0
    }

    /// The notification's text.
    pub fn text(&self) -> String {
        let mut parts = Vec::new();
        match self.verifications_processed {
            0 => {}
            1 => parts.push("1 verification processed".to_owned()),
            n => parts.push(format!("{n} verifications processed")),
        }
        match self.review_decisions {
            0 => {}
            1 => parts.push("1 KYC review decision".to_owned()),
            n => parts.push(format!("{n} KYC review decisions")),
        }
        parts.join(", ")
    }
}
