//! The sandbox over real HTTP as any client sees it: Treezor's error shapes, tokens and scopes,
//! the hosted page's forms, and the `/sandbox/` control endpoints.

mod common;

use std::time::Duration;

use common::{Receiver, eventually, http, person, sandbox, token};
use kyc::objects::LivenessResult;
use kyc::redirect::{RedirectEvent, RedirectQuery};
use kyc::{LivenessStatus, Score};
use sandbox::SandboxConfig;
use serde_json::{Value, json};

fn first_error(body: &Value) -> &Value {
    &body["errors"][0]
}

#[tokio::test]
async fn missing_bad_and_expired_tokens_get_401_in_treezors_shape() {
    let sandbox = sandbox(SandboxConfig {
        token_lifetime: Duration::from_secs(60),
        ..SandboxConfig::for_tests()
    })
    .await;
    let user = person(&sandbox, "Zoé");
    let url = format!("{}/v1/users/{user}", sandbox.base_url());
    let missing = http().get(&url).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let body: Value = missing.json().await.unwrap();
    let error = first_error(&body);
    for field in ["type", "code", "message", "requestId", "docUrl"] {
        assert!(error[field].is_string(), "{field} in {body}");
    }
    let bad = http().get(&url).bearer_auth("forged").send().await.unwrap();
    assert_eq!(bad.status(), 401);
    let good = token(&sandbox, None).await;
    assert_eq!(
        http()
            .get(&url)
            .bearer_auth(&good)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    sandbox.control().advance_clock(Duration::from_secs(61));
    let expired = http().get(&url).bearer_auth(&good).send().await.unwrap();
    assert_eq!(expired.status(), 401);
    let body: Value = expired.json().await.unwrap();
    assert!(
        first_error(&body)["message"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_token_endpoint_checks_grant_credentials_and_scopes() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let url = format!("{}/oauth/token", sandbox.base_url());
    let ask = |form: Vec<(&'static str, String)>| {
        let url = url.clone();
        async move { http().post(url).form(&form).send().await.unwrap() }
    };
    let id = sandbox.client_id().to_owned();
    let secret = sandbox.client_secret().to_owned();
    let wrong_grant = ask(vec![
        ("grant_type", "password".into()),
        ("client_id", id.clone()),
        ("client_secret", secret.clone()),
    ])
    .await;
    assert_eq!(wrong_grant.status(), 400);
    let wrong_secret = ask(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", id.clone()),
        ("client_secret", "x".into()),
    ])
    .await;
    assert_eq!(wrong_secret.status(), 401);
    let body: Value = wrong_secret.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
    let unknown_scope = ask(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", id.clone()),
        ("client_secret", secret.clone()),
        ("scope", "read_only superuser".into()),
    ])
    .await;
    assert_eq!(unknown_scope.status(), 400);
    let granted = ask(vec![
        ("grant_type", "client_credentials".into()),
        ("client_id", id),
        ("client_secret", secret),
        ("scope", "read_only".into()),
    ])
    .await;
    let body: Value = granted.json().await.unwrap();
    assert_eq!(
        (body["token_type"].as_str(), body["expires_in"].as_i64()),
        (Some("Bearer"), Some(3600))
    );

    let reader = body["access_token"].as_str().unwrap().to_owned();
    let create = http()
        .post(format!("{}/v1/users", sandbox.base_url()))
        .bearer_auth(&reader)
        .json(&json!({"firstname": "Inès"}))
        .send()
        .await
        .unwrap();
    assert_eq!(create.status(), 403, "creating users needs legal or admin");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn users_created_over_rest_answer_numbers_and_announce_strings() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    let admin = token(&sandbox, None).await;
    let created: Value = http()
        .post(format!("{}/v1/users", sandbox.base_url()))
        .bearer_auth(&admin)
        .json(&json!({"userTypeId": "1", "firstname": "Ngozi", "lastname": "Okonkwo", "birthday": "1991-05-06", "email": "n@example.com"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = &created["users"][0];
    assert!(
        user["userId"].is_u64() && user["kycLevel"].is_i64() && user["parentUserId"].is_i64(),
        "{created}"
    );
    let hook = receiver
        .wait_until("user.create", |all| !all.is_empty())
        .await;
    let payload: Value = serde_json::from_str(&hook[0].payload).unwrap();
    assert!(
        payload["users"][0]["userId"].is_string() && payload["users"][0]["kycLevel"].is_string(),
        "{payload}"
    );
    let bad: Value = http()
        .post(format!("{}/v1/users", sandbox.base_url()))
        .bearer_auth(&admin)
        .json(&json!({"birthday": "06/05/1991"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        first_error(&bad)["message"]
            .as_str()
            .unwrap()
            .contains("birthday"),
        "{bad}"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_hosted_page_refuses_with_chosen_reasons_and_abandons() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    let control = sandbox.control();
    let refused = person(&sandbox, "Oğuz");
    let started = control
        .start_identification(refused, Some("https://shop.example/done".into()))
        .unwrap();
    let answer = http()
        .post(format!("{}/finish", started.url))
        .body("outcome=refused&reason=2101&reason=2304&comment=Document+p%C3%A9rim%C3%A9")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    let redirect = RedirectQuery::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(redirect.event, Some(RedirectEvent::CaptureRefused));
    let update = receiver.liveness_update("the refusal", refused).await;
    let result: LivenessResult = serde_json::from_str(&update).unwrap();
    assert_eq!(
        (result.status, result.score),
        (LivenessStatus::Processed, Some(Score::Refused))
    );
    let codes: Vec<String> = result.reasons.iter().map(|r| r.code.to_string()).collect();
    assert_eq!(codes, ["2101", "2304"]);
    assert_eq!(result.comment.as_deref(), Some("Document périmé"));
    let again = http().get(&started.url).send().await.unwrap();
    assert_eq!(again.status(), 409, "a finished link cannot be used again");

    let abandoning = person(&sandbox, "Arjun");
    let started = control.start_identification(abandoning, None).unwrap();
    let answer = http()
        .post(format!("{}/finish", started.url))
        .form(&[("outcome", "abandoned")])
        .send()
        .await
        .unwrap();
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!(
            "{}/verify/{}/done?",
            sandbox.base_url(),
            started.id
        )),
        "{location}"
    );
    assert!(location.contains("event=identity_verification_capture_aborted"));
    let done = http().get(&location).send().await.unwrap();
    assert_eq!(done.status(), 200);
    eventually("the abandon's decision", || {
        control
            .latest_identification(abandoning)
            .is_some_and(|i| i.score == Some(-1))
    })
    .await;
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_expired_link_shows_why_and_offers_the_way_back() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Léa");
    let started = sandbox
        .control()
        .start_identification(user, Some("https://shop.example/back".into()))
        .unwrap();
    // Unopened, the link does not expire: its 15 minutes start when the customer opens it.
    sandbox.control().advance_clock(Duration::from_secs(3600));
    let page = http().get(&started.url).send().await.unwrap();
    assert_eq!(page.status(), 200, "opened an hour after it was sent");
    let opened = sandbox.control().identification(&started.id).unwrap();
    let opened_at = opened.opened_at.expect("noted when the page was opened");
    assert_eq!(started.opened_at, None, "not opened when it was issued");
    assert_eq!(opened.expires_at, Some(opened_at.plus_seconds(15 * 60)));
    sandbox
        .control()
        .advance_clock(Duration::from_secs(15 * 60 + 1));
    let page = http().get(&started.url).send().await.unwrap();
    assert_eq!(page.status(), 410);
    let html = page.text().await.unwrap();
    assert!(html.contains("15 minutes since it was opened have passed"));
    assert!(html.contains("identity_verification_link_expired"));
    let finish = http()
        .post(format!("{}/finish", started.url))
        .form(&[("outcome", "validated")])
        .send()
        .await
        .unwrap();
    assert_eq!(finish.status(), 409);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_control_endpoints_drive_the_sandbox_over_http() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let base = sandbox.base_url().to_owned();
    let client = http();
    let created: Value = client
        .post(format!("{base}/sandbox/users"))
        .json(&json!({"firstname": "Camille", "lastname": "Roux", "birthday": "2000-01-01"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = created["userId"].as_u64().unwrap();
    let started: Value = client
        .post(format!("{base}/sandbox/users/{user}/kycliveness"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = started["id"].as_str().unwrap();
    let finished = client
        .post(format!("{base}/sandbox/identifications/{id}/finish"))
        .json(&json!({"outcome": "failed", "reasons": [1911], "document": 17}))
        .send()
        .await
        .unwrap();
    assert_eq!(finished.status(), 200);
    let unknown = client
        .post(format!("{base}/sandbox/identifications/nope/finish"))
        .json(&json!({"outcome": "validated"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let fault = json!({"path": "/v1/users", "method": "GET", "fault": {"kind": "status", "status": 503}, "times": 1});
    assert_eq!(
        client
            .post(format!("{base}/sandbox/faults"))
            .json(&fault)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let listed: Value = client
        .get(format!("{base}/sandbox/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let admin = token(&sandbox, None).await;
    let faulted = client
        .get(format!("{base}/v1/users"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(faulted.status(), 503);
    let body: Value = faulted.json().await.unwrap();
    assert!(first_error(&body)["requestId"].is_string());
    assert_eq!(
        client
            .get(format!("{base}/v1/users"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let report: Value = client
        .post(format!("{base}/sandbox/seed"))
        .json(&json!({"users": 40, "rng_seed": 3}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(report["users"].as_u64().unwrap() >= 40, "{report}");
    let index = client
        .get(format!("{base}/sandbox/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("/verify/"));
    let hits: Value = client
        .get(format!("{base}/sandbox/hits"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hits["GET /v1/users"], 2);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_control_endpoints_can_be_switched_off() {
    let sandbox = sandbox(SandboxConfig {
        control_endpoints: false,
        ..SandboxConfig::for_tests()
    })
    .await;
    let answer = http()
        .post(format!("{}/sandbox/seed", sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    sandbox.shutdown().await;
}
