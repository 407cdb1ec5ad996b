//! Drills against a Treezor having a bad day, through the dashboard's own actions: storms of 5xx,
//! answers lost after Treezor did the work, an answer that does not come, a token revoked mid-run
//! and credentials revoked mid-run. The sandbox injects each fault on the real HTTP path.
//!
//! What they prove: retries are bounded and safe (a write is repeated only where Treezor takes an
//! `accessTag`, so a repeat never acts twice; the start, which has none, is sent once and its
//! lost answer recorded as such); a failure ends in one error that says what failed and what to
//! do, and one audit entry; nothing is recorded in the case for a call that failed, and nothing twice for a
//! call that was repeated; while Treezor keeps an answer waiting, everything the window reads
//! still answers; a revoked token is renewed once, revoked credentials are named as such; a
//! download cut every time reaches the window as its cause and parameters, not as English.
//!
//! The keychain being locked is drilled in `keychain.rs`
//! (`a_locked_keyring_is_reported_as_locked_with_what_to_do`).

mod common;

use std::time::Duration;

use cache::Outcome;
use common::{World, case_in, documents_received, known};
use desk::Confirmation;
use desk::desk::Desk;
use desk::words::Words;
use kyc::{CaseState, UserId};
use sandbox::{Fault, FaultRule};
use treezor::{AttemptFailure, TransportFault};

fn status(code: u16, after_handling: bool) -> Fault {
    Fault::Status {
        status: code,
        after_handling,
    }
}

/// The outcomes of `action`'s audit entries for `user`, oldest first.
async fn audited(desk: &Desk, user: UserId, action: &str) -> Vec<Outcome> {
    desk.audit_entries(Some(user), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == action)
        .map(|r| r.entry.outcome)
        .collect()
}

fn identifications_of(world: &World, user: UserId) -> usize {
    world
        .control()
        .identifications()
        .iter()
        .filter(|i| i.user == user.get())
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_storm_ends_in_one_clear_error_and_records_nothing() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Tomás", "Ó-Briain");
    let started = known(&desk, user).await;
    assert_eq!(started.detail.view.state, CaseState::NoVerification);
    let started = desk
        .start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap();
    world
        .control()
        .finish(
            started.identification.as_str(),
            sandbox::Outcome::Validated,
            None,
        )
        .unwrap();
    case_in(&desk, user, CaseState::Validated).await;
    let path = format!("/v1/users/{user}/kycliveness");
    world
        .control()
        .inject(FaultRule::new(&path, status(503, false)).method("PUT"));

    let error = desk.retrieve_documents(user).await.unwrap_err();
    assert_eq!(error.code(), "treezor_error");
    let message = error.to_string();
    assert!(
        message.contains(&format!("PUT {path}"))
            && message.contains("HTTP 503")
            && message.contains("retry in a moment"),
        "{message}"
    );
    assert_eq!(
        world.control().hits_for("PUT", &path),
        4,
        "retries stop after the client's four attempts"
    );
    assert!(world.control().documents_of(user.get()).is_empty());
    let case = desk.case_file(user).await.unwrap();
    assert_eq!(case.detail.view.state, CaseState::Validated);
    assert_eq!(
        audited(&desk, user, "retrieve_documents").await,
        [Outcome::Failed]
    );

    // The storm passes: the same action works, once.
    world.control().clear_faults();
    desk.retrieve_documents(user).await.unwrap();
    assert_eq!(world.control().documents_of(user.get()).len(), 2);
    assert_eq!(
        audited(&desk, user, "retrieve_documents").await,
        [Outcome::Failed, Outcome::Succeeded]
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_whose_answer_was_lost_after_treezor_acted_is_not_sent_again() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Ingrid", "Þórsdóttir");
    known(&desk, user).await;
    let path = format!("/v1/users/{user}/kycliveness");

    // Treezor starts the verification, then the gateway loses its answer.
    world.control().inject(
        FaultRule::new(&path, status(502, true))
            .method("POST")
            .times(1),
    );
    let error = desk
        .start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "treezor_answer_lost");
    assert!(
        error
            .to_string()
            .contains("may have started one whose link nobody has"),
        "{error}"
    );
    // The window is told how the answer was lost, typed: the gateway's status.
    assert_eq!(
        error.words(),
        Words::StartAnswerLost {
            user,
            lost: treezor::LostAnswer::Status { status: 502 },
        }
    );
    assert_eq!(world.control().hits_for("POST", &path), 1, "not sent again");
    assert_eq!(
        identifications_of(&world, user),
        1,
        "one verification at Treezor"
    );
    let case = desk.case_file(user).await.unwrap();
    assert!(case.detail.view.unanswered_start.is_some());
    let start = case
        .actions
        .iter()
        .find(|a| a.action == "start_verification")
        .unwrap();
    assert_eq!(
        start.permission,
        kyc::Permission::NeedsConfirmation(vec![kyc::Caution::StartAnswerLost])
    );
    let trail = desk.audit_entries(Some(user), 0, 100).await.unwrap();
    let entry = trail
        .iter()
        .find(|r| r.entry.action == "start_verification")
        .unwrap();
    assert_eq!(entry.entry.outcome, Outcome::Failed);
    assert!(
        entry.entry.detail.contains("answer lost"),
        "{}",
        entry.entry.detail
    );

    // Asked without confirmation, the next start says why; confirmed, it gets a link.
    let asked = desk
        .start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap_err();
    assert_eq!(asked.code(), "needs_confirmation");
    assert_eq!(world.control().hits_for("POST", &path), 1);
    let started = desk
        .start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap();
    let case = case_in(&desk, user, CaseState::LinkIssued).await;
    assert_eq!(case.detail.view.unanswered_start, None);
    assert_eq!(case.detail.view.attempts.len(), 1);
    assert_eq!(
        world
            .control()
            .latest_identification(user.get())
            .unwrap()
            .id,
        started.identification.as_str()
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_lost_after_treezor_acted_are_retried_and_recorded_once_where_treezor_takes_a_tag()
{
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Ingrid", "Þórsdóttir");
    common::verification_finished(
        &world,
        &desk,
        user,
        sandbox::Outcome::Validated,
        CaseState::Validated,
    )
    .await;
    let path = format!("/v1/users/{user}/kycliveness");
    world.control().inject(
        FaultRule::new(&path, status(504, true))
            .method("PUT")
            .times(2),
    );
    desk.retrieve_documents(user).await.unwrap();
    assert_eq!(world.control().hits_for("PUT", &path), 3);
    case_in(&desk, user, CaseState::DocumentsReceived).await;
    assert_eq!(
        world.control().documents_of(user.get()).len(),
        2,
        "the documents were retrieved once"
    );

    let review = format!("/v1/users/{user}/Kycreview");
    world.control().inject(
        FaultRule::new(&review, status(502, true))
            .method("PUT")
            .times(1),
    );
    desk.request_review(user, Confirmation::Unconfirmed)
        .await
        .unwrap();
    assert_eq!(world.control().hits_for("PUT", &review), 2);
    assert_eq!(
        audited(&desk, user, "retrieve_documents").await,
        [Outcome::Succeeded]
    );
    assert_eq!(
        audited(&desk, user, "request_review").await,
        [Outcome::Succeeded]
    );
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_treezor_keeps_an_answer_waiting_the_window_still_reads() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Kofi", "Mensah");
    known(&desk, user).await;
    let path = format!("/v1/users/{user}/kycliveness");
    // Ten minutes: far longer than this test, and than the client's 30-second timeout.
    world.control().inject(
        FaultRule::new(&path, Fault::Delay { millis: 600_000 })
            .method("POST")
            .times(1),
    );
    let action = tokio::spawn({
        let desk = desk.clone();
        async move {
            desk.start_verification(user, None, Confirmation::Unconfirmed)
                .await
        }
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while world.control().hits_for("POST", &path) == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the action reaches Treezor"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Everything the window shows answers while the action waits on Treezor.
    let page = desk.queue(Default::default()).await.unwrap();
    assert!(page.rows.iter().any(|row| row.user_id == user));
    desk.counts(Default::default()).await.unwrap();
    let case = desk.case_file(user).await.unwrap();
    assert_eq!(case.detail.view.state, CaseState::NoVerification);
    let status = desk.status();
    assert!(!format!("{status:?}").is_empty());
    assert!(desk.verify_audit().await.unwrap().intact);
    assert!(
        !action.is_finished(),
        "the reads came back while the action still waits on Treezor"
    );
    action.abort();
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_token_is_renewed_once_and_revoked_credentials_are_named() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Aiyana", "Begay");
    known(&desk, user).await;
    let token = "/oauth/token";
    desk.start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap();
    let tokens_before = world.control().hits_for("POST", token);

    // Treezor revokes every token it issued: the next call is refused once, renews, and works.
    world.control().expire_tokens();
    desk.start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap();
    assert_eq!(
        world.control().hits_for("POST", token),
        tokens_before + 1,
        "one renewal"
    );

    // Now the credentials themselves are revoked: the renewal is refused, once, and the error
    // says which setting to check.
    world.control().expire_tokens();
    world
        .control()
        .inject(FaultRule::new(token, status(401, false)));
    let path = format!("/v1/users/{user}/kycliveness");
    let calls_before = world.control().hits_for("POST", &path);
    let error = desk
        .start_verification(user, None, Confirmation::Confirmed)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "treezor_refused");
    assert!(
        error.to_string().contains("Check the client id and secret"),
        "{error}"
    );
    assert!(!error.to_string().contains(world.sandbox.client_secret()));
    assert_eq!(
        world.control().hits_for("POST", token),
        tokens_before + 2,
        "one renewal attempt, no loop"
    );
    assert_eq!(world.control().hits_for("POST", &path), calls_before + 1);
    assert_eq!(
        audited(&desk, user, "start_verification").await,
        [Outcome::Succeeded, Outcome::Succeeded, Outcome::Failed]
    );
    assert_eq!(identifications_of(&world, user), 2);
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_cut_every_time_reaches_the_window_as_its_cause_not_as_english() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Inès", "Moreau");
    let case = documents_received(&world, &desk, user).await;
    let document = case.detail.documents[0].document.document_id;
    world
        .control()
        .inject(FaultRule::new("/files/", Fault::DropConnection { after_bytes: 1000 }).times(10));

    let error = desk
        .download_document(user, document, |_| {})
        .await
        .unwrap_err();
    let words = error.words();
    match &words {
        Words::DownloadFailed {
            document: failed,
            attempts,
            last:
                AttemptFailure::Dropped {
                    received,
                    transport,
                },
        } => {
            assert_eq!(*failed, document.get());
            assert!(*attempts > 1, "each attempt had a fresh URL: {attempts}");
            assert!(*received <= 1000, "{received}");
            assert_eq!(transport.fault, TransportFault::CutOff, "{transport:?}");
        }
        other => panic!("expected a download cut every time, got {other:?}"),
    }
    // What the window receives: the cause as a name and its numbers; only the system's own
    // causes are text, quoted.
    let sent = serde_json::to_value(&words).unwrap();
    assert_eq!(sent["kind"], "download_failed");
    assert_eq!(sent["last"]["failure"], "dropped");
    assert_eq!(sent["last"]["transport"]["fault"], "cut_off");
    assert!(
        error.to_string().contains("the connection dropped after"),
        "the logs keep the English: {error}"
    );
    assert_eq!(
        audited(&desk, user, "download_document").await,
        [Outcome::Started, Outcome::Failed]
    );
    desk.shutdown().await;
}
