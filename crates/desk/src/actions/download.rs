//! Download a document inside Treezor's 30-second URL window.
//!
//! Documents go to `user-<id>` in the download folder, created owner-only (0700; the files are
//! 0600, see `treezor::download`), under a name that carries the document id and never replaces
//! a file.
//!
//! The audit log gets a `started` entry before the first byte and a `succeeded` or `failed` one at
//! the end. A desk killed in between leaves only the `started` entry (and a hidden `.part` file:
//! nothing ever has the document's name before it is complete); the next start finds it, logs the
//! download as failed and removes the leftovers (see [`crate::files`]).

use std::path::PathBuf;

use cache::Download;
use kyc::{Action, DocumentId, UserId};
use serde::Serialize;

use super::Confirmation;
use crate::clock::now;
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::faults::Fault;

/// Where a download stands, for the window's progress bar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DownloadProgress {
    pub document_id: DocumentId,
    pub bytes: u64,
    pub total: Option<u64>,
}

/// A document saved on this machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SavedDocument {
    pub document_id: DocumentId,
    pub user_id: UserId,
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    /// Download URLs asked for (more than one when one expired or a connection dropped).
    pub urls_asked: u32,
}

impl Desk {
    /// Downloads `document` into the download folder, reporting progress.
    pub async fn download_document(
        &self,
        user: UserId,
        document: DocumentId,
        progress: impl Fn(DownloadProgress) + Send + Sync + 'static,
    ) -> Result<SavedDocument> {
        let action = Action::DownloadDocument;
        let when = now();
        let detail = self
            .store()
            .read(move |reader| reader.case_detail(user, when))
            .await?;
        self.check(action, &detail, Confirmation::Unconfirmed)
            .await?;
        if !detail
            .documents
            .iter()
            .any(|d| d.document.document_id == document)
        {
            let reason = super::NOT_THE_USERS_DOCUMENT;
            self.audit(
                action,
                Some(user),
                Some(document),
                cache::Outcome::Refused,
                reason.to_string(),
            )
            .await?;
            return Err(Error::NotAllowed {
                action: action.into(),
                user,
                reason,
            });
        }
        let client = self.treezor()?;
        let folder = self.download_dir().join(format!("user-{user}"));
        // Owner-only: the documents are identity documents.
        crate::owner_only::own_dir(&folder).map_err(|e| {
            Error::Internal(Fault::DownloadFolder {
                path: folder.display().to_string(),
                detail: e.to_string(),
            })
        })?;
        self.audit(
            action,
            Some(user),
            Some(document),
            cache::Outcome::Started,
            format!("download into {} began", folder.display()),
        )
        .await?;
        let outcome = client
            .download(document, &folder, move |bytes, total| {
                progress(DownloadProgress {
                    document_id: document,
                    bytes,
                    total,
                })
            })
            .await
            .map_err(Error::from);
        let downloaded = self
            .audited(action, Some(user), Some(document), outcome, |d| {
                format!(
                    "saved {} ({} bytes, sha256 {})",
                    d.path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    d.bytes,
                    d.sha256
                )
            })
            .await?;
        let record = Download {
            path: downloaded.path.display().to_string(),
            size: downloaded.bytes,
            sha256: downloaded.sha256.clone(),
            downloaded_at: now(),
        };
        self.store()
            .write(move |cache| cache.record_download(document, &record))
            .await?;
        self.notify_changed(vec![user]);
        Ok(SavedDocument {
            document_id: document,
            user_id: user,
            path: downloaded.path,
            size: downloaded.bytes,
            sha256: downloaded.sha256,
            urls_asked: downloaded.urls_asked,
        })
    }
}
