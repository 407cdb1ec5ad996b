//! The case of one user: what happened to their live verifications, where the case stands, and
//! which officer action is allowed now.
//!
//! A case is the *set* of what happened ([`CaseEvent`]s), and its state is derived from that set
//! each time it is asked for. Webhooks arrive in any order and more than once; a set does not care,
//! so the same events give the same state whatever the order of arrival (a property test proves
//! it). Within one verification, a later status never loses to an earlier one: statuses are ranked
//! (processing before a decision) before they are compared by time.
//!
//! The flow (the guide page's): no verification → link issued → processing → processed with
//! score 1 / 0 / -1 (or abandoned, or the link expired) → documents requested → documents
//! received (every document Treezor lists has arrived, the synthesis, type 26 or 34, among them:
//! see [`documents`]) → review requested → review validated or refused. A new verification may
//! follow a failure; one started while another is in progress replaces it, so that needs the
//! officer's confirmation.
//!
//! A link is valid for 15 minutes *once the customer is redirected to it*, which the desk does not
//! see: it never marks a link expired on the clock, since the customer may have opened it late
//! and the provider may still be deciding. Only Treezor's word (a liveness webhook saying so)
//! makes a link expired.
//!
//! # Layout
//! - [`permission`]: the officer's actions, refusals and cautions.
//! - [`documents`]: when the documents count as all received.
//! - [`aml`]: the AML flag, which belongs to the person.

mod aml;
mod documents;
mod permission;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{DocumentId, IdentificationId};
use crate::reasons::Reason;
use crate::time::Timestamp;
use crate::values::{DocumentTypeId, KycReview, LivenessStatus, LivenessType, Score};

pub use aml::AmlFlag;
pub use documents::{Awaited, DocumentSource, ListedDocument, Listing, first_listed};
pub use permission::{Action, Caution, Permission, Refusal};

/// How long an identification URL stays usable once the customer has been redirected to it.
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
        /// The earliest the link can expire: 15 minutes after issue, had the customer opened it
        /// at once. It really expires 15 minutes after the customer opens it.
        expires_at: Timestamp,
        liveness_type: Option<LivenessType>,
    },
    /// An officer started a verification and Treezor's answer was lost after the request left
    /// (a timeout, a cut connection, a 5xx): Treezor may have started one, whose link nobody
    /// has. The start is not repeated on its own: Treezor does not say it honours `accessTag`
    /// there.
    StartUnanswered { at: Timestamp },
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
    /// Treezor's list of the user's documents, read at `at`.
    DocumentsListed {
        at: Timestamp,
        documents: Vec<ListedDocument>,
    },
    /// A document Treezor listed whose `document.create` did not arrive within the grace period:
    /// the desk takes it from the listing.
    DocumentRecovered {
        at: Timestamp,
        document: ListedDocument,
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
            | CaseEvent::StartUnanswered { at }
            | CaseEvent::Liveness { at, .. }
            | CaseEvent::DocumentsRequested { at }
            | CaseEvent::DocumentCreated { at, .. }
            | CaseEvent::DocumentsListed { at, .. }
            | CaseEvent::DocumentRecovered { at, .. }
            | CaseEvent::Review { at, .. } => *at,
        }
    }

    /// The same event at another time (a history re-dated by a better-founded time).
    pub fn with_at(mut self, time: Timestamp) -> CaseEvent {
        match &mut self {
            CaseEvent::LinkIssued { at, .. }
            | CaseEvent::StartUnanswered { at }
            | CaseEvent::Liveness { at, .. }
            | CaseEvent::DocumentsRequested { at }
            | CaseEvent::DocumentCreated { at, .. }
            | CaseEvent::DocumentsListed { at, .. }
            | CaseEvent::DocumentRecovered { at, .. }
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

/// One verification attempt, as derived from the case's events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Attempt {
    /// `None` for a verification known only from webhooks that did not name it.
    pub identification: Option<IdentificationId>,
    pub started_at: Timestamp,
    pub url: Option<String>,
    /// The earliest the link can expire (see [`CaseEvent::LinkIssued`]); not when it does.
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
    pub source: DocumentSource,
    /// When the desk took it from Treezor's list because its webhook had not come: the time the
    /// timeline shows for that step. `None` for a document known from its webhook.
    pub taken_at: Option<Timestamp>,
}

/// Everything derived from a case at one instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseView {
    pub state: CaseState,
    /// Every attempt, oldest first; the last is the current one.
    pub attempts: Vec<Attempt>,
    pub documents: Vec<KnownDocument>,
    /// What the review still waits for, while the documents are requested.
    pub awaited: Vec<Awaited>,
    /// Every reading of Treezor's list of documents, oldest first.
    pub listings: Vec<Listing>,
    /// Every verification that raised the AML flag, oldest first. The flag is the person's:
    /// nothing that happens later removes an entry.
    pub aml_flags: Vec<AmlFlag>,
    /// When a start whose answer was lost was sent, if no verification is known since.
    pub unanswered_start: Option<Timestamp>,
    pub review: Option<KycReview>,
    pub review_comment: Option<String>,
    pub last_change: Option<Timestamp>,
}

impl CaseView {
    pub fn current_attempt(&self) -> Option<&Attempt> {
        self.attempts.last()
    }

    /// Whether the person was ever refused for an AML-sensitive reason.
    pub fn aml_flagged(&self) -> bool {
        !self.aml_flags.is_empty()
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

    /// The case as it stands at `now`. No rule depends on the clock today (a link's expiry is
    /// not on it: see the module doc); `now` stays so that callers keep passing one.
    pub fn view(&self, _now: Timestamp) -> CaseView {
        let attempts = self.attempts();
        let documents = documents::known_documents(self.events.iter());
        let current_start = attempts.last().map(|a| a.started_at);
        let review = self.latest_review(current_start);
        let requested = self.documents_requested_since(current_start);
        let awaited = attempts
            .last()
            .filter(|attempt| expects_documents(attempt, &documents, requested))
            .map(|attempt| {
                documents::awaited(
                    self.events.iter(),
                    &documents,
                    attempt.started_at,
                    requested,
                )
            });
        let state = derive_state(attempts.last(), awaited.as_deref(), review.as_ref());
        let unanswered_start = self
            .events
            .iter()
            .filter_map(|e| match e {
                CaseEvent::StartUnanswered { at } => Some(*at),
                _ => None,
            })
            .max()
            .filter(|lost| current_start.is_none_or(|start| *lost > start));
        CaseView {
            state,
            awaited: awaited
                .filter(|_| state == CaseState::DocumentsRequested)
                .unwrap_or_default(),
            listings: documents::listings(self.events.iter()),
            aml_flags: aml::aml_flags(self.events.iter()),
            unanswered_start,
            attempts,
            documents,
            review: review.as_ref().map(|(review, _)| *review),
            review_comment: review.and_then(|(_, comment)| comment),
            last_change: self.events.iter().map(CaseEvent::at).max(),
        }
    }

    /// When the case entered the state it is in: the time of the latest event before which it
    /// was in another state (its first event when it never was). A deadline runs from here, so
    /// an event that leaves the state as it was (a repeated webhook, a listing of documents)
    /// does not restart it. `None` for a case with no event.
    pub fn state_since(&self) -> Option<Timestamp> {
        let mut times: Vec<Timestamp> = self.events.iter().map(CaseEvent::at).collect();
        times.sort_unstable();
        times.dedup();
        let now = *times.last()?;
        let state = self.view(now).state;
        // Walk back from the latest event: usually the first step finds the change.
        for at in times.iter().rev() {
            let before = Case {
                events: self
                    .events
                    .iter()
                    .filter(|e| e.at() < *at)
                    .cloned()
                    .collect(),
            };
            if before.view(now).state != state {
                return Some(*at);
            }
        }
        times.first().copied()
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

    /// When the documents of the attempt started at `since` were last asked for.
    fn documents_requested_since(&self, since: Option<Timestamp>) -> Option<Timestamp> {
        self.events
            .iter()
            .filter_map(|e| match e {
                CaseEvent::DocumentsRequested { at } if since.is_none_or(|s| *at >= s) => Some(*at),
                _ => None,
            })
            .max()
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

/// Whether documents are due for `attempt`: validated, and the desk asked for them or some
/// arrived since it started (another desk may have asked).
fn expects_documents(
    attempt: &Attempt,
    documents: &[KnownDocument],
    requested: Option<Timestamp>,
) -> bool {
    let validated = attempt.status == Some(LivenessStatus::Processed)
        && attempt.score == Some(Score::Validated);
    validated
        && (requested.is_some() || documents.iter().any(|d| d.created_at >= attempt.started_at))
}

/// `awaited` is `None` when no document is due, else what the review still waits for.
fn derive_state(
    attempt: Option<&Attempt>,
    awaited: Option<&[Awaited]>,
    review: Option<&(KycReview, Option<String>)>,
) -> CaseState {
    // A review decides the state even with no verification: a legal entity's review goes on it
    // with no verification of its own.
    if let Some((review, _)) = review {
        match review {
            KycReview::Validated => return CaseState::ReviewValidated,
            KycReview::Refused => return CaseState::ReviewRefused,
            r if r.is_pending() => return CaseState::ReviewRequested,
            _ => {}
        }
    }
    let Some(attempt) = attempt else {
        return CaseState::NoVerification;
    };
    match (&attempt.status, attempt.score) {
        // Not on the clock: the 15 minutes start when the customer opens the link.
        (None | Some(LivenessStatus::Other(_)), _) => CaseState::LinkIssued,
        (Some(LivenessStatus::Processing), _) => CaseState::Processing,
        (Some(LivenessStatus::Aborted), _) => CaseState::Abandoned,
        (Some(LivenessStatus::Expired), _) => CaseState::LinkExpired,
        (Some(LivenessStatus::Processed), Some(Score::Validated)) => match awaited {
            None => CaseState::Validated,
            Some([]) => CaseState::DocumentsReceived,
            Some(_) => CaseState::DocumentsRequested,
        },
        (Some(LivenessStatus::Processed), Some(Score::Refused)) => CaseState::Refused,
        (Some(LivenessStatus::Processed), Some(Score::Failed) | None) => CaseState::Failed,
    }
}

#[cfg(test)]
#[path = "case_tests.rs"]
mod tests;
