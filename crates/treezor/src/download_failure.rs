//! Why a download stopped, typed: each cause with its parameters, for the window to word in the
//! officer's language. The `Display`s are the English of the logs and the command line.
//!
//! A [`DownloadRefusal`] is a rule that stopped the download (another attempt would meet it
//! again); an [`AttemptFailure`] is why one attempt with one URL failed (another URL may do); a
//! [`FileStep`] is the step of saving that the system refused.

use std::fmt;

use serde::Serialize;

use crate::endpoint::UrlRefusal;
use crate::transport::Transport;

/// A rule that stopped a download: nothing was saved, and another attempt would be refused too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum DownloadRefusal {
    /// Treezor handed out a download URL that does not parse; the parser's words.
    NotAUrl { detail: String },
    /// Treezor's download URL breaks a rule of [`crate::endpoint`]; `origin` names its server.
    UrlRefused { origin: String, rule: UrlRefusal },
    /// The URL's check could not run (its name lookup stopped).
    UrlNotChecked { origin: String },
    /// The file host sent the request to another server (`to` its origin, `None` when the
    /// address given could not be read).
    RedirectedElsewhere { from: String, to: Option<String> },
    /// The file host announced more bytes than a document may have.
    AnnouncedTooLarge { announced: u64, limit: u64 },
    /// The file host sent more bytes than a document may have.
    SentTooLarge { limit: u64 },
}

impl fmt::Display for DownloadRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DownloadRefusal::NotAUrl { detail } => {
                write!(f, "Treezor's download URL is not a URL ({detail})")
            }
            DownloadRefusal::UrlRefused { origin, rule } => {
                write!(f, "Treezor's download URL for {origin} was refused: {rule}")
            }
            DownloadRefusal::UrlNotChecked { origin } => write!(
                f,
                "Treezor's download URL for {origin} was refused: could not be checked"
            ),
            DownloadRefusal::RedirectedElsewhere { from, to } => write!(
                f,
                "the file host at {from} redirected it to {}, another server; a download \
                 follows no redirect off its own host. Report it to Treezor",
                to.as_deref().unwrap_or("an unreadable address")
            ),
            DownloadRefusal::AnnouncedTooLarge { announced, limit } => write!(
                f,
                "the file host announced {announced} bytes, more than the {limit} a document may have"
            ),
            DownloadRefusal::SentTooLarge { limit } => write!(
                f,
                "the file host sent more than the {limit} bytes a document may have"
            ),
        }
    }
}

/// Why one attempt with one download URL failed: another URL is worth a try.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "failure", rename_all = "snake_case")]
pub enum AttemptFailure {
    /// The policy allows no attempt at all.
    NoAttempt,
    /// The URL arrived older than a URL may be used (it lives 30 seconds).
    UrlTooOld { seconds: u64 },
    /// The URL expires too soon to be used.
    UrlExpiresSoon { seconds: u64 },
    /// The URL had expired when Treezor handed it out.
    UrlExpired,
    /// The file host could not be reached.
    Unreachable { transport: Transport },
    /// 403 or 410: the URL expired or was altered.
    UrlRefused { status: u16 },
    /// A status worth another try (429, 5xx).
    Unavailable { status: u16 },
    /// Any other status that is not a success: no other URL is tried.
    Status { status: u16 },
    /// The connection dropped while the file came.
    Dropped { received: u64, transport: Transport },
    /// The file ended before the length the file host announced.
    CutShort { received: u64, announced: u64 },
}

impl fmt::Display for AttemptFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttemptFailure::NoAttempt => f.write_str("no attempt was made"),
            AttemptFailure::UrlTooOld { seconds } => {
                write!(f, "the URL was not used: it was received {seconds}s ago")
            }
            AttemptFailure::UrlExpiresSoon { seconds } => {
                write!(f, "the URL was not used: it expires in {seconds}s")
            }
            AttemptFailure::UrlExpired => f.write_str(
                "the URL was not used: it had already expired when Treezor handed it out",
            ),
            AttemptFailure::Unreachable { transport } => {
                write!(f, "the file host could not be reached: {transport}")
            }
            AttemptFailure::UrlRefused { status } => write!(
                f,
                "the file host refused the URL (HTTP {status}): it expired or was altered"
            ),
            AttemptFailure::Unavailable { status } | AttemptFailure::Status { status } => {
                write!(f, "the file host answered HTTP {status}")
            }
            AttemptFailure::Dropped {
                received,
                transport,
            } => write!(
                f,
                "the connection dropped after {received} bytes: {transport}"
            ),
            AttemptFailure::CutShort {
                received,
                announced,
            } => write!(f, "the file ended after {received} of {announced} bytes"),
        }
    }
}

/// The step of saving a downloaded document that the system refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FileStep {
    /// Creating the temporary file in the target's folder.
    CreateTemporary,
    OpenTemporary,
    Write,
    /// Syncing the complete file to disk.
    Sync,
    /// Moving the complete file to its name.
    MoveIntoPlace,
}

impl fmt::Display for FileStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileStep::CreateTemporary => "a temporary file could not be created beside it",
            FileStep::OpenTemporary => "the temporary file could not be opened",
            FileStep::Write => "writing failed",
            FileStep::Sync => "the file could not be synced to disk",
            FileStep::MoveIntoPlace => "the file could not be moved into place",
        })
    }
}
