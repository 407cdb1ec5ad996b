//! The files behind download URLs are real: the picture the tester chose for the identity
//! document and a PDF synthesis, with the media type and name they claim; a test can make a file
//! lie about itself; and the webhook's `identity` block says what the provider read, which the
//! tester may make differ from the profile.

mod common;

use common::{Receiver, eventually, http, person, sandbox, token};
use sandbox::{Content, RunningSandbox, SandboxConfig};
use serde_json::{Value, json};

/// Fetches `document`'s file as a client would: a download URL, then the file host.
async fn fetch(sandbox: &RunningSandbox, bearer: &str, document: u64) -> (String, Vec<u8>) {
    let base = sandbox.base_url();
    let url: Value = http()
        .get(format!("{base}/v1/documents/{document}/download"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let answer = http()
        .get(url["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let media_type = answer.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (media_type, answer.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn documents_are_the_chosen_picture_and_a_pdf_and_the_identity_read_is_sent() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let receiver = Receiver::start(sandbox.webhook_secret()).await;
    sandbox.set_webhook_target(Some(&receiver.url)).unwrap();
    let control = sandbox.control();
    let user = person(&sandbox, "Zoé");
    let started = control.start_identification(user, None).unwrap();
    let page = http()
        .get(&started.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("name=\"read_last_name\" value=\"D&#39;Angelo\""),
        "{page}"
    );
    let answer = http()
        .post(format!("{}/finish", started.url))
        .form(&[
            ("outcome", "validated"),
            ("document", "17"),
            ("file", "png"),
            ("read_first_name", "Zoé"),
            ("read_last_name", "DANGELO"),
            ("read_birth_date", "1979-11-30"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    let update = receiver.liveness_update("the decision", user).await;
    let payload: Value = serde_json::from_str(&update).unwrap();
    assert_eq!(
        payload["identity"],
        json!({"first-name": "Zoé", "last-name": "DANGELO", "birth-date": "1979-11-30"})
    );

    let bearer = token(&sandbox, None).await;
    let retrieved = http()
        .put(format!(
            "{}/v1/users/{user}/kycliveness",
            sandbox.base_url()
        ))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(retrieved.status(), 200);
    let documents = control.documents_of(user);
    assert_eq!(documents.len(), 2);

    let picture = control.document_facts(documents[0]).unwrap();
    assert_eq!(picture.content, Content::Png);
    assert!(
        picture.file_name.ends_with("_passport.png"),
        "{}",
        picture.file_name
    );
    assert_eq!(picture.dimensions, Some((856, 540)));
    let (media_type, bytes) = fetch(&sandbox, &bearer, documents[0]).await;
    assert_eq!(media_type, "image/png");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(
        &bytes[16..24],
        [856u32.to_be_bytes(), 540u32.to_be_bytes()].concat()
    );
    assert_eq!(bytes.len() as u64, picture.size);
    assert!(
        bytes
            .windows(picture.marker.len())
            .any(|w| w == picture.marker.as_bytes())
    );

    let synthesis = control.document_facts(documents[1]).unwrap();
    assert_eq!(
        (synthesis.media_type, synthesis.pages),
        ("application/pdf", Some(3))
    );
    let (media_type, bytes) = fetch(&sandbox, &bearer, documents[1]).await;
    assert_eq!(media_type, "application/pdf");
    assert!(bytes.starts_with(b"%PDF-1.7") && bytes.ends_with(b"%%EOF\n"));
    assert!(bytes.windows(9).any(|w| w == b"/Count 3 "));

    // The synthesis made to lie: still named and served as a PDF, an error page inside.
    let changed = http()
        .put(format!(
            "{}/sandbox/documents/{}/content",
            sandbox.base_url(),
            documents[1]
        ))
        .json(&json!({"kind": "not_pdf"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 204);
    let (media_type, bytes) = fetch(&sandbox, &bearer, documents[1]).await;
    assert_eq!(media_type, "application/pdf");
    assert!(bytes.starts_with(b"<!doctype html>"));
    let facts: Value = http()
        .get(format!(
            "{}/sandbox/documents/{}/file",
            sandbox.base_url(),
            documents[1]
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(facts["content"], json!({"kind": "not_pdf"}));
    assert!(facts["file_name"].as_str().unwrap().ends_with(".pdf"));
    eventually("both documents announced", || {
        receiver
            .all()
            .iter()
            .filter(|r| r.event == "document.create")
            .count()
            == 2
    })
    .await;
    sandbox.shutdown().await;
}
