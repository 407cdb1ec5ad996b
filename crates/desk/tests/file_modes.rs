//! What the dashboard writes that holds personal data is readable by its owner only, from the
//! moment it exists: folders 0700, files 0600, whatever the umask (the test's is the usual 022,
//! which would leave them readable by everyone otherwise). Two documents with the same name never
//! overwrite each other.

#![cfg(unix)]

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{World, documents_received};
use desk::audit::ExportFormat;
use desk::demo::DemoOptions;
use desk::officer::Officer;
use desk::secrets::SecretStore;
use desk::settings::Paths;
use desk::{Desk, StartOptions};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn assert_mode(path: &Path, expected: u32) {
    assert_eq!(
        mode(path),
        expected,
        "{} is {:o}, not {expected:o}",
        path.display(),
        mode(path)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_holding_personal_data_is_owner_only() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Oona", "Virtanen");
    let case = documents_received(&world, &desk, user).await;
    let document = case.detail.documents[0].document.document_id;
    let first = desk
        .download_document(user, document, |_| {})
        .await
        .unwrap();
    // The same document again: saved beside the first, never over it.
    let second = desk
        .download_document(user, document, |_| {})
        .await
        .unwrap();
    assert_ne!(first.path, second.path);
    assert!(first.path.exists() && second.path.exists());
    let name = first
        .path
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with(&document.to_string()), "{name}");
    let audit_folder = world.home.path().join("downloads").join("audit");
    let export = desk
        .export_audit(None, ExportFormat::Csv, &audit_folder)
        .await
        .unwrap();

    let home = world.desk_home();
    let paths = Paths::under(&home);
    assert_mode(&home, 0o700);
    assert_mode(&paths.settings_file, 0o600);
    for suffix in ["", "-wal", "-shm"] {
        let mut file = paths.cache_file.as_os_str().to_owned();
        file.push(suffix);
        assert_mode(Path::new(&file), 0o600);
    }
    let downloads = world.home.path().join("downloads");
    assert_mode(&downloads, 0o700);
    assert_mode(first.path.parent().unwrap(), 0o700);
    assert_mode(&first.path, 0o600);
    assert_mode(&second.path, 0o600);
    assert_mode(&audit_folder, 0o700);
    assert_mode(&export.path, 0o600);
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cache_an_earlier_version_left_readable_is_narrowed_when_opened() {
    let world = World::start().await;
    let desk = world.desk().await;
    desk.shutdown().await;
    drop(desk);
    let paths = Paths::under(&world.desk_home());
    std::fs::set_permissions(&paths.cache_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let desk = world.desk_as_configured().await;
    assert_mode(&paths.cache_file, 0o600);
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_folder_and_its_cache_are_owner_only() {
    let home = tempfile::tempdir().unwrap();
    let paths = Paths::under(&home.path().join("kyc-desk"));
    let desk = Desk::start(StartOptions {
        paths: paths.clone(),
        secrets: SecretStore::memory(),
        officer: Officer::named("demo.officer"),
        sync: Default::default(),
        demo: DemoOptions {
            users: 5,
            rng_seed: 7,
            sandbox: sandbox::SandboxConfig::for_tests(),
        },
    })
    .await
    .unwrap();
    assert_mode(&paths.demo_dir, 0o700);
    assert_mode(&paths.demo_dir.join("cache.sqlite"), 0o600);
    assert_mode(&home.path().join("kyc-desk"), 0o700);
    desk.shutdown().await;
}
