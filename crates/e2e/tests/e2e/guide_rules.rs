//! The guide's rules the window shows, against the embedded sandbox: a business is found by its
//! legal name, is never offered a live verification, and its case shows its children and what its
//! review waits for; a review on a child says it usually goes on the parent and opens it; an AML
//! flag stays on the person through a new verification, which needs a confirmation naming it; a
//! lost `document.create` is awaited by name, then filled from Treezor's list.

use e2e::{Desk, Theme};

use crate::customer::{Finish, Sandbox, open_case, start_from_case};

/// Creates a person, opens their case, starts a verification and has the customer end it with
/// `finish`; returns the user once the case says `state_words`.
async fn person_with_a_verification(
    desk: &Desk,
    sandbox: &Sandbox,
    (first, last, birthday): (&str, &str, &str),
    finish: Finish<'_>,
    state_words: &str,
) -> u64 {
    let user = sandbox.person(first, last, Some(birthday)).await;
    open_case(desk, &format!("{first} {last}"), user).await;
    let link = start_from_case(desk).await;
    sandbox.finish(&link, finish).await;
    desk.wait_for_text("[data-testid=state-words]", state_words)
        .await;
    user
}

#[tokio::test]
async fn a_business_shows_its_children_and_its_review_waits_for_them_or_goes_on_the_parent() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    let business = sandbox.business("Atelier Zoé Verrerie SAS").await;
    let leader = sandbox.child(business, "Claire", "Verrier", "leader").await;
    let shareholder = sandbox
        .child(business, "Hugo", "Verrier", "shareholder")
        .await;

    // Found in the queue by its legal name, shown by it.
    desk.click("[data-screen=queue]").await;
    desk.fill("input[type=search]", "verrerie").await;
    let row = format!(".grid .row[data-user=\"{business}\"]");
    let name = desk
        .wait_for("the business in the queue", async |desk| {
            desk.attribute(&format!("{row} .c-name"), "title").await
        })
        .await;
    assert_eq!(name, "Atelier Zoé Verrerie SAS");
    desk.screenshot("queue-business-by-legal-name").await;
    desk.click(&row).await;
    desk.wait_for_text("#case-title", "Atelier Zoé Verrerie SAS")
        .await;
    let summary = desk
        .wait_for_text(
            "[data-testid=family-summary]",
            "the documents of 2 children",
        )
        .await;
    assert!(summary.contains("Missing before the review"), "{summary}");
    let words = desk
        .text_of("[data-testid=state-words]")
        .await
        .unwrap_or_default();
    assert!(words.contains("waiting for its leaders"), "{words}");
    assert!(
        desk.find_all("button[data-action=start_verification]")
            .await
            .is_empty(),
        "a legal entity is never offered a live verification"
    );
    for child in [leader, shareholder] {
        assert_eq!(
            desk.attribute(&format!("li[data-relative=\"{child}\"]"), "data-needs")
                .await
                .as_deref(),
            Some("missing")
        );
    }
    desk.screenshot("case-business").await;

    // Its review names the children without documents, and goes on only once confirmed.
    desk.click("button[data-action=request_review]").await;
    let dialog = desk
        .wait_for_text("dialog", "Children without documents")
        .await;
    assert!(
        dialog.contains("Claire Verrier") && dialog.contains("Hugo Verrier"),
        "{dialog}"
    );
    assert!(dialog.contains("In most cases"), "{dialog}");
    assert!(dialog.contains("Empty in Treezor's profile"), "{dialog}");
    desk.screenshot("review-business-children").await;
    desk.click_button("Cancel").await;

    // The leader's verification goes through to its documents; its own review warns.
    desk.click(&format!("li[data-relative=\"{leader}\"] button.name"))
        .await;
    desk.wait_for_text("#case-title", "Claire Verrier").await;
    let link = start_from_case(&desk).await;
    sandbox.finish(&link, Finish::Validated).await;
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Validated: retrieve the documents",
    )
    .await;
    desk.click("button[data-action=retrieve_documents]").await;
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Documents received: request the KYC review",
    )
    .await;
    desk.click("button[data-action=request_review]").await;
    let dialog = desk
        .wait_for_text("dialog", "The review usually goes on the parent")
        .await;
    assert!(dialog.contains("Atelier Zoé Verrerie SAS"), "{dialog}");
    desk.screenshot("review-child-goes-on-parent").await;
    desk.click_button("Open Atelier Zoé Verrerie SAS").await;
    desk.wait_for_text("#case-title", "Atelier Zoé Verrerie SAS")
        .await;
    desk.wait_for_text("[data-testid=family-summary]", "the documents of 1 child")
        .await;
    assert_eq!(
        desk.attribute(&format!("li[data-relative=\"{leader}\"]"), "data-needs")
            .await
            .as_deref(),
        Some("in")
    );
    desk.screenshot("case-business-one-child-ready").await;

    desk.close().await;
}

#[tokio::test]
async fn an_aml_flag_stays_on_the_person_and_a_new_verification_names_it_first() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    let user = person_with_a_verification(
        &desk,
        &sandbox,
        ("Viktor", "Orlov-Drapeau", "1979-03-30"),
        Finish::Refused { reasons: &[2304] },
        "Refused by the provider",
    )
    .await;

    // A new verification: the confirmation names the flag, its date and its codes.
    desk.click("button[data-action=start_verification]").await;
    let note = desk
        .wait_for_text("dialog [role=note]", "This person has an AML flag.")
        .await;
    assert!(note.contains("codes 2304"), "{note}");
    desk.screenshot("start-aml-confirmation").await;
    desk.click_button("Start despite the AML flag").await;
    let second = desk
        .wait_for_text("[data-testid=identification-url]", "/verify/")
        .await;
    desk.click_button("Done").await;
    sandbox.finish(second.trim(), Finish::Validated).await;
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Validated: retrieve the documents",
    )
    .await;

    // The later success does not clear it: the case and the queue keep it.
    let flag = desk
        .wait_for_text("[data-testid=aml-flag]", "AML flag on this person")
        .await;
    assert!(flag.contains("codes 2304"), "{flag}");
    let earlier = desk
        .wait_for_text(".timeline", "Earlier verification")
        .await;
    assert!(earlier.contains("2304 · AML-sensitive"), "{earlier}");
    desk.screenshot("case-aml-flag-kept").await;
    let row = format!(".grid .row[data-user=\"{user}\"]");
    let line = desk.wait_for_text(&row, "AML").await;
    assert!(line.contains("Validated"), "{line}");

    desk.close().await;
}

#[tokio::test]
async fn a_lost_document_create_is_awaited_by_name_then_filled_from_treezors_list() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    person_with_a_verification(
        &desk,
        &sandbox,
        ("Awa", "Diallo-Perdu", "1992-07-14"),
        Finish::Validated,
        "Validated: retrieve the documents",
    )
    .await;

    // Treezor loses the identity document's webhook.
    sandbox.drop_next("document.create", 1).await;
    desk.click("button[data-action=retrieve_documents]").await;
    // The awaited list and the review button are read in one turn of the page, so both come
    // from the same case file (the quick demo fills the gap ten seconds after the list named it).
    let (awaited, review) = desk
        .wait_for("the awaited document", async |desk| {
            let seen = desk
                .script(
                    "const awaited = document.querySelector('[data-testid=awaited]');
                     const review = document.querySelector('button[data-action=request_review]');
                     return [awaited ? awaited.textContent : '',
                             review ? review.getAttribute('aria-disabled') : null];",
                )
                .await;
            let awaited = seen[0].as_str().unwrap_or_default().to_owned();
            awaited
                .contains("its document.create webhook has not come")
                .then(|| (awaited, seen[1].as_str().map(str::to_owned)))
        })
        .await;
    assert!(awaited.contains("Passport"), "{awaited}");
    assert_eq!(review.as_deref(), Some("true"), "the review waits for it");
    desk.scroll_to(".documents").await;
    desk.screenshot("documents-awaited").await;

    // The list, read again, fills the gap, and the case says so.
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Documents received: request the KYC review",
    )
    .await;
    desk.wait_for_text(
        ".documents",
        "taken from Treezor's list: its webhook never came",
    )
    .await;
    let notes = desk
        .wait_for_text(".timeline", "taken from Treezor's list")
        .await;
    assert!(
        notes.contains("Treezor's list of documents read"),
        "{notes}"
    );
    desk.scroll_to(".documents").await;
    desk.screenshot("documents-filled-from-list").await;

    desk.close().await;
}
