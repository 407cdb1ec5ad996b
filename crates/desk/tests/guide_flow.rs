//! The guide page's whole process, through the dashboard alone, against the sandbox and the relay
//! over loopback: start → the customer finishes → webhooks → retrieve documents → download →
//! request review → the decision webhook. Every step is checked against the case's state, the
//! files on disk and the audit log.

mod common;

use common::{World, case_in, known};
use desk::Confirmation;
use kyc::{CaseState, DocumentId, KycReview};
use sandbox::{Outcome, ReviewDecision};
use sha2::{Digest, Sha256};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guide_pages_process_end_to_end() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Zoé", "Lefèvre-O'Brien");
    world
        .control()
        .set_review_decision(user.get(), ReviewDecision::Validated)
        .unwrap();
    let case = known(&desk, user).await;
    assert_eq!(case.detail.view.state, CaseState::NoVerification);
    assert_eq!(case.detail.display_name, "Zoé Lefèvre-O'Brien");

    // 1. Start: Treezor answers with the link to send the customer.
    let started = desk
        .start_verification(
            user,
            Some("https://bank.example/kyc/back".into()),
            Confirmation::Unconfirmed,
        )
        .await
        .unwrap();
    assert!(
        started.url.starts_with(world.sandbox.base_url()),
        "{}",
        started.url
    );
    assert_eq!(started.expires_at.seconds_until(started.issued_at), -900);
    let case = case_in(&desk, user, CaseState::LinkIssued).await;
    assert_eq!(
        case.detail.view.current_attempt().unwrap().url.as_deref(),
        Some(started.url.as_str())
    );

    // 2. The customer finishes on the hosted page; the webhooks come through the relay.
    world
        .control()
        .finish(started.identification.as_str(), Outcome::Validated, None)
        .unwrap();
    let case = case_in(&desk, user, CaseState::Validated).await;
    let retrieve = case
        .actions
        .iter()
        .find(|a| a.action == "retrieve_documents")
        .unwrap();
    assert_eq!(retrieve.permission, kyc::Permission::Allowed);
    assert_eq!(
        case.customer_text(kyc::Language::English)
            .unwrap()
            .headline(),
        "Your identity has been verified. Thank you."
    );
    assert_eq!(
        case.customer_text(kyc::Language::French)
            .unwrap()
            .headline(),
        "Votre identité a bien été vérifiée. Merci."
    );

    // 3. Retrieve the documents: one document.create per document.
    desk.retrieve_documents(user).await.unwrap();
    case_in(&desk, user, CaseState::DocumentsReceived).await;
    let in_treezor = world.control().documents_of(user.get()).len();
    assert_eq!(in_treezor, 2, "the identity document and the synthesis");
    let case = common::until(&desk, "every document.create to arrive", || async {
        desk.case_file(user)
            .await
            .ok()
            .filter(|c| c.detail.documents.len() == in_treezor)
    })
    .await;
    let synthesis: Vec<_> = case
        .detail
        .documents
        .iter()
        .filter(|d| {
            d.document
                .document_type_id
                .is_some_and(|t| t.is_synthesis())
        })
        .collect();
    assert_eq!(synthesis.len(), 1, "one synthesis document");

    // 4. Download every document inside its URL window; the bytes are the sandbox's.
    for stored in &case.detail.documents {
        let id: DocumentId = stored.document.document_id;
        let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = progress.clone();
        let saved = desk
            .download_document(user, id, move |p| seen.lock().unwrap().push(p.bytes))
            .await
            .unwrap();
        let (expected_sha, expected_size) = world.control().document_file(id.get()).unwrap();
        let bytes = std::fs::read(&saved.path).unwrap();
        assert_eq!(bytes.len() as u64, expected_size);
        assert_eq!(hex::encode(Sha256::digest(&bytes)), expected_sha);
        assert_eq!(saved.sha256, expected_sha);
        assert!(saved.path.starts_with(world.home.path().join("downloads")));
        assert_eq!(
            progress.lock().unwrap().last().copied(),
            Some(expected_size)
        );
        let leftovers: Vec<_> = std::fs::read_dir(saved.path.parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
            .collect();
        assert!(leftovers.is_empty(), "no partial file is left");
    }
    let case = desk.case_file(user).await.unwrap();
    assert!(case.detail.documents.iter().all(|d| d.downloads.len() == 1));

    // 5. Request the review; Treezor's decision arrives by webhook.
    desk.request_review(user, Confirmation::Unconfirmed)
        .await
        .unwrap();
    let case = case_in(&desk, user, CaseState::ReviewValidated).await;
    assert_eq!(case.detail.view.review, Some(KycReview::Validated));

    // 6. Every action is in the audit log, and the chain holds.
    let check = desk.verify_audit().await.unwrap();
    assert!(check.intact, "{:?}", check.problem);
    let export = desk
        .export_audit(
            Some(user),
            desk::audit::ExportFormat::Json,
            &world.home.path().join("exports"),
        )
        .await
        .unwrap();
    let text = std::fs::read_to_string(&export.path).unwrap();
    for action in [
        "start_verification",
        "retrieve_documents",
        "download_document",
        "request_review",
    ] {
        assert!(
            text.contains(action),
            "{action} is in the user's audit trail"
        );
    }
    assert!(text.contains("officer.test"));
    assert!(
        !text.contains(world.sandbox.client_secret()),
        "no secret in the audit log"
    );
    desk.shutdown().await;
}
