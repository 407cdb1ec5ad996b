//! Drill: the dashboard is killed (SIGKILL) in the middle of a document download.
//!
//! The download runs in a child process: this test binary started again in its child role (the
//! `KYC_DESK_DRILL_CHILD` variable), a desk on the same home folder, cache and settings as the
//! dashboard's. The sandbox serves the file slowly; once the child reports its first bytes, the
//! parent kills it. Then a new desk starts on the same folder, as the dashboard would after a
//! crash.
//!
//! What it proves: nothing ever has the document's name before the download completes (only a
//! hidden `.part` file is left); the next start logs the download as failed ("interrupted") after
//! its `started` entry, removes the partial file and reports the interrupted download; the case
//! shows no download of the document; downloading it again works; the audit chain holds.
//!
//! The binary has its own `main` (no test harness), so that the child role is not a test of its
//! own. It accepts the harness's usual arguments: a name filter that does not match runs nothing,
//! and `--list` lists the one test.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{World, documents_received};
use desk::desk::Desk;
use desk::officer::Officer;
use desk::secrets::{Secret, SecretName, SecretStore};
use desk::settings::Paths;
use kyc::{DocumentId, UserId};
use sandbox::{Fault, FaultRule};
use sha2::{Digest, Sha256};

const NAME: &str = "a_download_killed_midway_leaves_no_file_and_is_reported_at_the_next_start";
const CHILD: &str = "KYC_DESK_DRILL_CHILD";

fn main() {
    common::alone::main(NAME, CHILD, child, drill);
}

/// The dashboard's part: a desk on the given home downloads one document, printing its progress.
fn child() {
    let var = |name: &str| std::env::var(name).unwrap();
    let user = UserId::parse(&var("DRILL_USER")).unwrap();
    let document = DocumentId::parse(&var("DRILL_DOCUMENT")).unwrap();
    common::alone::block_on(async {
        let paths = Paths::under(std::path::Path::new(&var("DRILL_HOME")));
        let settings = desk::settings::Settings::load(&paths.settings_file).unwrap();
        let secrets = SecretStore::memory();
        for (name, value) in [
            (SecretName::TreezorClientSecret, var("DRILL_CLIENT_SECRET")),
            (SecretName::RelayFeedToken, common::FEED_TOKEN.to_owned()),
        ] {
            secrets
                .set_for(name, &settings, &Secret::new(value).unwrap())
                .unwrap();
        }
        let desk = Desk::start(desk::StartOptions {
            paths,
            secrets,
            officer: Officer::named("officer.test"),
            sync: Default::default(),
            demo: Default::default(),
        })
        .await
        .unwrap();
        let outcome = desk
            .download_document(user, document, |progress| {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "progress {}", progress.bytes);
                let _ = out.flush();
            })
            .await;
        // Reached only if the parent did not kill this process in time.
        println!("finished {}", outcome.is_ok());
    });
}

async fn drill() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Maëlle", "N'Diaye");
    let case = documents_received(&world, &desk, user).await;
    let document = case.detail.documents[0].document.document_id;
    desk.shutdown().await;
    drop(desk);
    let folder = world
        .home
        .path()
        .join("downloads")
        .join(format!("user-{user}"));

    // The file host sends 16 KiB a second: the 512 KiB document would take half a minute.
    world.control().inject(
        FaultRule::new(
            "/files/",
            Fault::SlowBody {
                bytes_per_second: 16 * 1024,
            },
        )
        .times(1),
    );
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(CHILD, "1")
        .env("DRILL_HOME", world.desk_home())
        .env("DRILL_CLIENT_SECRET", world.sandbox.client_secret())
        .env("DRILL_USER", user.to_string())
        .env("DRILL_DOCUMENT", document.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let first_bytes = tokio::task::spawn_blocking(move || {
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("the child's output is readable");
            if let Some(bytes) = line.strip_prefix("progress ") {
                let bytes: u64 = bytes.parse().unwrap();
                if bytes > 0 {
                    return bytes;
                }
            }
            assert!(
                !line.starts_with("finished"),
                "the download ended first: {line}"
            );
        }
        panic!("the child ended before downloading anything");
    });
    let first_bytes = tokio::time::timeout(Duration::from_secs(30), first_bytes)
        .await
        .expect("the child starts downloading within 30 s")
        .unwrap();
    child.kill().unwrap(); // SIGKILL, mid-download
    child.wait().unwrap();
    world.control().clear_faults();

    let (_, size) = world.control().document_file(document.get()).unwrap();
    assert!(
        first_bytes < size,
        "killed mid-way: {first_bytes} of {size}"
    );
    let names = |folder: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(folder)
            .map(|entries| {
                entries
                    .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let left = names(&folder);
    assert!(
        left.iter()
            .any(|n| n.starts_with('.') && n.ends_with(".part")),
        "the partial download is in a hidden .part file: {left:?}"
    );
    assert!(
        left.iter()
            .all(|n| n.starts_with('.') && n.ends_with(".part")),
        "nothing has a document's name: {left:?}"
    );

    // The next start.
    let desk = world.desk().await;
    let interrupted = desk.interrupted_downloads();
    assert_eq!(interrupted.len(), 1, "{interrupted:?}");
    assert_eq!(interrupted[0].user_id, Some(user));
    assert_eq!(interrupted[0].document_id, Some(document));
    assert!(interrupted[0].partial_files_removed >= 1);
    assert!(names(&folder).is_empty(), "the partial file was removed");
    let case = desk.case_file(user).await.unwrap();
    let stored = case
        .detail
        .documents
        .iter()
        .find(|d| d.document.document_id == document)
        .unwrap();
    assert!(stored.downloads.is_empty(), "the case shows no download");
    let trail = desk
        .audit_entries(Some(user), 0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.entry.action == "download_document")
        .map(|r| (r.entry.outcome, r.entry.detail))
        .collect::<Vec<_>>();
    assert_eq!(trail.len(), 2, "{trail:?}");
    assert_eq!(trail[0].0, cache::Outcome::Started);
    assert_eq!(trail[1].0, cache::Outcome::Failed);
    assert!(trail[1].1.starts_with("interrupted"), "{}", trail[1].1);
    assert!(
        desk.interrupted_downloads().len() == 1,
        "reported until the next start"
    );

    // Downloading again works, and a start after that finds nothing more to report.
    let saved = desk
        .download_document(user, document, |_| {})
        .await
        .unwrap();
    let (sha, _) = world.control().document_file(document.get()).unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(std::fs::read(&saved.path).unwrap())),
        sha
    );
    assert_eq!(names(&folder).len(), 1);
    assert!(desk.verify_audit().await.unwrap().intact);
    desk.shutdown().await;
    drop(desk);
    let desk = world.desk().await;
    assert!(desk.interrupted_downloads().is_empty());
    desk.shutdown().await;
}
