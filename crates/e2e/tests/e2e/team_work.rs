//! Proves, in the demo's single window, the team's work on a case as an officer sees it: they take
//! a case, the queue's "Mine" shows it alone, the claim panel names them, a decision they record
//! comes back from the hub with their name, and Settings shows the team's rules, which the demo's
//! officer (the team's senior) may change. Screenshots of each screen state.

use e2e::{Desk, Theme};
use serde_json::Value;

use crate::customer::{Sandbox, open_case};

/// The users of the queue's rows as the window shows them.
async fn queue_users(desk: &Desk) -> Vec<String> {
    let users = desk
        .script(
            "return [...document.querySelectorAll('.grid .row[data-user]')].map((r) => r.dataset.user);",
        )
        .await;
    match users {
        Value::Array(users) => users
            .into_iter()
            .filter_map(|u| u.as_str().map(str::to_owned))
            .collect(),
        other => panic!("the queue's rows read as {other:?}"),
    }
}

#[tokio::test]
async fn an_officer_takes_a_case_filters_mine_records_a_decision_and_sees_the_team_rules() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    let user = sandbox.person("Inès", "Garnier", Some("1988-02-11")).await;
    desk.wait_for_text("[data-testid=officer]", "Signed in as")
        .await;

    open_case(&desk, "Inès Garnier", user).await;
    desk.wait_for_text("[data-testid=claim]", "Nobody holds this case.")
        .await;
    desk.click_button("Take this case").await;
    desk.wait_for_text("[data-testid=claim]", "You hold this case since")
        .await;
    desk.scroll_to("[data-testid=claim]").await;
    desk.screenshot("case-claim-taken").await;

    // "Mine", with the search emptied: the case taken is the only one.
    desk.script_with(
        "const s = document.querySelector('input[type=search]'); s.value = ''; s.dispatchEvent(new Event('input', { bubbles: true })); return true;",
        vec![],
    )
    .await;
    desk.click("button[data-holding=mine]").await;
    let wanted = user.to_string();
    desk.wait_for("the queue to show only the case taken", async |desk| {
        (queue_users(desk).await == [wanted.clone()]).then_some(())
    })
    .await;
    assert_eq!(
        desk.attribute("button[data-holding=mine]", "aria-pressed")
            .await
            .as_deref(),
        Some("true")
    );
    desk.screenshot("queue-mine").await;

    desk.scroll_to("[data-testid=decisions]").await;
    let justification = "Documents checked against the video; nothing to add.";
    desk.fill("[data-testid=decisions] textarea", justification)
        .await;
    desk.click_button("Record the decision").await;
    let decision = desk
        .wait_for_text("[data-testid=decision]", justification)
        .await;
    assert!(decision.contains("Escalate to a senior"), "{decision:?}");
    // The hub's records come back (the decision, the claim's renewal) and the panels read their
    // part again in place: the shot is of the decision as the panel shows it then.
    desk.scroll_to("[data-testid=decisions]").await;
    desk.wait_for_text("[data-testid=decision]", justification)
        .await;
    desk.screenshot("case-decision-recorded").await;

    // The demo's officer is the team's senior: the rules can be changed here.
    desk.click("[data-screen=settings]").await;
    desk.wait_for_text("[data-testid=team-rules]", "Save the deadlines")
        .await;
    assert_eq!(desk.text_of("[data-testid=team-read-only]").await, None);
    desk.scroll_to("[data-testid=team-rules] button[type=submit]:last-of-type")
        .await;
    desk.screenshot("settings-team").await;
    desk.close().await;
}
