//! Proves that a refusal with an AML-sensitive reason is flagged for the officer and absent from
//! what the customer may be told (and from what the copy button puts on the clipboard), and that
//! a user without a birthday is told so before Treezor is called.

use std::process::Command;

use e2e::{Desk, Theme};

use crate::customer::{Finish, Sandbox, open_case, start_from_case};

const FRAUD: &str = "Applicant has submitted a counterfeit or falsification";

/// The text on the X clipboard of the test's display.
fn clipboard() -> String {
    let output = Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .output()
        .expect("xclip runs (scripts/setup installs it)");
    assert!(
        output.status.success(),
        "xclip found no text on the clipboard"
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn an_aml_reason_is_flagged_for_the_officer_and_never_offered_to_the_customer() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    let user = sandbox
        .person("Dmitri", "Okonkwo-Refus", Some("1984-11-02"))
        .await;
    open_case(&desk, "Dmitri Okonkwo-Refus", user).await;
    let link = start_from_case(&desk).await;

    // The provider refuses: blurry video (shareable) and a counterfeit document (AML-sensitive).
    sandbox
        .finish(
            &link,
            Finish::Refused {
                reasons: &[1301, 2301],
            },
        )
        .await;
    desk.wait_for_text("[data-testid=state-words]", "Refused by the provider")
        .await;

    let reasons = desk.wait_for_text(".reasons", "2301").await;
    assert!(reasons.contains("Do not disclose."), "{reasons}");
    let sensitive = desk
        .text_of(".reasons li[data-code=\"2301\"]")
        .await
        .expect("2301 is listed");
    assert!(sensitive.contains(FRAUD), "{sensitive}");
    assert!(
        sensitive.contains("AML-sensitive — do not disclose"),
        "{sensitive}"
    );
    assert_eq!(
        desk.attribute(".reasons li[data-code=\"2301\"]", "class")
            .await
            .map(|c| c.contains("sensitive")),
        Some(true)
    );
    let shareable = desk
        .text_of(".reasons li[data-code=\"1301\"]")
        .await
        .expect("1301 is listed");
    assert!(
        shareable.contains("May be explained to the customer"),
        "{shareable}"
    );

    let customer = desk
        .text_of("[data-testid=customer-text]")
        .await
        .expect("the customer panel has text");
    assert!(
        customer.contains("We could not complete the verification"),
        "{customer}"
    );
    for leak in [
        "2301",
        "1301",
        "counterfeit",
        "falsification",
        "fraud",
        "blurry",
    ] {
        assert!(
            !customer.to_lowercase().contains(leak),
            "the customer text gives away {leak:?}: {customer}"
        );
    }
    // The case's AML flag stands above the panels now: bring the customer's panel into view.
    desk.scroll_to(".customer").await;
    desk.click(".customer .copy button").await;
    desk.wait_for_text(".customer .copy", "Copied").await;
    let copied = clipboard();
    assert!(
        copied.starts_with("We could not complete the verification"),
        "{copied}"
    );
    assert!(!copied.contains("2301") && !copied.to_lowercase().contains("counterfeit"));

    // The queue flags the case too.
    let row = format!(".grid .row[data-user=\"{user}\"]");
    let line = desk.wait_for_text(&row, "AML").await;
    assert!(line.contains("Refused"), "{line}");
    let codes = desk.attribute(&format!("{row} .codes"), "title").await;
    assert_eq!(codes.as_deref(), Some("1301 2301"));
    desk.screenshot("case-refused-aml").await;

    desk.close().await;
}

#[tokio::test]
async fn starting_a_verification_for_a_user_without_a_birthday_names_what_is_missing() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    let user = sandbox.person("Hugo", "Sans-Naissance", None).await;
    open_case(&desk, "Hugo Sans-Naissance", user).await;

    desk.click("button[data-action=start_verification]").await;
    desk.click("dialog button.primary").await;
    let alert = desk.wait_for_text("dialog [role=alert]", "birthday").await;
    assert!(
        alert.contains("Treezor requires firstname, lastname and birthday"),
        "{alert}"
    );
    let missing = desk
        .text_of("dialog .missing li")
        .await
        .expect("the missing attributes are listed");
    assert_eq!(missing, "birthday");
    desk.screenshot("start-verification-428").await;
    desk.click_button("Cancel").await;
    desk.wait_for_text("[data-testid=state-words]", "No verification yet")
        .await;

    desk.close().await;
}
