//! Who holds a case: the officer takes it, releases it, a senior reassigns it, and "next
//! unclaimed" takes the case that has waited longest for an officer.
//!
//! The hub decides every claim (see `kyc::claim`): the desk sends the request and shows what the
//! hub answers; the holder shown is the one the cache applied from the feed, the same on every
//! desk. When the hub refuses, the error names who holds the case and since when. When the hub
//! cannot be reached, nothing is claimed, and [`TeamState`] tells the window that the team state
//! it shows is the one the desk last had.
//!
//! Activity renews a claim: after an officer action or a note on a case the officer holds, the
//! desk sends the hub a claim on it again, which the hub decides like any claim (a renewal while
//! it holds, keeping its start). Renewal goes through the log, not through a side count at the
//! hub, so that every desk reads the same last activity and lets the claim lapse at the same
//! time.

use cache::CaseClaim;
use kyc::claim::ClaimRefusal;
use kyc::officer::OfficerName;
use kyc::team::TeamEvent;
use kyc::{Timestamp, UserId};
use serde::Serialize;

use crate::clock::system_now;
use crate::desk::{Desk, lock};
use crate::error::{Deed, Error, Result};
use crate::sync::Connection;

/// How many cases "next unclaimed" tries when colleagues win them first.
pub const NEXT_TRIES: usize = 5;

/// Whether the team state the desk shows is the hub's current one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TeamState {
    /// The hub answered the last request: claims and notes are as it holds them.
    Live,
    /// The hub cannot be reached: claims and notes are as of `as_of` (the hub's last answer,
    /// `None` when it never answered since the desk started); claims are refused meanwhile.
    Away { as_of: Option<Timestamp> },
    /// No hub is set: there is no team state.
    NoHub,
}

/// A case's claim as the window shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ClaimView {
    /// Who holds the case now; `None` when nobody does (or their claim lapsed).
    pub claim: Option<CaseClaim>,
    /// Whether the officer of this desk holds it.
    pub mine: bool,
    pub team: TeamState,
}

impl Desk {
    /// Takes `user`'s case for the officer at the hub (or renews the claim they hold).
    pub async fn claim(&self, user: UserId) -> Result<()> {
        let _claims = self.inner.claim_writes.lock().await;
        self.write_record(
            TeamEvent::Claim { user_id: user },
            Deed::TakeCase,
            "claim",
            |at| format!("took the case, {at}"),
        )
        .await
        .map(drop)
    }

    /// Lets go of `user`'s case, which the officer holds.
    pub async fn release(&self, user: UserId) -> Result<()> {
        let _claims = self.inner.claim_writes.lock().await;
        self.write_record(
            TeamEvent::Release { user_id: user },
            Deed::ReleaseCase,
            "release",
            |at| format!("released the case, {at}"),
        )
        .await
        .map(drop)
    }

    /// Gives `user`'s case to the officer named `to` (seniors only; the hub checks the role).
    pub async fn reassign(&self, user: UserId, to: &str) -> Result<()> {
        let to =
            OfficerName::parse(to).map_err(|problem| Error::InvalidAssignee { user, problem })?;
        let words = format!("reassigned the case to {to}");
        let _claims = self.inner.claim_writes.lock().await;
        self.write_record(
            TeamEvent::Reassign { user_id: user, to },
            Deed::ReassignCase,
            "reassign",
            |at| format!("{words}, {at}"),
        )
        .await
        .map(drop)
    }

    /// Takes the case that has waited longest for an officer and that nobody holds, and returns
    /// it; `None` when no case waits. A case a colleague takes first (the hub refuses it as held)
    /// is passed over for the next, [`NEXT_TRIES`] times at most.
    pub async fn next_unclaimed(&self) -> Result<Option<UserId>> {
        let mut passed: Vec<UserId> = Vec::new();
        while passed.len() < NEXT_TRIES {
            let skip = passed.clone();
            let next = self
                .store()
                .read(move |reader| reader.unclaimed(system_now(), &skip, 1))
                .await?;
            let Some(&user) = next.first() else {
                return Ok(None);
            };
            match self.claim(user).await {
                Ok(()) => return Ok(Some(user)),
                Err(Error::ClaimRefused {
                    refusal: ClaimRefusal::HeldBy { .. },
                    ..
                }) => passed.push(user),
                Err(error) => return Err(error),
            }
        }
        Err(Error::ClaimRaceLost { tries: NEXT_TRIES })
    }

    /// `user`'s claim, as the cache last had it from the hub.
    pub async fn case_claim(&self, user: UserId) -> Result<ClaimView> {
        let claim = self
            .store()
            .read(move |reader| reader.claim(user, system_now()))
            .await?;
        Ok(ClaimView {
            mine: claim.as_ref().is_some_and(|c| self.is_mine(c)),
            claim,
            team: self.team_state(),
        })
    }

    /// The live claims among `users` (a page of the queue), in their order.
    pub async fn claims_of(&self, users: Vec<UserId>) -> Result<Vec<CaseClaim>> {
        self.store()
            .read(move |reader| reader.claims_of(&users, system_now()))
            .await
    }

    /// Whether the team state shown is the hub's current one.
    pub fn team_state(&self) -> TeamState {
        if lock(&self.inner.running).hub.is_none() {
            return TeamState::NoHub;
        }
        let health = self.inner.health.borrow();
        match health.connection {
            Connection::Connected => TeamState::Live,
            _ => TeamState::Away {
                as_of: health.last_contact_at,
            },
        }
    }

    /// After an officer's activity on `user`'s case: if they hold it, the hub is asked to renew
    /// the claim, in the background. A renewal that fails changes nothing for the action done;
    /// the claim lapses as it would have.
    pub(crate) fn renew_claim(&self, user: UserId) {
        let desk = self.clone();
        tokio::spawn(async move {
            if let Err(error) = desk.renew(user).await {
                tracing::warn!(user = user.get(), "the claim was not renewed: {error}");
            }
        });
    }

    async fn renew(&self, user: UserId) -> Result<()> {
        let Ok(hub) = self.hub(Deed::RenewClaim) else {
            return Ok(());
        };
        // Decided and sent under the lock: a release sent meanwhile is in the cache first.
        let _claims = self.inner.claim_writes.lock().await;
        let claim = self
            .store()
            .read(move |reader| reader.claim(user, system_now()))
            .await?;
        if !claim.as_ref().is_some_and(|c| self.is_mine(c)) {
            return Ok(());
        }
        let write = kyc::team::TeamWrite {
            id: crate::team::record_id(),
            event: TeamEvent::Claim { user_id: user },
        };
        hub.write_team(&write)
            .await
            .map(drop)
            .map_err(|cause| Error::Hub {
                what: Deed::RenewClaim,
                user: Some(user),
                cause,
            })
    }

    /// The officer the hub knows this desk's credential as: whose cases the queue's "Mine"
    /// shows. `None` without a hub or before it answered (then "Mine" shows nothing).
    pub(crate) fn hub_officer(&self) -> Option<OfficerName> {
        let health = self.inner.health.borrow();
        let name = &health.signed_in.as_ref()?.name;
        OfficerName::parse(name).ok()
    }

    /// Whether `claim` is held by the officer the hub knows this desk's credential as.
    fn is_mine(&self, claim: &CaseClaim) -> bool {
        self.inner
            .health
            .borrow()
            .signed_in
            .as_ref()
            .is_some_and(|me| me.name == claim.holder)
    }
}
