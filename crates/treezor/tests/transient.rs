//! Transient failures: 5xx bursts, 429, timeouts and slow bodies are retried with bounded backoff,
//! but only for calls that are safe to repeat (GETs, tagged POST/PUT).

mod common;

use std::time::Duration;

use common::{client, client_config, person, sandbox};
use sandbox::{Fault, FaultRule, SandboxConfig};
use treezor::{AccessTag, Client, Error, Problem, TransportFault};

fn status(code: u16) -> Fault {
    Fault::Status {
        status: code,
        after_handling: false,
    }
}

#[tokio::test]
async fn a_burst_of_5xx_on_a_get_is_ridden_out() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Hélène");
    let path = format!("/v1/users/{user}");
    sandbox
        .control()
        .inject(FaultRule::new(&path, status(503)).times(1));
    sandbox
        .control()
        .inject(FaultRule::new(&path, status(502)).times(1));
    sandbox
        .control()
        .inject(FaultRule::new(&path, status(429)).times(1));
    let found = client(&sandbox).get_user(user).await.unwrap();
    assert_eq!(found.user_id, user);
    assert_eq!(sandbox.control().hits_for("GET", &path), 4);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_burst_longer_than_the_attempts_ends_in_a_clear_error() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Jérôme");
    let path = format!("/v1/users/{user}");
    sandbox
        .control()
        .inject(FaultRule::new(&path, status(504)).times(10));
    let error = client(&sandbox).get_user(user).await.unwrap_err();
    let refusal = error.treezor().unwrap();
    assert_eq!(
        (refusal.status, &refusal.problem),
        (504, &Problem::Unavailable)
    );
    assert!(refusal.request_id.is_some());
    assert_eq!(
        sandbox.control().hits_for("GET", &path),
        4,
        "bounded by max_attempts"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_start_is_sent_once_whatever_happens() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "François");
    let path = format!("/v1/users/{user}/kycliveness");
    sandbox
        .control()
        .inject(FaultRule::new(&path, status(503)).method("POST").times(1));
    let error = client(&sandbox)
        .start_liveness(user, None)
        .await
        .unwrap_err();
    assert_eq!(error.treezor().unwrap().status, 503);
    assert!(
        error.may_have_acted(),
        "a 5xx does not say Treezor did nothing"
    );
    assert_eq!(sandbox.control().hits_for("POST", &path), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_start_whose_answer_was_lost_after_treezor_acted_is_not_sent_again() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Renée");
    let path = format!("/v1/users/{user}/kycliveness");
    // The sandbox starts the verification, then the gateway loses the answer.
    let lost = Fault::Status {
        status: 502,
        after_handling: true,
    };
    sandbox
        .control()
        .inject(FaultRule::new(&path, lost).method("POST").times(1));
    let error = client(&sandbox)
        .start_liveness(user, None)
        .await
        .unwrap_err();
    assert!(error.may_have_acted());
    assert_eq!(sandbox.control().hits_for("POST", &path), 1);
    assert_eq!(
        sandbox.control().identifications().len(),
        1,
        "one verification, whose link nobody has"
    );

    // An answer that never comes: the request left, so its outcome is unknown.
    let mut config = client_config(&sandbox);
    config.request_timeout = Duration::from_millis(300);
    sandbox.control().inject(
        FaultRule::new(&path, Fault::Delay { millis: 2_000 })
            .method("POST")
            .times(1),
    );
    let error = Client::new(config)
        .unwrap()
        .start_liveness(user, None)
        .await
        .unwrap_err();
    match &error {
        Error::AnswerLost { call, transport } => {
            assert_eq!(call, &format!("POST {path}"));
            assert_eq!(transport.fault, TransportFault::TimedOut, "{transport}");
        }
        other => panic!("expected a lost answer, got {other:?}"),
    }
    assert!(error.may_have_acted());
    assert!(error.to_string().contains("may have carried it out"));
    assert_eq!(sandbox.control().hits_for("POST", &path), 2);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_tagged_put_whose_answer_was_lost_is_retried_and_acts_once() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Renate");
    let path = format!("/v1/users/{user}/Kycreview");
    // The sandbox does the work, then the gateway loses the answer: twice.
    let lost = Fault::Status {
        status: 502,
        after_handling: true,
    };
    sandbox
        .control()
        .inject(FaultRule::new(&path, lost).method("PUT").times(2));
    let requested = client(&sandbox)
        .request_kyc_review(user, Some(&AccessTag::random()))
        .await
        .unwrap();
    assert_eq!(requested.kyc_review, Some(kyc::KycReview::Pending));
    assert_eq!(sandbox.control().hits_for("PUT", &path), 3);
    let requests = sandbox
        .control()
        .deliveries()
        .iter()
        .filter(|d| d.event == "user.kycrequest")
        .count();
    assert_eq!(requests, 1, "one review request, not three");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_timeout_is_retried_for_a_get_and_reported_when_it_lasts() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Priya");
    let path = format!("/v1/users/{user}");
    let mut config = client_config(&sandbox);
    config.request_timeout = Duration::from_millis(300);
    let client = Client::new(config).unwrap();
    sandbox
        .control()
        .inject(FaultRule::new(&path, Fault::Delay { millis: 2_000 }).times(1));
    client.get_user(user).await.unwrap();
    assert_eq!(sandbox.control().hits_for("GET", &path), 2);

    sandbox
        .control()
        .inject(FaultRule::new(&path, Fault::Delay { millis: 2_000 }).times(4));
    let error = client.get_user(user).await.unwrap_err();
    match &error {
        Error::Unreachable { call, transport } => {
            assert_eq!(call, &format!("GET {path}"));
            assert_eq!(transport.fault, TransportFault::TimedOut, "{transport}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    sandbox.shutdown().await;
}

#[tokio::test]
async fn slow_and_cut_answers_on_the_api() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Kwame");
    let path = format!("/v1/users/{user}");
    let client = client(&sandbox);
    sandbox.control().inject(
        FaultRule::new(
            &path,
            Fault::SlowBody {
                bytes_per_second: 4_000,
            },
        )
        .times(1),
    );
    assert_eq!(client.get_user(user).await.unwrap().user_id, user);
    sandbox
        .control()
        .inject(FaultRule::new(&path, Fault::DropConnection { after_bytes: 40 }).times(1));
    assert_eq!(client.get_user(user).await.unwrap().user_id, user);
    assert_eq!(
        sandbox.control().hits_for("GET", &path),
        3,
        "the cut answer was asked again"
    );
    sandbox.shutdown().await;
}
