//! Who holds a case: the rule the hub applies to a claim, against everything numbered before it
//! in its log, so that it is decided once for every desk. The hub's stores keep each case's
//! current claim beside the log and apply this rule inside their serialised append.
//!
//! A claim lapses after `lapse_seconds` without activity on the case by its holder; a lapsed
//! claim is as good as none. Only the holder releases; a senior reassigns whatever the state.

use serde::{Deserialize, Serialize};

use crate::officer::{OfficerName, Role};
use crate::time::Timestamp;

/// A case's holder, as the log says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub holder: OfficerName,
    pub since: Timestamp,
    /// The holder's last activity on the case; the claim lapses counting from here.
    pub last_activity: Timestamp,
}

impl Claim {
    /// Whether the claim still holds at `now`.
    pub fn holds_at(&self, now: Timestamp, lapse_seconds: i64) -> bool {
        now < self.last_activity.plus_seconds(lapse_seconds)
    }
}

/// The claim lapse when the hub's configuration names none: a working day's morning or afternoon
/// without activity on the case by its holder.
pub const DEFAULT_LAPSE_SECONDS: i64 = 4 * 3600;

/// What an officer asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimRequest {
    Take,
    Release,
    /// A senior gives the case to another officer.
    Reassign {
        to: OfficerName,
    },
}

/// Why the hub refuses a claim request; each says what the officer can do. The hub's refusal
/// carries it (`"claim"` beside `error` and `message`), so a desk shows who holds the case.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "refusal", rename_all = "snake_case")]
pub enum ClaimRefusal {
    #[error("{holder} holds this case since {}; ask them, or a senior to reassign it", since.to_rfc3339())]
    HeldBy {
        holder: OfficerName,
        since: Timestamp,
    },
    #[error("{holder} holds this case, not you; only they can release it")]
    NotTheHolder { holder: OfficerName },
    #[error("nobody holds this case; there is nothing to release")]
    NotHeld,
    #[error("only a senior reassigns a case; ask one")]
    SeniorOnly,
}

/// The case's holder after `request` by `by` (with `role`) at `now`, or why not. `current` is
/// the claim the log holds, lapsed or not.
pub fn decide(
    current: Option<&Claim>,
    by: &OfficerName,
    role: Role,
    request: &ClaimRequest,
    now: Timestamp,
    lapse_seconds: i64,
) -> Result<Option<Claim>, ClaimRefusal> {
    let active = current.filter(|claim| claim.holds_at(now, lapse_seconds));
    match (request, active) {
        (ClaimRequest::Take, Some(claim)) if &claim.holder != by => Err(ClaimRefusal::HeldBy {
            holder: claim.holder.clone(),
            since: claim.since,
        }),
        (ClaimRequest::Release, Some(claim)) if &claim.holder != by => {
            Err(ClaimRefusal::NotTheHolder {
                holder: claim.holder.clone(),
            })
        }
        (ClaimRequest::Release, None) => Err(ClaimRefusal::NotHeld),
        (ClaimRequest::Reassign { .. }, _) if role != Role::Senior => Err(ClaimRefusal::SeniorOnly),
        _ => Ok(accepted(current, by, request, now, lapse_seconds)),
    }
}

/// The case's holder after a request the hub accepted: what a desk replaying the log applies,
/// with no refusal left to decide, so that it finds the holder the hub found. A take renews the
/// holder's own live claim (keeping `since`) and otherwise starts a fresh one.
pub fn accepted(
    current: Option<&Claim>,
    by: &OfficerName,
    request: &ClaimRequest,
    now: Timestamp,
    lapse_seconds: i64,
) -> Option<Claim> {
    let fresh = |holder: &OfficerName| Claim {
        holder: holder.clone(),
        since: now,
        last_activity: now,
    };
    match request {
        ClaimRequest::Take => Some(
            match current.filter(|c| &c.holder == by && c.holds_at(now, lapse_seconds)) {
                Some(claim) => Claim {
                    last_activity: now,
                    ..claim.clone()
                },
                None => fresh(by),
            },
        ),
        ClaimRequest::Release => None,
        ClaimRequest::Reassign { to } => Some(fresh(to)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAPSE: i64 = 3600;

    fn name(n: &str) -> OfficerName {
        OfficerName::parse(n).unwrap()
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::from_unix_seconds(1_700_000_000 + s)
    }

    fn held_by(n: &str, since: i64) -> Claim {
        Claim {
            holder: name(n),
            since: at(since),
            last_activity: at(since),
        }
    }

    #[test]
    fn the_second_claim_on_a_held_case_is_told_who_holds_it() {
        let first = decide(
            None,
            &name("Zoé"),
            Role::Officer,
            &ClaimRequest::Take,
            at(0),
            LAPSE,
        )
        .unwrap()
        .unwrap();
        let second = decide(
            Some(&first),
            &name("Sam"),
            Role::Senior,
            &ClaimRequest::Take,
            at(1),
            LAPSE,
        );
        assert_eq!(
            second,
            Err(ClaimRefusal::HeldBy {
                holder: name("Zoé"),
                since: at(0)
            })
        );
        // The holder taking it again only renews it.
        let renewed = decide(
            Some(&first),
            &name("Zoé"),
            Role::Officer,
            &ClaimRequest::Take,
            at(10),
            LAPSE,
        )
        .unwrap()
        .unwrap();
        assert_eq!((renewed.since, renewed.last_activity), (at(0), at(10)));
    }

    #[test]
    fn a_claim_lapses_without_activity_and_is_then_free() {
        let claim = held_by("Zoé", 0);
        assert!(claim.holds_at(at(LAPSE - 1), LAPSE));
        assert!(!claim.holds_at(at(LAPSE), LAPSE));
        let taken = decide(
            Some(&claim),
            &name("Sam"),
            Role::Officer,
            &ClaimRequest::Take,
            at(LAPSE),
            LAPSE,
        );
        assert_eq!(taken.unwrap().unwrap().holder, name("Sam"));
        let release = decide(
            Some(&claim),
            &name("Zoé"),
            Role::Officer,
            &ClaimRequest::Release,
            at(LAPSE),
            LAPSE,
        );
        assert_eq!(release, Err(ClaimRefusal::NotHeld));
    }

    #[test]
    fn only_the_holder_releases_and_only_a_senior_reassigns() {
        let claim = held_by("Zoé", 0);
        let by = |n: &str, role, request: &ClaimRequest| {
            decide(Some(&claim), &name(n), role, request, at(5), LAPSE)
        };
        assert_eq!(by("Zoé", Role::Officer, &ClaimRequest::Release), Ok(None));
        assert_eq!(
            by("Sam", Role::Senior, &ClaimRequest::Release),
            Err(ClaimRefusal::NotTheHolder {
                holder: name("Zoé")
            })
        );
        let to_lea = ClaimRequest::Reassign { to: name("Léa") };
        assert_eq!(
            by("Max", Role::Officer, &to_lea),
            Err(ClaimRefusal::SeniorOnly)
        );
        assert_eq!(
            by("Sam", Role::Senior, &to_lea).unwrap().unwrap().holder,
            name("Léa")
        );
        let refusal = by("Sam", Role::Senior, &ClaimRequest::Take)
            .unwrap_err()
            .to_string();
        assert!(
            refusal.starts_with("Zoé holds this case since"),
            "{refusal}"
        );
    }
}
