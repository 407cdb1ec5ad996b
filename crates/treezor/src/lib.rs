//! The Treezor REST client for KYC live verification: OAuth2 client credentials, users, live
//! verification (start, documents), documents and their download, and the KYC review; with
//! Treezor's refusals as one typed error.
//!
//! ```no_run
//! # async fn demo() -> treezor::Result<()> {
//! use treezor::{Client, ClientConfig, ClientSecret};
//! let client = Client::new(ClientConfig::new("https://acme.sandbox.treezor.co", "id", ClientSecret::new("secret")))?;
//! let user = client.get_user(kyc::UserId::new(42).unwrap()).await?;
//! let started = client.start_liveness(user.user_id, Some("https://acme.example/back")).await?;
//! println!("send the customer to {}", started.url);
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - [`config`]: base URL, credentials ([`ClientSecret`] never prints), timeouts, retry and
//!   download policies, client certificate and extra CA.
//! - `client`: [`Client`], its two HTTP clients (API with the token, files without) and the
//!   token fetch.
//! - `config_problem`: why a client could not be made or a call built ([`ConfigProblem`]).
//! - `token`: the shared token cache: one fetch at a time, renewed before expiry.
//! - `call`: how every call is sent: renew-and-retry once on 401, bounded backoff on transient
//!   failures for calls safe to repeat (GETs, and POST/PUT with an [`AccessTag`]).
//! - `refusal`: Treezor's three error shapes read into [`TreezorError`].
//! - `answers`: Treezor's answer shapes (`{"users":[…]}`, lists, bare objects).
//! - `users`, `liveness`, `documents`, `review`: the typed calls.
//! - `download`: documents fetched inside the 30-second window: to a temporary file renamed when
//!   complete, or into memory only (for viewing); the rules every fetch of a document follows
//!   (which URLs, which redirects, how many bytes).
//! - `download_failure`: why a download stopped ([`DownloadRefusal`], [`AttemptFailure`],
//!   [`FileStep`]), typed for the officer's words.
//! - `transport`: a request that got no whole answer ([`Transport`]), typed.
//! - [`endpoint`]: which URLs a secret may be sent to and a document fetched from (https, or
//!   plain http to this machine only).
//! - [`error`]: the one error.
//! - `fuzz` (tests only): property-based fuzzing of every reader of Treezor's answers.
//!
//! # What must stay true
//! - A POST or PUT without an `accessTag` is sent once: a retry could act twice. Its answer lost
//!   after it left is [`Error::AnswerLost`], not a refusal: Treezor may have carried it out.
//! - The start of a live verification never carries a tag (Treezor does not declare one there),
//!   so it is never repeated.
//! - The bearer token never leaves for another host (no redirects on API calls; the file host
//!   gets no token). The base URL is https, or plain http to this machine only.
//! - A document comes only from an https URL (plain http only from this machine: the sandbox),
//!   follows redirects only within the same origin, and stops at [`DownloadPolicy::max_bytes`].
//! - Objects are `kyc`'s types, read leniently (numbers or strings).

pub mod config;
pub mod endpoint;
pub mod error;

mod answers;
mod call;
mod client;
mod config_problem;
mod documents;
mod download;
mod download_failure;
#[cfg(test)]
mod fuzz;
mod liveness;
mod refusal;
mod review;
mod token;
mod transport;
mod users;

pub use answers::Unexpected;
pub use call::AccessTag;
pub use client::Client;
pub use config::{
    ClientConfig, ClientSecret, DEFAULT_MAX_DOWNLOAD_BYTES, DownloadPolicy, RetryPolicy, TlsOptions,
};
pub use config_problem::ConfigProblem;
pub use documents::DownloadUrl;
pub use download::{Downloaded, InMemory};
pub use download_failure::{AttemptFailure, DownloadRefusal, FileStep};
pub use error::{Error, LostAnswer, Problem, Result, TreezorError};
pub use liveness::LivenessStart;
pub use transport::{Transport, TransportFault};
pub use users::{UserPage, UserQuery};
