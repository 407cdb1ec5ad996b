//! The webhook relay: receives Treezor's signed webhooks, verifies them, stores them durably and
//! serves them to dashboards as a long-poll feed.
//!
//! ```no_run
//! # async fn demo(secret: kyc::webhook::WebhookSecret) -> relay::Result<()> {
//! let token = relay::FeedToken::new("a long random feed token, 32 characters or more").unwrap();
//! let store = std::path::Path::new("events.sqlite3");
//! let running = relay::Relay::start(relay::RelayConfig::new(store, secret, token)).await?;
//! println!("post webhooks to {}", running.webhook_url());
//! running.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - [`config`]: what a relay needs (addresses, files, secrets that redact themselves, limits).
//! - [`relay`]: [`Relay::start`] and the [`RunningRelay`] it returns (URLs, graceful shutdown),
//!   plus the retention schedule.
//! - [`app`]: the router and its shared state; [`receive`] (`POST /webhooks/treezor`) and
//!   [`feed`] (`GET /v1/events`) are its handlers, and [`team`] (`POST /v1/team`: an officer's
//!   team record into the same log).
//! - [`deadlines`]: the team's deadlines by case state (`GET`/`PUT /v1/deadlines`), set by a
//!   senior, stored by either store, read by every desk.
//! - [`trail`]: the team's audit trail, keyed and hash-chained at the hub (`/v1/trail`: desks'
//!   entries in, verification and export out), its key in an owner-only file.
//! - [`server`]: the accept loop (HTTP/1.1, TLS, the connection cap, timeouts for slow clients,
//!   graceful shutdown); [`tls`] loads the certificate.
//! - [`limits`]: what bounds the relay under abuse: connections, bodies in memory, waiting long
//!   polls, the open-file limit.
//! - [`untrusted`]: text from a request, escaped and cut before it is logged.
//! - [`access`]: who a request comes from (the shared feed token or an officer's credential),
//!   and `GET /v1/me`.
//! - [`officers`]: officers' credentials, issued once and kept as a digest.
//! - [`store`]: the log behind one [`store::Store`] trait: SQLite (schema and durability
//!   settings, the group-commit [`store::writer`] with its thread in `store::group`,
//!   [`store::seen`] for duplicates, [`store::read`] for pages and export, [`store::retention`])
//!   and [`store::postgres`] for several instances on one database; [`store::claims`]: claim
//!   records, decided by both inside their serialised append.
//! - [`secret_file`]: secrets (and the TLS key) read from owner-only files, through the handle
//!   that was checked; [`data_file`]: the SQLite data file and its folder, created owner-only.
//! - [`error`]: the one error type.
//!
//! # House rules
//! - Nothing unverified is stored or served: the signature is checked before a record exists.
//! - A 200 means committed durably (SQLite: WAL with `synchronous=FULL`; PostgreSQL:
//!   `synchronous_commit=on`).
//! - Logs carry reasons and ids, never payloads or secrets; what came from a request is escaped.
//! - Every resource a client can make the relay hold is capped, and past a cap the answer is
//!   immediate, whichever store is behind it.

pub mod access;
pub mod app;
mod authored;
pub mod config;
pub mod data_file;
pub mod deadlines;
pub mod error;
pub mod feed;
pub mod limits;
pub mod officers;
pub mod receive;
pub mod relay;
pub mod secret_file;
pub mod server;
pub mod store;
pub mod team;
pub mod tls;
pub mod trail;
pub mod untrusted;

pub use app::{AppState, app};
pub use config::{
    DEFAULT_BODY_LIMIT, FeedToken, Limits, MIN_FEED_TOKEN_CHARS, MIN_WEBHOOK_SECRET_CHARS,
    RelayConfig, Timeouts, TlsFiles, service_secrets,
};
pub use error::{RelayError, Result};
pub use relay::{Relay, RunningRelay};
pub use secret_file::read_secret_file;
pub use server::{ServerRules, serve, serve_with};
pub use store::StoreLocation;
pub use store::writer::{Outcome, WriterStats};
