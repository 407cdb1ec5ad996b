//! What an error says, as a code and its parameters, for the window to word in the officer's
//! language.
//!
//! The English `Display` of [`Error`] stays what logs and the command line print; the window
//! receives [`Words`] instead and says the same thing in French or English from its catalogues
//! (`ui/messages/*.json`, keys `error_<kind>`). A parameter is typed where the desk knows what it
//! is (a user, an action, a refusal, a setting, a Treezor problem); text that comes from outside
//! is passed verbatim and shown as a quotation: Treezor's own messages (they are the record), and
//! the operating system's, the network's or SQLite's descriptions of a fault. The hub's refusals
//! come typed from its stable codes ([`HubRefusal`]); its text is quoted only for a code this
//! desk does not know.
//!
//! What must stay true: every error the desk can return has words here, and each kind has a text
//! in every catalogue (checked by the window's tests against the generated union). Nothing here
//! holds a secret: errors never carry one.

use kyc::text_problem::TextProblem;
use kyc::{DocumentId, UserId};
use serde::Serialize;

use crate::error::{Barrier, Deed, Error};
use crate::faults::{DemoCause, DemoStep, Fault, SettingsFileProblem, TrailProblem};
use crate::secrets::{Kept, KeychainOperation, KeychainProblem};
use crate::settings::{Setting, SettingProblem};
use crate::sync::{FeedError, HubAnswer, HubRefusal};
use crate::viewer::ViewRefusal;

/// An error, in parameters the window words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Words {
    KeychainLocked {
        secret: Kept,
        operation: KeychainOperation,
    },
    KeychainUnavailable {
        secret: Kept,
        operation: KeychainOperation,
        problem: KeychainProblem,
    },
    MissingSecret {
        secret: Kept,
    },
    SecretForAnotherOrigin {
        secret: Kept,
        setting: Setting,
        entered_for: String,
        now: String,
    },
    InvalidSetting {
        setting: Setting,
        problem: SettingProblem,
    },
    SettingsFile {
        path: String,
        problem: SettingsFileProblem,
    },
    InvalidSettingInFile {
        path: String,
        setting: Setting,
        file_key: String,
        problem: SettingProblem,
    },
    NoHomeFolder,
    TreezorNotConfigured,
    /// Not connected: the settings file was refused at start (Settings says why).
    SettingsRefused,
    NotAllowed {
        action: Deed,
        user: UserId,
        reason: Barrier,
    },
    /// The cautions and children are in the error's detail.
    NeedsConfirmation {
        action: Deed,
        user: UserId,
    },
    NotViewable {
        document: DocumentId,
        reason: ViewRefusal,
    },
    MissingAttributes {
        user: UserId,
        missing: Vec<String>,
    },
    StartAnswerLost {
        user: UserId,
        lost: treezor::LostAnswer,
    },
    /// Treezor answered with a refusal: what it means, and what Treezor said, verbatim.
    TreezorRefusal {
        call: String,
        status: u16,
        problem: TreezorProblem,
        message: String,
        code: Option<String>,
        request_id: Option<String>,
    },
    TreezorCredentials {
        status: u16,
        message: String,
    },
    TreezorUnreachable {
        call: String,
        transport: treezor::Transport,
    },
    TreezorAnswerLost {
        call: String,
        transport: treezor::Transport,
    },
    TreezorUnexpectedAnswer {
        call: String,
        problem: treezor::Unexpected,
    },
    TreezorConfig {
        problem: treezor::ConfigProblem,
    },
    /// The system refused `step` of saving; `detail` is its own account.
    DocumentNotSaved {
        document: u64,
        path: String,
        step: treezor::FileStep,
        detail: String,
    },
    DownloadRefused {
        document: u64,
        reason: treezor::DownloadRefusal,
    },
    DocumentTooLarge {
        document: u64,
        size: u64,
        limit: u64,
    },
    DownloadFailed {
        document: u64,
        attempts: u32,
        last: treezor::AttemptFailure,
    },
    CacheFolder {
        path: String,
        detail: String,
    },
    CacheOpen {
        path: String,
        detail: String,
    },
    CacheMigration {
        path: String,
        target: u64,
        detail: String,
    },
    CacheNewerSchema {
        path: String,
        found: i64,
        known: u64,
    },
    /// Read before the writer migrated the file from `found` to `target`.
    CacheNotMigrated {
        path: String,
        found: i64,
        target: u64,
    },
    CacheFailed {
        detail: String,
    },
    CacheStored {
        what: cache::StoredValue,
        problem: cache::StoredProblem,
    },
    QueuePosition {
        problem: cache::CursorProblem,
    },
    PageSize {
        asked: u32,
        max: u32,
    },
    SearchTooLong {
        length: u64,
    },
    UnknownUser {
        user: u64,
    },
    UnknownDocument {
        document: u64,
    },
    ExportFailed {
        detail: String,
    },
    InvalidRedirectUrl {
        detail: String,
    },
    RedirectNotHttps,
    Demo {
        step: DemoStep,
        cause: DemoCause,
    },
    /// The action was not done: its audit entry could not be written, for `cause`.
    ActionNotAudited {
        action: Deed,
        user: UserId,
        cause: Box<Words>,
    },
    AuditTrail {
        cache: String,
        problem: TrailProblem,
    },
    InvalidNote {
        user: UserId,
        problem: TextProblem,
    },
    NoHub {
        what: Deed,
    },
    InvalidJustification {
        user: UserId,
        problem: TextProblem,
    },
    InvalidAssignee {
        user: UserId,
        problem: TextProblem,
    },
    /// The hub refused a claim, release or reassignment.
    ClaimRefused {
        what: Deed,
        user: UserId,
        refusal: ClaimProblem,
    },
    /// Colleagues took each of the next `tries` unclaimed cases first.
    ClaimRaceLost {
        tries: u64,
    },
    InvalidDeadlines {
        problem: kyc::deadline::DeadlineError,
    },
    /// Another officer holds the case: its changes are theirs until the claim lapses.
    HeldByColleague {
        what: Deed,
        user: UserId,
        holder: String,
        lapses_at: kyc::Timestamp,
    },
    /// The team's four-eyes policy binds the act and the hub recorded no approval; `proposal`
    /// and `proposer` name one waiting, if any.
    NeedsApproval {
        action: Deed,
        user: UserId,
        proposal: Option<u64>,
        proposer: Option<String>,
    },
    /// The relay's feed failed (the sync loop retries).
    Relay {
        problem: HubProblem,
    },
    /// Nothing was recorded at the hub, for `cause`.
    Hub {
        what: Deed,
        /// `None` for the team's policy, which names no case.
        user: Option<UserId>,
        cause: HubProblem,
    },
    Internal {
        fault: Fault,
    },
}

/// What a refusal from Treezor means (see `treezor::Problem`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum TreezorProblem {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    DocumentsNotStorable,
    NotProcessed,
    IdentificationGone,
    MissingAttributes { missing: Vec<String> },
    DownloadNotEnabled,
    RateLimited,
    Unavailable,
    Other,
}

/// Why the hub did not record what was sent (see [`FeedError`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum HubProblem {
    Unreachable {
        url: String,
        transport: treezor::Transport,
    },
    /// A four-eyes run the hub recorded that did not come back in its feed.
    RunNotSeen {
        url: String,
        proposal: u64,
    },
    Unauthorized,
    /// The hub refused the credential (e.g. `credential_revoked`), typed from its code.
    Refused {
        refusal: HubRefusal,
        /// The hub's English, for the logs.
        message: String,
    },
    /// The hub refused the request (a role, a limit, a proposal), typed from its code.
    Declined {
        status: u16,
        refusal: HubRefusal,
        /// The hub's English, for the logs.
        message: String,
    },
    /// An answer that is not the hub's JSON: the first of its body, quoted.
    Status {
        status: u16,
        detail: String,
    },
    /// A relay older than the request.
    Outdated {
        answer: HubAnswer,
    },
    /// `detail` is the JSON parser's own description.
    Malformed {
        answer: HubAnswer,
        detail: String,
    },
    /// A claim's refusal where no case is named (worded as `ClaimRefused` where one is).
    Claim {
        refusal: ClaimProblem,
        /// The refusal in English, for the logs.
        message: String,
    },
}

impl Error {
    /// What the error says, for the window to word.
    pub fn words(&self) -> Words {
        match self {
            Error::KeychainLocked { secret, operation } => Words::KeychainLocked {
                secret: *secret,
                operation: *operation,
            },
            Error::KeychainUnavailable {
                secret,
                operation,
                problem,
            } => Words::KeychainUnavailable {
                secret: *secret,
                operation: *operation,
                problem: problem.clone(),
            },
            Error::MissingSecret { secret } => Words::MissingSecret { secret: *secret },
            Error::SecretForAnotherOrigin {
                secret,
                setting,
                entered_for,
                now,
            } => Words::SecretForAnotherOrigin {
                secret: *secret,
                setting: *setting,
                entered_for: entered_for.to_string(),
                now: now.to_string(),
            },
            Error::InvalidSetting { setting, problem } => Words::InvalidSetting {
                setting: *setting,
                problem: problem.clone(),
            },
            Error::SettingsFile { path, problem } => Words::SettingsFile {
                path: path.display().to_string(),
                problem: problem.clone(),
            },
            Error::InvalidSettingInFile {
                path,
                setting,
                problem,
            } => Words::InvalidSettingInFile {
                path: path.display().to_string(),
                setting: *setting,
                file_key: setting.file_key().to_owned(),
                problem: problem.clone(),
            },
            Error::NoHomeFolder => Words::NoHomeFolder,
            Error::TreezorNotConfigured => Words::TreezorNotConfigured,
            Error::NotAllowed {
                action,
                user,
                reason,
            } => Words::NotAllowed {
                action: *action,
                user: *user,
                reason: *reason,
            },
            Error::NeedsConfirmation { action, user, .. } => Words::NeedsConfirmation {
                action: *action,
                user: *user,
            },
            Error::NotViewable { document, reason } => Words::NotViewable {
                document: *document,
                reason: reason.clone(),
            },
            Error::MissingAttributes { user, missing } => Words::MissingAttributes {
                user: *user,
                missing: missing.clone(),
            },
            Error::StartAnswerLost { user, lost } => Words::StartAnswerLost {
                user: *user,
                lost: lost.clone(),
            },
            Error::Treezor(error) => treezor_words(error),
            Error::Cache(error) => cache_words(error),
            Error::InvalidRedirectUrl(crate::error::RedirectProblem::NotHttps) => {
                Words::RedirectNotHttps
            }
            Error::InvalidRedirectUrl(crate::error::RedirectProblem::NotUrl(detail)) => {
                Words::InvalidRedirectUrl {
                    detail: detail.clone(),
                }
            }
            Error::Demo { step, cause } => Words::Demo {
                step: *step,
                cause: cause.clone(),
            },
            Error::ActionNotAudited {
                action,
                user,
                cause,
            } => Words::ActionNotAudited {
                action: *action,
                user: *user,
                cause: Box::new(cause.words()),
            },
            Error::AuditTrail { cache, problem } => Words::AuditTrail {
                cache: cache.display().to_string(),
                problem: *problem,
            },
            Error::InvalidNote { user, problem } => Words::InvalidNote {
                user: *user,
                problem: problem.clone(),
            },
            Error::NoHub { what } => Words::NoHub { what: *what },
            Error::InvalidJustification { user, problem } => Words::InvalidJustification {
                user: *user,
                problem: problem.clone(),
            },
            Error::InvalidAssignee { user, problem } => Words::InvalidAssignee {
                user: *user,
                problem: problem.clone(),
            },
            Error::ClaimRefused {
                what,
                user,
                refusal,
            } => Words::ClaimRefused {
                what: *what,
                user: *user,
                refusal: ClaimProblem::from(refusal),
            },
            Error::ClaimRaceLost { tries } => Words::ClaimRaceLost {
                tries: *tries as u64,
            },
            Error::InvalidDeadlines { problem } => Words::InvalidDeadlines {
                problem: problem.clone(),
            },
            Error::HeldByColleague {
                what,
                user,
                holder,
                lapses_at,
            } => Words::HeldByColleague {
                what: *what,
                user: *user,
                holder: holder.clone(),
                lapses_at: *lapses_at,
            },
            Error::NeedsApproval {
                action,
                user,
                pending,
            } => Words::NeedsApproval {
                action: *action,
                user: *user,
                proposal: pending.as_ref().map(|(seq, _)| *seq),
                proposer: pending.as_ref().map(|(_, by)| by.clone()),
            },
            Error::Hub { what, user, cause } => Words::Hub {
                what: *what,
                user: *user,
                cause: hub_problem(cause),
            },
            Error::Internal(fault) => Words::Internal {
                fault: fault.clone(),
            },
        }
    }
}

fn treezor_words(error: &treezor::Error) -> Words {
    use treezor::Error as T;
    match error {
        T::Treezor(refusal) => Words::TreezorRefusal {
            call: refusal.call.clone(),
            status: refusal.status,
            problem: treezor_problem(&refusal.problem),
            message: refusal.message.clone(),
            code: refusal.code.clone(),
            request_id: refusal.request_id.clone(),
        },
        T::Credentials { status, message } => Words::TreezorCredentials {
            status: *status,
            message: message.clone(),
        },
        T::Unreachable { call, transport } => Words::TreezorUnreachable {
            call: call.clone(),
            transport: transport.clone(),
        },
        T::AnswerLost { call, transport } => Words::TreezorAnswerLost {
            call: call.clone(),
            transport: transport.clone(),
        },
        T::UnexpectedAnswer { call, problem } => Words::TreezorUnexpectedAnswer {
            call: call.clone(),
            problem: problem.clone(),
        },
        T::Config(problem) => Words::TreezorConfig {
            problem: problem.clone(),
        },
        T::File {
            document,
            path,
            step,
            detail,
        } => Words::DocumentNotSaved {
            document: *document,
            path: path.display().to_string(),
            step: *step,
            detail: detail.clone(),
        },
        T::DownloadRefused { document, reason } => Words::DownloadRefused {
            document: *document,
            reason: reason.clone(),
        },
        T::TooLarge {
            document,
            size,
            limit,
        } => Words::DocumentTooLarge {
            document: *document,
            size: *size,
            limit: *limit,
        },
        T::DownloadFailed {
            document,
            attempts,
            last,
        } => Words::DownloadFailed {
            document: *document,
            attempts: *attempts,
            last: last.clone(),
        },
    }
}

fn treezor_problem(problem: &treezor::Problem) -> TreezorProblem {
    use treezor::Problem as P;
    match problem {
        P::BadRequest => TreezorProblem::BadRequest,
        P::Unauthorized => TreezorProblem::Unauthorized,
        P::Forbidden => TreezorProblem::Forbidden,
        P::NotFound => TreezorProblem::NotFound,
        P::DocumentsNotStorable => TreezorProblem::DocumentsNotStorable,
        P::NotProcessed => TreezorProblem::NotProcessed,
        P::IdentificationGone => TreezorProblem::IdentificationGone,
        P::MissingAttributes(missing) => TreezorProblem::MissingAttributes {
            missing: missing.clone(),
        },
        P::DownloadNotEnabled => TreezorProblem::DownloadNotEnabled,
        P::RateLimited => TreezorProblem::RateLimited,
        P::Unavailable => TreezorProblem::Unavailable,
        P::Other => TreezorProblem::Other,
    }
}

fn cache_words(error: &cache::Error) -> Words {
    use cache::Error as C;
    match error {
        C::CreateFolder { path, source } => Words::CacheFolder {
            path: path.display().to_string(),
            detail: source.to_string(),
        },
        C::Open { path, source } => Words::CacheOpen {
            path: path.display().to_string(),
            detail: source.to_string(),
        },
        C::Migration {
            path,
            target,
            detail,
        } => Words::CacheMigration {
            path: path.display().to_string(),
            target: *target as u64,
            detail: detail.clone(),
        },
        C::NewerSchema { path, found, known } => Words::CacheNewerSchema {
            path: path.display().to_string(),
            found: *found,
            known: *known as u64,
        },
        C::NotMigrated {
            path,
            found,
            target,
        } => Words::CacheNotMigrated {
            path: path.display().to_string(),
            found: *found,
            target: *target as u64,
        },
        C::Database { source, .. } => Words::CacheFailed {
            detail: source.to_string(),
        },
        C::Stored { what, problem } => Words::CacheStored {
            what: *what,
            problem: problem.clone(),
        },
        C::Cursor(problem) => Words::QueuePosition { problem: *problem },
        C::PageSize { asked, max } => Words::PageSize {
            asked: *asked,
            max: *max,
        },
        C::SearchTooLong(length) => Words::SearchTooLong {
            length: *length as u64,
        },
        C::UnknownUser(user) => Words::UnknownUser { user: *user },
        C::UnknownDocument(document) => Words::UnknownDocument {
            document: *document,
        },
        C::Export(source) => Words::ExportFailed {
            detail: source.to_string(),
        },
    }
}

impl From<&FeedError> for HubProblem {
    fn from(error: &FeedError) -> HubProblem {
        hub_problem(error)
    }
}

impl HubProblem {
    /// The same in English, as the relay's error says it.
    pub fn english(&self) -> String {
        match self {
            HubProblem::Unreachable { url, transport } => FeedError::Unreachable {
                url: url.clone(),
                transport: transport.clone(),
            },
            HubProblem::RunNotSeen { url, proposal } => FeedError::RunNotSeen {
                url: url.clone(),
                proposal: *proposal,
            },
            HubProblem::Unauthorized => FeedError::Unauthorized,
            HubProblem::Refused { refusal, message } => FeedError::Refused {
                refusal: refusal.clone(),
                message: message.clone(),
            },
            HubProblem::Declined {
                status,
                refusal,
                message,
            } => FeedError::Declined {
                status: *status,
                refusal: refusal.clone(),
                message: message.clone(),
            },
            HubProblem::Status { status, detail } => FeedError::Status {
                status: *status,
                detail: detail.clone(),
            },
            HubProblem::Outdated { answer } => FeedError::Outdated { answer: *answer },
            HubProblem::Malformed { answer, detail } => FeedError::Malformed {
                answer: *answer,
                detail: detail.clone(),
            },
            HubProblem::Claim { message, .. } => return message.clone(),
        }
        .to_string()
    }
}

fn hub_problem(error: &FeedError) -> HubProblem {
    match error {
        FeedError::Unreachable { url, transport } => HubProblem::Unreachable {
            url: url.clone(),
            transport: transport.clone(),
        },
        FeedError::RunNotSeen { url, proposal } => HubProblem::RunNotSeen {
            url: url.clone(),
            proposal: *proposal,
        },
        FeedError::Unauthorized => HubProblem::Unauthorized,
        FeedError::Refused { refusal, message } => HubProblem::Refused {
            refusal: refusal.clone(),
            message: message.clone(),
        },
        FeedError::Declined {
            status,
            refusal,
            message,
        } => HubProblem::Declined {
            status: *status,
            refusal: refusal.clone(),
            message: message.clone(),
        },
        FeedError::Status { status, detail } => HubProblem::Status {
            status: *status,
            detail: detail.clone(),
        },
        FeedError::Outdated { answer } => HubProblem::Outdated { answer: *answer },
        FeedError::Malformed { answer, detail } => HubProblem::Malformed {
            answer: *answer,
            detail: detail.clone(),
        },
        // A claim's refusal names its case and is worded as `ClaimRefused`; one without a case
        // cannot be sent, so this only quotes the hub.
        FeedError::Claim(refusal) => HubProblem::Claim {
            refusal: ClaimProblem::from(refusal),
            message: refusal.to_string(),
        },
    }
}

/// Why the hub refused a claim, in parameters (see [`kyc::claim::ClaimRefusal`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum ClaimProblem {
    HeldBy { holder: String, since: String },
    NotTheHolder { holder: String },
    NotHeld,
    SeniorOnly,
}

impl From<&kyc::claim::ClaimRefusal> for ClaimProblem {
    fn from(refusal: &kyc::claim::ClaimRefusal) -> ClaimProblem {
        use kyc::claim::ClaimRefusal as R;
        match refusal {
            R::HeldBy { holder, since } => ClaimProblem::HeldBy {
                holder: holder.to_string(),
                since: since.to_rfc3339(),
            },
            R::NotTheHolder { holder } => ClaimProblem::NotTheHolder {
                holder: holder.to_string(),
            },
            R::NotHeld => ClaimProblem::NotHeld,
            R::SeniorOnly => ClaimProblem::SeniorOnly,
        }
    }
}
