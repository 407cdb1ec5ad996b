//! The officer's actions. Each one, in this order:
//! 1. asks the case's state machine (`kyc::CaseView::permission`) whether it is allowed now; a
//!    refusal says why, and an action that needs confirmation waits for it; then makes sure the
//!    audit trail can record it (a locked keychain refuses the action, see `crate::trail`);
//! 2. calls Treezor (with an `accessTag`, so a retried call is not done twice);
//! 3. records what Treezor's answer means for the case (a link issued, documents requested…);
//! 4. writes the audit log, whatever the outcome.
//!
//! Audit details name ids, codes and file facts; never a secret, a download URL, or the text of a
//! reason.

mod download;
mod retrieve;
mod review;
mod start;

use cache::{AuditEntry, Cache, Outcome};
use kyc::{Action, CaseView, DocumentId, Permission, Timestamp, UserId};
use serde::{Deserialize, Serialize};

pub use download::{DownloadProgress, SavedDocument};
pub use review::ReviewRequested;
pub use start::StartedVerification;

use crate::clock::now;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::trail::Trail;

/// Whether the officer confirmed an action that needs it. Asking first without confirmation
/// returns [`Error::NeedsConfirmation`] with what to confirm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Confirmation {
    Unconfirmed,
    Confirmed,
}

/// The stable name of an action in the audit log and over IPC.
pub(crate) fn action_name(action: Action) -> &'static str {
    action.as_str()
}

/// The officer-facing name of an action.
pub(crate) fn action_words(action: Action) -> &'static str {
    match action {
        Action::StartVerification => "Starting a verification",
        Action::RetrieveDocuments => "Retrieving the documents",
        Action::DownloadDocument => "Downloading a document",
        Action::RequestReview => "Requesting the KYC review",
    }
}

impl Desk {
    /// The case of `user` as of now.
    pub(crate) async fn case_view(&self, user: UserId) -> Result<CaseView> {
        let now = now();
        self.store()
            .read(move |reader| reader.case_detail(user, now).map(|detail| detail.view))
            .await
    }

    /// Checks `action` against the case; audits and returns a refusal. An allowed action is
    /// checked to be auditable too: it does not run if its entries could not be anchored.
    pub(crate) async fn check(
        &self,
        action: Action,
        user: UserId,
        view: &CaseView,
        confirmation: Confirmation,
    ) -> Result<()> {
        match view.permission(action) {
            Permission::Allowed => self.auditable(action, user).await,
            Permission::NeedsConfirmation(_) if confirmation == Confirmation::Confirmed => {
                self.auditable(action, user).await
            }
            Permission::NeedsConfirmation(caution) => Err(Error::NeedsConfirmation {
                action: action_words(action),
                user,
                reason: caution.message().to_owned(),
                children: Vec::new(),
            }),
            Permission::NotAllowed(refusal) => {
                self.audit(
                    action,
                    Some(user),
                    None,
                    Outcome::Refused,
                    refusal.message().to_owned(),
                )
                .await?;
                Err(Error::NotAllowed {
                    action: action_words(action),
                    user,
                    reason: refusal.message(),
                })
            }
        }
    }

    /// Whether `action` can be audited now: the trail opens and the keychain answers.
    async fn auditable(&self, action: Action, user: UserId) -> Result<()> {
        self.audit_ready()
            .await
            .map_err(|cause| Error::ActionNotAudited {
                action: action_words(action),
                user,
                cause: Box::new(cause),
            })
    }

    /// Makes sure the audit trail can record and anchor what comes next (see `crate::trail`).
    pub(crate) async fn audit_ready(&self) -> Result<()> {
        self.on_trail(|trail, cache, when, officer| trail.ready(cache, when, officer))
            .await
    }

    /// Opens the audit trail: at start, before anything is written.
    pub(crate) async fn open_trail(&self) -> Result<()> {
        self.on_trail(|trail, cache, when, officer| trail.open_now(cache, when, officer))
            .await
    }

    /// Runs `job` on the audit trail, on the cache's writer thread (where every append and anchor
    /// write happens), with the time and the officer that sign an entry it may have to write.
    pub(crate) async fn on_trail<R: Send + 'static>(
        &self,
        job: impl FnOnce(&Trail, &mut Cache, Timestamp, &str) -> Result<R> + Send + 'static,
    ) -> Result<R> {
        let trail = self.inner.trail.clone();
        let officer = self.officer().as_str().to_owned();
        let when = now();
        self.store()
            .write_with(move |cache| job(&trail, cache, when, &officer))
            .await
    }

    /// Writes one audit entry for an officer action.
    pub(crate) async fn audit(
        &self,
        action: Action,
        user: Option<UserId>,
        document: Option<DocumentId>,
        outcome: Outcome,
        detail: String,
    ) -> Result<()> {
        self.audit_named(action_name(action), user, document, outcome, detail)
            .await
    }

    /// Writes one audit entry under any action name (settings changes, exports).
    pub(crate) async fn audit_named(
        &self,
        action: &'static str,
        user: Option<UserId>,
        document: Option<DocumentId>,
        outcome: Outcome,
        detail: String,
    ) -> Result<()> {
        let entry = AuditEntry {
            at: now(),
            officer: self.officer().as_str().to_owned(),
            action: action.to_owned(),
            user_id: user,
            document_id: document,
            outcome,
            detail,
        };
        let trail = self.inner.trail.clone();
        self.store()
            .write_with(move |cache| trail.append(cache, &entry))
            .await
            .map(|_| ())
    }

    /// Audits the outcome of a call on Treezor and passes it on.
    pub(crate) async fn audited<T>(
        &self,
        action: Action,
        user: Option<UserId>,
        document: Option<DocumentId>,
        outcome: Result<T>,
        success: impl FnOnce(&T) -> String,
    ) -> Result<T> {
        let (status, detail) = match &outcome {
            Ok(value) => (Outcome::Succeeded, success(value)),
            Err(error) => (Outcome::Failed, error.to_string()),
        };
        self.audit(action, user, document, status, detail).await?;
        outcome
    }

    /// Records that the officer declined to confirm an action.
    pub async fn cancel(&self, action: Action, user: UserId) -> Result<()> {
        self.audit(
            action,
            Some(user),
            None,
            Outcome::Cancelled,
            "the officer did not confirm".to_owned(),
        )
        .await
    }
}
