//! Every typed call against the sandbox, and every refusal Treezor gives them.

mod common;

use std::time::Duration;

use common::{Receiver, client, person, sandbox};
use kyc::objects::LivenessResult;
use kyc::webhook::meaning;
use kyc::{KycReview, Score, Timestamp, UserId};
use sandbox::{LivenessAnswer, NewUser, Outcome, ReviewDecision, SandboxConfig};
use treezor::{AccessTag, Problem, UserQuery};

#[tokio::test]
async fn users_are_read_and_searched_page_by_page() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let control = sandbox.control();
    let parent = control
        .create_user(&NewUser {
            user_type_id: Some(2),
            legal_name: Some("Café de l'Étoile".into()),
            ..NewUser::default()
        })
        .unwrap();
    for i in 0..23 {
        control
            .create_user(&NewUser {
                firstname: Some(format!("Søren {i}")),
                lastname: Some("Ødegaard".into()),
                parent_user_id: (i < 3).then_some(parent),
                parent_type: (i < 3).then(|| "shareholder".into()),
                ..NewUser::default()
            })
            .unwrap();
    }
    let client = client(&sandbox);
    let company = client.get_user(UserId::new(parent).unwrap()).await.unwrap();
    assert_eq!(company.user_type, Some(kyc::UserType::Business));

    let query = UserQuery {
        name: Some("ødegaard".into()),
        page_count: 10,
        ..UserQuery::default()
    };
    let first = client.search_users(&query).await.unwrap();
    assert_eq!((first.users.len(), first.total_rows), (10, Some(23)));
    assert!(first.has_more());
    let everyone = client.all_users(&query, 10).await.unwrap();
    assert_eq!(everyone.len(), 23);
    let mut ids: Vec<u64> = everyone.iter().map(|u| u.user_id.get()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 23, "no user twice across pages");

    let children = client
        .all_users(
            &UserQuery {
                parent: Some(UserId::new(parent).unwrap()),
                ..UserQuery::default()
            },
            5,
        )
        .await
        .unwrap();
    assert_eq!(children.len(), 3);
    assert!(
        children
            .iter()
            .all(|c| c.parent_type.as_deref() == Some("shareholder"))
    );

    let missing = client
        .get_user(UserId::new(999_999).unwrap())
        .await
        .unwrap_err();
    let refusal = missing.treezor().unwrap();
    assert_eq!(
        (refusal.status, &refusal.problem),
        (404, &Problem::NotFound)
    );
    assert!(refusal.request_id.is_some() && refusal.code.is_some());
    assert!(missing.to_string().contains("requestId"), "{missing}");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_start_without_the_required_attributes_names_them() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = sandbox
        .control()
        .create_user(&NewUser {
            lastname: Some("Núñez".into()),
            ..NewUser::default()
        })
        .unwrap();
    let error = client(&sandbox)
        .start_liveness(UserId::new(user).unwrap(), None, None)
        .await
        .unwrap_err();
    let refusal = error.treezor().unwrap();
    assert_eq!(refusal.status, 428);
    assert_eq!(
        refusal.problem,
        Problem::MissingAttributes(vec!["firstname".into(), "birthday".into()])
    );
    assert!(
        error
            .to_string()
            .contains("the user lacks firstname, birthday"),
        "{error}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_openapi_answer_shape_is_read_too() {
    let sandbox = sandbox(SandboxConfig {
        liveness_answer: LivenessAnswer::OpenApi,
        ..SandboxConfig::for_tests()
    })
    .await;
    let user = person(&sandbox, "Inès");
    let started = client(&sandbox)
        .start_liveness(user, None, None)
        .await
        .unwrap();
    assert!(started.url.contains(started.identification.as_str()));
    assert_eq!(started.liveness_type, None);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_second_start_replaces_the_first_whose_documents_then_fail() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Łukasz");
    let client = client(&sandbox);
    let first = client.start_liveness(user, None, None).await.unwrap();
    let second = client.start_liveness(user, None, None).await.unwrap();
    assert_ne!(first.identification, second.identification);
    let control = sandbox.control();
    let finishing_first = control.finish(first.identification.as_str(), Outcome::Validated, None);
    assert!(
        finishing_first
            .unwrap_err()
            .to_string()
            .contains("newer verification replaced")
    );
    let page = reqwest::get(&first.url).await.unwrap();
    assert_eq!(page.status(), 410);
    let error = client
        .retrieve_liveness_documents(user, None)
        .await
        .unwrap_err();
    assert_eq!(error.treezor().unwrap().problem, Problem::NotProcessed);
    assert_eq!(error.treezor().unwrap().status, 406);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn documents_of_a_refused_or_expired_verification_cannot_be_retrieved() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    let client = client(&sandbox);
    let refused = person(&sandbox, "Małgorzata");
    let started = client.start_liveness(refused, None, None).await.unwrap();
    let outcome = Outcome::Refused {
        reasons: vec![1301, 2305],
        comment: Some("Refused by the provider".into()),
    };
    sandbox
        .control()
        .finish(started.identification.as_str(), outcome, None)
        .unwrap();
    let update = receiver
        .wait_for("kycliveness.update", &refused.to_string())
        .await;
    let result: LivenessResult = serde_json::from_str(&update.payload).unwrap();
    assert_eq!(result.score, Some(Score::Refused));
    let codes: Vec<String> = result.reasons.iter().map(|r| r.code.to_string()).collect();
    assert_eq!(codes, ["1301", "2305"]);
    let error = client
        .retrieve_liveness_documents(refused, None)
        .await
        .unwrap_err();
    assert_eq!(
        (
            error.treezor().unwrap().status,
            &error.treezor().unwrap().problem
        ),
        (405, &Problem::DocumentsNotStorable)
    );

    let late = person(&sandbox, "Siobhán");
    let expired = client.start_liveness(late, None, None).await.unwrap();
    sandbox
        .control()
        .advance_clock(Duration::from_secs(16 * 60));
    let error = client
        .retrieve_liveness_documents(late, None)
        .await
        .unwrap_err();
    assert_eq!(
        (
            error.treezor().unwrap().status,
            &error.treezor().unwrap().problem
        ),
        (410, &Problem::IdentificationGone)
    );
    assert_eq!(reqwest::get(&expired.url).await.unwrap().status(), 410);

    let never = person(&sandbox, "Zoë");
    let error = client
        .retrieve_liveness_documents(never, None)
        .await
        .unwrap_err();
    assert_eq!(error.treezor().unwrap().status, 404);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_repeated_access_tag_returns_the_first_verification() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Maël");
    let client = client(&sandbox);
    let tag = AccessTag::random();
    let first = client.start_liveness(user, None, Some(&tag)).await.unwrap();
    let again = client.start_liveness(user, None, Some(&tag)).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(sandbox.control().identifications().len(), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_review_is_pending_then_decided_with_treezors_comment() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    let user = person(&sandbox, "Noémie");
    let comment = "L'adresse ne correspond pas — merci de la mettre à jour";
    sandbox
        .control()
        .set_review_decision(
            user.get(),
            ReviewDecision::Refused {
                comment: comment.into(),
            },
        )
        .unwrap();
    let client = client(&sandbox);
    let pending = client.request_kyc_review(user, None).await.unwrap();
    assert_eq!(pending.kyc_review, Some(KycReview::Pending));
    let again = client.request_kyc_review(user, None).await.unwrap_err();
    assert_eq!(again.treezor().unwrap().status, 400);
    let decision = receiver.wait_for("user.kycreview", &user.to_string()).await;
    let decided = &meaning(&decision.envelope, Timestamp::from_unix_seconds(0))
        .unwrap()
        .users[0]
        .0;
    assert_eq!(decided.kyc_review, Some(KycReview::Refused));
    assert_eq!(decided.kyc_review_comment.as_deref(), Some(comment));
    assert_eq!(
        client.get_user(user).await.unwrap().kyc_review,
        Some(KycReview::Refused)
    );
    sandbox.shutdown().await;
}
