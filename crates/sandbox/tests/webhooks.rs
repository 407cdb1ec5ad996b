//! Webhook delivery over real HTTP: signed as Treezor signs, retried with backoff until a 2xx,
//! held until a target exists, and the duplicate, reorder and delay switches.

mod common;

use common::{Receiver, eventually, person, sandbox};
use sandbox::{DeliveryStatus, SandboxConfig, WebhookFaults};

#[tokio::test]
async fn a_refused_webhook_is_retried_until_accepted() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    receiver.fail_next(3);
    let user = person(&sandbox, "Zoé");
    let all = receiver
        .wait_until("user.create", |all| !all.is_empty())
        .await;
    assert_eq!(all[0].object_id.as_deref(), Some(user.to_string().as_str()));
    assert_eq!(receiver.attempts(), 4);
    assert_eq!(receiver.refused(), 0);
    let control = sandbox.control();
    eventually("the delivery to be recorded", || {
        control
            .deliveries()
            .first()
            .is_some_and(|d| d.status == DeliveryStatus::Delivered)
    })
    .await;
    assert_eq!(control.deliveries()[0].attempts, 4);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn delivery_gives_up_after_the_configured_attempts() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    receiver.fail_next(100);
    person(&sandbox, "Zoé");
    let control = sandbox.control();
    eventually("delivery to give up", || {
        control
            .deliveries()
            .first()
            .is_some_and(|d| d.status == DeliveryStatus::GaveUp)
    })
    .await;
    let record = &control.deliveries()[0];
    assert_eq!(record.attempts, sandbox.config().webhook_retry.max_attempts);
    assert!(record.last_error.as_deref().unwrap().contains("503"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn webhooks_wait_for_a_target_then_go_out_with_the_configured_content_type() {
    let config = SandboxConfig {
        webhook_content_type: "text/plain".into(),
        ..SandboxConfig::for_tests()
    };
    let sandbox = sandbox(config).await;
    person(&sandbox, "Anaïs");
    person(&sandbox, "Björn");
    let control = sandbox.control();
    eventually("webhooks to wait", || {
        control
            .deliveries()
            .iter()
            .filter(|d| d.status == DeliveryStatus::Waiting)
            .count()
            == 2
    })
    .await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    let all = receiver
        .wait_until("both user.create", |all| all.len() == 2)
        .await;
    assert!(all.iter().all(|r| r.content_type == "text/plain"));
    assert!(sandbox.set_webhook_target(Some("ftp://nowhere")).is_err());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn duplicates_carry_the_same_webhook_id() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    sandbox.control().set_webhook_faults(WebhookFaults {
        duplicate: true,
        ..WebhookFaults::default()
    });
    person(&sandbox, "Chloé");
    let all = receiver
        .wait_until("two copies", |all| all.len() == 2)
        .await;
    assert_eq!(all[0].webhook_id, all[1].webhook_id);
    assert_eq!(all[0].payload, all[1].payload);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_dropped_webhook_is_never_sent_and_the_next_one_is() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    sandbox.control().set_webhook_faults(WebhookFaults {
        drop: [("user.create".to_owned(), 1)].into(),
        ..WebhookFaults::default()
    });
    let lost = person(&sandbox, "Perdu");
    let sent = person(&sandbox, "Reçu");
    let all = receiver
        .wait_until("the second user.create", |all| !all.is_empty())
        .await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].object_id.as_deref(), Some(sent.to_string().as_str()));
    let dropped: Vec<_> = sandbox
        .control()
        .deliveries()
        .into_iter()
        .filter(|d| d.status == DeliveryStatus::Dropped)
        .collect();
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0].object_id, lost.to_string());
    assert_eq!(dropped[0].attempts, 0);
    assert!(sandbox.control().webhook_faults().drop["user.create"] == 0);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn reordering_swaps_successive_webhooks() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    sandbox.control().set_webhook_faults(WebhookFaults {
        reorder: true,
        ..WebhookFaults::default()
    });
    let first = person(&sandbox, "Dmitri");
    let second = person(&sandbox, "Ελένη");
    let all = receiver.wait_until("both", |all| all.len() == 2).await;
    let order: Vec<String> = all.iter().map(|r| r.object_id.clone().unwrap()).collect();
    assert_eq!(order, [second.to_string(), first.to_string()]);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn payloads_are_signed_over_php_style_json_with_strings_for_numbers() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    let user = sandbox
        .control()
        .create_user(&sandbox::NewUser {
            firstname: Some("さくら".into()),
            lastname: Some("L'Hôte/Ødegaard".into()),
            ..sandbox::NewUser::default()
        })
        .unwrap();
    let all = receiver
        .wait_until("user.create", |all| !all.is_empty())
        .await;
    let payload = &all[0].payload;
    assert!(payload.is_ascii(), "{payload}");
    assert!(payload.contains(r"\u3055\u304f\u3089"), "{payload}");
    assert!(payload.contains(r"L'H\u00f4te\/\u00d8degaard"), "{payload}");
    assert!(
        payload.contains(&format!(r#""userId":"{user}""#)),
        "{payload}"
    );
    let envelope = sandbox.control().deliveries()[0].body.clone();
    assert!(
        envelope.starts_with(r#"{"webhook":"user.create","webhook_id":""#),
        "{envelope}"
    );
    sandbox.shutdown().await;
}
