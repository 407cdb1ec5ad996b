//! The KYC live-verification domain, with no I/O.
//!
//! # Layout
//! - [`reasons`]: the guide's 30 refusal reason codes, their exact messages and their AML/CFT
//!   sensitivity (unknown codes are sensitive).
//! - [`lenient`]: values that come as strings in webhooks and as numbers in REST answers.

pub mod lenient;
pub mod reasons;

pub use reasons::{
    CatalogueEntry, Family, ListedReason, Reason, ReasonCode, Sensitivity, catalogue,
};
