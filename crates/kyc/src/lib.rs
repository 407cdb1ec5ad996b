//! The KYC live-verification domain, with no I/O.
//!
//! # Layout
//! - [`reasons`]: the guide's 30 refusal reason codes, their exact messages and their AML/CFT
//!   sensitivity (unknown codes are sensitive).
//! - [`customer`]: text meant for the customer, in their language, a type that only shareable
//!   reasons can build.
//! - [`language`]: the languages of customer text, and the one a customer's profile suggests.
//! - [`case`]: one user's case: events, derived state, and which officer action is allowed.
//! - [`hierarchy`]: parents and children, and what they mean for the KYC review.
//! - [`webhook`]: Treezor's webhook envelope (flat and wrapped), its signature, what a webhook
//!   means for a case, and when it happened (the signed payload's times first).
//! - [`feed`]: the relay's feed of stored webhooks, the contract between relay and dashboard.
//! - [`officer`]: officers of a team hub: names, roles and what each role may do.
//! - [`team`]: the team's own records (notes, and later claims and decisions), carried in the feed.
//! - [`text_problem`]: why a note, a justification or an officer's name was refused, typed.
//! - [`trail`]: the team's audit trail at the hub: entries, their keyed chain, its verification.
//! - [`deadline`]: how long a case may wait in each state before it is late (the team's policy).
//! - [`claim`]: who holds a case: the rule the hub applies to a claim (take, release, lapse, reassign).
//! - [`objects`]: Treezor's users, documents and liveness results, from webhooks or REST.
//! - [`redirect`]: the redirect URL's query parameters, decoded for the officer.
//! - [`ids`], [`values`], [`time`]: identifiers, codes and instants, parsed once at the edge.
//! - [`lenient`]: values that come as strings in webhooks and as numbers in REST answers.
//! - [`error`]: the one parse error.
//!
//! # House rules
//! - No I/O, no clock: callers pass `now`.
//! - A value from outside is parsed into its type once; a type that exists is valid.
//! - Nothing here writes a sensitive reason into customer text; [`customer`] makes that a matter of
//!   types.

pub mod case;
pub mod claim;
pub mod customer;
pub mod deadline;
pub mod decision;
pub mod error;
pub mod feed;
pub mod four_eyes;
pub mod hierarchy;
pub mod ids;
pub mod language;
pub mod lenient;
pub mod objects;
pub mod officer;
pub mod reasons;
pub mod redirect;
pub mod team;
pub mod text_problem;
pub mod time;
pub mod trail;
pub mod values;
pub mod webhook;

pub use case::{Action, AmlFlag, Case, CaseEvent, CaseState, CaseView, Caution, Permission};
pub use customer::CustomerText;
pub use error::ParseError;
pub use hierarchy::Standing;
pub use ids::{DocumentId, IdentificationId, UserId, WebhookId};
pub use language::Language;
pub use reasons::{
    CatalogueEntry, Family, ListedReason, Reason, ReasonCode, Sensitivity, catalogue,
};
pub use time::Timestamp;
pub use values::{
    DocumentTypeId, KycLevel, KycReview, LivenessStatus, LivenessType, Score, UserType,
};
