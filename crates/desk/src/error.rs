//! The dashboard's one error. Each message says what failed, for which object, and what the officer
//! can do; [`Error::code`] gives the window a stable name to switch on.

use std::path::PathBuf;

use std::fmt;

use kyc::case::Refusal;
use kyc::text_problem::TextProblem;
use kyc::{Action, Caution, DocumentId, UserId};
use serde::Serialize;
use thiserror::Error;

use crate::faults::{DemoCause, DemoStep, Fault, SettingsFileProblem, TrailProblem};
use crate::secrets::{Kept, KeychainOperation, KeychainProblem, Origin};
use crate::settings::{Setting, SettingProblem};
use crate::viewer::ViewRefusal;

/// Why a redirect URL the officer gave is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectProblem {
    NotHttps,
    /// The URL parser's description, verbatim.
    NotUrl(String),
}

impl fmt::Display for RedirectProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectProblem::NotHttps => f.write_str("it must start with https://"),
            RedirectProblem::NotUrl(detail) => f.write_str(detail),
        }
    }
}

/// What the officer was doing when an error stopped it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Deed {
    StartVerification,
    RetrieveDocuments,
    DownloadDocument,
    RequestReview,
    CopyCustomerText,
    CopyVerificationLink,
    WriteNote,
    TakeCase,
    ReleaseCase,
    ReassignCase,
    TakeNextCase,
    RenewClaim,
    RecordDecision,
    CloseAccepted,
    ProposeAction,
    AnswerProposal,
    SetFourEyesPolicy,
    SetDeadlines,
}

impl From<Action> for Deed {
    fn from(action: Action) -> Deed {
        match action {
            Action::StartVerification => Deed::StartVerification,
            Action::RetrieveDocuments => Deed::RetrieveDocuments,
            Action::DownloadDocument => Deed::DownloadDocument,
            Action::RequestReview => Deed::RequestReview,
        }
    }
}

impl fmt::Display for Deed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Deed::StartVerification => "Starting a verification",
            Deed::RetrieveDocuments => "Retrieving the documents",
            Deed::DownloadDocument => "Downloading a document",
            Deed::RequestReview => "Requesting the KYC review",
            Deed::CopyCustomerText => "Copying the customer text",
            Deed::CopyVerificationLink => "Copying a verification link",
            Deed::WriteNote => "Writing a note",
            Deed::TakeCase => "Taking a case",
            Deed::ReleaseCase => "Releasing a case",
            Deed::ReassignCase => "Reassigning a case",
            Deed::TakeNextCase => "Taking the next unclaimed case",
            Deed::RenewClaim => "Renewing a claim",
            Deed::RecordDecision => "Recording a decision",
            Deed::CloseAccepted => "Closing as accepted",
            Deed::ProposeAction => "Proposing an action",
            Deed::AnswerProposal => "Answering a proposal",
            Deed::SetFourEyesPolicy => "Setting the four-eyes policy",
            Deed::SetDeadlines => "Setting the team's deadlines",
        })
    }
}

/// Why the desk refuses what the officer asked: the case's state machine, or the desk's own
/// checks. Serialized as one union of names, so the window words both alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum Barrier {
    Case(Refusal),
    Desk(DeskRefusal),
}

/// The desk's own refusals, beside the case's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DeskRefusal {
    /// The document asked for is not one of the user's documents in the cache.
    NotTheUsersDocument,
    /// The verification has no outcome yet: there is nothing to tell the customer.
    NoOutcomeYet,
    /// The case has no verification link with the id the window named.
    NoSuchLink,
}

impl fmt::Display for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Barrier::Case(refusal) => refusal.message(),
            Barrier::Desk(DeskRefusal::NotTheUsersDocument) => {
                "this document is not one of the user's documents in the cache; sync with the relay, then retry"
            }
            Barrier::Desk(DeskRefusal::NoOutcomeYet) => {
                "the verification has no outcome yet, so there is nothing to tell the customer"
            }
            Barrier::Desk(DeskRefusal::NoSuchLink) => {
                "this case has no such verification link; reopen the case and copy it from its timeline"
            }
        })
    }
}

/// A child user whose documents are not in Treezor yet (the review request warns about them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ChildWithoutDocuments {
    pub user_id: UserId,
    pub display_name: String,
}

#[derive(Debug, Error)]
pub enum Error {
    #[error(
        "The keychain is locked, so KYC Desk could not {operation} {secret}. Unlock your login keyring (log in again, or open \"Passwords and Keys\") and retry."
    )]
    KeychainLocked {
        secret: Kept,
        operation: KeychainOperation,
    },
    #[error("The keychain could not {operation} {secret}: {problem}.")]
    KeychainUnavailable {
        secret: Kept,
        operation: KeychainOperation,
        problem: KeychainProblem,
    },
    #[error("No {secret} is saved. Enter it in Settings.")]
    MissingSecret { secret: Kept },
    #[error(
        "KYC Desk holds {secret} for {entered_for}, but the {setting} now points to {now}; a secret is never sent to another server. Enter it again in Settings."
    )]
    SecretForAnotherOrigin {
        secret: Kept,
        setting: Setting,
        entered_for: Origin,
        now: Origin,
    },
    #[error("The {setting} is not valid: {problem}.")]
    InvalidSetting {
        setting: Setting,
        problem: SettingProblem,
    },
    #[error("The settings file {} is not usable: {problem}.", path.display())]
    SettingsFile {
        path: PathBuf,
        problem: SettingsFileProblem,
    },
    #[error(
        "The settings file {} is not usable: its {setting} (\"{}\") is not valid: {problem}. Correct it in Settings and save, or in the file.",
        path.display(),
        setting.file_key()
    )]
    InvalidSettingInFile {
        path: PathBuf,
        setting: Setting,
        problem: SettingProblem,
    },
    #[error(
        "The home folder could not be found, so there is nowhere to keep settings. Set KYC_DESK_HOME to a folder the dashboard may use."
    )]
    NoHomeFolder,
    #[error(
        "Treezor is not configured. Enter its base URL, client id and client secret in Settings."
    )]
    TreezorNotConfigured,
    #[error("{action} is not possible for user {user}: {reason}")]
    NotAllowed {
        action: Deed,
        user: UserId,
        reason: Barrier,
    },
    #[error("{action} for user {user} needs your confirmation: {reason}")]
    NeedsConfirmation {
        action: Deed,
        user: UserId,
        reason: String,
        /// What the officer confirms, typed, the most serious first.
        cautions: Vec<Caution>,
        children: Vec<ChildWithoutDocuments>,
    },
    #[error(
        "Document {document} is not shown: {reason}. Nothing of it was kept. To examine it anyway, save a copy and open it with another application."
    )]
    NotViewable {
        document: DocumentId,
        reason: ViewRefusal,
    },
    #[error("A verification cannot start for user {user}: Treezor requires firstname, lastname and birthday, and the user has no {}. Complete the user in Treezor, then start again.", missing.join(", "))]
    MissingAttributes { user: UserId, missing: Vec<String> },
    #[error(
        "Treezor's answer to the start of a verification for user {user} was lost ({lost}), so Treezor may have started one whose link nobody has. It was not sent again: a second start would replace the first. Start again (it asks you to confirm) to get a link to send."
    )]
    StartAnswerLost {
        user: UserId,
        lost: treezor::LostAnswer,
    },
    #[error("{0}")]
    Treezor(#[from] treezor::Error),
    #[error("{0}")]
    Cache(#[from] cache::Error),
    #[error(
        "The redirect URL is not valid: {0}. Give an https:// address, or leave it empty to use the one set up with Treezor."
    )]
    InvalidRedirectUrl(RedirectProblem),
    #[error(
        "The demo could not start: {step}: {cause}. Restart KYC Desk; if it happens again, report it."
    )]
    Demo { step: DemoStep, cause: DemoCause },
    #[error(
        "{action} for user {user} was not done, because it could not be written to the audit trail: {cause} Nothing was sent to Treezor."
    )]
    ActionNotAudited {
        action: Deed,
        user: UserId,
        cause: Box<Error>,
    },
    #[error(
        "The audit trail of {} cannot be kept: {problem}. Restore your login keyring from a backup; if it is lost, keep this cache file unchanged for investigation and move it away, and KYC Desk starts a new trail in a new file.", cache.display()
    )]
    AuditTrail {
        cache: PathBuf,
        problem: TrailProblem,
    },
    #[error("The note on user {user} was not written: {problem}.")]
    InvalidNote { user: UserId, problem: TextProblem },
    #[error("Nothing was recorded on user {user}: {problem}.")]
    InvalidJustification { user: UserId, problem: TextProblem },
    #[error(
        "{action} on user {user} needs a second officer under the team's four-eyes policy, and the hub has recorded no approval. {}",
        match pending {
            Some((seq, by)) => format!("Proposal {seq} by {by} waits for a senior officer other than {by}."),
            None => "Propose it with a justification; a senior officer other than you approves it.".to_owned(),
        }
    )]
    NeedsApproval {
        action: Deed,
        user: UserId,
        pending: Option<(u64, String)>,
    },
    #[error(
        "{what} needs the team's hub, and no hub is set: enter the relay URL and your officer credential in Settings."
    )]
    NoHub { what: Deed },
    #[error(
        "{what}{} was not recorded at the hub: {cause} Nothing changed for the team; retry once the hub answers.",
        user.map(|user| format!(" for user {user}")).unwrap_or_default()
    )]
    Hub {
        what: Deed,
        /// The case the record was about; `None` for the team's policy.
        user: Option<UserId>,
        cause: crate::sync::FeedError,
    },
    #[error("{what} for user {user} was refused by the hub: {refusal}.")]
    ClaimRefused {
        what: Deed,
        user: UserId,
        refusal: kyc::claim::ClaimRefusal,
    },
    #[error(
        "Colleagues took each of the next {tries} unclaimed cases before this desk could; nothing was claimed. Ask for the next unclaimed case again."
    )]
    ClaimRaceLost { tries: usize },
    #[error(
        "{what} on the case of user {user} was refused: {holder} holds this case (the claim lapses at {lapses_at} without their activity). Ask them to release it, or a senior to reassign it to you."
    )]
    HeldByColleague {
        what: Deed,
        user: UserId,
        holder: String,
        lapses_at: kyc::Timestamp,
    },
    #[error("The case of user {user} was not reassigned: {problem}. Pick an officer of the team.")]
    InvalidAssignee { user: UserId, problem: TextProblem },
    #[error(
        "The team's deadlines were not changed: {problem}. Correct the deadline and save again."
    )]
    InvalidDeadlines {
        problem: kyc::deadline::DeadlineError,
    },
    #[error("{0}")]
    Internal(Fault),
}

impl Error {
    /// A stable, snake_case name for the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::KeychainLocked { .. } => "keychain_locked",
            Error::KeychainUnavailable { .. } => "keychain_unavailable",
            Error::MissingSecret { .. } | Error::SecretForAnotherOrigin { .. } => "missing_secret",
            Error::InvalidSetting { .. } => "invalid_setting",
            Error::SettingsFile { .. } | Error::InvalidSettingInFile { .. } => "settings_file",
            Error::NoHomeFolder => "no_home_folder",
            Error::TreezorNotConfigured => "treezor_not_configured",
            Error::NotAllowed { .. } => "not_allowed",
            Error::NeedsConfirmation { .. } => "needs_confirmation",
            Error::MissingAttributes { .. } => "missing_attributes",
            Error::StartAnswerLost { .. } => "treezor_answer_lost",
            Error::NotViewable { .. } => "not_viewable",
            // Refused credentials are Treezor refusing us, not Treezor out of reach.
            Error::Treezor(treezor::Error::Credentials { .. }) => "treezor_refused",
            Error::Treezor(e) => match e.treezor().map(|t| t.status) {
                // 501: document download is not enabled for the account.
                Some(401 | 403 | 501) => "treezor_refused",
                Some(404 | 410) => "treezor_not_found",
                Some(_) => "treezor_error",
                None => "treezor_unreachable",
            },
            Error::Cache(_) => "cache",
            Error::InvalidRedirectUrl(_) => "invalid_redirect_url",
            Error::Demo { .. } => "demo",
            // What stopped the action is what the officer must fix.
            Error::ActionNotAudited { cause, .. } => cause.code(),
            Error::AuditTrail { .. } => "audit_trail",
            Error::InvalidNote { .. } => "invalid_note",
            Error::InvalidJustification { .. } => "invalid_justification",
            Error::NeedsApproval { .. } => "needs_approval",
            Error::NoHub { .. } => "no_hub",
            Error::Hub { cause, .. } if cause.is_refusal() => "hub_refused",
            // The hub decided against the record (a role, a proposer answering their own
            // proposal, a proposal answered before): retrying changes nothing.
            Error::Hub {
                cause:
                    crate::sync::FeedError::Status {
                        status: 403 | 404 | 409,
                        ..
                    }
                    | crate::sync::FeedError::Outdated { .. }
                    | crate::sync::FeedError::Declined {
                        status: 403 | 404 | 409,
                        ..
                    },
                ..
            } => "hub_refused",
            Error::Hub { .. } => "hub_unreachable",
            Error::ClaimRefused { .. } | Error::ClaimRaceLost { .. } => "claim_refused",
            Error::HeldByColleague { .. } => "held_by_colleague",
            Error::InvalidDeadlines { .. } => "invalid_deadlines",
            Error::InvalidAssignee { .. } => "invalid_assignee",
            Error::Internal(_) => "internal",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
