//! Documents on this machine: the downloads the cache recorded, their age, purging them, and what
//! an interrupted download leaves behind.
//!
//! What must stay true:
//! - Only files this desk downloaded are ever deleted: a file is removed only when the cache
//!   recorded it and its bytes still have the SHA-256 recorded at download time. A file changed
//!   since (or a path the cache should not hold) is left in place and reported.
//! - Every removal, and every refusal to remove, is in the audit log.
//! - A download cut short by a crash never leaves a file under the document's name (it is written
//!   to a hidden `.part` file first); the next start logs it as failed and removes the `.part`
//!   files of that user's download folder.

use std::io::Read;
use std::path::{Path, PathBuf};

use cache::{LocalDownload, Outcome};
use kyc::{Action, DocumentId, Timestamp, UserId};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::desk::{Desk, lock};
use crate::error::Result;

/// The audit log's name for removing a downloaded file.
pub const PURGE_ACTION: &str = "purge_document";

/// A downloaded document as the window lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LocalDocument {
    pub document_id: DocumentId,
    pub user_id: Option<UserId>,
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    pub downloaded_at: Timestamp,
    /// Whole days since the download.
    pub age_days: u64,
    /// Whether the file is still where it was saved.
    pub present: bool,
}

/// Which downloaded documents to remove from this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PurgeSelection {
    /// Every download of these documents.
    Documents(Vec<DocumentId>),
    /// Every download older than this many days.
    OlderThanDays(u32),
    /// Every download of these users' documents (retention).
    Users(Vec<UserId>),
}

/// What a purge did, file by file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PurgeReport {
    /// Files deleted.
    pub removed: Vec<PathBuf>,
    /// Downloads whose file was already gone: forgotten.
    pub already_gone: Vec<PathBuf>,
    /// Files left in place, with why (changed since the download, or could not be deleted).
    pub kept: Vec<(PathBuf, LeftInPlace)>,
}

/// Why a purge left a file in place: the window words it; `Display` is the English of the audit
/// log. A `detail` is the operating system's own description, quoted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum LeftInPlace {
    Unreadable {
        detail: String,
    },
    NotARegularFile,
    /// Its bytes are not the downloaded document's any more.
    Changed,
    NotDeleted {
        detail: String,
    },
}

impl std::fmt::Display for LeftInPlace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LeftInPlace::Unreadable { detail } => write!(f, "it could not be read ({detail})"),
            LeftInPlace::NotARegularFile => f.write_str("it is not a regular file"),
            LeftInPlace::Changed => f.write_str(
                "its content changed since the download, so it is not the downloaded document any more",
            ),
            LeftInPlace::NotDeleted { detail } => {
                write!(f, "it could not be deleted ({detail})")
            }
        }
    }
}

/// A download that a crash cut short, as found at start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct InterruptedDownload {
    pub user_id: Option<UserId>,
    pub document_id: Option<DocumentId>,
    pub started_at: Timestamp,
    /// Partial (`.part`) files removed from the user's download folder.
    pub partial_files_removed: usize,
}

/// The documents on this machine as the window shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LocalFiles {
    /// Every download recorded, newest first.
    pub documents: Vec<LocalDocument>,
    /// Downloads a crash cut short, found at this start.
    pub interrupted: Vec<InterruptedDownload>,
    /// Where new downloads go.
    pub download_dir: PathBuf,
    /// Days a case stays closed before its files and data leave this machine.
    pub retention_days: u32,
}

const MICROS_PER_DAY: i64 = 86_400_000_000;

impl Desk {
    /// Every document downloaded on this machine, newest first, with its age and whether its file
    /// is still there.
    pub async fn local_documents(&self) -> Result<Vec<LocalDocument>> {
        let downloads = self
            .store()
            .read(|reader| reader.local_downloads(None))
            .await?;
        let now = self.now();
        Ok(downloads.iter().map(|d| local(d, now)).collect())
    }

    /// The documents on this machine, the downloads a crash cut short, and the retention period.
    pub async fn local_files(&self) -> Result<LocalFiles> {
        Ok(LocalFiles {
            documents: self.local_documents().await?,
            interrupted: self.interrupted_downloads(),
            download_dir: self.download_dir(),
            retention_days: self.settings().retention.closed_case_days,
        })
    }

    /// Removes downloaded documents from this machine (see the module doc for what is deleted).
    pub async fn purge_documents(&self, selection: PurgeSelection) -> Result<PurgeReport> {
        // Every removal is audited: none starts unless the trail can record it.
        self.audit_ready().await?;
        let downloads = self
            .store()
            .read(|reader| reader.local_downloads(None))
            .await?;
        let now = self.now();
        let chosen: Vec<LocalDownload> = downloads
            .into_iter()
            .filter(|d| match &selection {
                PurgeSelection::Documents(ids) => ids.contains(&d.document_id),
                PurgeSelection::OlderThanDays(days) => {
                    now.unix_micros() - d.download.downloaded_at.unix_micros()
                        > i64::from(*days) * MICROS_PER_DAY
                }
                PurgeSelection::Users(users) => d.user_id.is_some_and(|u| users.contains(&u)),
            })
            .collect();
        let mut report = PurgeReport::default();
        for download in chosen {
            let path = PathBuf::from(&download.download.path);
            let name = file_name(&path);
            let (outcome, detail) = match remove_if_ours(&path, &download.download.sha256) {
                Removal::Removed => {
                    report.removed.push(path.clone());
                    (
                        Outcome::Succeeded,
                        format!(
                            "removed {name} ({} bytes, sha256 {}, downloaded {})",
                            download.download.size,
                            download.download.sha256,
                            download.download.downloaded_at
                        ),
                    )
                }
                Removal::Gone => {
                    report.already_gone.push(path.clone());
                    (
                        Outcome::Succeeded,
                        format!("{name} was already gone; the download is forgotten"),
                    )
                }
                Removal::Kept(why) => {
                    report.kept.push((path.clone(), why.clone()));
                    (Outcome::Failed, format!("{name} left in place: {why}"))
                }
            };
            if outcome == Outcome::Succeeded {
                let id = download.id;
                self.store()
                    .write(move |cache| cache.forget_download(id))
                    .await?;
            }
            self.audit_named(
                PURGE_ACTION,
                download.user_id,
                Some(download.document_id),
                outcome,
                detail,
            )
            .await?;
            if let Some(user) = download.user_id {
                self.notify_changed(vec![user]);
            }
        }
        Ok(report)
    }

    /// Downloads that a crash cut short, found at this start (see [`Desk::recover_downloads`]).
    pub fn interrupted_downloads(&self) -> Vec<InterruptedDownload> {
        lock(&self.inner.interrupted).clone()
    }

    /// Finds downloads whose start is in the audit log and whose end is not, logs each as failed,
    /// and removes the partial files of their users' download folders. Run at start, before any
    /// new download can begin.
    pub(crate) async fn recover_downloads(&self) -> Result<Vec<InterruptedDownload>> {
        let action = Action::DownloadDocument;
        let open = self
            .store()
            .read(move |reader| reader.audit_unfinished(action.as_str()))
            .await?;
        let mut found = Vec::new();
        for record in open {
            let entry = record.entry;
            let removed = entry
                .user_id
                .map(|user| remove_partial_files(&self.download_dir().join(format!("user-{user}"))))
                .unwrap_or(0);
            self.audit(
                action,
                entry.user_id,
                entry.document_id,
                Outcome::Failed,
                format!(
                    "interrupted: KYC Desk stopped during the download begun at {}; no file was kept under the document's name ({removed} partial file(s) removed). Download it again",
                    entry.at
                ),
            )
            .await?;
            found.push(InterruptedDownload {
                user_id: entry.user_id,
                document_id: entry.document_id,
                started_at: entry.at,
                partial_files_removed: removed,
            });
        }
        if !found.is_empty() {
            tracing::warn!(
                count = found.len(),
                "downloads interrupted by the last stop were logged as failed"
            );
        }
        lock(&self.inner.interrupted).extend(found.iter().cloned());
        Ok(found)
    }
}

fn local(download: &LocalDownload, now: Timestamp) -> LocalDocument {
    let path = PathBuf::from(&download.download.path);
    let age = now.unix_micros() - download.download.downloaded_at.unix_micros();
    LocalDocument {
        document_id: download.document_id,
        user_id: download.user_id,
        present: path.is_file(),
        path,
        size: download.download.size,
        sha256: download.download.sha256.clone(),
        downloaded_at: download.download.downloaded_at,
        age_days: u64::try_from(age / MICROS_PER_DAY).unwrap_or(0),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

enum Removal {
    Removed,
    Gone,
    Kept(LeftInPlace),
}

/// Deletes `path` if it is a regular file (not a link) whose bytes hash to `sha256`.
fn remove_if_ours(path: &Path, sha256: &str) -> Removal {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Removal::Gone,
        Err(e) => return Removal::Kept(unreadable(&e)),
    };
    if !metadata.is_file() {
        return Removal::Kept(LeftInPlace::NotARegularFile);
    }
    match hash_of(path) {
        Ok(actual) if actual.eq_ignore_ascii_case(sha256) => match std::fs::remove_file(path) {
            Ok(()) => Removal::Removed,
            Err(e) => Removal::Kept(LeftInPlace::NotDeleted {
                detail: e.to_string(),
            }),
        },
        Ok(_) => Removal::Kept(LeftInPlace::Changed),
        Err(e) => Removal::Kept(unreadable(&e)),
    }
}

fn unreadable(error: &std::io::Error) -> LeftInPlace {
    LeftInPlace::Unreadable {
        detail: error.to_string(),
    }
}

fn hash_of(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buffer[..read]);
    }
}

/// Removes the hidden `.part` files a download writes before renaming; returns how many.
fn remove_partial_files(folder: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.starts_with('.')
                && name.ends_with(".part")
                && entry.file_type().is_ok_and(|t| t.is_file())
        })
        .filter(|entry| std::fs::remove_file(entry.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_downloaded_bytes_are_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        std::fs::write(&path, b"the document").unwrap();
        let sha = hex::encode(Sha256::digest(b"the document"));
        std::fs::write(&path, b"changed").unwrap();
        assert!(matches!(remove_if_ours(&path, &sha), Removal::Kept(_)));
        assert!(path.exists());
        std::fs::write(&path, b"the document").unwrap();
        assert!(matches!(remove_if_ours(&path, &sha), Removal::Removed));
        assert!(!path.exists());
        assert!(matches!(remove_if_ours(&path, &sha), Removal::Gone));
        assert!(matches!(remove_if_ours(dir.path(), &sha), Removal::Kept(_)));
    }

    #[test]
    fn only_hidden_part_files_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        for name in [".a.pdf.x1.part", ".b.part", "c.part", "d.pdf", ".e.pdf"] {
            std::fs::write(dir.path().join(name), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join(".dir.part")).unwrap();
        assert_eq!(remove_partial_files(dir.path()), 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".dir.part", ".e.pdf", "c.part", "d.pdf"]);
        assert_eq!(remove_partial_files(&dir.path().join("missing")), 0);
    }
}
