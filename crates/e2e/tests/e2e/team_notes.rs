//! Proves that an officer writes an internal note on a case in the demo and sees it on the case,
//! named after the officer the demo's hub signed in: the note went to the hub and came back through
//! its feed, as a colleague's would. It stays out of what the customer may be told.

use e2e::{Desk, Theme};

use crate::customer::{Sandbox, open_case};

#[tokio::test]
async fn an_officer_writes_a_note_and_sees_it_on_the_case_with_their_name() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    let user = sandbox.person("Noémie", "Carnet", Some("1991-04-05")).await;
    let signed_in = desk
        .wait_for_text("[data-testid=officer]", "Signed in as")
        .await;
    let officer = signed_in
        .trim()
        .strip_prefix("Signed in as ")
        .and_then(|rest| rest.split(" · ").next())
        .unwrap_or_else(|| panic!("the status bar says {signed_in:?}"))
        .to_owned();

    open_case(&desk, "Noémie Carnet", user).await;
    desk.scroll_to("[data-testid=notes]").await;
    desk.wait_for_text("[data-testid=notes]", "No note on this case yet.")
        .await;
    let text = "Customer called: she will retry with her passport tonight.";
    desk.fill("[data-testid=notes] textarea", text).await;
    desk.click_button("Add note").await;

    let note = desk.wait_for_text("[data-testid=note]", text).await;
    assert!(
        note.contains(&officer),
        "the note names {officer}: {note:?}"
    );
    let customer = desk
        .text_of("[aria-labelledby=customer-title]")
        .await
        .unwrap_or_default();
    assert!(!customer.contains("passport tonight"), "{customer}");
    desk.scroll_to("[data-testid=notes]").await;
    desk.screenshot("case-team-note").await;
    desk.close().await;
}
