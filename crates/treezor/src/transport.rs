//! A request that got no whole answer, typed: what went wrong (for the officer's words) and the
//! library's and the system's own account of it (quoted as it came). Never the URL: a download
//! URL carries a signature.

use std::fmt;

use serde::Serialize;

/// What went wrong with a request that got no whole answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TransportFault {
    TimedOut,
    ConnectionFailed,
    /// The answer stopped before its end.
    CutOff,
    Failed,
}

/// A transport failure: its kind, and the causes the library and the system gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Transport {
    pub fault: TransportFault,
    /// The chain of causes, `: `-joined, as the library and the system worded them; empty when
    /// they gave none.
    pub causes: String,
}

impl Transport {
    pub fn of(error: &reqwest::Error) -> Transport {
        let fault = if error.is_timeout() {
            TransportFault::TimedOut
        } else if error.is_connect() {
            TransportFault::ConnectionFailed
        } else if error.is_body() || error.is_decode() {
            TransportFault::CutOff
        } else {
            TransportFault::Failed
        };
        let mut source = std::error::Error::source(error);
        let mut causes = Vec::new();
        while let Some(cause) = source {
            causes.push(cause.to_string());
            source = cause.source();
        }
        Transport {
            fault,
            causes: causes.join(": "),
        }
    }
}

/// The English of the logs and the command line.
impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.fault {
            TransportFault::TimedOut => "it timed out",
            TransportFault::ConnectionFailed => "the connection failed",
            TransportFault::CutOff => "the answer was cut off",
            TransportFault::Failed => "the request failed",
        })?;
        if !self.causes.is_empty() {
            write!(f, " ({})", self.causes)?;
        }
        Ok(())
    }
}
