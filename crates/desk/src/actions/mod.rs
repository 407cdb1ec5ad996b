//! The officer's actions. Each one, in this order:
//! 1. asks the case's state machine (`kyc::CaseView::permission`) whether it is allowed now; a
//!    refusal says why, and an action that needs confirmation waits for it; then makes sure the
//!    audit trail can record it (a locked keychain refuses the action, see `crate::trail`);
//! 2. calls Treezor (with an `accessTag` where Treezor declares one, so a retried call is not
//!    done twice; the start has none, so it is sent once);
//! 3. records what Treezor's answer means for the case (a link issued, documents requested…);
//! 4. writes the audit log, whatever the outcome.
//!
//! Audit details name ids, codes and file facts; never a secret, a download URL, or the text of a
//! reason.

mod download;
mod retrieve;
mod review;
mod start;

use cache::{AuditEntry, Cache, CaseDetail, Outcome};
use kyc::four_eyes::GuardedAction;
use kyc::{Action, CaseView, Caution, DocumentId, Permission, Timestamp, UserId};
use serde::{Deserialize, Serialize};

pub use download::{DownloadProgress, SavedDocument};
pub use review::ReviewRequested;
pub use start::StartedVerification;

use crate::desk::Desk;
use crate::error::{Barrier, DeskRefusal, Error, Result};
use crate::standing::{children_without_documents, standing};
use crate::trail::Trail;

/// Why a document id from the window is refused for a user.
pub(crate) const NOT_THE_USERS_DOCUMENT: Barrier = Barrier::Desk(DeskRefusal::NotTheUsersDocument);

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

/// A caution's message with what it is about in this case: the flag's date and codes, the
/// children, the parent. For the officer; never for the customer.
pub(crate) fn caution_in_full(caution: Caution, detail: &CaseDetail) -> String {
    let message = caution.message();
    match caution {
        Caution::AmlFlagged => format!("{message} {}", aml_flag_words(&detail.view)),
        Caution::ChildrenWithoutDocuments => {
            let names: Vec<String> = children_without_documents(detail)
                .iter()
                .map(|c| format!("{} ({})", c.display_name, c.user_id))
                .collect();
            format!("{message} Without documents: {}.", names.join(", "))
        }
        Caution::ReviewGoesOnParent => match &detail.parent {
            Some(parent) => format!(
                "{message} The parent is {} ({}).",
                parent.display_name, parent.user_id
            ),
            None => message.to_owned(),
        },
        _ => message.to_owned(),
    }
}

/// Every caution in full, in order.
pub(crate) fn cautions_in_full(cautions: &[Caution], detail: &CaseDetail) -> String {
    cautions
        .iter()
        .map(|c| caution_in_full(*c, detail))
        .collect::<Vec<_>>()
        .join(" ")
}

/// "Flag raised <date> by identification <id> (codes …)", for each flag: the audit trail's and
/// the confirmation's words. Codes only, never a reason's text.
pub(crate) fn aml_flag_words(view: &CaseView) -> String {
    let raised: Vec<String> = view
        .aml_flags
        .iter()
        .map(|flag| {
            let codes: Vec<String> = flag.codes.iter().map(ToString::to_string).collect();
            let by = flag.identification.as_ref().map_or_else(
                || "a verification".to_owned(),
                |i| format!("identification {i}"),
            );
            format!(
                "Flag raised {} by {by} (codes {}).",
                flag.raised_at.to_rfc3339(),
                codes.join(", ")
            )
        })
        .collect();
    raised.join(" ")
}

/// What the audit entry of a confirmed action says it was confirmed despite: the cautions'
/// names, with the AML flag's date and codes.
pub(crate) fn confirmed_words(cautions: &[Caution], view: &CaseView) -> String {
    if cautions.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = cautions.iter().map(|c| caution_name(*c)).collect();
    let mut words = format!("; confirmed despite: {}", names.join(", "));
    if cautions.contains(&Caution::AmlFlagged) {
        words.push_str(&format!(" ({})", aml_flag_words(view)));
    }
    words
}

/// A caution's stable name in the audit trail.
fn caution_name(caution: Caution) -> &'static str {
    match caution {
        Caution::AmlFlagged => "aml_flag",
        Caution::ReplacesVerificationInProgress => "replaces_verification_in_progress",
        Caution::ReplacesValidatedVerification => "replaces_validated_verification",
        Caution::AlreadyValidated => "already_validated",
        Caution::StartAnswerLost => "start_answer_lost",
        Caution::ChildrenWithoutDocuments => "children_without_documents",
        Caution::ReviewGoesOnParent => "review_goes_on_parent",
    }
}

impl Desk {
    /// The case of `user` in full, as of now.
    pub(crate) async fn case_detail(&self, user: UserId) -> Result<CaseDetail> {
        let now = self.now();
        self.store()
            .read(move |reader| reader.case_detail(user, now))
            .await
    }

    /// Checks `action` against the case and the user's standing; audits and returns a refusal,
    /// or, unconfirmed, what to confirm. An allowed action is checked to be auditable too: it does
    /// not run if its entries could not be anchored. Returns the cautions the officer confirmed,
    /// for the audit entry of the action.
    pub(crate) async fn check(
        &self,
        action: Action,
        detail: &CaseDetail,
        confirmation: Confirmation,
    ) -> Result<Vec<Caution>> {
        let user = detail.user_id;
        // Downloading changes nothing on the case: a colleague's claim leaves it open.
        if action != Action::DownloadDocument {
            self.not_held_by_colleague(user, action.into(), action_name(action))
                .await?;
        }
        if let Some(guarded) = GuardedAction::of(action)
            && let Err(refusal) = self
                .require_approval(guarded, user, detail.view.aml_flagged())
                .await
        {
            return self.refuse(action_name(action), user, refusal).await;
        }
        match detail.view.permission(action, &standing(detail)) {
            Permission::Allowed => self.auditable(action, user).await.map(|()| Vec::new()),
            Permission::NeedsConfirmation(cautions) if confirmation == Confirmation::Confirmed => {
                self.auditable(action, user).await.map(|()| cautions)
            }
            Permission::NeedsConfirmation(cautions) => {
                let reason = cautions_in_full(&cautions, detail);
                let children = if cautions.contains(&Caution::ChildrenWithoutDocuments) {
                    children_without_documents(detail)
                } else {
                    Vec::new()
                };
                Err(Error::NeedsConfirmation {
                    action: action.into(),
                    user,
                    reason,
                    cautions,
                    children,
                })
            }
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
                    action: action.into(),
                    user,
                    reason: Barrier::Case(refusal),
                })
            }
        }
    }

    /// Whether `action` can be audited now: the trail opens and the keychain answers.
    async fn auditable(&self, action: Action, user: UserId) -> Result<()> {
        self.audit_ready()
            .await
            .map_err(|cause| Error::ActionNotAudited {
                action: action.into(),
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
        let when = self.now();
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

    /// Audits `refusal` as refused under `action` on `user`'s case, then returns it as the error.
    pub(crate) async fn refuse<T>(
        &self,
        action: &'static str,
        user: UserId,
        refusal: Error,
    ) -> Result<T> {
        self.audit_named(
            action,
            Some(user),
            None,
            Outcome::Refused,
            refusal.to_string(),
        )
        .await?;
        Err(refusal)
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
            at: self.now(),
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
            .await?;
        self.inner.trail_appended.notify_one();
        Ok(())
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
        if let (Ok(_), Some(user)) = (&outcome, user) {
            // Done: the approval it ran under is spent for good (see `four_eyes`).
            if let Some(guarded) = GuardedAction::of(action) {
                self.run_done(user, guarded);
            }
            // Work done on a case the officer holds keeps their claim alive.
            self.renew_claim(user);
        }
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
