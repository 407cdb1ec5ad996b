//! Proves that a relay's answer the desk cannot read reaches the window typed: which answer it
//! was, by name, with only the JSON parser's own description quoted; and that a relay too old for
//! a request is told to be upgraded by the request's name, not by an English sentence. The relay
//! here is a real HTTP server on loopback that answers as a broken or outdated relay would.

use std::time::Duration;

use desk::secrets::Secret;
use desk::sync::{Feed, HubAnswer};
use desk::words::HubProblem;

/// A server on loopback that answers every feed page and who-am-I with text that is not JSON,
/// and has no route for team records; returns its URL.
async fn broken_relay() -> String {
    let app = axum::Router::new()
        .route(
            "/v1/events",
            axum::routing::get(|| async { "<html>a proxy's page</html>" }),
        )
        .route("/v1/me", axum::routing::get(|| async { r#"{"name": 7"# }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn malformed(problem: HubProblem, answer: HubAnswer) -> String {
    match problem {
        HubProblem::Malformed {
            answer: named,
            detail,
        } if named == answer => detail,
        other => panic!("not the {answer} named as malformed: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_answer_of_the_relay_is_named_and_the_parsers_words_quoted() {
    let feed = Feed::new(&broken_relay().await, Secret::new("token").unwrap());

    let page = feed.page(0, 10, Duration::ZERO).await.unwrap_err();
    let detail = malformed(HubProblem::from(&page), HubAnswer::FeedPage);
    assert_eq!(detail, "expected value at line 1 column 1");

    let me = feed.me().await.unwrap_err();
    let detail = malformed(HubProblem::from(&me), HubAnswer::WhoAmI);
    assert!(detail.contains("line 1 column"), "{detail}");

    let serialised = serde_json::to_value(HubProblem::from(&me)).unwrap();
    assert_eq!(serialised["answer"], "who_am_i", "{serialised}");
    // The log's English still says what to check.
    assert!(
        me.to_string()
            .contains("relay URL points to a KYC Desk relay"),
        "{me}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_too_old_for_a_request_is_named_by_the_request() {
    let feed = Feed::new(&broken_relay().await, Secret::new("token").unwrap());
    let write = kyc::team::TeamWrite {
        id: "policy-1".into(),
        event: kyc::team::TeamEvent::Policy {
            policy: kyc::four_eyes::Policy {
                request_review: kyc::four_eyes::Rule::Never,
                start_verification: kyc::four_eyes::Rule::Never,
                close_accepted: kyc::four_eyes::Rule::Never,
            },
        },
    };
    let error = feed.write_team(&write).await.unwrap_err();
    assert_eq!(
        HubProblem::from(&error),
        HubProblem::Outdated {
            answer: HubAnswer::TeamRecord
        }
    );
    assert!(error.to_string().contains("upgrade it"), "{error}");
}
