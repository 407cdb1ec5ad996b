//! The one error of the sandbox library: what the embedding program or a control call did wrong.
//!
//! Errors that Treezor itself would answer (401, 404, 428, …) are not here: they are HTTP answers
//! in Treezor's shape, built in `api::answer`.

use std::net::SocketAddr;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error("the sandbox could not listen on {addr}: {source}. Choose another address or port 0")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("the sandbox configuration is not valid: {0}")]
    Config(String),
    #[error(
        "user {0} does not exist in the sandbox: create it first or pick an id from GET /v1/users"
    )]
    UnknownUser(u64),
    #[error(
        "identification {0} does not exist in the sandbox: start a verification first (POST /v1/users/{{userId}}/kycliveness)"
    )]
    UnknownIdentification(String),
    #[error("document {0} does not exist in the sandbox")]
    UnknownDocument(u64),
    #[error("identification {id} cannot be finished: {why}")]
    CannotFinish { id: String, why: String },
    #[error("the user cannot be created: {0}")]
    InvalidUser(String),
    #[error("the webhook target {0:?} is not an http(s) URL")]
    InvalidTarget(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
