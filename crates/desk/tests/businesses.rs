//! Businesses, through the dashboard and the sandbox: a legal entity is known by its legal name,
//! never offered a live verification, and its KYC review waits for the documents of the children
//! that need them (leaders and shareholders), or goes on with a confirmation that names them; a
//! review on a child warns that it usually goes on the parent.

mod common;

use cache::{QueueFilter, QueueQuery};
use common::{World, case_in, documents_received, known, until};
use desk::{Confirmation, Error};
use kyc::{CaseState, Caution, Permission, UserId};
use sandbox::{NewUser, ReviewDecision};

struct Business {
    entity: UserId,
    leader: UserId,
    shareholder: UserId,
    employee: UserId,
}

fn business(world: &World) -> Business {
    let entity = world.user(NewUser {
        user_type_id: Some(2),
        legal_name: Some("Atelier Zoé SAS".into()),
        email: Some("contact@atelier.example".into()),
        ..NewUser::default()
    });
    let child = |first: &str, role: &str| {
        world.user(NewUser {
            user_type_id: Some(1),
            parent_user_id: Some(entity.get()),
            parent_type: Some(role.into()),
            firstname: Some(first.into()),
            lastname: Some("Martin".into()),
            birthday: Some("1985-05-05".into()),
            ..NewUser::default()
        })
    };
    Business {
        entity,
        leader: child("Claire", "leader"),
        shareholder: child("Hugo", "shareholder"),
        employee: child("Inès", "employee"),
    }
}

fn permission(case: &desk::views::CaseFile, action: &str) -> Permission {
    case.actions
        .iter()
        .find(|a| a.action == action)
        .unwrap()
        .permission
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_is_never_verified_and_its_review_waits_for_its_leaders_and_shareholders() {
    let world = World::start().await;
    let desk = world.desk().await;
    let family = business(&world);
    world
        .control()
        .set_review_decision(family.entity.get(), ReviewDecision::Validated)
        .unwrap();
    for child in [family.leader, family.shareholder, family.employee] {
        known(&desk, child).await;
    }
    let case = known(&desk, family.entity).await;

    // Known by its legal name, in the case and the queue, and found by it.
    assert_eq!(case.detail.display_name, "Atelier Zoé SAS");
    assert!(case.legal_entity);
    let found = desk
        .queue(QueueQuery {
            filter: QueueFilter {
                search: Some("atelier zoe".into()),
                ..QueueFilter::default()
            },
            ..QueueQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(found.rows.len(), 1);
    assert_eq!(found.rows[0].display_name, "Atelier Zoé SAS");

    // Never a live verification.
    assert_eq!(
        permission(&case, "start_verification"),
        Permission::NotAllowed(kyc::case::Refusal::LegalEntity)
    );
    let refused = desk
        .start_verification(family.entity, None, Confirmation::Confirmed)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "not_allowed");
    assert!(refused.to_string().contains("never verified by live video"));
    assert!(
        world
            .control()
            .latest_identification(family.entity.get())
            .is_none(),
        "Treezor was not called"
    );

    // Its children are shown with their state; the leader and the shareholder lack documents.
    assert_eq!(case.detail.children.len(), 3);
    let missing: Vec<UserId> = case
        .children_without_documents
        .iter()
        .map(|c| c.user_id)
        .collect();
    assert_eq!(
        missing,
        [family.leader, family.shareholder],
        "not the employee"
    );
    assert!(case.legal_entity);
    assert_eq!(
        permission(&case, "request_review"),
        Permission::NeedsConfirmation(vec![Caution::ChildrenWithoutDocuments])
    );
    let asked = desk
        .request_review(family.entity, Confirmation::Unconfirmed)
        .await
        .unwrap_err();
    match &asked {
        Error::NeedsConfirmation {
            cautions,
            children,
            reason,
            ..
        } => {
            assert_eq!(cautions, &[Caution::ChildrenWithoutDocuments]);
            assert_eq!(children.len(), 2);
            assert!(reason.contains("Claire Martin") && reason.contains("Hugo Martin"));
            assert!(reason.contains("In most cases"), "{reason}");
        }
        other => panic!("expected a confirmation, got {other:?}"),
    }

    // The leader's documents come in: only the shareholder is missing.
    documents_received(&world, &desk, family.leader).await;
    let case = until(&desk, "the leader's documents to count", || async {
        desk.case_file(family.entity)
            .await
            .ok()
            .filter(|c| c.children_without_documents.len() == 1)
    })
    .await;
    assert_eq!(
        case.children_without_documents[0].user_id,
        family.shareholder
    );

    // The shareholder's too: the parent's review is allowed, with no confirmation.
    documents_received(&world, &desk, family.shareholder).await;
    let case = until(&desk, "every child's documents to count", || async {
        desk.case_file(family.entity)
            .await
            .ok()
            .filter(|c| c.children_without_documents.is_empty())
    })
    .await;
    assert_eq!(permission(&case, "request_review"), Permission::Allowed);
    let requested = desk
        .request_review(family.entity, Confirmation::Unconfirmed)
        .await
        .unwrap();
    assert!(requested.children_without_documents.is_empty());
    let case = case_in(&desk, family.entity, CaseState::ReviewValidated).await;
    assert_eq!(
        permission(&case, "request_review"),
        Permission::NotAllowed(kyc::case::Refusal::ReviewAlreadyValidated)
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parents_review_may_go_on_despite_children_without_documents_once_confirmed() {
    let world = World::start().await;
    let desk = world.desk().await;
    let family = business(&world);
    for child in [family.leader, family.shareholder, family.employee] {
        known(&desk, child).await;
    }
    known(&desk, family.entity).await;
    let requested = desk
        .request_review(family.entity, Confirmation::Confirmed)
        .await
        .unwrap();
    let named: Vec<UserId> = requested
        .children_without_documents
        .iter()
        .map(|c| c.user_id)
        .collect();
    assert_eq!(named, [family.leader, family.shareholder]);
    case_in(&desk, family.entity, CaseState::ReviewRequested).await;
    let trail = desk
        .audit_entries(Some(family.entity), 0, 100)
        .await
        .unwrap();
    let entry = trail
        .iter()
        .find(|r| r.entry.action == "request_review")
        .unwrap();
    assert!(
        entry
            .entry
            .detail
            .contains("confirmed despite: children_without_documents")
            && entry
                .entry
                .detail
                .contains(&format!("{}, {}", family.leader, family.shareholder)),
        "{}",
        entry.entry.detail
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_on_a_child_warns_that_it_usually_goes_on_the_parent_and_names_it() {
    let world = World::start().await;
    let desk = world.desk().await;
    let family = business(&world);
    known(&desk, family.entity).await;
    documents_received(&world, &desk, family.leader).await;
    let case = desk.case_file(family.leader).await.unwrap();
    assert_eq!(
        case.detail.parent.as_ref().map(|p| p.display_name.as_str()),
        Some("Atelier Zoé SAS")
    );
    assert_eq!(
        permission(&case, "request_review"),
        Permission::NeedsConfirmation(vec![Caution::ReviewGoesOnParent])
    );
    // The window names the parent from the case file, beside the typed caution.
    assert_eq!(
        case.detail.parent.as_ref().map(|p| p.user_id),
        Some(family.entity)
    );
    let asked = desk
        .request_review(family.leader, Confirmation::Unconfirmed)
        .await
        .unwrap_err();
    assert_eq!(asked.code(), "needs_confirmation");
    desk.request_review(family.leader, Confirmation::Confirmed)
        .await
        .unwrap();
    case_in(&desk, family.leader, CaseState::ReviewRequested).await;
    desk.shutdown().await;
}
