//! The OAuth2 token against the sandbox: cached, shared by concurrent callers, renewed and
//! retried once when it expires mid-run, and refused credentials and scopes explained.

mod common;

use common::{client, client_config, person, sandbox};
use sandbox::{Fault, FaultRule, SandboxConfig};
use treezor::endpoint::UrlRefusal;
use treezor::{Client, ClientSecret, ConfigProblem, Error, Problem};

#[tokio::test]
async fn concurrent_callers_share_one_token_request() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Anaïs");
    let client = client(&sandbox);
    let calls = (0..12).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_user(user).await })
    });
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(client.tokens_fetched(), 1);
    assert_eq!(sandbox.control().hits_for("POST", "/oauth/token"), 1);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_token_that_expires_mid_run_is_renewed_once_and_the_call_retried() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Björn");
    let client = client(&sandbox);
    client.get_user(user).await.unwrap();
    sandbox.control().expire_tokens();
    let again = client.get_user(user).await.unwrap();
    assert_eq!(again.user_id, user);
    assert_eq!(client.tokens_fetched(), 2);
    assert_eq!(
        sandbox
            .control()
            .hits_for("GET", &format!("/v1/users/{user}")),
        3,
        "one refused, two answered"
    );

    // The same through the clock: the sandbox's tokens live an hour.
    sandbox
        .control()
        .advance_clock(std::time::Duration::from_secs(3601));
    client.get_user(user).await.unwrap();
    assert_eq!(client.tokens_fetched(), 3);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_401_after_renewal_is_an_error_not_a_loop() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Chloé");
    let path = format!("/v1/users/{user}");
    sandbox.control().inject(
        FaultRule::new(
            &path,
            Fault::Status {
                status: 401,
                after_handling: false,
            },
        )
        .times(5),
    );
    let error = client(&sandbox).get_user(user).await.unwrap_err();
    let refusal = error.treezor().expect("a Treezor refusal");
    assert_eq!(
        (refusal.status, &refusal.problem),
        (401, &Problem::Unauthorized)
    );
    assert_eq!(
        sandbox.control().hits_for("GET", &path),
        2,
        "one renewal, one retry"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn wrong_credentials_are_explained() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Dmitri");
    let mut config = client_config(&sandbox);
    config.client_secret = ClientSecret::new("not-the-secret");
    let error = Client::new(config)
        .unwrap()
        .get_user(user)
        .await
        .unwrap_err();
    match &error {
        Error::Credentials { status, message } => {
            assert_eq!(*status, 401);
            assert!(
                message.contains("Client authentication failed"),
                "{message}"
            );
        }
        other => panic!("expected refused credentials, got {other:?}"),
    }
    assert!(error.to_string().contains("Check the client id and secret"));
    assert!(!error.to_string().contains("not-the-secret"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_token_without_the_write_scope_gets_403_on_writes_only() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let user = person(&sandbox, "Ελένη");
    let mut config = client_config(&sandbox);
    config.scopes = vec!["read_only".into()];
    let client = Client::new(config).unwrap();
    client.get_user(user).await.unwrap();
    let error = client.start_liveness(user, None).await.unwrap_err();
    let refusal = error.treezor().unwrap();
    assert_eq!(
        (refusal.status, &refusal.problem),
        (403, &Problem::Forbidden)
    );
    assert!(
        refusal.message.contains("read_write"),
        "{}",
        refusal.message
    );
    assert!(refusal.request_id.is_some());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn the_client_refuses_a_bad_configuration_up_front() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let mut config = client_config(&sandbox);
    config.base_url = "ftp://nowhere".into();
    assert!(matches!(
        Client::new(config),
        Err(Error::Config(ConfigProblem::BaseUrlRefused {
            rule: UrlRefusal::NotHttps,
            ..
        }))
    ));
    let mut config = client_config(&sandbox);
    config.tls.client_identity_pem = Some(b"not a pem".to_vec());
    let error = Client::new(config).unwrap_err();
    assert!(
        matches!(
            error,
            Error::Config(ConfigProblem::ClientCertificate { .. })
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("client certificate"), "{error}");
    let mut config = client_config(&sandbox);
    config.tls.extra_ca_pem = Some(
        b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n".to_vec(),
    );
    assert!(Client::new(config).is_err());
    sandbox.shutdown().await;
}
