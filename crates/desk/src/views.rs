//! What the window shows: the queue, the counts per state, one case in full.

use cache::{CaseDetail, QueueFilter, QueuePage, QueueQuery, StateCounts};
use kyc::customer::CustomerText;
use kyc::{Action, Permission, UserId};
use serde::Serialize;

use crate::actions::action_name;
use crate::clock::now;
use crate::desk::Desk;
use crate::error::Result;

/// One action as the case screen offers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionState {
    /// `start_verification`, `retrieve_documents`, `download_document`, `request_review`.
    #[cfg_attr(feature = "ts", ts(as = "kyc::Action"))]
    pub action: &'static str,
    pub permission: Permission,
    /// Why it is disabled or what to confirm, in the officer's words.
    pub message: Option<&'static str>,
}

/// One reason of the current verification, for the officer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OfficerReason {
    pub code: String,
    pub message: String,
    pub family: Option<&'static str>,
    /// Fraud suspicion or prohibited behaviour, or an unlisted code: never to be disclosed.
    pub aml_sensitive: bool,
}

/// A case as the case screen shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseFile {
    pub detail: CaseDetail,
    pub state_words: &'static str,
    pub actions: Vec<ActionState>,
    /// The current verification's reasons, for the officer.
    pub reasons: Vec<OfficerReason>,
    /// What the customer may be told; built only from shareable reasons.
    pub customer_text: Option<CustomerText>,
    /// The same, ready to copy.
    pub customer_text_plain: Option<String>,
}

impl Desk {
    /// A page of the queue.
    pub async fn queue(&self, query: QueueQuery) -> Result<QueuePage> {
        let now = now();
        self.store()
            .read(move |reader| reader.queue(&query, now))
            .await
    }

    /// How many cases are in each state, under `filter` (its states ignored).
    pub async fn counts(&self, filter: QueueFilter) -> Result<StateCounts> {
        let now = now();
        self.store()
            .read(move |reader| reader.counts(&filter, now))
            .await
    }

    /// One case in full, with what the officer may do and what the customer may be told.
    pub async fn case_file(&self, user: UserId) -> Result<CaseFile> {
        let now = now();
        let detail = self
            .store()
            .read(move |reader| reader.case_detail(user, now))
            .await?;
        let actions = Action::ALL
            .into_iter()
            .map(|action| {
                let permission = detail.view.permission(action);
                ActionState {
                    action: action_name(action),
                    permission,
                    message: permission.message(),
                }
            })
            .collect();
        let attempt = detail.view.current_attempt();
        let reasons = attempt
            .map(|a| {
                a.reasons
                    .iter()
                    .map(|r| OfficerReason {
                        code: r.code.to_string(),
                        message: r.officer_message().to_owned(),
                        family: r.code.family().map(|f| f.label()),
                        aml_sensitive: r.is_aml_sensitive(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let customer_text = attempt.and_then(|a| match (&a.status, a.expires_at) {
            (Some(status), _) => Some(CustomerText::for_verification(status, a.score, &a.reasons)),
            (None, Some(expiry)) if now >= expiry => Some(CustomerText::link_expired()),
            (None, _) => None,
        });
        Ok(CaseFile {
            state_words: detail.view.state.words(),
            customer_text_plain: customer_text.as_ref().map(CustomerText::to_plain_text),
            customer_text,
            actions,
            reasons,
            detail,
        })
    }
}
