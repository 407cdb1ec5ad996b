//! Downloading a document inside Treezor's 30-second URL window, safely: to a file, or into memory
//! for a viewer that must leave no copy on disk. Both go through one loop of fresh URLs and one
//! reading of the file host's answer, so the rules below hold for both.
//!
//! What must stay true:
//! - A URL is used only while fresh: received less than `max_url_age` ago and, when it carries its
//!   own expiry, with at least `min_remaining` left. Otherwise a new one is asked for.
//! - A URL is used only when [`file_url`] accepts it: https, or plain http to this machine only
//!   (the sandbox); no user-info. Redirects are followed only within the URL's own origin (see
//!   [`same_origin_redirects`]): a file host cannot send the request, or the officer's machine,
//!   elsewhere.
//! - A document larger than `max_bytes` (announced, or counted as it arrives) is stopped and
//!   nothing is kept.
//! - Bytes go to an owner-only (0600) temporary file beside the target and are moved to the
//!   target only when complete (length checked, flushed, synced). Nothing partial ever has the
//!   final name; a failed attempt's temporary file is removed.
//! - The saved name carries the document's id, and saving never replaces a file: when the name is
//!   taken (the same document downloaded again, or another with the same name) the next free
//!   `name-2.ext`, `name-3.ext`… is used, each claimed atomically (no-replace rename).
//! - An expired or altered URL (403), a dropped connection or a transient answer leads to a new
//!   URL and another attempt, up to `max_attempts` URLs in all.
//! - The file host gets no bearer token: the URL carries its own signature.
//!
//! A fetch of a document into memory follows the same rules: the same fresh URLs, [`file_url`],
//! the files client (whose redirect policy is [`same_origin_redirects`]) and [`SizeCap`], under
//! the smaller of `max_bytes` and the caller's limit; nothing of it touches the disk.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use futures_util::StreamExt;
use kyc::DocumentId;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use url::Url;

use crate::call::{is_transient, retry_after};
use crate::client::Client;
use crate::documents::DownloadUrl;
use crate::download_failure::{AttemptFailure, DownloadRefusal, FileStep};
use crate::endpoint::{origin_of, refusal};
use crate::error::{Error, Result};
use crate::transport::Transport;

/// A completed download.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Downloaded {
    pub path: PathBuf,
    pub bytes: u64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    /// Download URLs asked of Treezor.
    pub urls_asked: u32,
    /// URLs not used because they arrived (nearly) expired.
    pub stale_urls: u32,
}

/// How one attempt with one URL ended: done, or why another URL should be tried.
pub(crate) enum Attempt<T> {
    Done(T),
    Retry(AttemptFailure),
}

/// The most names tried beside a taken one (`name-2.ext` … `name-1000.ext`).
const MAX_ALTERNATE_NAMES: u32 = 1000;

/// A document fetched into memory, never written to disk.
#[derive(Clone, PartialEq, Eq)]
pub struct InMemory {
    pub bytes: Vec<u8>,
    /// The file host's `Content-Type`, if it sent one.
    pub media_type: Option<String>,
    /// Download URLs asked of Treezor.
    pub urls_asked: u32,
    /// URLs not used because they arrived (nearly) expired.
    pub stale_urls: u32,
}

/// Shows the size, never the bytes: they are a customer's identity document.
impl std::fmt::Debug for InMemory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InMemory")
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .field("media_type", &self.media_type)
            .field("urls_asked", &self.urls_asked)
            .field("stale_urls", &self.stale_urls)
            .finish()
    }
}

/// The download URLs asked for one document: how many, how many arrived stale, and why the last
/// one failed.
struct FreshUrls {
    document: DocumentId,
    policy: crate::config::DownloadPolicy,
    asked: u32,
    stale: u32,
    last: AttemptFailure,
}

impl FreshUrls {
    fn new(document: DocumentId, policy: crate::config::DownloadPolicy) -> FreshUrls {
        FreshUrls {
            document,
            policy,
            asked: 0,
            stale: 0,
            last: AttemptFailure::NoAttempt,
        }
    }

    /// The attempt with the last URL failed for `why`: another URL is worth a try.
    fn failed(&mut self, why: AttemptFailure) {
        tracing::warn!(document = %self.document, attempt = self.asked, "download attempt failed: {why}");
        self.last = why;
    }

    fn gave_up(self) -> Error {
        Error::DownloadFailed {
            document: self.document.get(),
            attempts: self.policy.max_attempts,
            last: self.last,
        }
    }
}

/// A download URL Treezor handed out, checked: https, or plain http to this machine; no
/// user-info.
pub async fn file_url(raw: &str) -> Result<Url, DownloadRefusal> {
    let url = Url::parse(raw).map_err(|e| DownloadRefusal::NotAUrl {
        detail: e.to_string(),
    })?;
    // Plain http to a name resolves it: a blocking lookup, kept off the runtime's threads.
    let checked = url.clone();
    let verdict = tokio::task::spawn_blocking(move || refusal(&checked)).await;
    let origin = origin_of(&url);
    match verdict {
        Ok(None) => Ok(url),
        Ok(Some(rule)) => Err(DownloadRefusal::UrlRefused { origin, rule }),
        Err(_) => Err(DownloadRefusal::UrlNotChecked { origin }),
    }
}

/// The files client's redirect policy: a redirect is followed (three at most) only when it stays
/// on the origin (scheme, host, port) of the URL first asked for; any other is not followed, and
/// the download reports it.
pub(crate) fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(Url::origin);
        if attempt.previous().len() > 3 {
            attempt.error("more than three redirects")
        } else if first.is_some_and(|origin| origin == attempt.url().origin()) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// Counts a document's bytes against [`crate::DownloadPolicy::max_bytes`].
#[derive(Clone, Copy, Debug)]
pub struct SizeCap {
    max: u64,
    seen: u64,
}

impl SizeCap {
    pub fn new(max: u64) -> SizeCap {
        SizeCap { max, seen: 0 }
    }

    /// Refuses a size announced beforehand (`Content-Length`) that is over the cap.
    pub fn announced(&self, total: Option<u64>) -> Result<(), DownloadRefusal> {
        match total {
            Some(announced) if announced > self.max => Err(DownloadRefusal::AnnouncedTooLarge {
                announced,
                limit: self.max,
            }),
            _ => Ok(()),
        }
    }

    /// Counts `piece`; refuses once the bytes so far pass the cap.
    pub fn take(&mut self, piece: usize) -> Result<u64, DownloadRefusal> {
        self.seen = self.seen.saturating_add(piece as u64);
        if self.seen > self.max {
            return Err(DownloadRefusal::SentTooLarge { limit: self.max });
        }
        Ok(self.seen)
    }
}

/// A file name safe in any directory: letters, digits, `.`, `-`, `_`; no leading dot.
pub(crate) fn safe_name(raw: &str) -> Option<String> {
    let name: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    let name = name.trim_start_matches('.').to_owned();
    (!name.is_empty() && name.len() <= 200).then_some(name)
}

/// The name a document is saved under: the URL's last segment made safe, led by the document's id
/// (`500001-identity.pdf`) unless it already starts with it (`500001_identity.pdf`), so that two
/// documents with the same file name never compete for one name.
fn document_name(url: &str, document: DocumentId) -> String {
    let id = document.to_string();
    let from_url = Url::parse(url)
        .ok()
        .and_then(|u| {
            u.path_segments()
                .and_then(|mut s| s.next_back().map(str::to_owned))
        })
        .and_then(|segment| safe_name(&segment));
    match from_url {
        Some(name)
            if name
                .strip_prefix(&id)
                .is_some_and(|rest| rest.starts_with(['_', '-', '.'])) =>
        {
            name
        }
        Some(name) => format!("{id}-{name}"),
        None => format!("document-{id}"),
    }
}

/// The preferred final path: `dest` itself, or inside `dest` when it is a directory (named after
/// the document, see [`document_name`]).
pub(crate) fn target(dest: &Path, url: &str, document: DocumentId) -> PathBuf {
    if dest.is_dir() {
        dest.join(document_name(url, document))
    } else {
        dest.to_path_buf()
    }
}

/// `path` with `-n` before its extension: `a.pdf` → `a-2.pdf`.
fn alternate(path: &Path, n: u32) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(extension) => format!("{stem}-{n}.{}", extension.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

/// Moves the complete temporary file to `path`, or to the first free alternate name, never
/// replacing a file.
fn persist_new(mut temp: tempfile::NamedTempFile, path: &Path) -> std::io::Result<PathBuf> {
    let mut candidate = path.to_path_buf();
    for n in 2..=MAX_ALTERNATE_NAMES + 1 {
        match temp.persist_noclobber(&candidate) {
            Ok(_) => return Ok(candidate),
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
                temp = e.file;
                candidate = alternate(path, n);
            }
            Err(e) => return Err(e.error),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{MAX_ALTERNATE_NAMES} files with this name are already there"),
    ))
}

impl Client {
    /// Downloads `document` to `dest` (a file path, or a directory to put it in), reporting
    /// progress as `(bytes so far, total if known)`. The file saved may carry a `-n` suffix when
    /// the name was taken (see the module doc); [`Downloaded::path`] says where it went.
    pub async fn download(
        &self,
        document: DocumentId,
        dest: &Path,
        mut progress: impl FnMut(u64, Option<u64>) + Send,
    ) -> Result<Downloaded> {
        let mut urls = FreshUrls::new(document, self.config().download);
        while let Some(url) = self.next_fresh_url(&mut urls).await? {
            let path = target(dest, &url.url, document);
            match self.fetch(document, &url, &path, &mut progress).await? {
                Attempt::Done((path, bytes, sha256)) => {
                    return Ok(Downloaded {
                        path,
                        bytes,
                        sha256,
                        urls_asked: urls.asked,
                        stale_urls: urls.stale,
                    });
                }
                Attempt::Retry(why) => urls.failed(why),
            }
        }
        Err(urls.gave_up())
    }

    /// Fetches `document` into memory, under the same rules as a download (fresh URLs only, a
    /// new URL after an expired one, a dropped connection or a transient answer; the URL and
    /// redirect rules; the size cap), refusing a file larger than `limit` bytes (or the download
    /// cap, if smaller) before or while reading it. Nothing touches the disk.
    pub async fn fetch_in_memory(&self, document: DocumentId, limit: u64) -> Result<InMemory> {
        let mut urls = FreshUrls::new(document, self.config().download);
        while let Some(url) = self.next_fresh_url(&mut urls).await? {
            match self.read_in_memory(document, &url, limit).await? {
                Attempt::Done((bytes, media_type)) => {
                    return Ok(InMemory {
                        bytes,
                        media_type,
                        urls_asked: urls.asked,
                        stale_urls: urls.stale,
                    });
                }
                Attempt::Retry(why) => urls.failed(why),
            }
        }
        Err(urls.gave_up())
    }

    /// The next URL for `urls`' document fresh enough to use, skipping (and counting) stale ones;
    /// `None` once `max_attempts` URLs were asked for.
    async fn next_fresh_url(&self, urls: &mut FreshUrls) -> Result<Option<DownloadUrl>> {
        while urls.asked < urls.policy.max_attempts {
            urls.asked += 1;
            let url = self.download_url(urls.document).await?;
            match stale(&url, &urls.policy) {
                None => return Ok(Some(url)),
                Some(why) => {
                    urls.stale += 1;
                    tracing::warn!(document = %urls.document, attempt = urls.asked, "download URL not used: {why}");
                    urls.last = why;
                }
            }
        }
        Ok(None)
    }

    /// Asks the file host for `url` (checked by [`file_url`], no redirect off its host): its
    /// answer when it has the file, or why to try a new URL.
    async fn answer(
        &self,
        document: DocumentId,
        url: &DownloadUrl,
    ) -> Result<Attempt<reqwest::Response>> {
        let refused = |reason: DownloadRefusal| Error::DownloadRefused {
            document: document.get(),
            reason,
        };
        let checked = file_url(&url.url).await.map_err(refused)?;
        let answer = match self.files().get(checked.clone()).send().await {
            Ok(answer) => answer,
            Err(error) => {
                return Ok(Attempt::Retry(AttemptFailure::Unreachable {
                    transport: Transport::of(&error),
                }));
            }
        };
        let status = answer.status();
        if status.is_redirection() {
            let elsewhere = answer
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| checked.join(l).ok())
                .map(|u| origin_of(&u));
            return Err(refused(DownloadRefusal::RedirectedElsewhere {
                from: origin_of(&checked),
                to: elsewhere,
            }));
        }
        let status = status.as_u16();
        if matches!(status, 403 | 410) {
            return Ok(Attempt::Retry(AttemptFailure::UrlRefused { status }));
        }
        if is_transient(answer.status()) {
            let pause = self.backoff(1, retry_after(answer.headers()));
            tokio::time::sleep(pause).await;
            return Ok(Attempt::Retry(AttemptFailure::Unavailable { status }));
        }
        if !answer.status().is_success() {
            return Err(Error::DownloadFailed {
                document: document.get(),
                attempts: 1,
                last: AttemptFailure::Status { status },
            });
        }
        Ok(Attempt::Done(answer))
    }

    /// One attempt into memory with one URL.
    async fn read_in_memory(
        &self,
        document: DocumentId,
        url: &DownloadUrl,
        limit: u64,
    ) -> Result<Attempt<(Vec<u8>, Option<String>)>> {
        let answer = match self.answer(document, url).await? {
            Attempt::Done(answer) => answer,
            Attempt::Retry(why) => return Ok(Attempt::Retry(why)),
        };
        // The download's cap, or the caller's limit when smaller; over it, the caller learns the
        // size reached (for its own words), not the cap's text.
        let limit = limit.min(self.config().download.max_bytes);
        let too_large = |size: u64| Error::TooLarge {
            document: document.get(),
            size,
            limit,
        };
        let total = answer.content_length();
        let mut cap = SizeCap::new(limit);
        cap.announced(total)
            .map_err(|_| too_large(total.unwrap_or(limit)))?;
        let media_type = answer
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let capacity = total.unwrap_or(0).min(limit) as usize;
        let mut bytes = Vec::with_capacity(capacity);
        let mut body = answer.bytes_stream();
        while let Some(piece) = body.next().await {
            match piece {
                Ok(piece) => {
                    let read = bytes.len() as u64 + piece.len() as u64;
                    cap.take(piece.len()).map_err(|_| too_large(read))?;
                    bytes.extend_from_slice(&piece);
                }
                Err(error) => {
                    return Ok(Attempt::Retry(AttemptFailure::Dropped {
                        received: bytes.len() as u64,
                        transport: Transport::of(&error),
                    }));
                }
            }
        }
        if let Some(announced) = total.filter(|&t| t != bytes.len() as u64) {
            return Ok(Attempt::Retry(AttemptFailure::CutShort {
                received: bytes.len() as u64,
                announced,
            }));
        }
        Ok(Attempt::Done((bytes, media_type)))
    }

    /// One attempt to a file with one URL.
    async fn fetch(
        &self,
        document: DocumentId,
        url: &DownloadUrl,
        path: &Path,
        progress: &mut (impl FnMut(u64, Option<u64>) + Send),
    ) -> Result<Attempt<(PathBuf, u64, String)>> {
        let answer = match self.answer(document, url).await? {
            Attempt::Done(answer) => answer,
            Attempt::Retry(why) => return Ok(Attempt::Retry(why)),
        };
        let refused = |reason: DownloadRefusal| Error::DownloadRefused {
            document: document.get(),
            reason,
        };
        let total = answer.content_length();
        let mut cap = SizeCap::new(self.config().download.max_bytes);
        cap.announced(total).map_err(refused)?;
        let file_error = |step: FileStep| {
            move |e: std::io::Error| Error::File {
                document: document.get(),
                path: path.to_path_buf(),
                step,
                detail: e.to_string(),
            }
        };
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("document");
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".part");
        // Owner-only, like every file that holds personal data (tempfile's default, said here).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
        let temp = builder
            .tempfile_in(&dir)
            .map_err(file_error(FileStep::CreateTemporary))?;
        let handle = temp.reopen().map_err(file_error(FileStep::OpenTemporary))?;
        let mut file = tokio::fs::File::from_std(handle);
        let mut hasher = Sha256::new();
        let mut written = 0u64;
        progress(0, total);
        let mut body = answer.bytes_stream();
        let mut cut = None;
        while let Some(piece) = body.next().await {
            match piece {
                Ok(bytes) => {
                    // Counted before it is written: past the cap, `temp` goes with the error.
                    cap.take(bytes.len()).map_err(refused)?;
                    file.write_all(&bytes)
                        .await
                        .map_err(file_error(FileStep::Write))?;
                    hasher.update(&bytes);
                    written += bytes.len() as u64;
                    progress(written, total);
                }
                Err(error) => {
                    cut = Some(Transport::of(&error));
                    break;
                }
            }
        }
        if let Some(transport) = cut {
            return Ok(Attempt::Retry(AttemptFailure::Dropped {
                received: written,
                transport,
            }));
        }
        if let Some(announced) = total.filter(|&t| t != written) {
            return Ok(Attempt::Retry(AttemptFailure::CutShort {
                received: written,
                announced,
            }));
        }
        file.flush().await.map_err(file_error(FileStep::Write))?;
        file.sync_all().await.map_err(file_error(FileStep::Sync))?;
        drop(file);
        let saved = persist_new(temp, path).map_err(file_error(FileStep::MoveIntoPlace))?;
        Ok(Attempt::Done((
            saved,
            written,
            hex::encode(hasher.finalize()),
        )))
    }
}

/// Why a URL must not be used, if it must not.
fn stale(url: &DownloadUrl, policy: &crate::config::DownloadPolicy) -> Option<AttemptFailure> {
    let age = url.received_at.elapsed();
    if age > policy.max_url_age {
        return Some(AttemptFailure::UrlTooOld {
            seconds: age.as_secs(),
        });
    }
    let expires_at = url.expires_at?;
    match expires_at.duration_since(SystemTime::now()) {
        Ok(left) if left >= policy.min_remaining => None,
        Ok(left) => Some(AttemptFailure::UrlExpiresSoon {
            seconds: left.as_secs(),
        }),
        Err(_) => Some(AttemptFailure::UrlExpired),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::config::DownloadPolicy;

    #[test]
    fn names_from_urls_are_made_safe() {
        assert_eq!(
            safe_name("500001_identity_card.pdf").as_deref(),
            Some("500001_identity_card.pdf")
        );
        assert_eq!(
            safe_name("..%2F..%2Fetc%2Fpasswd").as_deref(),
            Some("2F..2Fetc2Fpasswd")
        );
        assert_eq!(safe_name("...").as_deref(), None);
        let dir = tempfile::tempdir().unwrap();
        let id = DocumentId::new(9).unwrap();
        assert_eq!(
            target(dir.path(), "http://h/files/9/a.pdf?x=1", id),
            dir.path().join("9-a.pdf")
        );
        assert_eq!(
            target(dir.path(), "http://h/files/9/9_identity.pdf", id),
            dir.path().join("9_identity.pdf"),
            "a name that already leads with the id keeps it once"
        );
        assert_eq!(
            target(dir.path(), "http://h/files/9/90_identity.pdf", id),
            dir.path().join("9-90_identity.pdf"),
            "another id is not this one"
        );
        assert_eq!(
            target(dir.path(), "http://h/", id),
            dir.path().join("document-9")
        );
        assert_eq!(
            target(&dir.path().join("x.pdf"), "http://h/a.pdf", id),
            dir.path().join("x.pdf")
        );
    }

    #[test]
    fn stale_urls_are_recognised() {
        let policy = DownloadPolicy {
            max_url_age: Duration::from_secs(25),
            min_remaining: Duration::from_secs(5),
            max_attempts: 3,
            idle_timeout: Duration::from_secs(5),
            max_bytes: 1024,
        };
        let url = |received_ago: u64, expires_in: Option<i64>| DownloadUrl {
            url: "http://h/a".into(),
            received_at: Instant::now() - Duration::from_secs(received_ago),
            expires_at: expires_in.map(|s| {
                if s >= 0 {
                    SystemTime::now() + Duration::from_secs(s as u64)
                } else {
                    SystemTime::now() - Duration::from_secs((-s) as u64)
                }
            }),
        };
        assert!(stale(&url(0, Some(30)), &policy).is_none());
        assert!(stale(&url(0, None), &policy).is_none());
        assert_eq!(
            stale(&url(26, None), &policy),
            Some(AttemptFailure::UrlTooOld { seconds: 26 })
        );
        assert!(matches!(
            stale(&url(0, Some(2)), &policy),
            Some(AttemptFailure::UrlExpiresSoon { seconds: 1 | 2 })
        ));
        assert_eq!(
            stale(&url(0, Some(-10)), &policy),
            Some(AttemptFailure::UrlExpired)
        );
    }

    fn temporary(dir: &Path, bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut temp = tempfile::NamedTempFile::new_in(dir).unwrap();
        std::io::Write::write_all(&mut temp, bytes).unwrap();
        temp
    }

    #[test]
    fn saving_never_replaces_a_file_and_takes_the_next_free_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("9-a.pdf");
        std::fs::write(&path, b"first").unwrap();
        std::fs::write(dir.path().join("9-a-2.pdf"), b"second").unwrap();
        let saved = persist_new(temporary(dir.path(), b"third"), &path).unwrap();
        assert_eq!(saved, dir.path().join("9-a-3.pdf"));
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        assert_eq!(
            std::fs::read(dir.path().join("9-a-2.pdf")).unwrap(),
            b"second"
        );
        assert_eq!(std::fs::read(&saved).unwrap(), b"third");
        let bare = dir.path().join("document-9");
        std::fs::write(&bare, b"x").unwrap();
        assert_eq!(
            persist_new(temporary(dir.path(), b"y"), &bare).unwrap(),
            dir.path().join("document-9-2")
        );
    }

    #[test]
    fn a_size_cap_refuses_what_is_announced_or_sent_past_it() {
        let mut cap = SizeCap::new(100);
        assert!(cap.announced(Some(100)).is_ok());
        assert!(cap.announced(None).is_ok());
        assert_eq!(
            cap.announced(Some(101)),
            Err(DownloadRefusal::AnnouncedTooLarge {
                announced: 101,
                limit: 100
            })
        );
        assert_eq!(cap.take(60), Ok(60));
        assert_eq!(cap.take(40), Ok(100));
        assert_eq!(
            cap.take(1),
            Err(DownloadRefusal::SentTooLarge { limit: 100 })
        );
    }
}
