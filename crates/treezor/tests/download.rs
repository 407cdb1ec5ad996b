//! Downloads against the sandbox's file host: inside the 30-second window, to a temporary file
//! renamed when complete; stale URLs never used; expired or altered URLs, dropped connections and
//! 5xx answered with a fresh URL; download not enabled explained; the same rules for a document
//! fetched into memory, with its size limit.

mod common;

use common::{client, eventually, files_in, person, sandbox};
use kyc::objects::Document;
use kyc::{DocumentId, UserId};
use sandbox::{DownloadAccess, Fault, FaultRule, Outcome, RunningSandbox, SandboxConfig};
use sha2::{Digest, Sha256};
use treezor::{AttemptFailure, Client, Error, Problem};

/// A user whose validated verification's documents are in Treezor.
async fn documents(sandbox: &RunningSandbox, client: &Client) -> (UserId, Vec<Document>) {
    let user = person(sandbox, "Aoife");
    let started = client.start_liveness(user, None).await.unwrap();
    let control = sandbox.control();
    control
        .finish(started.identification.as_str(), Outcome::Validated, None)
        .unwrap();
    eventually("the provider's decision", || {
        control
            .latest_identification(user.get())
            .is_some_and(|i| i.status == "processed")
    })
    .await;
    client
        .retrieve_liveness_documents(user, None)
        .await
        .unwrap();
    let documents = client.list_documents(user).await.unwrap();
    assert_eq!(documents.len(), 2);
    (user, documents)
}

fn expected(sandbox: &RunningSandbox, document: DocumentId) -> (String, u64) {
    sandbox.control().document_file(document.get()).unwrap()
}

#[tokio::test]
async fn a_document_downloads_whole_with_its_hash_and_progress() {
    let sandbox = sandbox(SandboxConfig {
        document_size: 3 * 1024 * 1024 + 17,
        ..SandboxConfig::for_tests()
    })
    .await;
    let client = client(&sandbox);
    let (_, documents) = documents(&sandbox, &client).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("identity.pdf");
    let mut progress = Vec::new();
    let done = client
        .download(documents[0].document_id, &target, |bytes, total| {
            progress.push((bytes, total))
        })
        .await
        .unwrap();
    let (sha256, size) = expected(&sandbox, documents[0].document_id);
    assert_eq!(
        (done.path.as_path(), done.bytes, done.sha256.as_str()),
        (target.as_path(), size, sha256.as_str())
    );
    assert_eq!((done.urls_asked, done.stale_urls), (1, 0));
    assert!(std::fs::read(&target).unwrap().starts_with(b"%PDF-"));
    assert_eq!(progress.first(), Some(&(0, Some(size))));
    assert_eq!(progress.last(), Some(&(size, Some(size))));
    assert_eq!(files_in(dir.path()), ["identity.pdf"]);
    sandbox.shutdown().await;
}

#[tokio::test]
async fn urls_handed_out_near_or_past_expiry_are_never_used() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let client = client(&sandbox);
    let (_, documents) = documents(&sandbox, &client).await;
    let id = documents[0].document_id;
    let download_path = format!("/v1/documents/{id}/download");
    let control = sandbox.control();
    control.inject(FaultRule::new(&download_path, Fault::UrlAge { seconds: 40 }).times(1));
    control.inject(FaultRule::new(&download_path, Fault::UrlAge { seconds: 28 }).times(1));
    let dir = tempfile::tempdir().unwrap();
    let done = client.download(id, dir.path(), |_, _| {}).await.unwrap();
    assert_eq!((done.urls_asked, done.stale_urls), (3, 2));
    assert_eq!(done.sha256, expected(&sandbox, id).0);
    let file_hits: u64 = control
        .hits()
        .iter()
        .filter(|(k, _)| k.starts_with("GET /files/"))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(file_hits, 1, "only the fresh URL reached the file host");
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_refused_url_a_dropped_connection_and_a_5xx_each_get_a_fresh_url() {
    let sandbox = sandbox(SandboxConfig {
        document_size: 256 * 1024,
        ..SandboxConfig::for_tests()
    })
    .await;
    let client = client(&sandbox);
    let (_, documents) = documents(&sandbox, &client).await;
    let id = documents[1].document_id;
    let control = sandbox.control();
    control.inject(
        FaultRule::new(
            "/files/",
            Fault::Status {
                status: 403,
                after_handling: false,
            },
        )
        .times(1),
    );
    control.inject(
        FaultRule::new(
            "/files/",
            Fault::DropConnection {
                after_bytes: 100_000,
            },
        )
        .times(1),
    );
    control.inject(
        FaultRule::new(
            format!("/v1/documents/{id}/download"),
            Fault::Status {
                status: 503,
                after_handling: false,
            },
        )
        .times(2),
    );
    let dir = tempfile::tempdir().unwrap();
    let mut restarts = 0;
    let mut last = 0;
    let done = client
        .download(id, dir.path(), |bytes, _| {
            if bytes < last {
                restarts += 1;
            }
            last = bytes;
        })
        .await
        .unwrap();
    assert_eq!(done.sha256, expected(&sandbox, id).0);
    assert_eq!(done.urls_asked, 3, "403, then dropped, then whole");
    assert_eq!(
        restarts, 1,
        "progress restarts after the dropped connection"
    );
    assert_eq!(
        files_in(dir.path()).len(),
        1,
        "no partial file left: {:?}",
        files_in(dir.path())
    );
    assert!(!files_in(dir.path())[0].ends_with(".part"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_slow_body_still_completes() {
    let sandbox = sandbox(SandboxConfig {
        document_size: 48 * 1024,
        ..SandboxConfig::for_tests()
    })
    .await;
    let client = client(&sandbox);
    let (_, documents) = documents(&sandbox, &client).await;
    let id = documents[0].document_id;
    sandbox.control().inject(
        FaultRule::new(
            "/files/",
            Fault::SlowBody {
                bytes_per_second: 160 * 1024,
            },
        )
        .times(1),
    );
    let dir = tempfile::tempdir().unwrap();
    let done = client.download(id, dir.path(), |_, _| {}).await.unwrap();
    assert_eq!(
        (done.sha256, done.urls_asked),
        (expected(&sandbox, id).0, 1)
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn when_every_attempt_fails_nothing_is_left_behind() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let client = client(&sandbox);
    let (_, documents) = documents(&sandbox, &client).await;
    let id = documents[0].document_id;
    sandbox
        .control()
        .inject(FaultRule::new("/files/", Fault::DropConnection { after_bytes: 1000 }).times(10));
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("kept.pdf");
    let error = client.download(id, &target, |_, _| {}).await.unwrap_err();
    match &error {
        Error::DownloadFailed {
            document,
            attempts,
            last,
        } => {
            assert_eq!((*document, *attempts), (id.get(), 4));
            assert!(
                matches!(last, AttemptFailure::Dropped { .. }),
                "the last attempt's connection dropped: {last:?}"
            );
        }
        other => panic!("expected a failed download, got {other:?}"),
    }
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn download_not_enabled_is_explained() {
    for access in [DownloadAccess::Forbidden, DownloadAccess::NotImplemented] {
        let sandbox = sandbox(SandboxConfig {
            download: access,
            ..SandboxConfig::for_tests()
        })
        .await;
        let client = client(&sandbox);
        let (_, documents) = documents(&sandbox, &client).await;
        let dir = tempfile::tempdir().unwrap();
        let error = client
            .download(documents[0].document_id, dir.path(), |_, _| {})
            .await
            .unwrap_err();
        let refusal = error.treezor().unwrap();
        assert_eq!(refusal.problem, Problem::DownloadNotEnabled);
        assert_eq!(
            refusal.status,
            if access == DownloadAccess::Forbidden {
                403
            } else {
                501
            }
        );
        assert!(
            error
                .to_string()
                .contains("not enabled for this Treezor account"),
            "{error}"
        );
        assert!(files_in(dir.path()).is_empty());
        sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn the_file_host_refuses_expired_and_altered_urls() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let client = client(&sandbox);
    let (_, documents) = documents(&sandbox, &client).await;
    let url = client.download_url(documents[0].document_id).await.unwrap();
    assert!(url.expires_at.is_some(), "the URL says when it expires");
    let altered = url.url.replace("X-Amz-Expires=30", "X-Amz-Expires=3000");
    assert_eq!(reqwest::get(&altered).await.unwrap().status(), 403);
    let fresh = reqwest::get(&url.url).await.unwrap();
    assert_eq!(fresh.status(), 200);
    sandbox
        .control()
        .advance_clock(std::time::Duration::from_secs(31));
    let late = reqwest::get(&url.url).await.unwrap();
    assert_eq!(late.status(), 403);
    assert!(late.text().await.unwrap().contains("Request has expired"));
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_document_fetched_into_memory_follows_the_download_rules() {
    let sandbox = sandbox(SandboxConfig::for_tests()).await;
    let client = client(&sandbox);
    let (_, documents) = documents(&sandbox, &client).await;
    let id = documents[0].document_id;
    let control = sandbox.control();
    // An expired URL, then a connection dropped midway: each gets a fresh URL, as downloads do.
    control.inject(
        FaultRule::new(
            format!("/v1/documents/{id}/download"),
            Fault::UrlAge { seconds: 40 },
        )
        .times(1),
    );
    control.inject(
        FaultRule::new(
            "/files/",
            Fault::DropConnection {
                after_bytes: 10_000,
            },
        )
        .times(1),
    );
    let fetched = client.fetch_in_memory(id, 10 * 1024 * 1024).await.unwrap();
    let (sha256, size) = expected(&sandbox, id);
    assert_eq!(fetched.bytes.len() as u64, size);
    assert_eq!(hex::encode(Sha256::digest(&fetched.bytes)), sha256);
    assert!(fetched.bytes.starts_with(b"%PDF-"));
    assert_eq!(fetched.media_type.as_deref(), Some("application/pdf"));
    assert_eq!((fetched.urls_asked, fetched.stale_urls), (3, 1));
    assert!(
        !format!("{fetched:?}").contains("PDF"),
        "its Debug shows no content"
    );
    sandbox.shutdown().await;
}

#[tokio::test]
async fn a_document_over_the_limit_is_refused_before_its_bytes_are_read() {
    let sandbox = sandbox(SandboxConfig {
        document_size: 2 * 1024 * 1024,
        ..SandboxConfig::for_tests()
    })
    .await;
    let client = client(&sandbox);
    let (_, documents) = documents(&sandbox, &client).await;
    let id = documents[0].document_id;
    let error = client.fetch_in_memory(id, 1024 * 1024).await.unwrap_err();
    match error {
        Error::TooLarge {
            document,
            size,
            limit,
        } => assert_eq!(
            (document, size, limit),
            (id.get(), 2 * 1024 * 1024, 1024 * 1024)
        ),
        other => panic!("expected too large, got {other:?}"),
    }
    let file_hits: u64 = sandbox
        .control()
        .hits()
        .iter()
        .filter(|(k, _)| k.starts_with("GET /files/"))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(file_hits, 1, "refused at once, not retried");
    sandbox.shutdown().await;
}
