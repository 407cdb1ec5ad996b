//! `GET /v1/documents?userId=…` and `GET /v1/documents/{documentId}/download`.

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kyc::objects::Document;
use kyc::{DocumentId, Timestamp, UserId};

use crate::answers::{Unexpected, objects, parse, unexpected};
use crate::call::Call;
use crate::client::Client;
use crate::error::Result;
use crate::refusal::Endpoint;

/// A download URL, with when it was received. Valid 30 seconds from its creation at Treezor:
/// use it at once and never store it. `Debug` hides its query, which holds a signature.
#[derive(Clone)]
pub struct DownloadUrl {
    pub url: String,
    pub received_at: Instant,
    /// When the URL itself says it expires (S3-style `X-Amz-Date` + `X-Amz-Expires`, or
    /// `Expires`), if it says.
    pub expires_at: Option<SystemTime>,
}

impl fmt::Debug for DownloadUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.url.split('?').next().unwrap_or_default();
        f.debug_struct("DownloadUrl")
            .field("url", &format_args!("{shown}?<signed>"))
            .field("received_at", &self.received_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The expiry a presigned URL carries in its query, if any.
pub(crate) fn url_expiry(url: &str) -> Option<SystemTime> {
    let parsed = reqwest::Url::parse(url).ok()?;
    let mut date = None;
    let mut lifetime = None;
    let mut expires = None;
    for (key, value) in parsed.query_pairs() {
        match key.as_ref() {
            "X-Amz-Date" => date = Some(value.into_owned()),
            "X-Amz-Expires" => lifetime = value.parse::<u64>().ok(),
            "Expires" => expires = value.parse::<u64>().ok(),
            _ => {}
        }
    }
    if let (Some(date), Some(lifetime)) = (date, lifetime) {
        // ASCII first: the slices below cut at byte offsets.
        let b = date.as_bytes();
        if date.is_ascii() && b.len() == 16 && b[8] == b'T' && b[15] == b'Z' {
            let rfc = format!(
                "{}-{}-{}T{}:{}:{}Z",
                &date[0..4],
                &date[4..6],
                &date[6..8],
                &date[9..11],
                &date[11..13],
                &date[13..15]
            );
            let created = Timestamp::parse_rfc3339(&rfc).ok()?;
            let seconds = u64::try_from(created.unix_micros() / 1_000_000).ok()?;
            return UNIX_EPOCH.checked_add(Duration::from_secs(seconds.checked_add(lifetime)?));
        }
    }
    // A lifetime or an instant too large for the clock says nothing usable: no expiry.
    expires.and_then(|e| UNIX_EPOCH.checked_add(Duration::from_secs(e)))
}

impl Client {
    /// A page of `user`'s documents (`page_number` from 1, `page_count` 1 to 200).
    pub async fn documents_page(
        &self,
        user: UserId,
        page_number: u32,
        page_count: u32,
    ) -> Result<Vec<Document>> {
        let call = Call::get("/v1/documents".into())
            .query("userId", user)
            .query("pageNumber", page_number.max(1))
            .query("pageCount", page_count.clamp(1, 200));
        let what = call.describe();
        let body = self.send(call).await?;
        objects(&what, &body, "documents")?
            .into_iter()
            .map(|d| parse(&what, d))
            .collect()
    }

    /// Every document of `user` (at most 20 pages of 100).
    pub async fn list_documents(&self, user: UserId) -> Result<Vec<Document>> {
        let mut all = Vec::new();
        for page in 1..=20 {
            let documents = self.documents_page(user, page, 100).await?;
            let full = documents.len() == 100;
            all.extend(documents);
            if !full {
                break;
            }
        }
        Ok(all)
    }

    /// A fresh download URL for `document`. A 403 or 501 means download is not enabled for the
    /// account ([`crate::Problem::DownloadNotEnabled`]).
    pub async fn download_url(&self, document: DocumentId) -> Result<DownloadUrl> {
        let call =
            Call::get(format!("/v1/documents/{document}/download")).endpoint(Endpoint::DownloadUrl);
        let what = call.describe();
        let body = self.send(call).await?;
        let received_at = Instant::now();
        let value: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| unexpected(&what, Unexpected::not_json(Some(&e))))?;
        let url = value
            .get("url")
            .or_else(|| value.get("downloadUrl"))
            .and_then(|u| u.as_str())
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .ok_or_else(|| unexpected(&what, Unexpected::NoHttpUrl))?
            .to_owned();
        let expires_at = url_expiry(&url);
        Ok(DownloadUrl {
            url,
            received_at,
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presigned_urls_tell_their_expiry() {
        let s3 = "https://bucket.s3.amazonaws.com/a.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240703T094640Z&X-Amz-Expires=30&X-Amz-Signature=ab";
        assert_eq!(
            url_expiry(s3),
            Some(UNIX_EPOCH + Duration::from_secs(1_720_000_030))
        );
        let v2 = "https://bucket.s3.amazonaws.com/a.pdf?Expires=1720000030&Signature=x";
        assert_eq!(
            url_expiry(v2),
            Some(UNIX_EPOCH + Duration::from_secs(1_720_000_030))
        );
        assert_eq!(url_expiry("https://files.example/a.pdf"), None);
        // These panicked (a byte slice inside a character, and overflows).
        for odd in [
            "https://b.example/a?X-Amz-Date=2024%C3%A90703T094640Z&X-Amz-Expires=30",
            "https://b.example/a?X-Amz-Date=20240703T094640Z&X-Amz-Expires=18446744073709551615",
            "https://b.example/a?Expires=18446744073709551615",
        ] {
            assert_eq!(url_expiry(odd), None, "{odd}");
        }
        let url = DownloadUrl {
            url: s3.into(),
            received_at: Instant::now(),
            expires_at: None,
        };
        assert!(!format!("{url:?}").contains("X-Amz-Signature"));
    }
}
