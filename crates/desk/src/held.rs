//! A case a colleague holds: its changes are theirs to make.
//!
//! The claim says who works a case; the desk refuses what would change a case that another
//! officer holds (starting a verification, retrieving the documents, requesting the review,
//! recording a decision, proposing an action), naming the holder and when the claim lapses. The
//! claim is read from the cache of the hub's feed, as every desk reads it, at the desk's time: a
//! lapsed claim holds nothing, and a desk cut off from the hub keeps the holder it last had.
//! Reading the case, notes, downloads and a senior's answer to a proposal stay open: four eyes
//! needs a second officer on a case the proposer holds.

use kyc::UserId;

use crate::clock::system_now;
use crate::desk::Desk;
use crate::error::{Deed, Error, Result};

impl Desk {
    /// Refuses `what` on `user`'s case when another officer holds it, and audits the refusal
    /// under `action` (the audit trail's name of the act).
    pub(crate) async fn not_held_by_colleague(
        &self,
        user: UserId,
        what: Deed,
        action: &'static str,
    ) -> Result<()> {
        let claim = self
            .store()
            .read(move |reader| reader.claim(user, system_now()))
            .await?;
        let Some(claim) = claim else { return Ok(()) };
        let me = self.hub_officer();
        if me.as_ref().is_some_and(|me| me.as_str() == claim.holder) {
            return Ok(());
        }
        let refusal = Error::HeldByColleague {
            what,
            user,
            holder: claim.holder,
            lapses_at: claim.lapses_at,
        };
        self.refuse(action, user, refusal).await
    }
}
