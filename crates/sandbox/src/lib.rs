//! A faithful stand-in for Treezor's live verification: a real HTTP server with Treezor's REST
//! endpoints and error shapes, OAuth2 tokens with scopes and expiry, a hosted verification page
//! where a tester plays the end user, signed webhooks with retries, an S3-style file host for
//! document downloads, and fault injection. It is what the demo runs on and what the tests of the
//! Treezor client run against.
//!
//! ```no_run
//! # async fn demo() -> sandbox::Result<()> {
//! use sandbox::{Sandbox, SandboxConfig, SeedOptions};
//! let running = Sandbox::start(SandboxConfig::default()).await?;
//! running.set_webhook_target(Some("http://127.0.0.1:8080/webhooks/treezor"))?;
//! running.seed(&SeedOptions::default());
//! println!("Treezor API at {}", running.base_url());
//! running.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Layout
//! - [`server`]: [`app`] (the router) and [`Sandbox::start`] / [`RunningSandbox`].
//! - [`config`]: credentials, lifetimes, delays, the liveness method, webhook delivery.
//! - `api`: Treezor's endpoints (token, users, kycliveness, documents, Kycreview) and the
//!   shapes of its answers and errors, `accessTag` replays included.
//! - [`world`]: the sandbox's memory and the operations Treezor performs, without I/O.
//! - `hosted`: the hosted verification page at `identification-url`.
//! - `files`: presigned download URLs and the file host that serves them.
//! - [`content`]: what the files hold: real JPEG, PNG, WebP and PDF files generated here, and
//!   damaged ones that lie about what they are.
//! - [`webhooks`]: envelopes, signatures, delivery with retries, and delivery faults.
//! - [`faults`]: per-path fault injection (5xx, delays, slow bodies, dropped connections, stale
//!   download URLs).
//! - [`control`]: the in-process control handle and the `/sandbox/` endpoints that mirror it.
//! - [`seed`]: a realistic, reproducible population.
//! - `clock`, `wire`, `rng`, `state`: the sandbox's movable clock, Treezor's two ways of writing
//!   values, a deterministic generator, and the state the routes share.
//! - [`error`]: the one library error.
//!
//! # What must stay true
//! - Paths, status codes and bodies are Treezor's (see `shared/reference`): a client that works
//!   here works there. REST answers write numbers; webhook payloads write strings.
//! - Webhooks are signed exactly as Treezor signs them, with `kyc::webhook`.
//! - Everything is in memory; nothing here is secret except by configuration.

pub mod config;
pub mod content;
pub mod control;
pub mod error;
pub mod faults;
pub mod seed;
pub mod server;
pub mod webhooks;
pub mod world;

mod api;
mod clock;
mod files;
mod hosted;
mod rng;
mod state;
mod wire;

pub use config::{DownloadAccess, LivenessAnswer, SandboxConfig, Scope, WebhookRetry};
pub use content::Content;
pub use control::{Control, Finished, IdentificationView};
pub use error::{Error, Result};
pub use faults::{Fault, FaultRule};
pub use files::EXPIRED_FILE_REQUESTS;
pub use seed::{SeedOptions, SeedReport};
pub use server::{RunningSandbox, Sandbox, app};
pub use state::SandboxState;
pub use webhooks::{DeliveryRecord, DeliveryStatus, WebhookFaults};
pub use world::ReviewDecision;
pub use world::identification::{Capture, Outcome, ReadIdentity};
pub use world::users::NewUser;
