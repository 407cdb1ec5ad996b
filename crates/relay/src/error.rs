//! The relay's one error type.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong while starting, running or operating the relay. Messages name the object
/// (file, address, event) and say what to do; none quotes a secret or a webhook payload.
#[derive(Debug, Error)]
pub enum RelayError {
    #[error(
        "could not open the event store {path}: {source}; check that its folder exists and is writable by this user"
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the event store failed: {0}")]
    Store(#[from] rusqlite::Error),
    #[error("the event store (PostgreSQL) failed while {doing}: {source}")]
    Postgres {
        doing: &'static str,
        source: tokio_postgres::Error,
    },
    #[error(
        "the event store (PostgreSQL) cannot be reached: {0}; the relay keeps trying, and senders should retry"
    )]
    Unreachable(String),
    #[error("{0}")]
    Officers(String),
    #[error(
        "the event store {path} was written by a newer relay (schema {found}, this relay knows up to {known}); run the newer relay"
    )]
    NewerSchema {
        /// The SQLite file, or the PostgreSQL database (its URL without password).
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("stored event {seq} cannot be read back: {detail}")]
    Corrupt { seq: u64, detail: String },
    #[error("the commit of a group of webhooks failed: {0}")]
    Commit(String),
    #[error("the event writer has stopped; restart the relay")]
    WriterStopped,
    #[error("the event writer is saturated ({0} webhooks waiting); the sender should retry")]
    Busy(usize),
    #[error("could not listen on {addr}: {source}; pick a free address or stop what holds it")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error("TLS configuration: {0}")]
    Tls(String),
    #[error("{path}: {problem}")]
    SecretFile { path: PathBuf, problem: String },
    #[error("configuration: {0}")]
    Config(String),
    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
}

pub type Result<T, E = RelayError> = std::result::Result<T, E>;
