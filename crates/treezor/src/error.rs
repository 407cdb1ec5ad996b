//! The one error of the Treezor client.
//!
//! Treezor's own refusals are [`TreezorError`]: the HTTP status, Treezor's code, message and
//! `requestId` (to quote to Treezor's support), and a [`Problem`] that says what it means and what
//! the officer can do. Messages never hold a secret or a token.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

use crate::answers::Unexpected;
use crate::config_problem::ConfigProblem;
use crate::download_failure::{AttemptFailure, DownloadRefusal, FileStep};
use crate::transport::Transport;

#[derive(Debug, Error)]
pub enum Error {
    /// Boxed: it is large, and errors travel through every call.
    #[error(transparent)]
    Treezor(Box<TreezorError>),
    #[error(
        "Treezor refused the client credentials (HTTP {status}): {message}. Check the client id and secret in the settings"
    )]
    Credentials { status: u16, message: String },
    #[error(
        "Treezor could not be reached for {call}: {transport}. Check the network and the base URL, then retry"
    )]
    Unreachable { call: String, transport: Transport },
    /// A call that acts was sent and its answer lost: Treezor may have carried it out.
    #[error(
        "Treezor's answer to {call} was lost ({transport}): Treezor may have carried it out. It was not sent again, since a repeat could act twice"
    )]
    AnswerLost { call: String, transport: Transport },
    #[error("Treezor's answer to {call} could not be read: {problem}")]
    UnexpectedAnswer { call: String, problem: Unexpected },
    #[error("the Treezor client is not configured correctly: {0}")]
    Config(ConfigProblem),
    /// `detail` is the system's own account of the fault.
    #[error("document {document} could not be saved to {}: {step}: {detail}", path.display())]
    File {
        document: u64,
        path: PathBuf,
        step: FileStep,
        detail: String,
    },
    /// A download stopped by a rule (a URL or redirect the rules refuse, a file over the size
    /// cap), not by a fault: another attempt would meet the same refusal.
    #[error("document {document} was not downloaded: {reason}. Nothing was saved")]
    DownloadRefused {
        document: u64,
        reason: DownloadRefusal,
    },
    #[error("document {document} is {size} bytes or more, over the {limit} bytes allowed")]
    TooLarge {
        document: u64,
        size: u64,
        limit: u64,
    },
    #[error(
        "document {document} could not be downloaded after {attempts} attempts: {last}. Retry later"
    )]
    DownloadFailed {
        document: u64,
        attempts: u32,
        last: AttemptFailure,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How the answer to a call that may have acted was lost.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "lost", rename_all = "snake_case")]
pub enum LostAnswer {
    /// The connection failed after the request left.
    Transport { transport: Transport },
    /// Treezor, or a gateway before it, answered a server error or a timeout.
    Status { status: u16 },
}

/// The English of the logs and the audit trail.
impl fmt::Display for LostAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LostAnswer::Transport { transport } => transport.fmt(f),
            LostAnswer::Status { status } => write!(f, "HTTP {status}"),
        }
    }
}

/// What a refusal from Treezor means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// 400: Treezor found the request invalid.
    BadRequest,
    /// 401 even after a fresh token.
    Unauthorized,
    /// 403: the token lacks the scope, or the feature is off.
    Forbidden,
    /// 404.
    NotFound,
    /// 405 on `PUT kycliveness`: the verification has nothing to store (it was not validated).
    DocumentsNotStorable,
    /// 406 on `PUT kycliveness`: the last verification is not processed yet.
    NotProcessed,
    /// 410 on `PUT kycliveness`: the last verification no longer exists.
    IdentificationGone,
    /// 428 on `POST kycliveness`: the user lacks these attributes.
    MissingAttributes(Vec<String>),
    /// 403 or 501 on a document download: download is not enabled for the account.
    DownloadNotEnabled,
    /// 429.
    RateLimited,
    /// 5xx.
    Unavailable,
    Other,
}

/// A refusal from Treezor, with everything Treezor said about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreezorError {
    /// The call, e.g. `PUT /v1/users/42/kycliveness`.
    pub call: String,
    pub status: u16,
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    pub doc_url: Option<String>,
    pub problem: Problem,
}

impl TreezorError {
    /// What the officer can do about it.
    pub fn advice(&self) -> String {
        match &self.problem {
            Problem::MissingAttributes(missing) => format!(
                "the user lacks {}: fill them in at Treezor, then start the verification again",
                missing.join(", ")
            ),
            Problem::DownloadNotEnabled => {
                "document download is not enabled for this Treezor account: ask Treezor to enable it".into()
            }
            Problem::NotProcessed => {
                "the last verification is not processed yet: wait for the kycliveness.update webhook".into()
            }
            Problem::DocumentsNotStorable => {
                "the last verification was not validated (score 1), so it has no documents to store".into()
            }
            Problem::IdentificationGone => {
                "the last verification no longer exists: start a new one".into()
            }
            Problem::Unauthorized => {
                "Treezor refused the access token even after renewing it: check the credentials and scopes".into()
            }
            Problem::Forbidden => "the credentials lack the scope this call needs: ask Treezor for it".into(),
            Problem::NotFound => "Treezor does not know this object: check the id".into(),
            Problem::RateLimited => "Treezor is limiting requests: retry in a moment".into(),
            Problem::Unavailable => "Treezor is unavailable: retry in a moment".into(),
            Problem::BadRequest => "Treezor found the request invalid".into(),
            Problem::Other => "Treezor refused the request".into(),
        }
    }
}

impl fmt::Display for TreezorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed (HTTP {}): {}",
            self.call,
            self.status,
            self.advice()
        )?;
        if !self.message.is_empty() {
            write!(f, ". Treezor said: {}", self.message)?;
        }
        if let Some(code) = &self.code {
            write!(f, " (code {code})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [requestId {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for TreezorError {}

impl From<TreezorError> for Error {
    fn from(error: TreezorError) -> Self {
        Error::Treezor(Box::new(error))
    }
}

impl Error {
    /// Whether Treezor may have carried the call out though it failed: its answer was lost after
    /// the request left, or Treezor (or a gateway before it) answered a server error or a
    /// timeout. A refusal (4xx), a connection never made, or a bad request are not.
    pub fn may_have_acted(&self) -> bool {
        self.lost_answer().is_some()
    }

    /// How the answer was lost, when Treezor may have carried the call out (see
    /// [`Error::may_have_acted`]).
    pub fn lost_answer(&self) -> Option<LostAnswer> {
        match self {
            Error::AnswerLost { transport, .. } => Some(LostAnswer::Transport {
                transport: transport.clone(),
            }),
            Error::Treezor(e) if matches!(e.status, 408 | 500..=599) => {
                Some(LostAnswer::Status { status: e.status })
            }
            _ => None,
        }
    }

    /// Treezor's refusal, when this error is one.
    pub fn treezor(&self) -> Option<&TreezorError> {
        match self {
            Error::Treezor(e) => Some(e),
            _ => None,
        }
    }
}
