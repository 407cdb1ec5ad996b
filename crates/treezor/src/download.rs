//! Downloading a document inside Treezor's 30-second URL window, safely: to a file, or into memory
//! for a viewer that must leave no copy on disk. Both go through one loop of fresh URLs and one
//! reading of the file host's answer, so the rules below hold for both.
//!
//! What must stay true:
//! - A URL is used only while fresh: received less than `max_url_age` ago and, when it carries its
//!   own expiry, with at least `min_remaining` left. Otherwise a new one is asked for.
//! - Bytes go to a temporary file beside the target and are renamed onto the target only when
//!   complete (length checked, flushed, synced). Nothing partial ever has the final name; a
//!   failed attempt's temporary file is removed.
//! - An expired or altered URL (403), a dropped connection or a transient answer leads to a new
//!   URL and another attempt, up to `max_attempts` URLs in all.
//! - The file host gets no bearer token: the URL carries its own signature.
//! - In memory, a file larger than the limit is refused as soon as its announced length or the
//!   bytes read pass it, never buffered whole.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use futures_util::StreamExt;
use kyc::DocumentId;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::call::{is_transient, retry_after, transport_detail};
use crate::client::Client;
use crate::documents::DownloadUrl;
use crate::error::{Error, Result};

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
    Retry(String),
}

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
    last: String,
}

impl FreshUrls {
    fn new(document: DocumentId, policy: crate::config::DownloadPolicy) -> FreshUrls {
        FreshUrls {
            document,
            policy,
            asked: 0,
            stale: 0,
            last: String::from("no attempt was made"),
        }
    }

    /// The attempt with the last URL failed for `why`: another URL is worth a try.
    fn failed(&mut self, why: String) {
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

/// A file name safe in any directory: letters, digits, `.`, `-`, `_`; no leading dot.
pub(crate) fn safe_name(raw: &str) -> Option<String> {
    let name: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    let name = name.trim_start_matches('.').to_owned();
    (!name.is_empty() && name.len() <= 200).then_some(name)
}

/// The final path: `dest` itself, or inside `dest` when it is a directory (named after the URL).
pub(crate) fn target(dest: &Path, url: &str, document: DocumentId) -> PathBuf {
    if dest.is_dir() {
        let from_url = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| {
                u.path_segments()
                    .and_then(|mut s| s.next_back().map(str::to_owned))
            })
            .and_then(|segment| safe_name(&segment));
        dest.join(from_url.unwrap_or_else(|| format!("document-{document}")))
    } else {
        dest.to_path_buf()
    }
}

impl Client {
    /// Downloads `document` to `dest` (a file path, or a directory to put it in), reporting
    /// progress as `(bytes so far, total if known)`.
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
                Attempt::Done((bytes, sha256)) => {
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
    /// new URL after an expired one, a dropped connection or a transient answer), refusing a file
    /// larger than `limit` bytes before or while reading it. Nothing touches the disk.
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

    /// Asks the file host for `url`: its answer when it has the file, or why to try a new URL.
    async fn answer(
        &self,
        document: DocumentId,
        url: &DownloadUrl,
    ) -> Result<Attempt<reqwest::Response>> {
        let answer = match self.files().get(&url.url).send().await {
            Ok(answer) => answer,
            Err(error) => {
                return Ok(Attempt::Retry(format!(
                    "the file host could not be reached: {}",
                    transport_detail(&error)
                )));
            }
        };
        let status = answer.status();
        if matches!(status.as_u16(), 403 | 410) {
            return Ok(Attempt::Retry(format!(
                "the file host refused the URL (HTTP {status}): it expired or was altered"
            )));
        }
        if is_transient(status) {
            let pause = self.backoff(1, retry_after(answer.headers()));
            tokio::time::sleep(pause).await;
            return Ok(Attempt::Retry(format!(
                "the file host answered HTTP {status}"
            )));
        }
        if !status.is_success() {
            return Err(Error::DownloadFailed {
                document: document.get(),
                attempts: 1,
                last: format!("the file host answered HTTP {status}"),
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
        let too_large = |size: u64| Error::TooLarge {
            document: document.get(),
            size,
            limit,
        };
        let total = answer.content_length();
        if let Some(total) = total.filter(|&t| t > limit) {
            return Err(too_large(total));
        }
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
                    if read > limit {
                        return Err(too_large(read));
                    }
                    bytes.extend_from_slice(&piece);
                }
                Err(error) => {
                    return Ok(Attempt::Retry(format!(
                        "the connection dropped after {} bytes: {}",
                        bytes.len(),
                        transport_detail(&error)
                    )));
                }
            }
        }
        if let Some(total) = total.filter(|&t| t != bytes.len() as u64) {
            return Ok(Attempt::Retry(format!(
                "the file ended after {} of {total} bytes",
                bytes.len()
            )));
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
    ) -> Result<Attempt<(u64, String)>> {
        let answer = match self.answer(document, url).await? {
            Attempt::Done(answer) => answer,
            Attempt::Retry(why) => return Ok(Attempt::Retry(why)),
        };
        let file_error = |detail: String| Error::File {
            document: document.get(),
            path: path.to_path_buf(),
            detail,
        };
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("document");
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(|e| {
                file_error(format!(
                    "a temporary file could not be created in {}: {e}",
                    dir.display()
                ))
            })?;
        let handle = temp
            .reopen()
            .map_err(|e| file_error(format!("the temporary file could not be opened: {e}")))?;
        let mut file = tokio::fs::File::from_std(handle);
        let total = answer.content_length();
        let mut hasher = Sha256::new();
        let mut written = 0u64;
        progress(0, total);
        let mut body = answer.bytes_stream();
        let mut cut = None;
        while let Some(piece) = body.next().await {
            match piece {
                Ok(bytes) => {
                    file.write_all(&bytes)
                        .await
                        .map_err(|e| file_error(format!("writing failed: {e}")))?;
                    hasher.update(&bytes);
                    written += bytes.len() as u64;
                    progress(written, total);
                }
                Err(error) => {
                    cut = Some(transport_detail(&error));
                    break;
                }
            }
        }
        if let Some(detail) = cut {
            return Ok(Attempt::Retry(format!(
                "the connection dropped after {written} bytes: {detail}"
            )));
        }
        if let Some(total) = total.filter(|&t| t != written) {
            return Ok(Attempt::Retry(format!(
                "the file ended after {written} of {total} bytes"
            )));
        }
        file.flush()
            .await
            .map_err(|e| file_error(format!("writing failed: {e}")))?;
        file.sync_all()
            .await
            .map_err(|e| file_error(format!("the file could not be synced to disk: {e}")))?;
        drop(file);
        temp.persist(path).map_err(|e| {
            file_error(format!(
                "the file could not be renamed into place: {}",
                e.error
            ))
        })?;
        Ok(Attempt::Done((written, hex::encode(hasher.finalize()))))
    }
}

/// Why a URL must not be used, if it must not.
fn stale(url: &DownloadUrl, policy: &crate::config::DownloadPolicy) -> Option<String> {
    let age = url.received_at.elapsed();
    if age > policy.max_url_age {
        return Some(format!("it was received {}s ago", age.as_secs()));
    }
    let expires_at = url.expires_at?;
    match expires_at.duration_since(SystemTime::now()) {
        Ok(left) if left >= policy.min_remaining => None,
        Ok(left) => Some(format!("it expires in {}s", left.as_secs())),
        Err(_) => Some("it had already expired when Treezor handed it out".into()),
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
            dir.path().join("a.pdf")
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
        assert!(stale(&url(26, None), &policy).is_some());
        assert!(stale(&url(0, Some(2)), &policy).is_some());
        assert!(stale(&url(0, Some(-10)), &policy).is_some());
    }
}
