//! The rules a download follows whatever the file host does, against a real HTTP server on
//! loopback that plays Treezor (token, download URLs) and a file host that misbehaves as asked:
//! the same file name for two documents, a redirect to another server, a URL off this machine
//! over plain http, more bytes than a document may have. A second server stands for "elsewhere"
//! and counts every request that reaches it.
//!
//! The sandbox cannot misbehave this way (its file names carry the document id, its file host
//! never redirects), which is why these tests script their own host.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use common::files_in;
use kyc::DocumentId;
use treezor::endpoint::UrlRefusal;
use treezor::{Client, ClientConfig, ClientSecret, DownloadRefusal, Error};

/// What the file host does for one path.
#[derive(Clone)]
enum Behaviour {
    /// The bytes, with their length announced.
    Serve(Vec<u8>),
    /// The bytes, streamed in pieces with no length announced.
    Stream(Vec<u8>),
    /// A redirect to this URL (`{elsewhere}` becomes the other server's address).
    Redirect(String),
}

#[derive(Default)]
struct Script {
    /// Document id → the download URL handed out (`{base}` becomes the host's address).
    urls: HashMap<u64, String>,
    /// Path under `/files/` → what the file host does.
    files: HashMap<String, Behaviour>,
}

#[derive(Clone)]
struct Host {
    script: Arc<Mutex<Script>>,
    base: String,
    elsewhere: String,
}

async fn token() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"token_type":"Bearer","expires_in":3600,"access_token":"file-host-token"}"#,
    )
}

async fn download_url(State(host): State<Host>, Path(id): Path<u64>) -> Response {
    let url = host.script.lock().unwrap().urls.get(&id).cloned();
    match url {
        Some(url) => (
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "url": url.replace("{base}", &host.base) }).to_string(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn file(State(host): State<Host>, Path(path): Path<String>) -> Response {
    let behaviour = host.script.lock().unwrap().files.get(&path).cloned();
    match behaviour {
        Some(Behaviour::Serve(bytes)) => bytes.into_response(),
        Some(Behaviour::Stream(bytes)) => {
            let pieces: Vec<Result<Bytes, std::io::Error>> = bytes
                .chunks(8 * 1024)
                .map(|c| Ok(Bytes::copy_from_slice(c)))
                .collect();
            Body::from_stream(futures_util::stream::iter(pieces)).into_response()
        }
        Some(Behaviour::Redirect(to)) => (
            StatusCode::FOUND,
            [(header::LOCATION, to.replace("{elsewhere}", &host.elsewhere))],
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The scripted Treezor and file host, the "elsewhere" server, and a client of the first.
struct World {
    host: Host,
    elsewhere_hits: Arc<AtomicU64>,
    client: Client,
}

impl World {
    async fn start(max_bytes: u64) -> World {
        let elsewhere_hits = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&elsewhere_hits);
        let elsewhere = Router::new().fallback(any(move || {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                "bytes from elsewhere"
            }
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let elsewhere_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, elsewhere).await.unwrap() });

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let host = Host {
            script: Arc::default(),
            base: format!("http://{}", listener.local_addr().unwrap()),
            elsewhere: elsewhere_url,
        };
        let app = Router::new()
            .route("/oauth/token", post(token))
            .route("/v1/documents/{id}/download", get(download_url))
            .route("/files/{*path}", get(file))
            .with_state(host.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

        let mut config = ClientConfig::new(&host.base, "file-host", ClientSecret::new("s"));
        config.download.max_attempts = 2;
        config.download.idle_timeout = Duration::from_secs(5);
        config.download.max_bytes = max_bytes;
        config.retry.first_delay = Duration::from_millis(1);
        World {
            host,
            elsewhere_hits,
            client: Client::new(config).unwrap(),
        }
    }

    /// Document `id` is handed out as `url`, and the file host does `behaviour` at `path`.
    fn document(&self, id: u64, url: &str, path: &str, behaviour: Behaviour) {
        let mut script = self.host.script.lock().unwrap();
        script.urls.insert(id, url.to_owned());
        script.files.insert(path.to_owned(), behaviour);
    }

    async fn download(
        &self,
        id: u64,
        dir: &std::path::Path,
    ) -> treezor::Result<treezor::Downloaded> {
        self.client
            .download(DocumentId::new(id).unwrap(), dir, |_, _| {})
            .await
    }
}

fn refusal(error: &Error) -> &DownloadRefusal {
    match error {
        Error::DownloadRefused { reason, .. } => reason,
        other => panic!("expected a refused download, got {other:?}"),
    }
}

#[tokio::test]
async fn two_documents_with_the_same_file_name_are_saved_apart_and_nothing_is_replaced() {
    let world = World::start(treezor::DEFAULT_MAX_DOWNLOAD_BYTES).await;
    world.document(
        7,
        "{base}/files/a/identity.pdf",
        "a/identity.pdf",
        Behaviour::Serve(b"%PDF- document seven".to_vec()),
    );
    world.document(
        8,
        "{base}/files/b/identity.pdf",
        "b/identity.pdf",
        Behaviour::Serve(b"%PDF- document eight".to_vec()),
    );
    let dir = tempfile::tempdir().unwrap();
    let seven = world.download(7, dir.path()).await.unwrap();
    let eight = world.download(8, dir.path()).await.unwrap();
    // The same document again: a second copy beside the first, never over it.
    let again = world.download(7, dir.path()).await.unwrap();

    assert_eq!(seven.path, dir.path().join("7-identity.pdf"));
    assert_eq!(eight.path, dir.path().join("8-identity.pdf"));
    assert_eq!(again.path, dir.path().join("7-identity-2.pdf"));
    assert_eq!(
        files_in(dir.path()),
        ["7-identity-2.pdf", "7-identity.pdf", "8-identity.pdf"]
    );
    assert_eq!(std::fs::read(&seven.path).unwrap(), b"%PDF- document seven");
    assert_eq!(std::fs::read(&eight.path).unwrap(), b"%PDF- document eight");
    assert_eq!(std::fs::read(&again.path).unwrap(), b"%PDF- document seven");
    #[cfg(unix)]
    for path in [&seven.path, &eight.path, &again.path] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{} is owner-only", path.display());
    }
}

#[tokio::test]
async fn a_redirect_to_another_server_is_not_followed_and_nothing_is_saved() {
    let world = World::start(treezor::DEFAULT_MAX_DOWNLOAD_BYTES).await;
    world.document(
        7,
        "{base}/files/away/identity.pdf",
        "away/identity.pdf",
        Behaviour::Redirect("{elsewhere}/collect".into()),
    );
    // A redirect within the file host's own origin is still followed.
    world.document(
        8,
        "{base}/files/moved/identity.pdf",
        "moved/identity.pdf",
        Behaviour::Redirect("/files/here/identity.pdf".into()),
    );
    world.host.script.lock().unwrap().files.insert(
        "here/identity.pdf".into(),
        Behaviour::Serve(b"%PDF- here".to_vec()),
    );
    let dir = tempfile::tempdir().unwrap();

    let error = world.download(7, dir.path()).await.unwrap_err();
    assert_eq!(
        refusal(&error),
        &DownloadRefusal::RedirectedElsewhere {
            from: world.host.base.clone(),
            to: Some(world.host.elsewhere.clone()),
        }
    );
    assert!(error.to_string().contains("Nothing was saved"), "{error}");
    assert_eq!(
        world.elsewhere_hits.load(Ordering::SeqCst),
        0,
        "no request reached the other server"
    );
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );

    let moved = world.download(8, dir.path()).await.unwrap();
    assert_eq!(std::fs::read(moved.path).unwrap(), b"%PDF- here");
}

#[tokio::test]
async fn a_plain_http_url_off_this_machine_or_with_user_info_is_refused_unused() {
    let world = World::start(treezor::DEFAULT_MAX_DOWNLOAD_BYTES).await;
    let elsewhere = world
        .host
        .elsewhere
        .trim_start_matches("http://")
        .to_owned();
    world.document(
        7,
        "http://files.treezor.example/files/a/identity.pdf",
        "a/identity.pdf",
        Behaviour::Serve(b"%PDF-".to_vec()),
    );
    // User-info hides where a URL goes: refused even when the host is this machine.
    world.document(
        8,
        &format!("http://files.treezor.example@{elsewhere}/files/a/identity.pdf"),
        "a/identity.pdf",
        Behaviour::Serve(b"%PDF-".to_vec()),
    );
    let dir = tempfile::tempdir().unwrap();
    for (id, expected) in [
        (7, UrlRefusal::PlainHttpElsewhere),
        (8, UrlRefusal::UserInfo),
    ] {
        let error = world.download(id, dir.path()).await.unwrap_err();
        match refusal(&error) {
            DownloadRefusal::UrlRefused { rule, .. } => assert_eq!(*rule, expected, "{id}"),
            other => panic!("document {id}: {other:?}"),
        }
    }
    assert_eq!(world.elsewhere_hits.load(Ordering::SeqCst), 0);
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn a_document_over_the_size_cap_is_stopped_and_nothing_is_left() {
    const CAP: u64 = 64 * 1024;
    let world = World::start(CAP).await;
    let big = vec![b'x'; 3 * CAP as usize];
    world.document(
        7,
        "{base}/files/announced/identity.pdf",
        "announced/identity.pdf",
        Behaviour::Serve(big.clone()),
    );
    world.document(
        8,
        "{base}/files/streamed/identity.pdf",
        "streamed/identity.pdf",
        Behaviour::Stream(big),
    );
    world.document(
        9,
        "{base}/files/fits/identity.pdf",
        "fits/identity.pdf",
        Behaviour::Stream(vec![b'y'; CAP as usize]),
    );
    let dir = tempfile::tempdir().unwrap();

    let announced = world.download(7, dir.path()).await.unwrap_err();
    assert_eq!(
        refusal(&announced),
        &DownloadRefusal::AnnouncedTooLarge {
            announced: 3 * CAP,
            limit: CAP
        }
    );
    let streamed = world.download(8, dir.path()).await.unwrap_err();
    assert_eq!(
        refusal(&streamed),
        &DownloadRefusal::SentTooLarge { limit: CAP }
    );
    assert!(
        files_in(dir.path()).is_empty(),
        "no file and no partial file: {:?}",
        files_in(dir.path())
    );

    let fits = world.download(9, dir.path()).await.unwrap();
    assert_eq!(fits.bytes, CAP, "exactly the cap is allowed");
}

#[tokio::test]
async fn a_fetch_into_memory_follows_the_same_rules_as_a_download() {
    const CAP: u64 = 64 * 1024;
    let world = World::start(CAP).await;
    world.document(
        7,
        "{base}/files/away/identity.pdf",
        "away/identity.pdf",
        Behaviour::Redirect("{elsewhere}/collect".into()),
    );
    world.document(
        8,
        "http://files.treezor.example/files/a/identity.pdf",
        "a/identity.pdf",
        Behaviour::Serve(b"%PDF-".to_vec()),
    );
    world.document(
        9,
        "{base}/files/streamed/identity.pdf",
        "streamed/identity.pdf",
        Behaviour::Stream(vec![b'x'; 3 * CAP as usize]),
    );
    let fetch = |id: u64| {
        world
            .client
            .fetch_in_memory(DocumentId::new(id).unwrap(), 10 * CAP)
    };

    let redirected = fetch(7).await.unwrap_err();
    assert!(
        matches!(
            refusal(&redirected),
            DownloadRefusal::RedirectedElsewhere { .. }
        ),
        "{redirected}"
    );
    assert_eq!(world.elsewhere_hits.load(Ordering::SeqCst), 0);
    let plain = fetch(8).await.unwrap_err();
    assert!(
        matches!(
            refusal(&plain),
            DownloadRefusal::UrlRefused {
                rule: UrlRefusal::PlainHttpElsewhere,
                ..
            }
        ),
        "{plain}"
    );
    // The caller's limit is larger: the download's cap still holds.
    match fetch(9).await.unwrap_err() {
        Error::TooLarge { limit, size, .. } => {
            assert_eq!(limit, CAP);
            assert!(size > CAP, "{size}");
        }
        other => panic!("expected a document too large, got {other:?}"),
    }
}
