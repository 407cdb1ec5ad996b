//! Proves that the demo is one world with one clock: a link just sent is "due in" on the queue;
//! once the sandbox's clock is moved past the link's 15 minutes, the same row says "late by" and
//! the status bar counts the case late, without waiting and without a reload.

use e2e::{Desk, Theme};
use serde_json::json;

use crate::customer::{Sandbox, open_case, start_from_case};

/// The due badge of `user`'s queue row, once it says `wanted`: its words and `data-due`, read
/// from the page (the virtual grid's rows are moved by a transform).
async fn badge_saying(desk: &Desk, user: u64, wanted: &str) -> (String, String) {
    let css = format!(".grid .row[data-user=\"{user}\"] [data-due]");
    desk.wait_for(&format!("{css} to say {wanted:?}"), async |desk| {
        let badge = desk
            .script_with(
                "const b = document.querySelector(arguments[0]); \
                 return b ? [b.textContent.trim(), b.dataset.due] : null;",
                vec![json!(css)],
            )
            .await;
        let text = badge.get(0)?.as_str()?.to_owned();
        let due = badge.get(1)?.as_str()?.to_owned();
        text.contains(wanted).then_some((text, due))
    })
    .await
}

#[tokio::test]
async fn moving_the_sandboxs_clock_past_a_deadline_makes_the_case_late_in_the_window() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    let user = sandbox.person("Délia", "Tardive", Some("1988-02-17")).await;
    open_case(&desk, "Délia Tardive", user).await;
    start_from_case(&desk).await;

    desk.click("[data-screen=queue]").await;
    let (due, state) = badge_saying(&desk, user, "due in").await;
    assert_eq!(state, "due");
    assert!(
        due.contains("min"),
        "a link just sent is due in minutes: {due:?}"
    );
    let late_before = desk.text_of("[data-testid=late-count]").await;

    // Past the link's 15 minutes on the sandbox's clock only.
    sandbox.advance_clock(20 * 60).await;
    let (late, state) = badge_saying(&desk, user, "late by").await;
    assert!(late.contains("min"), "{late:?}");
    assert_eq!(state, "late");
    let count = desk
        .wait_for("the status bar to count one more late case", async |desk| {
            let now = desk.text_of("[data-testid=late-count]").await?;
            (Some(&now) != late_before.as_ref()).then_some(now)
        })
        .await;
    assert!(count.contains("late"), "{count:?}");
    // At the window's 1280 px, the connections keep their whole words beside the count.
    desk.wait_for_text("[data-testid=relay-status]", "Relay connected · up to date")
        .await;
    desk.wait_for_text("[data-testid=treezor-status]", "Treezor ready")
        .await;
    desk.screenshot("queue-late-after-clock-advance").await;
    desk.close().await;
}
