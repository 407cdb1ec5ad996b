//! "Only once you've received all the document creation webhooks": the desk reads Treezor's list
//! of the user's documents after the retrieval and compares it with the webhooks; the review
//! waits, naming what is awaited, until they agree. A `document.create` Treezor never sends
//! (the sandbox drops it on purpose) does not leave the case stuck: the list, read again with
//! backoff, fills the gap after a grace period, and the case says where the document came from.

mod common;

use std::time::Duration;

use common::{GRACE, World, case_in, until, verification_finished};
use desk::awaited::DocumentsWatch;
use kyc::case::{Awaited, DocumentSource, Refusal};
use kyc::{CaseState, DocumentTypeId, Permission};
use sandbox::{Outcome, WebhookFaults};

/// A validated verification whose documents are retrieved while Treezor loses the first
/// `document.create` (the identity document's).
async fn retrieval_losing_a_webhook(
    world: &World,
    desk: &desk::desk::Desk,
    (first, last): (&str, &str),
) -> kyc::UserId {
    let user = world.person(first, last);
    verification_finished(world, desk, user, Outcome::Validated, CaseState::Validated).await;
    world.control().set_webhook_faults(WebhookFaults {
        drop: [("document.create".to_owned(), 1)].into(),
        ..WebhookFaults::default()
    });
    desk.retrieve_documents(user).await.unwrap();
    user
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_stays_disabled_naming_the_document_whose_webhook_has_not_come() {
    let world = World::start().await;
    // A grace longer than the test: the list never fills the gap here.
    let desk = world
        .desk_reading_documents(DocumentsWatch {
            first: Duration::from_millis(50),
            max: Duration::from_millis(200),
            grace: Duration::from_secs(3600),
        })
        .await;
    let user = retrieval_losing_a_webhook(&world, &desk, ("Awa", "Diallo")).await;

    // The synthesis arrives, the identity document's webhook does not; Treezor lists both.
    let case = until(
        &desk,
        "only the identity document to be awaited",
        || async {
            desk.case_file(user)
                .await
                .ok()
                .filter(|c| matches!(c.detail.view.awaited.as_slice(), [Awaited::Document { .. }]))
        },
    )
    .await;
    assert_eq!(case.detail.view.state, CaseState::DocumentsRequested);
    let in_treezor = world.control().documents_of(user.get());
    assert_eq!(in_treezor.len(), 2);
    assert_eq!(
        case.detail.view.awaited,
        [Awaited::Document {
            document: kyc::DocumentId::new(in_treezor[0]).unwrap(),
            document_type: DocumentTypeId::IDENTITY_CARD,
        }]
    );
    let review = case
        .actions
        .iter()
        .find(|a| a.action == "request_review")
        .unwrap();
    assert_eq!(
        review.permission,
        Permission::NotAllowed(Refusal::DocumentsNotArrived)
    );
    let refused = desk
        .request_review(user, desk::Confirmation::Confirmed)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_allowed");

    // "Check documents now": the list is read again and the check audited; within the grace
    // the document is still awaited.
    let checked = desk.check_documents(user).await.unwrap();
    assert_eq!(checked.listed, 2);
    assert!(checked.recovered.is_empty());
    assert_eq!(checked.awaited.len(), 1);
    let trail = desk.audit_entries(Some(user), 0, 100).await.unwrap();
    let entry = trail
        .iter()
        .find(|r| r.entry.action == "check_documents")
        .unwrap();
    assert!(
        entry.entry.detail.contains("1 still awaited"),
        "{}",
        entry.entry.detail
    );
    assert_eq!(
        desk.case_file(user).await.unwrap().detail.view.state,
        CaseState::DocumentsRequested
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_document_create_is_filled_from_treezors_list_and_the_case_says_so() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = retrieval_losing_a_webhook(&world, &desk, ("Bruno", "Câmara")).await;

    // No officer action: the list is read again with backoff until the gap is filled.
    let case = case_in(&desk, user, CaseState::DocumentsReceived).await;
    let lost = world.control().documents_of(user.get())[0];
    let recovered = case
        .detail
        .view
        .documents
        .iter()
        .find(|d| d.document.get() == lost)
        .expect("the dropped document is known");
    assert_eq!(recovered.source, DocumentSource::Listing);
    // It was taken at a later reading than the first, which named it: a reading that says the
    // same is not recorded again, so the case holds that one.
    assert_eq!(
        case.detail.view.listings.len(),
        1,
        "{:?}",
        case.detail.view.listings
    );
    // The timeline dates the step when the desk took it, the grace after the list named it.
    let taken = recovered
        .taken_at
        .expect("a document from the list says when");
    let named = case.detail.view.listings[0].at;
    assert!(
        taken.unix_micros() - named.unix_micros() >= GRACE.as_micros() as i64,
        "taken at {taken:?}, named at {named:?}"
    );
    assert!(
        case.detail
            .documents
            .iter()
            .any(|d| d.document.document_id.get() == lost),
        "its object, as the list gave it, is in the documents panel"
    );
    assert!(
        !case
            .detail
            .timeline
            .iter()
            .any(|t| t.event == "document.create"
                && t.object_id.as_deref() == Some(&lost.to_string())),
        "its webhook never came"
    );
    // The review can go on.
    desk.request_review(user, desk::Confirmation::Unconfirmed)
        .await
        .unwrap();
    desk.shutdown().await;
}
