//! Why a document is not shown in the window, typed for the window to word in the officer's
//! language; the `Display` is the English the audit entry and the logs keep.

use std::fmt;

use kyc::case::Refusal;
use serde::Serialize;

use super::format::DocumentFormat;

/// Who claims a format for a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Claimant {
    /// The file name Treezor gave.
    Name,
    /// The file host's `Content-Type`.
    FileHost,
}

impl fmt::Display for Claimant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Claimant::Name => "its name",
            Claimant::FileHost => "the file host",
        })
    }
}

/// Why a document is not shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum ViewRefusal {
    /// The case's state: documents are viewed exactly when they could be downloaded.
    Case {
        refusal: Refusal,
    },
    NotTheUsersDocument,
    /// Over the viewer's limit, in megabytes.
    TooLarge {
        size_mb: u64,
        limit_mb: u64,
    },
    /// A rule of every fetch (its URL, a redirect off its host, the size cap) refused it.
    DownloadRefused {
        reason: treezor::DownloadRefusal,
    },
    /// The bytes are none of the formats the window shows; what the file claimed, if anything.
    Unknown {
        claimed: Option<DocumentFormat>,
        by: Option<Claimant>,
    },
    /// The file claims one format and its bytes are another.
    Mismatch {
        by: Claimant,
        claimed: DocumentFormat,
        found: DocumentFormat,
    },
    /// A picture of no pixels.
    Empty {
        format: DocumentFormat,
        width: u32,
        height: u32,
    },
    /// A picture larger than the window decodes safely.
    TooManyPixels {
        format: DocumentFormat,
        width: u32,
        height: u32,
    },
    /// A picture whose header cannot be read.
    Damaged {
        format: DocumentFormat,
    },
}

impl fmt::Display for ViewRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ViewRefusal::Case { refusal } => f.write_str(refusal.message()),
            ViewRefusal::NotTheUsersDocument => crate::actions::NOT_THE_USERS_DOCUMENT.fmt(f),
            ViewRefusal::TooLarge { size_mb, limit_mb } => write!(
                f,
                "it is {size_mb} MB or more, over the {limit_mb} MB this window shows"
            ),
            ViewRefusal::DownloadRefused { reason } => reason.fmt(f),
            ViewRefusal::Unknown { claimed, by } => {
                f.write_str(
                    "its bytes are not those of a JPEG, PNG, WebP or HEIC picture nor of a PDF",
                )?;
                match (claimed, by) {
                    (Some(format), Some(by)) => write!(f, " ({by} says {})", format.words()),
                    _ => Ok(()),
                }
            }
            ViewRefusal::Mismatch { by, claimed, found } => write!(
                f,
                "{by} says it is {}, but its bytes are {}",
                claimed.words(),
                found.words()
            ),
            ViewRefusal::Empty {
                format,
                width,
                height,
            } => write!(
                f,
                "{} of {width} × {height} pixels holds nothing to show",
                format.words()
            ),
            ViewRefusal::TooManyPixels {
                format,
                width,
                height,
            } => write!(
                f,
                "{} of {width} × {height} pixels is larger than this window decodes safely",
                format.words()
            ),
            ViewRefusal::Damaged { format } => write!(
                f,
                "it starts as {} but its header cannot be read: the file is damaged",
                format.words()
            ),
        }
    }
}
