//! The query parameters Treezor's provider adds to the `redirectUrl` when the end user leaves the
//! verification: `id`, `event` and `response_code`.
//!
//! The guide warns that these come from the provider and may change: rely on webhooks for the
//! case; this decoder only helps an officer understand a URL a customer sends them.

use serde::Serialize;

use crate::error::{ParseError, Result};

/// `event` of a redirect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RedirectEvent {
    CaptureAborted,
    LinkExpired,
    CaptureRefused,
    CaptureCompleted,
    /// A value the guide does not list, kept as received.
    Other(String),
}

impl RedirectEvent {
    pub fn parse(raw: &str) -> RedirectEvent {
        match raw {
            "identity_verification_capture_aborted" => RedirectEvent::CaptureAborted,
            "identity_verification_link_expired" => RedirectEvent::LinkExpired,
            "identity_verification_capture_refused" => RedirectEvent::CaptureRefused,
            "identity_verification_capture_completed" => RedirectEvent::CaptureCompleted,
            other => RedirectEvent::Other(other.to_owned()),
        }
    }
}

/// The decoded query of a redirect URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RedirectQuery {
    /// The verification's identifier at the provider.
    pub id: Option<String>,
    pub event: Option<RedirectEvent>,
    /// The provider's own code: not a reason code.
    pub response_code: Option<String>,
}

impl RedirectQuery {
    /// Decodes a whole URL or just its query. Fails when none of the three parameters is there.
    pub fn parse(url: &str) -> Result<RedirectQuery> {
        let without_fragment = url.trim().split('#').next().unwrap_or_default();
        let query = match without_fragment.split_once('?') {
            Some((_, query)) => query,
            None => without_fragment,
        };
        let mut decoded = RedirectQuery {
            id: None,
            event: None,
            response_code: None,
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = percent_decode(value);
            match percent_decode(key).as_str() {
                "id" => decoded.id = Some(value),
                "event" => decoded.event = Some(RedirectEvent::parse(&value)),
                "response_code" => decoded.response_code = Some(value),
                _ => {}
            }
        }
        if decoded.id.is_none() && decoded.event.is_none() && decoded.response_code.is_none() {
            return Err(ParseError::new(
                "redirect URL",
                url,
                "a URL with id, event or response_code in its query",
            ));
        }
        Ok(decoded)
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; invalid UTF-8 is
/// replaced rather than refused.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(high), Some(low)) => {
                        out.push((high * 16 + low) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_guides_example() {
        let q = RedirectQuery::parse(
            "https://www.my-domain.tld/back?id=idv_123&event=identity_verification_capture_aborted&response_code=61101",
        )
        .unwrap();
        assert_eq!(q.id.as_deref(), Some("idv_123"));
        assert_eq!(q.event, Some(RedirectEvent::CaptureAborted));
        assert_eq!(q.response_code.as_deref(), Some("61101"));
    }

    #[test]
    fn every_listed_event_and_an_unknown_one() {
        for (raw, event) in [
            (
                "identity_verification_link_expired",
                RedirectEvent::LinkExpired,
            ),
            (
                "identity_verification_capture_refused",
                RedirectEvent::CaptureRefused,
            ),
            (
                "identity_verification_capture_completed",
                RedirectEvent::CaptureCompleted,
            ),
            (
                "something_new",
                RedirectEvent::Other("something_new".into()),
            ),
        ] {
            let q = RedirectQuery::parse(&format!("event={raw}")).unwrap();
            assert_eq!(q.event.as_ref(), Some(&event));
        }
    }

    #[test]
    fn percent_encoding_fragments_and_odd_input() {
        let q = RedirectQuery::parse("https://x.example/?id=a%2Fb+c&foo=1&response_code=%ZZ#frag")
            .unwrap();
        assert_eq!(q.id.as_deref(), Some("a/b c"));
        assert_eq!(q.response_code.as_deref(), Some("%ZZ"));
        assert_eq!(q.event, None);
        assert!(RedirectQuery::parse("https://x.example/?foo=1").is_err());
        assert!(RedirectQuery::parse("").is_err());
        assert_eq!(
            RedirectQuery::parse("id=%").unwrap().id.as_deref(),
            Some("%")
        );
        assert_eq!(
            RedirectQuery::parse("id=%4").unwrap().id.as_deref(),
            Some("%4")
        );
        assert_eq!(
            RedirectQuery::parse("id=%é1").unwrap().id.as_deref(),
            Some("%é1")
        );
        assert_eq!(
            RedirectQuery::parse("id=Zo%C3%A9").unwrap().id.as_deref(),
            Some("Zoé")
        );
    }
}
