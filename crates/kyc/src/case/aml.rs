//! The AML flag belongs to the person, not to their latest verification.
//!
//! A refusal for a reason that suggests fraud or prohibited behaviour (or an unlisted code) stays
//! on the person whatever happens after: a new verification, a later success, a review. It is
//! derived from every liveness webhook the case ever had, not from the current attempt, so
//! nothing that arrives later can clear it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::CaseEvent;
use crate::ids::IdentificationId;
use crate::reasons::ReasonCode;
use crate::time::Timestamp;

/// One verification whose outcome raised the AML flag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AmlFlag {
    /// When the first webhook with a sensitive reason for this verification was sent.
    pub raised_at: Timestamp,
    /// `None` for a verification known only from webhooks that did not name it.
    pub identification: Option<IdentificationId>,
    /// The AML-sensitive reason codes, in code order. For the officer only.
    pub codes: Vec<ReasonCode>,
}

/// Every flag raised, oldest first.
pub(super) fn aml_flags<'a>(events: impl Iterator<Item = &'a CaseEvent>) -> Vec<AmlFlag> {
    let mut by_attempt: BTreeMap<Option<IdentificationId>, (Timestamp, BTreeSet<ReasonCode>)> =
        BTreeMap::new();
    for event in events {
        let CaseEvent::Liveness {
            at,
            identification,
            reasons,
            ..
        } = event
        else {
            continue;
        };
        let sensitive: Vec<ReasonCode> = reasons
            .iter()
            .filter(|r| r.is_aml_sensitive())
            .map(|r| r.code.clone())
            .collect();
        if sensitive.is_empty() {
            continue;
        }
        let entry = by_attempt
            .entry(identification.clone())
            .or_insert_with(|| (*at, BTreeSet::new()));
        entry.0 = entry.0.min(*at);
        entry.1.extend(sensitive);
    }
    let mut flags: Vec<AmlFlag> = by_attempt
        .into_iter()
        .map(|(identification, (raised_at, codes))| AmlFlag {
            raised_at,
            identification,
            codes: codes.into_iter().collect(),
        })
        .collect();
    flags.sort_by(|a, b| (a.raised_at, &a.identification).cmp(&(b.raised_at, &b.identification)));
    flags
}
