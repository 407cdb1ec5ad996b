//! What the window shows: the queue, the counts per state, one case in full.

use cache::{CaseDetail, QueueFilter, QueuePage, QueueQuery, StateCounts};
use kyc::customer::CustomerText;
use kyc::{Action, Language, Permission, UserId};
use serde::Serialize;

use crate::actions::action_name;
use crate::desk::Desk;
use crate::error::ChildWithoutDocuments;
use crate::error::Result;
use crate::standing::{children_without_documents, standing};

/// One action as the case screen offers it. Typed, not worded: the window says why it is
/// disabled or what to confirm in its own language, from the refusal or the cautions and what
/// the case file holds (the AML flags, the children without documents, the parent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActionState {
    /// `start_verification`, `retrieve_documents`, `download_document`, `request_review`.
    #[cfg_attr(feature = "ts", ts(as = "kyc::Action"))]
    pub action: &'static str,
    pub permission: Permission,
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

impl OfficerReason {
    fn of(reason: &kyc::Reason) -> OfficerReason {
        OfficerReason {
            code: reason.code.to_string(),
            message: reason.officer_message().to_owned(),
            family: reason.code.family().map(|f| f.label()),
            aml_sensitive: reason.is_aml_sensitive(),
        }
    }
}

/// A case as the case screen shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseFile {
    /// Where the case stands is worded by the window, in its language, from `detail.view.state`,
    /// `legal_entity` and `children_without_documents`.
    pub detail: CaseDetail,
    pub actions: Vec<ActionState>,
    /// The current verification's reasons, for the officer.
    pub reasons: Vec<OfficerReason>,
    /// Every verification's reasons, in the order of `detail.view.attempts`: earlier attempts
    /// stay visible with theirs. For the officer.
    pub reasons_by_attempt: Vec<Vec<OfficerReason>>,
    /// What the customer may be told, once in each language (in [`Language::ALL`]'s order);
    /// built only from shareable reasons. Empty while the verification has no outcome.
    pub customer_texts: Vec<CustomerText>,
    /// The customer's language as their profile suggests it (preferred language, else
    /// nationality); `None` when it says neither, and the officer's language is the default.
    pub customer_language: Option<Language>,
    /// A business, a non-profit or a government body: no live verification, a review as the
    /// parent of its leaders and shareholders.
    pub legal_entity: bool,
    /// The children whose documents the review needs and that do not have them yet: what is
    /// missing before the review of a parent.
    pub children_without_documents: Vec<ChildWithoutDocuments>,
    /// The profile fields that are empty (Treezor's names), to check before a review request.
    #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
    pub empty_profile_fields: Vec<&'static str>,
}

impl CaseFile {
    /// What the customer may be told, in `language`; `None` while there is no outcome.
    pub fn customer_text(&self, language: Language) -> Option<&CustomerText> {
        self.customer_texts
            .iter()
            .find(|text| text.language() == language)
    }
}

impl Desk {
    /// A page of the queue, for the window: its first one lets the catch-up start (see
    /// `first_rows`).
    pub async fn queue(&self, mut query: QueueQuery) -> Result<QueuePage> {
        let now = self.now();
        query.filter.officer = self.hub_officer();
        let page = self
            .store()
            .read(move |reader| reader.queue(&query, now))
            .await;
        self.inner.first_rows.answered();
        page
    }

    /// A page of the queue, for the desk's own work (the listing of waiting cases): on the
    /// scanner, so that the window's pages never wait behind it.
    pub(crate) async fn queue_rows(&self, mut query: QueueQuery) -> Result<QueuePage> {
        let now = self.now();
        query.filter.officer = self.hub_officer();
        self.store()
            .scan(move |reader| reader.queue(&query, now))
            .await
    }

    /// How many cases are in each state, under `filter` (its states ignored). On the scanner:
    /// under a search or a date it is a scan of the users, which the window's pages must not wait
    /// behind.
    pub async fn counts(&self, mut filter: QueueFilter) -> Result<StateCounts> {
        let now = self.now();
        filter.officer = self.hub_officer();
        self.store()
            .scan(move |reader| reader.counts(&filter, now))
            .await
    }

    /// One case in full, with what the officer may do and what the customer may be told.
    pub async fn case_file(&self, user: UserId) -> Result<CaseFile> {
        let now = self.now();
        let detail = self
            .store()
            .read(move |reader| reader.case_detail(user, now))
            .await?;
        let standing = standing(&detail);
        let actions = Action::ALL
            .into_iter()
            .map(|action| ActionState {
                action: action_name(action),
                permission: detail.view.permission(action, &standing),
            })
            .collect();
        let attempt = detail.view.current_attempt();
        let reasons_by_attempt: Vec<Vec<OfficerReason>> = detail
            .view
            .attempts
            .iter()
            .map(|a| a.reasons.iter().map(OfficerReason::of).collect())
            .collect();
        let reasons = reasons_by_attempt.last().cloned().unwrap_or_default();
        // Nothing for a link still out: it is not expired on the clock (see `kyc::case`).
        let customer_texts = attempt
            .and_then(|a| {
                a.status.as_ref().map(|status| {
                    Language::ALL.map(|language| {
                        CustomerText::for_verification(status, a.score, &a.reasons, language)
                    })
                })
            })
            .map(Vec::from)
            .unwrap_or_default();
        let customer_language = detail.profile.as_ref().and_then(Language::of_customer);
        let empty_profile_fields = detail
            .profile
            .as_ref()
            .map(|p| p.empty_profile_fields())
            .unwrap_or_default();
        let children_missing = children_without_documents(&detail);
        Ok(CaseFile {
            reasons_by_attempt,
            legal_entity: standing.legal_entity,
            children_without_documents: children_missing,
            empty_profile_fields,
            customer_texts,
            customer_language,
            actions,
            reasons,
            detail,
        })
    }
}
