//! Proves that an officer can run the guide page's whole process from the window alone, against
//! the embedded sandbox and relay: start a verification and hand the link to the customer, watch
//! the case change live when the customer finishes on the hosted page, retrieve the documents,
//! download one inside its 30-second window and find it on disk with the sandbox's bytes, request
//! the KYC review and see Treezor's decision arrive.

use std::path::PathBuf;

use e2e::{Desk, Theme};
use sha2::{Digest, Sha256};

use crate::customer::{Finish, Sandbox, open_case};

#[tokio::test]
async fn the_officer_runs_the_guide_pages_whole_process_from_the_window() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    let user = sandbox
        .person("Zoé", "Lefèvre-Guide", Some("1990-04-12"))
        .await;
    open_case(&desk, "Zoé Lefèvre-Guide", user).await;
    desk.wait_for_text("[data-testid=state-words]", "No verification yet")
        .await;
    desk.screenshot("case-no-verification").await;

    // 1. Start: the dialog shows the link to send the customer, valid 15 minutes once opened.
    desk.click("button[data-action=start_verification]").await;
    desk.fill("dialog input[type=url]", "https://bank.example/kyc/back")
        .await;
    desk.click("dialog button.primary").await;
    let link = desk
        .wait_for_text("[data-testid=identification-url]", "/verify/")
        .await;
    let dialog = desk.text_of("dialog").await.unwrap_or_default();
    assert!(
        dialog.contains("expires about 15 minutes after the customer opens it"),
        "{dialog}"
    );
    desk.screenshot("start-verification-link").await;
    desk.click_button("Done").await;
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Link sent, waiting for the customer",
    )
    .await;
    let timeline = desk
        .wait_for_text(
            ".timeline",
            "Expires about 15 minutes after the customer opens it",
        )
        .await;
    assert!(timeline.contains(link.trim()), "{timeline}");

    // 2. The customer finishes on the hosted page; the open case changes with no click.
    let back = sandbox.finish(link.trim(), Finish::Validated).await;
    assert!(back.starts_with("https://bank.example/kyc/back?"), "{back}");
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Validated: retrieve the documents",
    )
    .await;
    let score = desk
        .text_of("[data-testid=score-words]")
        .await
        .unwrap_or_default();
    assert_eq!(score, "1 · Validated: the user was identified");
    let customer = desk.wait_for_text(".customer", "verified").await;
    assert!(
        customer.contains("Your identity has been verified."),
        "{customer}"
    );
    desk.screenshot("case-validated").await;

    // The redirect URL the customer came back on, decoded.
    desk.fill(".decoder input", &back).await;
    desk.click_button("Decode").await;
    let decoded = desk
        .wait_for_text(
            "[data-testid=decoded-redirect]",
            "identity_verification_capture_completed",
        )
        .await;
    assert!(decoded.contains("not a reason code"), "{decoded}");
    desk.scroll_to(".decoder").await;
    desk.screenshot("redirect-decoder").await;

    // 3. Retrieve the documents: Treezor sends one document.create per document.
    desk.click("button[data-action=retrieve_documents]").await;
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Documents received: request the KYC review",
    )
    .await;
    let documents = desk
        .wait_for("both documents in the case", async |desk| {
            let found = desk.find_all("li[data-document]").await;
            (found.len() == 2).then_some(found.len())
        })
        .await;
    assert_eq!(documents, 2);

    // 4. Download one: it starts inside its URL window and lands on disk whole.
    let first = desk
        .attribute("li[data-document]", "data-document")
        .await
        .expect("a document has its id");
    desk.click(&format!("button[data-download=\"{first}\"]"))
        .await;
    let saved = desk
        .wait_for_text(&format!("[data-saved=\"{first}\"]"), "Saved")
        .await;
    assert!(saved.contains("inside its 30-second window"), "{saved}");
    desk.scroll_to(".documents").await;
    desk.screenshot("document-downloaded").await;
    let path = saved
        .split("Saved ")
        .nth(1)
        .and_then(|rest| rest.split(" (").next())
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("no path in {saved:?}"));
    assert!(
        path.starts_with(desk.app_home().join("downloads")),
        "{} is not in the app's download folder",
        path.display()
    );
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("{} cannot be read: {e}", path.display()));
    let (sha256, size) = sandbox.document_file(first.parse().unwrap()).await;
    assert_eq!(bytes.len() as u64, size);
    assert_eq!(hex::encode(Sha256::digest(&bytes)), sha256);
    assert!(
        saved.contains(&sha256),
        "the window shows the file's SHA-256"
    );
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty(), "no partial file is left");

    // 5. Request the review, confirmed; Treezor's decision comes by webhook.
    desk.click("button[data-action=request_review]").await;
    desk.wait_for_text("dialog", "Treezor's compliance team will review")
        .await;
    desk.screenshot("review-confirmation").await;
    desk.click("dialog button.primary").await;
    desk.wait_for_text("[data-testid=state-words]", "KYC review validated")
        .await;
    let review = desk.text_of(".status").await.unwrap_or_default();
    assert!(review.contains("Review validated"), "{review}");
    desk.scroll_to(".case").await;
    desk.screenshot("case-review-validated").await;

    // Every step is in the case's audit trail.
    desk.click_button("JSON").await;
    let exported = desk.wait_for_text(".exported", "Exported").await;
    let file = exported
        .split(" to ")
        .nth(1)
        .map(|p| PathBuf::from(p.trim()))
        .unwrap_or_else(|| panic!("no path in {exported:?}"));
    let trail = std::fs::read_to_string(&file).unwrap();
    for action in [
        "start_verification",
        "retrieve_documents",
        "download_document",
        "request_review",
    ] {
        assert!(trail.contains(action), "{action} is in the audit trail");
    }

    // 6. The downloaded document is listed on the Files screen, and removed from there.
    desk.click("[data-screen=files]").await;
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let listed = desk.wait_for_text(".files table", &name).await;
    assert!(
        listed.contains("today") && listed.contains("Present"),
        "{listed}"
    );
    desk.screenshot("files").await;
    desk.click(&format!("input[aria-label=\"Choose document {first}\"]"))
        .await;
    desk.click_button("Remove chosen (1)").await;
    desk.wait_for_text("dialog", "Delete the chosen document from this computer?")
        .await;
    desk.click("dialog button.primary").await;
    desk.wait_for_text(".files .report", "1 removed.").await;
    desk.wait_for_text(".files", "No document has been downloaded on this machine")
        .await;
    assert!(!path.exists(), "{} is deleted", path.display());

    desk.close().await;
}
