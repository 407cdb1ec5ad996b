//! The officer's actions against the sandbox: each checked against the case first, the guide's
//! warnings enforced, Treezor's refusals explained, and every attempt audited.

mod common;

use common::{World, case_in, known, until, verification_finished};
use desk::copy::Copyable;
use desk::{Confirmation, Error};
use kyc::case::Refusal;
use kyc::{CaseState, Language, Permission};
use sandbox::{NewUser, Outcome};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_case_flags_its_aml_reason_for_the_officer_and_hides_it_from_the_customer() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Ana", "Souza");
    let case = verification_finished(
        &world,
        &desk,
        user,
        Outcome::Refused {
            reasons: vec![1301, 2304],
            comment: Some("Refused".into()),
        },
        CaseState::Refused,
    )
    .await;
    assert!(case.detail.view.aml_flagged());
    let flagged: Vec<(&str, bool)> = case
        .reasons
        .iter()
        .map(|r| (r.code.as_str(), r.aml_sensitive))
        .collect();
    assert_eq!(flagged, [("1301", false), ("2304", true)]);
    let officer_2304 = case.reasons.iter().find(|r| r.code == "2304").unwrap();
    assert_eq!(
        officer_2304.message,
        "Applicant is not the rightful owner of the document"
    );

    assert_eq!(case.customer_texts.len(), Language::ALL.len());
    for (language, neutral) in [
        (
            Language::English,
            "We could not complete the verification of your identity. We will contact you about the next steps.",
        ),
        (
            Language::French,
            "Nous n’avons pas pu finaliser la vérification de votre identité. Nous reviendrons vers vous pour la suite de votre demande.",
        ),
    ] {
        let customer = desk
            .text_to_copy(Copyable::CustomerText { user, language })
            .await
            .unwrap();
        assert!(
            !customer.contains("2304") && !customer.contains("1301"),
            "{customer}"
        );
        assert_eq!(
            customer, neutral,
            "a sensitive reason silences every tip, in {language:?}"
        );
    }

    // Documents cannot be retrieved from a refused verification; the refusal is audited.
    let refused = desk.retrieve_documents(user).await.unwrap_err();
    assert_eq!(refused.code(), "not_allowed");
    assert!(refused.to_string().contains("score 1"), "{refused}");
    let trail = desk
        .export_audit(
            Some(user),
            desk::audit::ExportFormat::Csv,
            &world.home.path().join("x"),
        )
        .await
        .unwrap();
    let csv = std::fs::read_to_string(trail.path).unwrap();
    assert!(
        csv.contains("retrieve_documents") && csv.contains("refused"),
        "{csv}"
    );
    assert!(
        !csv.contains("rightful owner"),
        "no reason text in the audit log"
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copying_the_customer_text_in_french_is_audited_under_machine_names() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.user(NewUser {
        user_type_id: Some(1),
        firstname: Some("Élodie".into()),
        lastname: Some("Martin".into()),
        birthday: Some("1988-02-03".into()),
        nationality: Some("FR".into()),
        ..NewUser::default()
    });
    let case = verification_finished(
        &world,
        &desk,
        user,
        Outcome::Refused {
            reasons: vec![1301],
            comment: None,
        },
        CaseState::Refused,
    )
    .await;
    assert_eq!(
        case.customer_language,
        Some(Language::French),
        "the profile's nationality suggests French"
    );
    let french = desk
        .text_to_copy(Copyable::CustomerText {
            user,
            language: Language::French,
        })
        .await
        .unwrap();
    assert!(french.contains("bien nette"), "{french}");

    for format in [
        desk::audit::ExportFormat::Csv,
        desk::audit::ExportFormat::Json,
    ] {
        let trail = desk
            .export_audit(Some(user), format, &world.home.path().join("x"))
            .await
            .unwrap();
        let export = std::fs::read_to_string(trail.path).unwrap();
        assert!(
            export.contains("copy_customer_text") && export.contains("language=fr"),
            "the action and the language by their machine names: {export}"
        );
        assert!(
            !export.contains("vérification") && !export.contains("nette"),
            "no words of the customer text in the audit log: {export}"
        );
    }
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customers_language_comes_from_their_treezor_profile() {
    let world = World::start().await;
    let desk = world.desk().await;
    let prefers_english = world.user(NewUser {
        user_type_id: Some(1),
        firstname: Some("Chloé".into()),
        lastname: Some("Dubois".into()),
        birthday: Some("1991-07-14".into()),
        nationality: Some("FR".into()),
        language: Some("EN".into()),
        ..NewUser::default()
    });
    let says_neither = world.person("Ada", "Lovelace");
    let with_profile = |user| {
        let desk = &desk;
        async move {
            until(desk, "the user's Treezor profile", || async {
                desk.case_file(user)
                    .await
                    .ok()
                    .filter(|c| c.detail.profile.is_some())
            })
            .await
        }
    };
    assert_eq!(
        with_profile(prefers_english).await.customer_language,
        Some(Language::English),
        "Treezor's preferred language wins over the nationality"
    );
    assert_eq!(
        with_profile(says_neither).await.customer_language,
        None,
        "no language, no nationality: the officer's language is the default"
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_without_a_birthday_is_told_so_before_treezor_is_called() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.user(NewUser {
        user_type_id: Some(1),
        firstname: Some("Jean".into()),
        lastname: Some("Dupont".into()),
        ..NewUser::default()
    });
    known(&desk, user).await;
    let error = desk
        .start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap_err();
    match &error {
        Error::MissingAttributes { missing, .. } => assert_eq!(missing, &["birthday".to_owned()]),
        other => panic!("expected the missing attributes, got {other:?}"),
    }
    assert_eq!(error.code(), "missing_attributes");
    assert!(error.to_string().contains("birthday"));
    assert_eq!(
        world
            .control()
            .hits_for("POST", &format!("/v1/users/{user}/kycliveness")),
        0,
        "Treezor was not called"
    );
    let case = desk.case_file(user).await.unwrap();
    assert_eq!(
        case.detail.view.state,
        CaseState::NoVerification,
        "nothing was recorded"
    );
    let trail = desk.audit_entries(Some(user), 0, 10).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].entry.outcome, cache::Outcome::Refused);
    assert!(trail[0].entry.detail.contains("birthday"));
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn treezors_428_still_names_the_missing_attributes_when_it_knows_better_than_the_cache() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Jeanne", "Durand");
    known(&desk, user).await;
    // Treezor loses the birthday, and its user.update never reaches the desk.
    world.control().set_webhook_faults(sandbox::WebhookFaults {
        drop: [("user.update".to_owned(), 1)].into(),
        ..sandbox::WebhookFaults::default()
    });
    world
        .control()
        .update_user(
            user.get(),
            &NewUser {
                birthday: Some(String::new()),
                ..NewUser::default()
            },
        )
        .unwrap();
    let error = desk
        .start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap_err();
    match &error {
        Error::MissingAttributes { missing, .. } => assert_eq!(missing, &["birthday".to_owned()]),
        other => panic!("expected the missing attributes, got {other:?}"),
    }
    assert_eq!(
        world
            .control()
            .hits_for("POST", &format!("/v1/users/{user}/kycliveness")),
        1,
        "the cache thought the user complete, so Treezor was asked"
    );
    assert_eq!(
        desk.case_file(user).await.unwrap().detail.view.state,
        CaseState::NoVerification
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_a_verification_in_progress_needs_confirmation() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Li", "Wei");
    known(&desk, user).await;
    let first = desk
        .start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap();
    case_in(&desk, user, CaseState::LinkIssued).await;

    let asked = desk
        .start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap_err();
    assert_eq!(asked.code(), "needs_confirmation");
    assert!(asked.to_string().contains("replaces it"), "{asked}");
    assert_eq!(
        world
            .control()
            .identifications()
            .iter()
            .filter(|i| i.user == user.get())
            .count(),
        1,
        "Treezor was not called"
    );

    let second = desk
        .start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap();
    assert_ne!(first.identification, second.identification);
    let case = until(&desk, "the second link to be current", || async {
        desk.case_file(user).await.ok().filter(|c| {
            c.detail
                .view
                .current_attempt()
                .and_then(|a| a.identification.clone())
                == Some(second.identification.clone())
        })
    })
    .await;
    assert_eq!(case.detail.view.attempts.len(), 2);
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actions_say_why_they_are_disabled_and_a_cancellation_is_audited() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Ada", "Lovelace");
    let case = known(&desk, user).await;
    let review = case
        .actions
        .iter()
        .find(|a| a.action == "request_review")
        .unwrap();
    // Typed: the window words the refusal ("Start a verification first") in its language.
    assert_eq!(
        review.permission,
        Permission::NotAllowed(Refusal::NoVerification)
    );
    let error = desk
        .request_review(user, Confirmation::Confirmed)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "not_allowed");

    desk.cancel(kyc::Action::StartVerification, user)
        .await
        .unwrap();
    let export = desk
        .export_audit(
            None,
            desk::audit::ExportFormat::Json,
            &world.home.path().join("x"),
        )
        .await
        .unwrap();
    let json = std::fs::read_to_string(export.path).unwrap();
    assert!(
        json.contains("cancelled") && json.contains("request_review"),
        "{json}"
    );
    assert!(desk.verify_audit().await.unwrap().intact);
    desk.shutdown().await;
}
