//! What a desktop notification may say about a batch of webhooks: counts, nothing else.
//!
//! Notifications show on a screen others may see and in the OS's notification history, so they
//! carry no name, no user id and no reason: only how many verifications were processed and how many
//! review decisions came. Only what the cache applied counts: a webhook delivered twice, or a
//! payload replayed under another envelope, announces nothing.

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

/// What each event of a page would announce, counted before the page is applied (the cache takes
/// the events), settled once the cache says which it skipped.
pub struct Announced(Vec<(u64, Notice)>);

impl Announced {
    pub fn of(events: &[FeedEvent]) -> Announced {
        Announced(
            events
                .iter()
                .map(|event| (event.seq, Notice::of(std::slice::from_ref(event))))
                .filter(|(_, notice)| !notice.is_empty())
                .collect(),
        )
    }

    /// The notice of the events the cache applied: all but those `skipped`.
    pub fn without(self, skipped: &[u64]) -> Notice {
        let mut total = Notice::default();
        for (_, notice) in self.0.iter().filter(|(seq, _)| !skipped.contains(seq)) {
            total.verifications_processed += notice.verifications_processed;
            total.review_decisions += notice.review_decisions;
        }
        total
    }
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

#[cfg(test)]
mod tests {
    use kyc::feed::FeedPage;

    use super::*;

    /// A refusal for fraud (2304, AML-sensitive) and a review decision: the notification counts
    /// them and says nothing else, neither who, nor which user, nor why.
    #[test]
    fn a_notice_counts_and_names_no_one_and_no_reason() {
        let page: FeedPage = serde_json::from_str(
            r#"{"last_seq":2,"events":[
                {"seq":1,"webhook_id":"w-1","webhook":"kycliveness.update","object":"kycliveness","object_id":"4242","webhook_created_at":null,"received_at":"2024-07-01T08:00:00.000Z",
                 "object_payload":{"user_id":"4242","kyc-status":"processed","score":"0","identification-id":"idv-1","comment":"Refused","reasons":[{"reason-code":"2304","reason-message":"Applicant is not the rightful owner of the document"}]}},
                {"seq":2,"webhook_id":"w-2","webhook":"user.kycreview","object":"user","object_id":"4343","webhook_created_at":null,"received_at":"2024-07-01T08:00:01.000Z",
                 "object_payload":{"users":[{"userId":"4343","firstname":"Zoé","lastname":"Martin","kycReview":"3"}]}}
            ]}"#,
        )
        .unwrap();
        let notice = Notice::of(&page.events);
        assert_eq!(
            notice,
            Notice {
                verifications_processed: 1,
                review_decisions: 1
            }
        );
        let text = notice.text();
        assert_eq!(text, "1 verification processed, 1 KYC review decision");
        for never in ["4242", "4343", "2304", "owner", "Zoé", "Martin", "Refused"] {
            assert!(!text.contains(never), "{never} in {text:?}");
        }
    }

    /// The refusal again under a fresh id (a replay, skipped by the cache) announces nothing.
    #[test]
    fn what_the_cache_skipped_announces_nothing() {
        let page: FeedPage = serde_json::from_str(
            r#"{"last_seq":2,"events":[
                {"seq":1,"webhook_id":"w-1","webhook":"kycliveness.update","object":"kycliveness","object_id":"4242","webhook_created_at":null,"received_at":"2024-07-01T08:00:00.000Z",
                 "object_payload":{"user_id":"4242","kyc-status":"processed","score":"0","identification-id":"idv-1"}},
                {"seq":2,"webhook_id":"w-again","webhook":"kycliveness.update","object":"kycliveness","object_id":"4242","webhook_created_at":null,"received_at":"2024-07-01T09:00:00.000Z",
                 "object_payload":{"user_id":"4242","kyc-status":"processed","score":"0","identification-id":"idv-1"}}
            ]}"#,
        )
        .unwrap();
        assert_eq!(
            Announced::of(&page.events).without(&[2]),
            Notice {
                verifications_processed: 1,
                review_decisions: 0
            }
        );
        assert!(Announced::of(&page.events).without(&[1, 2]).is_empty());
    }
}
