//! The case of one user: what happened to their live verifications, where the case stands, and
//! which officer action is allowed now.
//!
//! A case is the *set* of what happened ([`CaseEvent`]s), and its state is derived from that set
//! each time it is asked for. Webhooks arrive in any order and more than once; a set does not care,
//! so the same events give the same state whatever the order of arrival (a property test proves
//! it). Within one verification, a later status never loses to an earlier one: statuses are ranked
//! (processing before a decision) before they are compared by time.
//!
//! The flow (the guide page's): no verification → link issued (the link expires 15 minutes after
//! issue) → processing → processed with score 1 / 0 / -1 (or abandoned, or the link expired) →
//! documents requested → documents received (the synthesis document, type 26 or 34, is in) →
//! review requested → review validated or refused. A new verification may follow a failure; one
//! started while another is in progress replaces it, so that needs the officer's confirmation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{DocumentId, IdentificationId};
use crate::reasons::Reason;
use crate::time::Timestamp;
use crate::values::{DocumentTypeId, KycReview, LivenessStatus, LivenessType, Score};

/// How long an identification URL stays usable after Treezor issues it.
pub const LINK_LIFETIME_SECONDS: i64 = 15 * 60;

/// Something that happened to a user's case.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseEvent {
    /// An officer started a verification and Treezor answered with its link.
    LinkIssued {
        at: Timestamp,
        identification: IdentificationId,
        url: String,
        expires_at: Timestamp,
        liveness_type: Option<LivenessType>,
    },
    /// `kycliveness.create` or `kycliveness.update`.
    Liveness {
        at: Timestamp,
        identification: Option<IdentificationId>,
        status: LivenessStatus,
        score: Option<Score>,
        reasons: Vec<Reason>,
        comment: Option<String>,
    },
    /// Treezor accepted the request to retrieve the documents (`PUT /kycliveness` answered 200).
    DocumentsRequested { at: Timestamp },
    /// `document.create`.
    DocumentCreated {
        at: Timestamp,
        document: DocumentId,
        document_type: DocumentTypeId,
    },
    /// `kycReview` changed: the review request's answer, `user.kycrequest`, `user.kycreview`.
    Review {
        at: Timestamp,
        review: KycReview,
        comment: Option<String>,
    },
}

impl CaseEvent {
    pub fn at(&self) -> Timestamp {
        match self {
            CaseEvent::LinkIssued { at, .. }
            | CaseEvent::Liveness { at, .. }
            | CaseEvent::DocumentsRequested { at }
            | CaseEvent::DocumentCreated { at, .. }
            | CaseEvent::Review { at, .. } => *at,
        }
    }

    /// The same event at another time (a history re-dated by a better-founded time).
    pub fn with_at(mut self, time: Timestamp) -> CaseEvent {
        match &mut self {
            CaseEvent::LinkIssued { at, .. }
            | CaseEvent::Liveness { at, .. }
            | CaseEvent::DocumentsRequested { at }
            | CaseEvent::DocumentCreated { at, .. }
            | CaseEvent::Review { at, .. } => *at = time,
        }
        self
    }
}

/// Where a case stands. Deserializable so that the window can name states in its queue filters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    NoVerification,
    LinkIssued,
    LinkExpired,
    Processing,
    Abandoned,
    /// Processed with score 1; the documents have not been asked for.
    Validated,
    /// Processed with score 0.
    Refused,
    /// Processed with score -1 (or without a score).
    Failed,
    DocumentsRequested,
    /// The synthesis document has arrived.
    DocumentsReceived,
    ReviewRequested,
    ReviewValidated,
    ReviewRefused,
}

impl CaseState {
    pub const ALL: [CaseState; 13] = [
        CaseState::NoVerification,
        CaseState::LinkIssued,
        CaseState::LinkExpired,
        CaseState::Processing,
        CaseState::Abandoned,
        CaseState::Validated,
        CaseState::Refused,
        CaseState::Failed,
        CaseState::DocumentsRequested,
        CaseState::DocumentsReceived,
        CaseState::ReviewRequested,
        CaseState::ReviewValidated,
        CaseState::ReviewRefused,
    ];

    /// The stable name used in storage and over IPC.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::NoVerification => "no_verification",
            CaseState::LinkIssued => "link_issued",
            CaseState::LinkExpired => "link_expired",
            CaseState::Processing => "processing",
            CaseState::Abandoned => "abandoned",
            CaseState::Validated => "validated",
            CaseState::Refused => "refused",
            CaseState::Failed => "failed",
            CaseState::DocumentsRequested => "documents_requested",
            CaseState::DocumentsReceived => "documents_received",
            CaseState::ReviewRequested => "review_requested",
            CaseState::ReviewValidated => "review_validated",
            CaseState::ReviewRefused => "review_refused",
        }
    }

    pub fn parse(raw: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.as_str() == raw)
    }

    /// The state in words, for the officer.
    pub fn words(self) -> &'static str {
        match self {
            CaseState::NoVerification => "No verification yet",
            CaseState::LinkIssued => "Link sent, waiting for the customer",
            CaseState::LinkExpired => "Link expired before the customer finished",
            CaseState::Processing => "Customer finished, provider is deciding",
            CaseState::Abandoned => "Customer abandoned the verification",
            CaseState::Validated => "Validated: retrieve the documents",
            CaseState::Refused => "Refused by the provider",
            CaseState::Failed => "Verification failed",
            CaseState::DocumentsRequested => "Documents requested, waiting for Treezor",
            CaseState::DocumentsReceived => "Documents received: request the KYC review",
            CaseState::ReviewRequested => "KYC review requested, waiting for Treezor",
            CaseState::ReviewValidated => "KYC review validated",
            CaseState::ReviewRefused => "KYC review refused",
        }
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an officer can do to a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    StartVerification,
    RetrieveDocuments,
    DownloadDocument,
    RequestReview,
}

impl Action {
    pub const ALL: [Action; 4] = [
        Action::StartVerification,
        Action::RetrieveDocuments,
        Action::DownloadDocument,
        Action::RequestReview,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::StartVerification => "start_verification",
            Action::RetrieveDocuments => "retrieve_documents",
            Action::DownloadDocument => "download_document",
            Action::RequestReview => "request_review",
        }
    }
}

/// Why an action needs the officer to confirm it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Caution {
    /// A link is out or the provider is deciding: a new verification replaces it.
    ReplacesVerificationInProgress,
    /// The last verification succeeded and its documents are not reviewed yet.
    ReplacesValidatedVerification,
    /// The user's KYC was validated already.
    AlreadyValidated,
}

impl Caution {
    pub fn message(self) -> &'static str {
        match self {
            Caution::ReplacesVerificationInProgress => {
                "A verification is in progress for this user. Starting a new one replaces it: the customer's current link stops counting and its documents can no longer be retrieved."
            }
            Caution::ReplacesValidatedVerification => {
                "The last verification was validated and has not been reviewed yet. Starting a new one replaces it, and its documents can no longer be retrieved."
            }
            Caution::AlreadyValidated => {
                "This user's KYC review was validated. Start a new verification only if the compliance team asked for one."
            }
        }
    }
}

/// Why an action is not allowed now, in words an officer can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    NoVerification,
    NotProcessedYet,
    NotValidated,
    DocumentsAlreadyReceived,
    DocumentsNotRetrieved,
    DocumentsNotArrived,
    NoDocuments,
    ReviewInProgress,
    ReviewAlreadyValidated,
    ReviewRefused,
}

impl Refusal {
    pub fn message(self) -> &'static str {
        match self {
            Refusal::NoVerification => {
                "There is no processed verification for this user. Start a verification first."
            }
            Refusal::NotProcessedYet => {
                "The verification is not processed yet. Wait for Treezor's kycliveness.update webhook."
            }
            Refusal::NotValidated => {
                "Documents can only be retrieved after a verification processed with score 1. Start a new verification."
            }
            Refusal::DocumentsAlreadyReceived => {
                "The documents of this verification are already in Treezor."
            }
            Refusal::DocumentsNotRetrieved => {
                "The documents of the validated verification have not been retrieved. Retrieve the documents first."
            }
            Refusal::DocumentsNotArrived => {
                "Treezor has not sent the synthesis document (type 26 or 34) yet. Wait for its document.create webhook."
            }
            Refusal::NoDocuments => {
                "No document has arrived for this user yet. Retrieve the documents first."
            }
            Refusal::ReviewInProgress => {
                "A KYC review is in progress at Treezor. Wait for its decision."
            }
            Refusal::ReviewAlreadyValidated => "This user's KYC review was validated already.",
            Refusal::ReviewRefused => {
                "Treezor refused this user's KYC review. Start a new verification before requesting another review."
            }
        }
    }
}

/// The answer to "may the officer do this now?".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "verdict", content = "why", rename_all = "snake_case")]
pub enum Permission {
    Allowed,
    NeedsConfirmation(Caution),
    NotAllowed(Refusal),
}

impl Permission {
    /// The officer-readable explanation, if any.
    pub fn message(self) -> Option<&'static str> {
        match self {
            Permission::Allowed => None,
            Permission::NeedsConfirmation(caution) => Some(caution.message()),
            Permission::NotAllowed(refusal) => Some(refusal.message()),
        }
    }
}

/// One verification attempt, as derived from the case's events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Attempt {
    /// `None` for a verification known only from webhooks that did not name it.
    pub identification: Option<IdentificationId>,
    pub started_at: Timestamp,
    pub url: Option<String>,
    pub expires_at: Option<Timestamp>,
    pub liveness_type: Option<LivenessType>,
    pub status: Option<LivenessStatus>,
    pub score: Option<Score>,
    pub reasons: Vec<Reason>,
    pub comment: Option<String>,
    pub decided_at: Option<Timestamp>,
}

/// A document known for the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KnownDocument {
    pub document: DocumentId,
    pub document_type: DocumentTypeId,
    pub created_at: Timestamp,
}

/// Everything derived from a case at one instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseView {
    pub state: CaseState,
    /// Every attempt, oldest first; the last is the current one.
    pub attempts: Vec<Attempt>,
    pub documents: Vec<KnownDocument>,
    pub review: Option<KycReview>,
    pub review_comment: Option<String>,
    pub last_change: Option<Timestamp>,
}

impl CaseView {
    pub fn current_attempt(&self) -> Option<&Attempt> {
        self.attempts.last()
    }

    /// Whether any reason of the current attempt is AML-sensitive.
    pub fn aml_flagged(&self) -> bool {
        self.current_attempt()
            .is_some_and(|a| a.reasons.iter().any(Reason::is_aml_sensitive))
    }

    /// May the officer do `action` now?
    pub fn permission(&self, action: Action) -> Permission {
        use CaseState as S;
        use Permission::{Allowed, NeedsConfirmation, NotAllowed};
        match action {
            Action::StartVerification => match self.state {
                S::NoVerification
                | S::LinkExpired
                | S::Abandoned
                | S::Refused
                | S::Failed
                | S::ReviewRefused => Allowed,
                S::LinkIssued | S::Processing => {
                    NeedsConfirmation(Caution::ReplacesVerificationInProgress)
                }
                S::Validated | S::DocumentsRequested | S::DocumentsReceived => {
                    NeedsConfirmation(Caution::ReplacesValidatedVerification)
                }
                S::ReviewValidated => NeedsConfirmation(Caution::AlreadyValidated),
                S::ReviewRequested => NotAllowed(Refusal::ReviewInProgress),
            },
            Action::RetrieveDocuments => match self.state {
                S::Validated | S::DocumentsRequested => Allowed,
                S::LinkIssued | S::Processing => NotAllowed(Refusal::NotProcessedYet),
                S::Refused | S::Failed => NotAllowed(Refusal::NotValidated),
                S::NoVerification | S::LinkExpired | S::Abandoned => {
                    NotAllowed(Refusal::NoVerification)
                }
                S::DocumentsReceived
                | S::ReviewRequested
                | S::ReviewValidated
                | S::ReviewRefused => NotAllowed(Refusal::DocumentsAlreadyReceived),
            },
            Action::DownloadDocument => {
                if self.documents.is_empty() {
                    NotAllowed(Refusal::NoDocuments)
                } else {
                    Allowed
                }
            }
            Action::RequestReview => match self.state {
                S::DocumentsReceived => Allowed,
                S::DocumentsRequested => NotAllowed(Refusal::DocumentsNotArrived),
                S::Validated => NotAllowed(Refusal::DocumentsNotRetrieved),
                S::ReviewRequested => NotAllowed(Refusal::ReviewInProgress),
                S::ReviewValidated => NotAllowed(Refusal::ReviewAlreadyValidated),
                S::ReviewRefused => NotAllowed(Refusal::ReviewRefused),
                S::LinkIssued | S::Processing => NotAllowed(Refusal::NotProcessedYet),
                S::Refused | S::Failed => NotAllowed(Refusal::NotValidated),
                S::NoVerification | S::LinkExpired | S::Abandoned => {
                    NotAllowed(Refusal::NoVerification)
                }
            },
        }
    }
}

/// All that happened to one user's case.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Case {
    events: BTreeSet<CaseEvent>,
}

impl Case {
    pub fn new() -> Case {
        Case::default()
    }

    /// Adds an event. Returns `false` when the case already had it.
    pub fn record(&mut self, event: CaseEvent) -> bool {
        self.events.insert(event)
    }

    pub fn events(&self) -> impl Iterator<Item = &CaseEvent> {
        self.events.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The case as it stands at `now` (a link's expiry depends on the clock).
    pub fn view(&self, now: Timestamp) -> CaseView {
        let attempts = self.attempts();
        let documents = self.documents();
        let current_start = attempts.last().map(|a| a.started_at);
        let review = self.latest_review(current_start);
        let state = derive_state(
            attempts.last(),
            &documents,
            self.documents_requested_since(current_start),
            review.as_ref(),
            now,
        );
        CaseView {
            state,
            attempts,
            documents,
            review: review.as_ref().map(|(review, _)| *review),
            review_comment: review.and_then(|(_, comment)| comment),
            last_change: self.events.iter().map(CaseEvent::at).max(),
        }
    }

    fn attempts(&self) -> Vec<Attempt> {
        // Attempts are keyed by identification; liveness events that name none are attached to
        // the attempt that had started when they happened.
        let mut by_id: BTreeMap<IdentificationId, Attempt> = BTreeMap::new();
        for event in &self.events {
            if let CaseEvent::LinkIssued {
                at,
                identification,
                url,
                expires_at,
                liveness_type,
            } = event
            {
                let attempt = by_id
                    .entry(identification.clone())
                    .or_insert_with(|| Attempt::empty(Some(identification.clone()), *at));
                attempt.started_at = attempt.started_at.min(*at);
                attempt.url = Some(url.clone());
                attempt.expires_at = Some(*expires_at);
                attempt.liveness_type = attempt.liveness_type.or(*liveness_type);
            }
        }
        for event in &self.events {
            if let CaseEvent::Liveness {
                at,
                identification: Some(id),
                ..
            } = event
            {
                let attempt = by_id
                    .entry(id.clone())
                    .or_insert_with(|| Attempt::empty(Some(id.clone()), *at));
                attempt.started_at = attempt.started_at.min(*at);
            }
        }
        let mut attempts: Vec<Attempt> = by_id.into_values().collect();
        attempts.sort_by(|a, b| {
            (a.started_at, &a.identification).cmp(&(b.started_at, &b.identification))
        });

        let mut anonymous: Option<Attempt> = None;
        for event in &self.events {
            let CaseEvent::Liveness {
                at, identification, ..
            } = event
            else {
                continue;
            };
            let target = match identification {
                Some(id) => attempts
                    .iter_mut()
                    .find(|a| a.identification.as_ref() == Some(id)),
                None => {
                    let started_before = attempts.iter().rposition(|a| a.started_at <= *at);
                    match started_before.or(attempts.len().checked_sub(1)) {
                        Some(index) => attempts.get_mut(index),
                        None => Some(anonymous.get_or_insert_with(|| Attempt::empty(None, *at))),
                    }
                }
            };
            if let Some(attempt) = target {
                attempt.absorb(event);
            }
        }
        if let Some(anonymous) = anonymous {
            attempts.push(anonymous);
        }
        attempts
    }

    fn documents(&self) -> Vec<KnownDocument> {
        let mut by_id: BTreeMap<DocumentId, KnownDocument> = BTreeMap::new();
        for event in &self.events {
            if let CaseEvent::DocumentCreated {
                at,
                document,
                document_type,
            } = event
            {
                by_id
                    .entry(*document)
                    .and_modify(|known| known.created_at = known.created_at.min(*at))
                    .or_insert(KnownDocument {
                        document: *document,
                        document_type: *document_type,
                        created_at: *at,
                    });
            }
        }
        let mut documents: Vec<KnownDocument> = by_id.into_values().collect();
        documents.sort_by_key(|d| (d.created_at, d.document));
        documents
    }

    fn documents_requested_since(&self, since: Option<Timestamp>) -> bool {
        self.events.iter().any(
            |e| matches!(e, CaseEvent::DocumentsRequested { at } if since.is_none_or(|s| *at >= s)),
        )
    }

    /// The latest review value since the current attempt started (a review older than the
    /// current attempt belongs to an earlier verification). Ties go to the decision.
    fn latest_review(&self, since: Option<Timestamp>) -> Option<(KycReview, Option<String>)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                CaseEvent::Review {
                    at,
                    review,
                    comment,
                } if since.is_none_or(|s| *at >= s) => {
                    Some((*at, review.is_decision(), *review, comment.clone()))
                }
                _ => None,
            })
            .max()
            .map(|(_, _, review, comment)| (review, comment))
    }
}

impl Attempt {
    fn empty(identification: Option<IdentificationId>, started_at: Timestamp) -> Attempt {
        Attempt {
            identification,
            started_at,
            url: None,
            expires_at: None,
            liveness_type: None,
            status: None,
            score: None,
            reasons: Vec::new(),
            comment: None,
            decided_at: None,
        }
    }

    /// Takes a liveness event's news if it is newer than what the attempt knows: a decision
    /// outranks `processing` whatever the clocks say, then the later event wins.
    fn absorb(&mut self, event: &CaseEvent) {
        let CaseEvent::Liveness {
            at,
            status,
            score,
            reasons,
            comment,
            ..
        } = event
        else {
            return;
        };
        let incoming = (status_rank(status), *at);
        let known = self
            .status
            .as_ref()
            .zip(self.decided_at)
            .map(|(s, t)| (status_rank(s), t));
        if known.is_some_and(|known| known >= incoming) {
            return;
        }
        self.status = Some(status.clone());
        self.decided_at = Some(*at);
        self.score = *score;
        self.reasons = reasons.clone();
        if comment.is_some() {
            self.comment = comment.clone();
        }
    }
}

fn status_rank(status: &LivenessStatus) -> u8 {
    match status {
        LivenessStatus::Other(_) => 0,
        LivenessStatus::Processing => 1,
        LivenessStatus::Aborted | LivenessStatus::Expired => 2,
        LivenessStatus::Processed => 3,
    }
}

fn derive_state(
    attempt: Option<&Attempt>,
    documents: &[KnownDocument],
    documents_requested: bool,
    review: Option<&(KycReview, Option<String>)>,
    now: Timestamp,
) -> CaseState {
    let Some(attempt) = attempt else {
        return CaseState::NoVerification;
    };
    if let Some((review, _)) = review {
        match review {
            KycReview::Validated => return CaseState::ReviewValidated,
            KycReview::Refused => return CaseState::ReviewRefused,
            r if r.is_pending() => return CaseState::ReviewRequested,
            _ => {}
        }
    }
    match (&attempt.status, attempt.score) {
        (None | Some(LivenessStatus::Other(_)), _) => {
            if attempt.expires_at.is_some_and(|expiry| now >= expiry) {
                CaseState::LinkExpired
            } else {
                CaseState::LinkIssued
            }
        }
        (Some(LivenessStatus::Processing), _) => CaseState::Processing,
        (Some(LivenessStatus::Aborted), _) => CaseState::Abandoned,
        (Some(LivenessStatus::Expired), _) => CaseState::LinkExpired,
        (Some(LivenessStatus::Processed), Some(Score::Validated)) => {
            let synthesis_in = documents
                .iter()
                .any(|d| d.document_type.is_synthesis() && d.created_at >= attempt.started_at);
            if synthesis_in {
                CaseState::DocumentsReceived
            } else if documents_requested {
                CaseState::DocumentsRequested
            } else {
                CaseState::Validated
            }
        }
        (Some(LivenessStatus::Processed), Some(Score::Refused)) => CaseState::Refused,
        (Some(LivenessStatus::Processed), Some(Score::Failed) | None) => CaseState::Failed,
    }
}

#[cfg(test)]
#[path = "case_tests.rs"]
mod tests;
