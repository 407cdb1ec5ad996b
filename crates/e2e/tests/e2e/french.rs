//! Proves that an officer who chooses French in Settings runs the guide page's whole process in
//! French: start, the link, the verification processed, the documents retrieved and downloaded,
//! the KYC review, the Files screen and the reason codes, every screen read in French, and the
//! customer text in French (the profile gives no language: the officer's is the default). The
//! audit trail keeps its machine names. A refusal from Treezor reads in French too, with
//! Treezor's own words quoted as Treezor wrote them, and so does the desk's own refusal to show a
//! document that is not what it claims.

use std::path::PathBuf;

use e2e::{Desk, Theme};
use serde_json::json;

use crate::customer::{Finish, Sandbox, open_case};
use crate::viewer::{close_viewer, open_viewer};

/// Words of the English window that must not show once it speaks French.
const ENGLISH: &[&str] = &[
    "Queue",
    "Reason codes",
    "Settings",
    "Shortcuts",
    "Relay connected",
    "Last event",
    "Documents in Treezor",
    "Verification timeline",
    "What the customer may be told",
    "Redirect URL decoder",
    "No verification yet",
    "Start verification",
    "Retrieve documents",
    "Request KYC review",
    "Audit trail",
    "Documents on this machine",
    // The backend's errors, worded by the window.
    "failed (HTTP",
    "Treezor said",
    "Check the network",
    "is not shown",
    "its bytes",
    "its name says",
];

/// Fails naming the English words the window holds, shown or for screen readers, in any case
/// (headings are upper-cased by CSS).
async fn reads_french(desk: &Desk, screen: &str) {
    let text = desk
        .script("return document.body.textContent;")
        .await
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    let english: Vec<&&str> = ENGLISH
        .iter()
        .filter(|w| text.contains(&w.to_lowercase()))
        .collect();
    assert!(
        english.is_empty(),
        "{screen} shows English words {english:?}:\n{text}"
    );
}

#[tokio::test]
async fn an_officer_who_chooses_french_runs_the_guides_process_in_french() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;

    // The officer's choice in Settings: the window reloads in French, and says so to screen
    // readers.
    desk.click("[data-screen=settings]").await;
    desk.click("input[name=window-language][value=fr]").await;
    desk.wait_for_text("[data-screen=settings]", "Paramètres")
        .await;
    assert_eq!(
        desk.script("return document.documentElement.lang;").await,
        "fr"
    );
    desk.wait_for_text(".statusbar", "Relais connecté").await;
    desk.screenshot("fr-settings").await;
    reads_french(&desk, "Settings").await;

    let user = sandbox
        .person("Zoé", "Lefèvre-Français", Some("1990-04-12"))
        .await;
    open_case(&desk, "Zoé Lefèvre-Français", user).await;
    desk.wait_for_text("[data-testid=state-words]", "Pas encore de vérification")
        .await;
    desk.screenshot("fr-case-no-verification").await;
    reads_french(&desk, "The case with no verification").await;

    // 1. Start: the link to send, and when it expires, in French.
    desk.click("button[data-action=start_verification]").await;
    desk.wait_for_text(
        "dialog",
        "Lancer une vérification pour Zoé Lefèvre-Français",
    )
    .await;
    desk.click("dialog button.primary").await;
    let link = desk
        .wait_for_text("[data-testid=identification-url]", "/verify/")
        .await;
    let dialog = desk.text_of("dialog").await.unwrap_or_default();
    assert!(
        dialog.contains("Il expire environ 15 minutes après son ouverture par le client"),
        "{dialog}"
    );
    desk.screenshot("fr-start-verification-link").await;
    desk.click_button("Terminé").await;
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Lien envoyé, en attente du client",
    )
    .await;

    // 2. Processed with score 1: the case and the customer text in French.
    sandbox.finish(link.trim(), Finish::Validated).await;
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Validée : récupérez les documents",
    )
    .await;
    let score = desk
        .text_of("[data-testid=score-words]")
        .await
        .unwrap_or_default();
    assert_eq!(score, "1 · Validée : l’utilisateur a été identifié");
    let customer = desk
        .wait_for_text(".customer", "Votre identité a bien été vérifiée.")
        .await;
    assert!(
        customer
            .to_lowercase()
            .contains("ce que le client peut savoir"),
        "{customer}"
    );
    desk.screenshot("fr-case-validated").await;
    reads_french(&desk, "The validated case").await;

    // 3. The documents: retrieved, then one downloaded inside its URL window.
    desk.click("button[data-action=retrieve_documents]").await;
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Documents reçus : demandez la revue KYC",
    )
    .await;
    desk.wait_for("both documents in the case", async |desk| {
        (desk.find_all("li[data-document]").await.len() == 2).then_some(())
    })
    .await;
    let first = desk
        .attribute("li[data-document]", "data-document")
        .await
        .expect("a document has its id");
    desk.click(&format!("button[data-download=\"{first}\"]"))
        .await;
    let saved = desk
        .wait_for_text(&format!("[data-saved=\"{first}\"]"), "Enregistré")
        .await;
    assert!(saved.contains("dans sa fenêtre de 30 secondes"), "{saved}");
    desk.scroll_to(".documents").await;
    desk.screenshot("fr-document-downloaded").await;
    reads_french(&desk, "The documents").await;

    // Treezor refuses the other document's download URL: the window says why, and what to do,
    // in French.
    let second = desk
        .script(
            "return [...document.querySelectorAll('li[data-document]')].map((li) => li.dataset.document)[1];",
        )
        .await
        .as_str()
        .expect("a second document has its id")
        .to_owned();
    sandbox.refuse_download(&second).await;
    desk.click(&format!("button[data-download=\"{second}\"]"))
        .await;
    let refused = desk
        .wait_for_text(
            &format!("li[data-document=\"{second}\"] [role=alert]"),
            "n’est pas activé pour ce compte Treezor",
        )
        .await;
    assert!(
        refused.contains("a échoué (HTTP 403)")
            && refused.contains("demandez à Treezor de l’activer"),
        "{refused}"
    );
    desk.screenshot("fr-download-refused-by-treezor").await;
    reads_french(&desk, "A download Treezor refused").await;
    sandbox.clear_faults().await;

    // A document that is not what it claims is not shown: the viewer says why, and what to do,
    // in French (the desk's typed refusal, worded by the window).
    let ids: Vec<u64> = [&first, &second]
        .iter()
        .map(|id| id.parse().expect("a document id is a number"))
        .collect();
    // The identity document is created first; the other is the PDF synthesis.
    let synthesis = ids[0].max(ids[1]);
    assert_eq!(
        sandbox.document_facts(synthesis).await["media_type"],
        "application/pdf"
    );
    sandbox
        .set_content(synthesis, json!({"kind": "not_pdf"}))
        .await;
    open_viewer(&desk, synthesis).await;
    let refused = desk
        .wait_for_text("[data-testid=viewer-problem]", "n’est pas affiché")
        .await;
    assert!(
        refused.contains("ses octets ne sont ni ceux d’une image JPEG, PNG, WebP ou HEIC, ni ceux d’un PDF (son nom annonce un PDF)")
            && refused.contains("enregistrez-en une copie"),
        "{refused}"
    );
    desk.screenshot("fr-viewer-refused").await;
    reads_french(&desk, "A document the viewer refused").await;
    close_viewer(&desk).await;

    // 4. The KYC review, and Treezor's decision.
    desk.click("button[data-action=request_review]").await;
    desk.wait_for_text("dialog", "L’équipe conformité de Treezor examinera")
        .await;
    desk.screenshot("fr-review-confirmation").await;
    desk.click("dialog button.primary").await;
    desk.wait_for_text("[data-testid=state-words]", "Revue KYC validée")
        .await;
    desk.scroll_to(".case").await;
    desk.screenshot("fr-case-review-validated").await;
    reads_french(&desk, "The reviewed case").await;

    // The audit trail keeps its machine names, whatever the window's language.
    desk.click_button("JSON").await;
    let exported = desk
        .wait_for_text(".exported", "entrées d’audit exportées vers")
        .await;
    let file = exported
        .split(" vers ")
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

    // 5. The Files screen and the reason codes, in French.
    desk.click("[data-screen=files]").await;
    let listed = desk.wait_for_text(".files table", "Présent").await;
    assert!(listed.contains("aujourd’hui"), "{listed}");
    desk.screenshot("fr-files").await;
    reads_french(&desk, "Files").await;
    desk.click("[data-screen=codes]").await;
    desk.wait_for_text(".catalogue", "Codes de refus").await;
    desk.screenshot("fr-reason-codes").await;
    reads_french(&desk, "Reason codes").await;

    desk.close().await;
}
