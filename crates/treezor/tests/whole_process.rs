//! The guide page's whole process, client against sandbox over real HTTP: start → the customer
//! finishes on the hosted page → webhooks → retrieve the documents → download them → request the
//! review → the decision webhook. Every webhook is captured by a real receiver that verifies its
//! signature with the `kyc` crate, and the case they describe ends validated.

mod common;

use std::collections::BTreeSet;

use common::{Receiver, client, person, sandbox};
use kyc::objects::LivenessResult;
use kyc::redirect::{RedirectEvent, RedirectQuery};
use kyc::webhook::{WebhookSecret, meaning};
use kyc::{Case, CaseEvent, CaseState, KycReview, LivenessStatus, Score, Timestamp};
use sandbox::SandboxConfig;
use treezor::AccessTag;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guides_whole_process_runs_client_against_sandbox() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    let client = client(&sandbox);
    let user = person(&sandbox, "Zoé");
    let user_key = user.to_string();
    receiver.wait_for("user.create", &user_key).await;

    // 1. Start the verification: Treezor answers with the identification URL.
    let started = client
        .start_liveness(
            user,
            Some("https://desk.example/back?from=kyc"),
            Some(&AccessTag::random()),
        )
        .await
        .unwrap();
    assert_eq!(
        started.liveness_type,
        Some(kyc::LivenessType::VideoCertified)
    );

    // 2. The customer (a tester) finishes on the hosted page, over plain HTML forms.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser.get(&started.url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let html = page.text().await.unwrap();
    assert!(html.contains("Treezor sandbox — simulated live verification"));
    assert!(html.contains("Finish: validated (score 1)") && html.contains("Abandon"));
    assert!(!html.contains("<script"));
    let finish = browser
        .post(format!("{}/finish", started.url))
        .form(&[("document", "17"), ("outcome", "validated")])
        .send()
        .await
        .unwrap();
    assert_eq!(finish.status(), 303);
    let location = finish.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("https://desk.example/back?from=kyc&"),
        "{location}"
    );
    let redirect = RedirectQuery::parse(&location).unwrap();
    assert_eq!(
        redirect.id.as_deref(),
        Some(started.identification.as_str())
    );
    assert_eq!(redirect.event, Some(RedirectEvent::CaptureCompleted));
    assert!(redirect.response_code.is_some());

    // 3. kycliveness.create (processing), then kycliveness.update (processed, score 1).
    let created: LivenessResult = serde_json::from_str(
        &receiver
            .wait_for("kycliveness.create", &user_key)
            .await
            .payload,
    )
    .unwrap();
    assert_eq!(created.status, LivenessStatus::Processing);
    assert_eq!(
        created.identification.as_ref(),
        Some(&started.identification)
    );
    let updated: LivenessResult = serde_json::from_str(
        &receiver
            .wait_for("kycliveness.update", &user_key)
            .await
            .payload,
    )
    .unwrap();
    assert_eq!(
        (updated.status, updated.score),
        (LivenessStatus::Processed, Some(Score::Validated))
    );

    // 4. Retrieve the documents: one document.create per document.
    client
        .retrieve_liveness_documents(user, Some(&AccessTag::random()))
        .await
        .unwrap();
    let all = receiver
        .wait_until("two document.create", |all| {
            all.iter().filter(|r| r.event == "document.create").count() == 2
        })
        .await;
    let announced: BTreeSet<u16> = all
        .iter()
        .filter(|r| r.event == "document.create")
        .flat_map(|r| {
            meaning(&r.envelope, Timestamp::from_unix_seconds(0))
                .unwrap()
                .documents
        })
        .filter_map(|(d, _)| d.document_type_id.map(|t| t.number()))
        .collect();
    assert_eq!(
        announced,
        BTreeSet::from([17, 34]),
        "the identity document and the certified synthesis"
    );

    // 5. List and download them inside the 30-second window.
    let documents = client.list_documents(user).await.unwrap();
    assert_eq!(documents.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    for document in &documents {
        let mut seen = Vec::new();
        let downloaded = client
            .download(document.document_id, dir.path(), |bytes, total| {
                seen.push((bytes, total))
            })
            .await
            .unwrap();
        let (sha256, size) = sandbox
            .control()
            .document_file(document.document_id.get())
            .unwrap();
        assert_eq!(
            (downloaded.sha256.as_str(), downloaded.bytes),
            (sha256.as_str(), size)
        );
        assert_eq!(std::fs::metadata(&downloaded.path).unwrap().len(), size);
        assert_eq!(seen.last(), Some(&(size, Some(size))));
        assert!(
            seen.windows(2).all(|w| w[0].0 <= w[1].0),
            "progress only grows"
        );
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.iter().all(|n| !n.ends_with(".part")), "{names:?}");

    // 6. Request the review; user.kycrequest, then the decision.
    let pending = client
        .request_kyc_review(user, Some(&AccessTag::random()))
        .await
        .unwrap();
    assert_eq!(pending.kyc_review, Some(KycReview::Pending));
    receiver.wait_for("user.kycrequest", &user_key).await;
    let decision = receiver.wait_for("user.kycreview", &user_key).await;
    let decided = meaning(&decision.envelope, Timestamp::from_unix_seconds(0)).unwrap();
    assert_eq!(decided.users[0].0.kyc_review, Some(KycReview::Validated));

    // Every webhook verified at the receiver, and verifies again here; together they describe a
    // case that ends validated.
    assert_eq!(receiver.refused(), 0);
    let secret = WebhookSecret::new(sandbox.webhook_secret()).unwrap();
    let mut case = Case::new();
    case.record(CaseEvent::LinkIssued {
        at: Timestamp::from_unix_seconds(1),
        identification: started.identification.clone(),
        url: started.url.clone(),
        expires_at: Timestamp::from_unix_seconds(901),
        liveness_type: started.liveness_type,
    });
    for received in receiver.all() {
        assert_eq!(
            received.envelope.verify(&secret),
            Ok(()),
            "{}",
            received.event
        );
        for (owner, event) in meaning(&received.envelope, Timestamp::from_unix_seconds(0))
            .unwrap()
            .case_events
        {
            if owner == user {
                case.record(event);
            }
        }
    }
    let events: Vec<String> = receiver.all().iter().map(|r| r.event.clone()).collect();
    assert_eq!(
        case.view(sandbox.control().now()).state,
        CaseState::ReviewValidated,
        "{events:?}"
    );
    sandbox.shutdown().await;
}
