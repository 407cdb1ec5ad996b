//! Which URLs a secret may be sent to, and a document fetched from: `https://`, or plain
//! `http://` to this machine only (the embedded sandbox, a relay on the same machine, the tests).
//!
//! What must stay true:
//! - URLs are parsed (WHATWG rules, the `url` crate), never matched as text: a host is what the
//!   parser says it is, so `http://localhost@evil.example` is `evil.example` with a user name,
//!   and `http://127.0.0.1.evil.example` is a name under `evil.example`.
//! - No user-info (`user:pass@`): it would travel in the request, and it is how a host is
//!   disguised.
//! - "This machine" is an IP literal in `127.0.0.0/8` or `::1`, or a name every address of which is
//!   one of those (a name that resolves to one loopback address and one other is not this machine;
//!   a name that does not resolve is not either). IPv4-mapped forms (`::ffff:127.0.0.1`) are
//!   refused: nothing here needs them.
//!
//! The desk checks its settings with [`refusal`]; downloads check Treezor's URLs with it too.

use std::net::{IpAddr, Ipv6Addr, SocketAddr, ToSocketAddrs};

use url::{Host, Url};

/// Why a URL is refused; its `Display` is the officer's English, read after "the URL …".
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum UrlRefusal {
    /// `user:pass@` before the host.
    UserInfo,
    NoHost,
    /// Plain `http://` to another machine than this one.
    PlainHttpElsewhere,
    /// Neither `https://` nor `http://`.
    NotHttps,
}

impl std::fmt::Display for UrlRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UrlRefusal::UserInfo => {
                "it carries a user name or password before the host (user:pass@host); remove them"
            }
            UrlRefusal::NoHost => "it has no host name",
            UrlRefusal::PlainHttpElsewhere => {
                "plain http:// is only for this machine (127.0.0.1, ::1 or localhost); use https://"
            }
            UrlRefusal::NotHttps => "it must start with https://",
        })
    }
}

/// Why `url` must not be used to reach a server that receives a secret or serves a document, or
/// `None` when it may. Resolves the host's name for plain `http` (a blocking lookup).
pub fn refusal(url: &Url) -> Option<UrlRefusal> {
    if !url.username().is_empty() || url.password().is_some() {
        return Some(UrlRefusal::UserInfo);
    }
    if url.host().is_none() {
        return Some(UrlRefusal::NoHost);
    }
    match url.scheme() {
        "https" => None,
        "http" if is_this_machine(url) => None,
        "http" => Some(UrlRefusal::PlainHttpElsewhere),
        _ => Some(UrlRefusal::NotHttps),
    }
}

/// Whether `url`'s host is this machine (see the module doc).
pub fn is_this_machine(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => is_loopback(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => is_loopback(IpAddr::V6(ip)),
        Some(Host::Domain(name)) => {
            let port = url.port_or_known_default().unwrap_or(0);
            (name, port).to_socket_addrs().is_ok_and(only_loopback)
        }
        None => false,
    }
}

fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => v6 == Ipv6Addr::LOCALHOST,
    }
}

/// At least one address, and every one on this machine.
fn only_loopback(addresses: impl IntoIterator<Item = SocketAddr>) -> bool {
    let mut any = false;
    for address in addresses {
        if !is_loopback(address.ip()) {
            return false;
        }
        any = true;
    }
    any
}

/// A URL's origin as text (`scheme://host[:port]`), to name a server in a message without the
/// path or query, which may hold a signature.
pub fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(raw: &str) -> Option<UrlRefusal> {
        refusal(&Url::parse(raw).unwrap())
    }

    #[test]
    fn https_anywhere_and_plain_http_only_to_this_machine() {
        for allowed in [
            "https://acme.api.treezor.com",
            "https://relay.acme.example:8443/base",
            "http://127.0.0.1:8080",
            "http://127.4.5.6",
            "http://[::1]:9000/x",
            "http://localhost:5173",
            // Parsed as the IPv4 address it spells (WHATWG), which is this machine.
            "http://0x7f.1/",
            "http://2130706433/",
        ] {
            assert_eq!(verdict(allowed), None, "{allowed}");
        }
        for refused in [
            "http://acme.api.treezor.com",
            "http://127.0.0.1.evil.example",
            "http://localhost.evil.example:80",
            "http://localhost@evil.example",
            "http://localhost:80@evil.example",
            "http://127.0.0.1:1@evil.example/",
            "https://user:pass@acme.api.treezor.com",
            "https://token@relay.acme.example",
            "http://[::ffff:127.0.0.1]/",
            "http://10.0.0.1",
            "http://0.0.0.0:8080",
            "ftp://relay.acme.example",
            "file:///etc/passwd",
            "data:text/plain,hello",
        ] {
            assert!(verdict(refused).is_some(), "{refused} must be refused");
        }
        assert_eq!(
            verdict("http://localhost@evil.example"),
            Some(UrlRefusal::UserInfo)
        );
        assert!(
            UrlRefusal::UserInfo
                .to_string()
                .contains("user name or password")
        );
    }

    #[test]
    fn a_name_is_this_machine_only_when_every_address_is() {
        let at = |ip: &str| SocketAddr::new(ip.parse().unwrap(), 80);
        assert!(only_loopback([at("127.0.0.1"), at("::1")]));
        assert!(!only_loopback([at("127.0.0.1"), at("93.184.216.34")]));
        assert!(!only_loopback([at("::ffff:127.0.0.1")]));
        assert!(!only_loopback(Vec::new()));
    }

    #[test]
    fn an_origin_names_the_server_only() {
        let url = Url::parse("https://files.example:8443/a/b.pdf?X-Amz-Signature=abc").unwrap();
        assert_eq!(origin_of(&url), "https://files.example:8443");
        let url = Url::parse("https://files.example:443/a").unwrap();
        assert_eq!(origin_of(&url), "https://files.example");
    }
}
