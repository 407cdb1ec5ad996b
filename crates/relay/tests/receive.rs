//! Proves what `POST /webhooks/treezor` answers for every kind of body, over real HTTP on
//! loopback, and that only verified webhooks reach the feed.

mod common;

use std::time::Duration;

use common::*;
use kyc::webhook::{WebhookSecret, sign_bytes, sign_payload};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

on_both_stores!(
    a_valid_webhook_is_stored_and_served_with_its_exact_payload,
    a_duplicate_gets_200_and_is_stored_once,
    forged_tampered_wrongly_signed_and_unsigned_webhooks_are_refused_and_not_stored,
    bodies_that_are_not_envelopes_get_400_with_the_reason,
    a_body_over_the_limit_gets_413_whether_announced_or_streamed,
    text_plain_and_other_content_types_are_read_as_the_raw_body,
    non_ascii_payloads_verify_raw_or_canonical_and_keep_their_bytes,
    numeric_and_string_values_are_both_accepted,
    a_body_cut_short_by_the_client_gets_400_and_stores_nothing,
    slow_clients_time_out,
    concurrent_webhooks_get_distinct_consecutive_sequence_numbers,
);

async fn a_valid_webhook_is_stored_and_served_with_its_exact_payload(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let id = new_id();
    let payload = liveness_payload(123);
    let response = relay.post(envelope(&id, &payload)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.text().await.unwrap(),
        r#"{"status":"stored","seq":1}"#
    );
    let page = relay.feed("after=0").await;
    assert_eq!(page.last_seq, 1);
    let event = &page.events[0];
    assert_eq!(event.seq, 1);
    assert_eq!(event.webhook_id.as_str(), id);
    assert_eq!(event.webhook, "kycliveness.update");
    assert_eq!(event.object, "kycliveness");
    assert_eq!(event.object_id.as_deref(), Some("123"));
    assert_eq!(
        event.webhook_created_at.unwrap().unix_millis(),
        1_720_000_000_123,
        "the feed carries instants to the millisecond"
    );
    assert_eq!(event.object_payload.get(), payload);
    assert_eq!(event.meaning().unwrap().case_events.len(), 1);
}

async fn a_duplicate_gets_200_and_is_stored_once(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let id = new_id();
    let body = envelope(&id, &liveness_payload(7));
    assert_eq!(relay.post(body.clone()).await.status(), 200);
    let again = relay.post(body).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.text().await.unwrap(), r#"{"status":"duplicate"}"#);
    let events = relay.all_events().await;
    assert_eq!(events.len(), 1);
    assert_eq!(relay.feed("").await.last_seq, 1);
}

/// Each of these must be refused with a non-2xx and leave nothing in the feed.
async fn forged_tampered_wrongly_signed_and_unsigned_webhooks_are_refused_and_not_stored(
    backend: Backend,
) {
    let relay = TestRelay::start(backend).await;
    let payload = liveness_payload(5);
    let forged = {
        let other = sign_payload(&secret(), &liveness_payload(6));
        format!(
            r#"{{"webhook":"kycliveness.update","webhook_id":"{}","object":"kycliveness","object_payload":{payload},"object_payload_signature":"{other}"}}"#,
            new_id()
        )
    };
    let tampered = envelope(&new_id(), &payload).replace(r#""score":"1""#, r#""score":"0""#);
    let wrong_secret = envelope_signed_with(
        &WebhookSecret::new("not-the-secret").unwrap(),
        &new_id(),
        &payload,
    );
    let unsigned = format!(
        r#"{{"webhook":"kycliveness.update","webhook_id":"{}","object_payload":{payload}}}"#,
        new_id()
    );
    let garbage_signature = envelope(&new_id(), &payload)
        .replace(&sign_payload(&secret(), &payload), "not base64 at all!");
    for (name, body) in [
        ("forged", forged),
        ("tampered", tampered),
        ("wrong secret", wrong_secret),
        ("unsigned", unsigned),
        ("garbage signature", garbage_signature),
    ] {
        let response = relay.post(body).await;
        assert_eq!(response.status(), 503, "{name}");
        let text = response.text().await.unwrap();
        assert!(text.contains("bad_signature"), "{name}: {text}");
    }
    assert!(relay.all_events().await.is_empty());
    assert_eq!(relay.feed("").await.last_seq, 0);
}

async fn bodies_that_are_not_envelopes_get_400_with_the_reason(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let whole = envelope(&new_id(), &liveness_payload(1));
    let truncated = whole[..whole.len() - 20].to_owned();
    for (body, says) in [
        (truncated, "not JSON"),
        ("hello".to_owned(), "not JSON"),
        ("[1,2]".to_owned(), "not a JSON object"),
        (String::new(), "not JSON"),
        (
            r#"{"webhook":"x","object_payload":{}}"#.to_owned(),
            "webhook_id is missing",
        ),
    ] {
        let response = relay.post(body.clone()).await;
        assert_eq!(response.status(), 400, "{body}");
        let text = response.text().await.unwrap();
        assert!(text.contains(says), "{body}: {text}");
    }
    assert!(relay.all_events().await.is_empty());
}

async fn a_body_over_the_limit_gets_413_whether_announced_or_streamed(backend: Backend) {
    let relay = TestRelay::start_with(backend, |c| c.body_limit = 4096).await;
    let padding = "x".repeat(5000);
    let big = envelope(
        &new_id(),
        &format!(r#"{{"user_id":"1","pad":"{padding}"}}"#),
    );
    // The relay answers 413 without reading the rest of the body, so that connection cannot carry
    // another request: these ask for it to be closed rather than go back to the client's pool,
    // where the next request could pick it up as the relay closes it.
    let response = relay
        .http
        .post(relay.running.webhook_url())
        .header(reqwest::header::CONNECTION, "close")
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    // Without Content-Length: the limit is enforced while the chunks arrive.
    let chunks = futures_stream(big.into_bytes());
    let response = relay
        .http
        .post(relay.running.webhook_url())
        .header(reqwest::header::CONNECTION, "close")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert!(relay.all_events().await.is_empty());
    // Just under the limit is fine.
    let fits = envelope(&new_id(), &liveness_payload(1));
    assert_eq!(relay.post(fits).await.status(), 200);
}

fn futures_stream(
    bytes: Vec<u8>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::iter(
        bytes
            .chunks(1000)
            .map(|c| Ok(c.to_vec()))
            .collect::<Vec<_>>(),
    )
}

async fn text_plain_and_other_content_types_are_read_as_the_raw_body(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    for content_type in [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/octet-stream",
    ] {
        let response = relay
            .post_as(envelope(&new_id(), &liveness_payload(9)), content_type)
            .await;
        assert_eq!(response.status(), 200, "{content_type}");
    }
    assert_eq!(relay.all_events().await.len(), 3);
}

async fn non_ascii_payloads_verify_raw_or_canonical_and_keep_their_bytes(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let raw = r#"{"user_id":"12","identity":{"first-name":"Zoé","last-name":"Ørsted-Łukasz 😀","note":"a/b"},"kyc-status":"processed"}"#;
    // Treezor signs the PHP-style canonical form and may send the UTF-8 text as is...
    let as_utf8 = envelope(&new_id(), raw);
    // ...or send the canonical (escaped) text itself, signed over those very bytes.
    let canonical = kyc::webhook::canonical_json(raw).unwrap();
    let signature = sign_bytes(&secret(), canonical.as_bytes());
    let as_escaped = format!(
        r#"{{"webhook":"kycliveness.update","webhook_id":"{}","object_payload":{canonical},"object_payload_signature":"{signature}"}}"#,
        new_id()
    );
    assert_eq!(relay.post(as_utf8).await.status(), 200);
    assert_eq!(relay.post(as_escaped).await.status(), 200);
    let events = relay.all_events().await;
    assert_eq!(events[0].object_payload.get(), raw);
    assert_eq!(events[1].object_payload.get(), canonical);
    let identity: serde_json::Value = serde_json::from_str(events[1].object_payload.get()).unwrap();
    assert_eq!(identity["identity"]["last-name"], "Ørsted-Łukasz 😀");
}

async fn numeric_and_string_values_are_both_accepted(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let payload = r#"{"user_id":123,"kyc-status":"processed","score":1,"reasons":[]}"#;
    let signature = sign_payload(&secret(), payload);
    let numeric = format!(
        r#"{{"webhook":"kycliveness.update","webhook_id":"{}","webhook_created_at":17200000001234,"object":"kycliveness","object_id":123,"object_payload":{payload},"object_payload_signature":"{signature}"}}"#,
        new_id()
    );
    let strings = envelope(&new_id(), &liveness_payload(123));
    let wrapped = format!(
        r#"{{"messageId":"m-1","webhookId":"{}","webhook":{}}}"#,
        new_id(),
        envelope(&new_id(), &liveness_payload(124))
    );
    for body in [numeric, strings, wrapped] {
        let response = relay.post(body.clone()).await;
        assert_eq!(response.status(), 200, "{body}");
    }
    let events = relay.all_events().await;
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].object_id.as_deref(), Some("123"));
    assert_eq!(
        events[0].webhook_created_at.unwrap().unix_millis(),
        1_720_000_000_123
    );
    let user_ids: Vec<u64> = events
        .iter()
        .map(|e| e.meaning().unwrap().case_events[0].0.get())
        .collect();
    assert_eq!(user_ids, vec![123, 123, 124]);
}

async fn read_to_end(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the relay answers or closes within the bound")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

async fn a_body_cut_short_by_the_client_gets_400_and_stores_nothing(backend: Backend) {
    let relay = TestRelay::start(backend).await;
    let body = envelope(&new_id(), &liveness_payload(3));
    let mut stream = TcpStream::connect(relay.running.addr()).await.unwrap();
    let head = format!(
        "POST /webhooks/treezor HTTP/1.1\r\nhost: relay\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
        .write_all(&body.as_bytes()[..body.len() / 2])
        .await
        .unwrap();
    stream.shutdown().await.unwrap();
    let answer = read_to_end(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("body_incomplete"), "{answer}");
    assert!(relay.all_events().await.is_empty());
}

async fn slow_clients_time_out(backend: Backend) {
    let relay = TestRelay::start_with(backend, |c| {
        c.timeouts.header_read = Duration::from_millis(300);
        c.timeouts.body_read = Duration::from_millis(300);
    })
    .await;
    // Headers that never end: the connection is closed without an answer to a request.
    let mut stream = TcpStream::connect(relay.running.addr()).await.unwrap();
    stream
        .write_all(b"POST /webhooks/treezor HTTP/1.1\r\nhost: relay\r\n")
        .await
        .unwrap();
    let answer = read_to_end(&mut stream).await;
    assert!(!answer.starts_with("HTTP/1.1 200"), "{answer}");

    // A body that stalls halfway: 408.
    let body = envelope(&new_id(), &liveness_payload(3));
    let mut stream = TcpStream::connect(relay.running.addr()).await.unwrap();
    let head = format!(
        "POST /webhooks/treezor HTTP/1.1\r\nhost: relay\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..10]).await.unwrap();
    let mut answer = vec![0; 1024];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("the relay answers within the bound")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(relay.all_events().await.is_empty());
}

async fn concurrent_webhooks_get_distinct_consecutive_sequence_numbers(backend: Backend) {
    let relay = std::sync::Arc::new(TestRelay::start(backend).await);
    let posts = (0..64).map(|i| {
        let relay = relay.clone();
        tokio::spawn(async move {
            relay
                .post(envelope(&format!("w-{i}"), &liveness_payload(i + 1)))
                .await
                .status()
        })
    });
    for post in posts {
        assert_eq!(post.await.unwrap(), 200);
    }
    let events = relay.all_events().await;
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=64).collect::<Vec<_>>());
    let mut ids: Vec<&str> = events.iter().map(|e| e.webhook_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 64);
}
