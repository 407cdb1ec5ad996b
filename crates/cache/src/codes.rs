//! The numbers that stand for states in the cache file. They are part of the file format: a
//! number, once given, keeps its meaning (add new ones, never renumber), whatever order the domain
//! lists its states in.

use kyc::{CaseState, KycReview};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub(crate) fn state_code(state: CaseState) -> i64 {
    match state {
        CaseState::NoVerification => 0,
        CaseState::LinkIssued => 1,
        CaseState::LinkExpired => 2,
        CaseState::Processing => 3,
        CaseState::Abandoned => 4,
        CaseState::Validated => 5,
        CaseState::Refused => 6,
        CaseState::Failed => 7,
        CaseState::DocumentsRequested => 8,
        CaseState::DocumentsReceived => 9,
        CaseState::ReviewRequested => 10,
        CaseState::ReviewValidated => 11,
        CaseState::ReviewRefused => 12,
    }
}

pub(crate) fn state_from_code(code: i64) -> Result<CaseState> {
    CaseState::ALL
        .into_iter()
        .find(|s| state_code(*s) == code)
        .ok_or_else(|| Error::Stored {
            what: crate::StoredValue::CaseState,
            problem: crate::StoredProblem::Unknown {
                value: code.to_string(),
            },
        })
}

/// Where Treezor's KYC review of a user stands, as the queue groups it: the several "in progress"
/// values of `kycReview` are one state for the officer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// No review asked for (or none since the current verification started).
    NotRequested,
    /// Pending, investigating, open: Treezor is on it.
    Pending,
    Validated,
    Refused,
    Closed,
    /// A `kycReview` value this version does not know.
    Other,
}

impl ReviewState {
    pub const ALL: [ReviewState; 6] = [
        ReviewState::NotRequested,
        ReviewState::Pending,
        ReviewState::Validated,
        ReviewState::Refused,
        ReviewState::Closed,
        ReviewState::Other,
    ];

    pub fn of(review: Option<KycReview>) -> ReviewState {
        match review {
            None | Some(KycReview::None) => ReviewState::NotRequested,
            Some(KycReview::Validated) => ReviewState::Validated,
            Some(KycReview::Refused) => ReviewState::Refused,
            Some(KycReview::Closed) => ReviewState::Closed,
            Some(r) if r.is_pending() => ReviewState::Pending,
            Some(_) => ReviewState::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::NotRequested => "not_requested",
            ReviewState::Pending => "pending",
            ReviewState::Validated => "validated",
            ReviewState::Refused => "refused",
            ReviewState::Closed => "closed",
            ReviewState::Other => "other",
        }
    }

    pub(crate) fn code(self) -> i64 {
        match self {
            ReviewState::NotRequested => 0,
            ReviewState::Pending => 1,
            ReviewState::Validated => 2,
            ReviewState::Refused => 3,
            ReviewState::Closed => 4,
            ReviewState::Other => 5,
        }
    }

    pub(crate) fn from_code(code: i64) -> Result<ReviewState> {
        ReviewState::ALL
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or_else(|| Error::Stored {
                what: crate::StoredValue::ReviewState,
                problem: crate::StoredProblem::Unknown {
                    value: code.to_string(),
                },
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_has_its_own_number_and_reads_back() {
        let mut codes: Vec<i64> = CaseState::ALL.into_iter().map(state_code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CaseState::ALL.len());
        for state in CaseState::ALL {
            assert_eq!(state_from_code(state_code(state)).unwrap(), state);
        }
        assert!(state_from_code(99).is_err());
        for review in ReviewState::ALL {
            assert_eq!(ReviewState::from_code(review.code()).unwrap(), review);
        }
    }

    #[test]
    fn pending_review_values_are_one_state() {
        for r in [
            KycReview::Pending,
            KycReview::Investigating,
            KycReview::ReviewOpen,
            KycReview::ReviewPending,
        ] {
            assert_eq!(ReviewState::of(Some(r)), ReviewState::Pending);
        }
        assert_eq!(ReviewState::of(None), ReviewState::NotRequested);
        assert_eq!(
            ReviewState::of(Some(KycReview::None)),
            ReviewState::NotRequested
        );
        assert_eq!(
            ReviewState::of(Some(KycReview::Unknown(9))),
            ReviewState::Other
        );
    }
}
