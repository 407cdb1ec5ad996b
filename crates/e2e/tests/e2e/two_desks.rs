//! Proves that two officers, each at a desk of their own (two app processes, two windows) on one
//! team's hub, work one queue together: of two claims pressed at once exactly one wins, and the
//! other window says who holds the case; a note written at one desk shows at the other, named
//! after its author; an action the team's policy binds, proposed at one desk and approved by a
//! senior at the other, then runs at the first; and a proposer's window cannot approve its own
//! proposal, and shows the hub's refusal when it is tried anyway.
//!
//! One test walks every step in order: each two-window test starts two apps, and the steps stay
//! apart by their comments and screenshots.

use e2e::Desk;
use fantoccini::elements::Element;
use kyc::four_eyes::{Policy, Rule};
use kyc::officer::Role;
use kyc::team::TeamEvent;

use crate::customer::{open_case, start_from_case};
use crate::hub::Hub;

const LEA: &str = "Léa Roux";
const ZOE: &str = "Zoé Martin";
const CLAIM: &str = "[data-testid=claim]";
const FOUR_EYES: &str = "[data-testid=four-eyes]";
const WAITING: &str = "[data-testid=proposal][data-state=waiting]";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_officers_on_one_hub_race_for_a_case_share_notes_and_answer_each_others_proposals() {
    let hub = Hub::start().await;
    // The team's lead has starting a verification need a second officer, on every case.
    let lead = hub.officer("Team Lead", Role::Senior).await;
    let policy = Policy {
        start_verification: Rule::Always,
        ..Policy::default()
    };
    hub.write(&lead, TeamEvent::Policy { policy }).await;
    // Léa is a senior, Zoé an officer.
    let lea_credential = hub.officer(LEA, Role::Senior).await;
    let zoe_credential = hub.officer(ZOE, Role::Officer).await;
    let (lea, zoe) = tokio::join!(
        hub.desk(LEA, &lea_credential),
        hub.desk(ZOE, &zoe_credential)
    );
    let customer = hub.customer();
    let contested = customer
        .person("Claire", "Disputée", Some("1988-02-03"))
        .await;
    let guarded = customer
        .person("Hugo", "Quatre-Yeux", Some("1979-11-21"))
        .await;

    // Both take the same case at the same moment: the hub lets exactly one win.
    let name = "Claire Disputée";
    tokio::join!(
        open_case(&lea, name, contested),
        open_case(&zoe, name, contested)
    );
    // Both windows ready (the hub answered), then both pressed together.
    tokio::join!(
        button(&lea, CLAIM, "Take this case", Wanted::Enabled),
        button(&zoe, CLAIM, "Take this case", Wanted::Enabled)
    );
    tokio::join!(
        press(&lea, CLAIM, "Take this case"),
        press(&zoe, CLAIM, "Take this case")
    );
    let (holder_lea, holder_zoe) = tokio::join!(holder(&lea), holder(&zoe));
    let (lea_won, zoe_won) = (holder_lea.starts_with("You"), holder_zoe.starts_with("You"));
    assert!(
        lea_won != zoe_won,
        "exactly one claim wins: Léa's window says {holder_lea:?}, Zoé's {holder_zoe:?}"
    );
    let (winner, loser, winner_name) = if lea_won {
        (&lea, &zoe, LEA)
    } else {
        (&zoe, &lea, ZOE)
    };
    let lost = if lea_won { &holder_zoe } else { &holder_lea };
    assert!(
        lost.contains(&format!("{winner_name} holds this case since")),
        "the other window says who holds the case: {lost:?}"
    );
    let reason = loser
        .wait_for_text("[data-testid=claim-reason]", winner_name)
        .await;
    assert!(reason.contains("ask them"), "{reason}");
    // The loser cannot take it now.
    button(loser, CLAIM, "Take this case", Wanted::Disabled).await;
    winner.screenshot("two-desks-claim-won").await;
    loser.screenshot("two-desks-claim-lost").await;

    // A note written at one desk shows at the other, named after its author.
    let text = "I have her case: calling her back at 3 pm about the blurred passport photo.";
    winner.scroll_to("[data-testid=notes]").await;
    winner.fill("[data-testid=notes] textarea", text).await;
    winner.click_button("Add note").await;
    let note = loser.wait_for_text("[data-testid=note]", text).await;
    assert!(note.contains(winner_name), "{note}");
    loser.scroll_to("[data-testid=notes]").await;
    loser.screenshot("two-desks-note-from-a-colleague").await;

    // Four eyes: Zoé proposes to start a verification, Léa (a senior) approves it at her desk,
    // and only then does it run at Zoé's.
    let name = "Hugo Quatre-Yeux";
    tokio::join!(
        open_case(&lea, name, guarded),
        open_case(&zoe, name, guarded)
    );
    zoe.scroll_to(FOUR_EYES).await;
    zoe.wait_for_text(FOUR_EYES, "Needs a second officer here:")
        .await;
    zoe.fill(
        &format!("{FOUR_EYES} form textarea"),
        "Her first link expired unused; she asked for a new one by phone.",
    )
    .await;
    zoe.click_button("Propose").await;
    zoe.wait_for_text(FOUR_EYES, "Proposal recorded at the hub")
        .await;
    lea.scroll_to(FOUR_EYES).await;
    lea.wait_for_text(WAITING, &format!("Proposed by {ZOE}"))
        .await;
    lea.screenshot("two-desks-proposal-to-answer").await;
    lea.fill(
        &format!("{WAITING} textarea"),
        "Checked her file: a new link is right.",
    )
    .await;
    lea.click_button("Approve").await;
    let answered = zoe
        .wait_for_text(
            "[data-testid=proposal][data-state=approved]",
            &format!("Approved by {LEA}"),
        )
        .await;
    assert!(answered.contains("Checked her file"), "{answered}");
    zoe.wait_for_text("[data-testid=bound]", "(approved)").await;
    zoe.screenshot("two-desks-proposal-approved").await;
    let link = start_from_case(&zoe).await;
    assert!(link.contains("/verify/"), "{link}");
    zoe.wait_for_text("[data-testid=state-words]", "Link sent")
        .await;
    zoe.screenshot("two-desks-approved-action-ran").await;

    // Léa proposes in turn: her window does not let her approve her own proposal…
    lea.fill(
        &format!("{FOUR_EYES} form textarea"),
        "A second link the same day: I want a colleague to agree.",
    )
    .await;
    lea.click_button("Propose").await;
    let own = lea
        .wait_for_text(WAITING, &format!("Proposed by {LEA}"))
        .await;
    assert!(own.contains("You proposed this"), "{own}");
    // Her own proposal's Approve is disabled.
    button(&lea, WAITING, "Approve", Wanted::Disabled).await;
    lea.scroll_to(FOUR_EYES).await;
    lea.screenshot("two-desks-own-proposal").await;

    // …and when it is tried anyway (a window out of date, or tampered with), the hub refuses it
    // and the window says why. Forced from the page in one go, again until the panel is there (a
    // change from the feed redraws it): the box and Approve enabled, a justification typed, pressed.
    lea.wait_for("her own Approve to be forced", async |desk| {
        let forced = desk
            .script_with(
                "const own = document.querySelector(arguments[0]);
                 const box = own && own.querySelector('textarea');
                 const approve = own && [...own.querySelectorAll('button')]
                   .find((b) => b.textContent.includes('Approve'));
                 if (!box || !approve) return false;
                 box.disabled = false;
                 box.value = 'Approving my own, to see.';
                 box.dispatchEvent(new Event('input', { bubbles: true }));
                 approve.disabled = false;
                 approve.click();
                 return true;",
                vec![serde_json::json!(WAITING)],
            )
            .await;
        (forced == true).then_some(())
    })
    .await;
    let refusal = lea
        .wait_for_text(&format!("{FOUR_EYES} [role=alert]"), "yourself")
        .await;
    assert!(refusal.contains("proposed this yourself"), "{refusal}");
    lea.scroll_to(FOUR_EYES).await;
    lea.screenshot("two-desks-own-approval-refused").await;
    // Nothing was recorded: the proposal still waits, at both desks.
    zoe.wait_for_text(WAITING, &format!("Proposed by {LEA}"))
        .await;
    assert!(
        lea.text_of(WAITING)
            .await
            .is_some_and(|t| !t.contains("Approved by")),
        "her own approval was not recorded"
    );

    tokio::join!(lea.close(), zoe.close());
}

/// What [`button`] waits for the button to be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Enabled,
    Disabled,
    Either,
}

/// The first button in `scope` saying `text`, once there is one as `wanted`.
async fn button(desk: &Desk, scope: &str, text: &str, wanted: Wanted) -> Element {
    desk.wait_for(&format!("a button {text:?} in {scope}"), async |desk| {
        for button in desk.find_all(&format!("{scope} button")).await {
            if !button.text().await.is_ok_and(|t| t.contains(text)) {
                continue;
            }
            let enabled = button.is_enabled().await.ok()?;
            let fits = match wanted {
                Wanted::Enabled => enabled,
                Wanted::Disabled => !enabled,
                Wanted::Either => true,
            };
            if fits {
                return Some(button);
            }
        }
        None
    })
    .await
}

/// Presses the button in `scope` saying `text` now, enabled or not (a colleague's claim can
/// disable it under the click: that is the race the hub decides). One re-rendered between being
/// found and pressed is found again.
async fn press(desk: &Desk, scope: &str, text: &str) {
    loop {
        let button = button(desk, scope, text, Wanted::Either).await;
        match button.click().await {
            Ok(()) => return,
            Err(error) if error.is_stale_element_reference() => continue,
            // Disabled by then: the colleague's claim came first, and nothing was sent.
            Err(_) if !button.is_enabled().await.unwrap_or(true) => return,
            Err(error) => panic!("could not press {text:?}: {error:?}"),
        }
    }
}

/// Who the claim panel says holds the case, once someone does.
async fn holder(desk: &Desk) -> String {
    desk.wait_for("the case's holder", async |desk| {
        desk.text_of("[data-testid=claim-holder]")
            .await
            .filter(|text| !text.contains("Nobody holds this case"))
    })
    .await
}
