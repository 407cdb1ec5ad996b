//! Proves the queue's everyday use: the demo's cases with counts per state, moving through them
//! from the keyboard, opening one, and live updates from the sync loop that keep the officer's
//! place; and that the dashboard follows a dark system theme.

use e2e::{Desk, Theme};

use crate::customer::Sandbox;

const DOWN: &str = "\u{E015}";
const ENTER: &str = "\u{E007}";

/// The user id on the row the keyboard is on.
async fn cursor(desk: &Desk) -> Option<String> {
    desk.attribute(".grid .row.cursor", "data-user").await
}

#[tokio::test]
async fn the_officer_works_through_the_queue_from_the_keyboard_while_it_updates() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    desk.element(".grid .row[data-user]").await;
    // Every seeded case is in, with the count of each state.
    let all = desk
        .wait_for("the demo's cases to be counted", async |desk| {
            let text = desk.text_of(".chip.all").await?;
            let n: u64 = text.rsplit(' ').next()?.replace(',', "").parse().ok()?;
            (n >= 300).then_some(n)
        })
        .await;
    assert!(all >= 300);
    let footer = desk.text_of(".footer").await.unwrap_or_default();
    assert!(footer.contains(&format!("{all} cases")), "{footer}");
    desk.screenshot("queue").await;

    // Down, down, down: the third case; Enter opens it beside the queue.
    desk.click(".footer").await;
    desk.press(DOWN).await;
    desk.press(DOWN).await;
    desk.press(DOWN).await;
    let third = desk
        .wait_for("the cursor on the third row", async |desk| {
            let row = desk.text_of(".footer").await?;
            row.contains("row 3").then_some(())?;
            cursor(desk).await
        })
        .await;
    desk.press(ENTER).await;
    desk.wait_for("the case beside the queue", async |desk| {
        (desk.attribute(".case", "data-user").await? == third).then_some(())
    })
    .await;

    // A new user arrives by webhook and goes to the top: the cursor stays on the same case.
    let newcomer = sandbox
        .person("Léa", "Nouvelle-Arrivée", Some("1999-01-31"))
        .await;
    desk.element(&format!(".grid .row[data-user=\"{newcomer}\"]"))
        .await;
    assert_eq!(cursor(&desk).await.as_deref(), Some(third.as_str()));
    let footer = desk.wait_for_text(".footer", "row 4").await;
    assert!(footer.contains(&format!("{} cases", all + 1)), "{footer}");
    desk.screenshot("queue-with-case").await;

    // A state filter shows only its cases, and says how many.
    desk.click(".chip[data-state=refused]").await;
    let refused = desk.text_of(".chip[data-state=refused] .n").await.unwrap();
    desk.wait_for_text(".footer", &format!("{refused} cases"))
        .await;
    let states: Vec<String> = {
        let mut states = Vec::new();
        for pill in desk.find_all(".grid .row .pill").await {
            states.push(pill.attr("data-state").await.unwrap().unwrap_or_default());
        }
        states
    };
    assert!(
        !states.is_empty() && states.iter().all(|s| s == "refused"),
        "{states:?}"
    );
    desk.screenshot("queue-filtered-refused").await;

    // The keyboard shortcuts are one key away.
    desk.click(".footer").await;
    desk.press("?").await;
    desk.wait_for_text("dialog", "Keyboard shortcuts").await;
    desk.screenshot("keyboard-shortcuts").await;

    desk.close().await;
}

#[tokio::test]
async fn the_dashboard_follows_a_dark_system_theme() {
    let desk = Desk::open(Theme::Dark).await;
    desk.click(".grid .row[data-user]").await;
    desk.element(".case h2").await;
    desk.screenshot("queue-with-case-dark").await;

    let scheme = desk
        .script("return matchMedia('(prefers-color-scheme: dark)').matches;")
        .await;
    assert_eq!(scheme, true, "the window was not asked for a dark scheme");
    let background = desk
        .script("return getComputedStyle(document.body).backgroundColor;")
        .await;
    assert_eq!(
        background, "rgb(14, 19, 25)",
        "the page is not in its dark colours"
    );

    desk.click("[data-screen=settings]").await;
    desk.element(".settings fieldset").await;
    desk.screenshot("settings-dark").await;
    desk.click("[data-screen=codes]").await;
    desk.element(".catalogue table tbody tr").await;
    desk.screenshot("reason-codes-dark").await;

    desk.close().await;
}
