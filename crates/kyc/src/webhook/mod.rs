//! Treezor's webhooks: the envelope, its signature, what it means for a case, and when it happened.

pub mod canonical;
pub mod envelope;
pub mod meaning;
pub mod signature;
pub mod when;

pub use canonical::canonical_json;
pub use envelope::{Envelope, EnvelopeError};
pub use meaning::{Consumed, Meaning, PayloadError, meaning, meaning_of};
pub use signature::{SignatureError, WebhookSecret, sign_bytes, sign_payload, verify_payload};
pub use when::{ENVELOPE_LEEWAY_SECONDS, Times};
