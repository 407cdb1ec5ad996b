//! Why a Treezor client could not be made or a call could not be built, typed for the window to
//! word in the officer's language; the `Display` is the English of the logs.

use std::fmt;

use serde::Serialize;

use crate::endpoint::UrlRefusal;

/// What is wrong with the client's configuration, or with a call's parameters. A `detail` is the
/// TLS or URL library's own account, quoted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum ConfigProblem {
    /// The client certificate is not a PEM with the certificate and its private key.
    ClientCertificate {
        detail: String,
    },
    /// The extra CA certificates are not PEM.
    ExtraCa {
        detail: String,
    },
    ExtraCaEmpty,
    BaseUrlNotUrl {
        base: String,
        detail: String,
    },
    BaseUrlRefused {
        origin: String,
        rule: UrlRefusal,
    },
    CredentialsEmpty,
    /// The retry or download policy allows no attempt.
    NoAttempts,
    HttpClient {
        detail: String,
    },
    /// A call's path does not make a URL with the base.
    CallUrl {
        path: String,
        detail: String,
    },
    /// An `accessTag` outside Treezor's form.
    AccessTag,
    /// A user search outside Treezor's pages.
    PageRange,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigProblem::ClientCertificate { detail } => write!(
                f,
                "the client certificate could not be read (a PEM with the certificate and its private key is expected): {detail}"
            ),
            ConfigProblem::ExtraCa { detail } => write!(
                f,
                "the extra CA certificates could not be read (PEM expected): {detail}"
            ),
            ConfigProblem::ExtraCaEmpty => f.write_str("the extra CA file holds no certificate"),
            ConfigProblem::BaseUrlNotUrl { base, detail } => {
                write!(f, "the base URL {base:?} is not a URL ({detail})")
            }
            ConfigProblem::BaseUrlRefused { origin, rule } => {
                write!(f, "the base URL {origin} is refused: {rule}")
            }
            ConfigProblem::CredentialsEmpty => {
                f.write_str("the client id and secret must not be empty")
            }
            ConfigProblem::NoAttempts => {
                f.write_str("retry and download attempts must be at least 1")
            }
            ConfigProblem::HttpClient { detail } => {
                write!(f, "the HTTP client could not be built: {detail}")
            }
            ConfigProblem::CallUrl { path, detail } => {
                write!(f, "the URL for {path} could not be built: {detail}")
            }
            ConfigProblem::AccessTag => {
                f.write_str("an accessTag is 1 to 250 visible ASCII characters, without spaces")
            }
            ConfigProblem::PageRange => {
                f.write_str("a user search asks for page 1 or later, with 1 to 200 users per page")
            }
        }
    }
}
