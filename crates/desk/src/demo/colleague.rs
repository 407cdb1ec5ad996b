//! The demo's colleague: a second officer of the demo's team, scripted, so that a newcomer sees
//! team work without a second machine.
//!
//! [`NAME`] has an officer's credential of her own on the demo's hub, issued as the officer's is.
//! Once the sandbox is seeded she works through the hub's HTTP API exactly as a desk does
//! (`POST /v1/team` with her credential): she takes two cases and writes a note on each, writes a
//! note on a third she leaves free, and proposes to request the KYC review on the case whose
//! documents are in Treezor. The hub decides and numbers her records like any officer's, so they
//! reach the window through the feed; the demo's officer, the team's senior, can approve or reject
//! her proposal, or take a case back from her by reassigning it.
//!
//! She works once, at the start, and never reacts to what the officer does: a colleague that
//! answered would move the demo's cases under the officer's hands, and the end-to-end tests walk
//! the guide's process on the demo alone.

use kyc::UserId;
use kyc::decision::Justification;
use kyc::four_eyes::GuardedAction;
use kyc::team::{NoteText, TeamEvent, TeamWrite};
use sandbox::SeedReport;

use crate::sync::{Feed, FeedError};

/// The colleague's name at the demo's hub.
pub const NAME: &str = "Camille Laurent";

/// How often a record the hub could not take now is sent again (with the same id, so the hub
/// stores it once), and how long apart.
const TRIES: u32 = 5;
const PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

/// What she does, in order, on the seed's cases: a record each, with an id of its own so that a
/// record sent again is stored once.
pub(super) fn work(seed: &SeedReport) -> Vec<TeamWrite> {
    let first = |state: &str| {
        seed.people
            .get(state)
            .and_then(|people| people.first())
            .and_then(|&id| UserId::new(id).ok())
    };
    let note = |text: &str| NoteText::parse(text).expect("the colleague's notes are valid");
    let why = |text: &str| Justification::parse(text).expect("her justification is valid");
    let mut events = Vec::new();
    if let Some(user_id) = first("documents_stored") {
        events.push(TeamEvent::Claim { user_id });
        events.push(TeamEvent::Note {
            user_id,
            text: note(
                "Identity card checked against the profile: same name, birth date and address. \
                 The documents are in Treezor.",
            ),
        });
        events.push(TeamEvent::Propose {
            user_id,
            action: GuardedAction::RequestReview,
            justification: why(
                "Documents complete and consistent with the profile; a second pair of eyes \
                 before we ask Treezor for the review, please.",
            ),
        });
    }
    if let Some(user_id) = first("link_expired") {
        events.push(TeamEvent::Claim { user_id });
        events.push(TeamEvent::Note {
            user_id,
            text: note(
                "The link expired before the customer used it. I emailed them this morning and \
                 will start a new verification when they answer.",
            ),
        });
    }
    if let Some(user_id) = first("refused") {
        events.push(TeamEvent::Note {
            user_id,
            text: note(
                "Refused by the provider. Nobody contacts the customer before a senior has \
                 recorded a decision on this case.",
            ),
        });
    }
    events
        .into_iter()
        .enumerate()
        .map(|(step, event)| TeamWrite {
            id: format!("demo-colleague-{step}"),
            event,
        })
        .collect()
}

/// Sends `work` to the hub with the colleague's credential, in order, in the background. A record
/// the hub refuses is left out (the demo goes on without it); one it could not take now is sent
/// again a few times.
pub(super) fn start(hub: Feed, work: Vec<TeamWrite>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        for write in work {
            if let Err(error) = send(&hub, &write).await {
                tracing::warn!(
                    kind = write.event.kind(),
                    %error,
                    "the demo's colleague could not record her work at the demo's hub"
                );
            }
        }
    })
}

async fn send(hub: &Feed, write: &TeamWrite) -> Result<(), FeedError> {
    let mut tries = 0;
    loop {
        tries += 1;
        match hub.write_team(write).await {
            Ok(_) => return Ok(()),
            Err(error) if tries < TRIES && is_transient(&error) => {
                tracing::debug!(%error, "the demo's hub was busy; the colleague tries again");
                tokio::time::sleep(PAUSE).await;
            }
            Err(error) => return Err(error),
        }
    }
}

/// Whether the hub may take the record a moment later: it was not reached, or could not store it
/// now (503). A refusal stays a refusal.
fn is_transient(error: &FeedError) -> bool {
    matches!(
        error,
        FeedError::Unreachable { .. } | FeedError::Status { status: 503, .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn she_claims_notes_and_proposes_on_the_seeds_cases_with_ids_of_her_own() {
        let mut seed = SeedReport::default();
        for (state, id) in [
            ("documents_stored", 10),
            ("link_expired", 4),
            ("refused", 9),
        ] {
            seed.people.insert(state.to_owned(), vec![id, id + 100]);
        }
        let work = work(&seed);
        let done: Vec<(&str, Option<u64>)> = work
            .iter()
            .map(|w| (w.event.kind(), w.event.user().map(UserId::get)))
            .collect();
        assert_eq!(
            done,
            [
                ("claim", Some(10)),
                ("note", Some(10)),
                ("propose", Some(10)),
                ("claim", Some(4)),
                ("note", Some(4)),
                ("note", Some(9)),
            ]
        );
        assert!(work.iter().all(TeamWrite::id_is_valid));
        let ids: std::collections::BTreeSet<&str> = work.iter().map(|w| w.id.as_str()).collect();
        assert_eq!(ids.len(), work.len());
        // A seed without a state leaves its step out.
        assert!(super::work(&SeedReport::default()).is_empty());
    }
}
