//! Viewing documents through the dashboard, against the sandbox and the relay over loopback: the
//! bytes come from Treezor's file host into memory and are what the sandbox serves, nothing is
//! written under the dashboard's folders, each view is audited without content; files that lie
//! about themselves, do not decode or are too large are refused with the reason; and the identity
//! the customer declared is set beside what the provider read.

mod common;

use std::path::{Path, PathBuf};

use common::{World, case_in, documents_received, known};
use desk::viewer::format::DocumentFormat;
use desk::viewer::identity::Agreement;
use desk::viewer::{Claimant, ViewRefusal};
use desk::{Confirmation, Desk, Error};
use kyc::{CaseState, DocumentId, UserId};
use sandbox::{Capture, Content, Outcome, ReadIdentity, SandboxConfig};
use sha2::{Digest, Sha256};

/// Every file under `folder`, with its size.
fn files_under(folder: &Path) -> Vec<(PathBuf, u64)> {
    let mut found = Vec::new();
    let mut left = vec![folder.to_path_buf()];
    while let Some(dir) = left.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                left.push(path);
            } else {
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                found.push((path, size));
            }
        }
    }
    found.sort();
    found
}

fn names(files: &[(PathBuf, u64)]) -> Vec<&Path> {
    files.iter().map(|(p, _)| p.as_path()).collect()
}

/// The documents of `user`, identity document first.
fn documents(world: &World, user: UserId) -> (DocumentId, DocumentId) {
    let ids = world.control().documents_of(user.get());
    let id = |n: u64| DocumentId::new(n).unwrap();
    (id(ids[0]), id(ids[1]))
}

async fn views_of(desk: &Desk, user: UserId) -> Vec<cache::AuditRecord> {
    desk.audit_entries(Some(user), 0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.action == "view_document")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_is_viewed_from_memory_audited_and_leaves_no_file() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Zoé", "Lefèvre");
    documents_received(&world, &desk, user).await;
    let (picture, synthesis) = documents(&world, user);
    let before = files_under(world.home.path());

    for (document, format) in [
        (picture, DocumentFormat::Jpeg),
        (synthesis, DocumentFormat::Pdf),
    ] {
        let viewed = desk.view_document(user, document).await.unwrap();
        assert_eq!(viewed.format, format);
        let facts = world.control().document_facts(document.get()).unwrap();
        let bytes = viewed.into_bytes();
        assert_eq!(hex::encode(Sha256::digest(&bytes)), facts.sha256);
        assert_eq!(bytes.len() as u64, facts.size);
    }

    // Nothing new under the dashboard's folders (settings, cache, downloads), and no file holds
    // either document's marker; the cache grew by its audit entries only.
    let after = files_under(world.home.path());
    let relay_or_desk: Vec<&Path> = names(&after);
    assert_eq!(relay_or_desk, names(&before), "no file appeared or went");
    for document in [picture, synthesis] {
        let marker = world
            .control()
            .document_facts(document.get())
            .unwrap()
            .marker;
        for (path, _) in &after {
            let bytes = std::fs::read(path).unwrap_or_default();
            assert!(
                !bytes.windows(marker.len()).any(|w| w == marker.as_bytes()),
                "{} holds a copy of document {document}",
                path.display()
            );
        }
    }
    assert!(!world.home.path().join("downloads").exists());

    let views = views_of(&desk, user).await;
    assert_eq!(views.len(), 2, "{views:?}");
    assert_eq!(views[0].entry.outcome, cache::Outcome::Succeeded);
    assert_eq!(views[0].entry.document_id, Some(picture));
    assert!(
        views[0]
            .entry
            .detail
            .starts_with(&format!("viewed document {picture}: a JPEG picture, ")),
        "{}",
        views[0].entry.detail
    );
    assert!(views[1].entry.detail.contains("a PDF"));
    assert_eq!(views[1].entry.officer, "officer.test");
    assert!(desk.verify_audit().await.unwrap().intact);
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_lie_do_not_decode_or_are_too_large_are_refused_with_why() {
    let world = World::start().await;
    let desk = world.desk().await;
    let user = world.person("Hugo", "Martin");
    documents_received(&world, &desk, user).await;
    let (picture, synthesis) = documents(&world, user);
    let control = world.control();
    let refused = async |document: DocumentId| match desk.view_document(user, document).await {
        Err(Error::NotViewable {
            document: d,
            reason,
        }) => {
            assert_eq!(d, document);
            reason
        }
        other => panic!("document {document} should be refused, got {other:?}"),
    };

    control
        .set_document_content(synthesis.get(), Content::NotPdf, Some(0))
        .unwrap();
    let why = refused(synthesis).await;
    assert_eq!(
        why,
        ViewRefusal::Unknown {
            claimed: Some(DocumentFormat::Pdf),
            by: Some(Claimant::Name)
        }
    );
    assert!(why.to_string().contains("its name says a PDF"), "{why}");
    assert!(
        !why.to_string().contains("Bad Gateway"),
        "the content is never quoted: {why}"
    );

    control
        .set_document_content(picture.get(), Content::BrokenJpeg, Some(0))
        .unwrap();
    let why = refused(picture).await;
    assert_eq!(
        why,
        ViewRefusal::Damaged {
            format: DocumentFormat::Jpeg
        }
    );
    assert!(why.to_string().contains("the file is damaged"), "{why}");

    control
        .set_document_content(
            synthesis.get(),
            Content::Pdf { pages: 1 },
            Some(desk::viewer::VIEW_LIMIT + 1),
        )
        .unwrap();
    let why = refused(synthesis).await;
    assert!(
        matches!(why, ViewRefusal::TooLarge { limit_mb: 40, .. }),
        "{why:?}"
    );
    assert!(
        why.to_string().contains("over the 40 MB this window shows"),
        "{why}"
    );
    let message = Error::NotViewable {
        document: synthesis,
        reason: why,
    }
    .to_string();
    assert!(message.contains("save a copy"), "{message}");

    let views = views_of(&desk, user).await;
    assert_eq!(views.len(), 3);
    assert!(
        views
            .iter()
            .all(|v| v.entry.outcome == cache::Outcome::Refused)
    );
    // A document that is not this user's is refused before Treezor is asked.
    let other = world.person("Ann", "Lee");
    known(&desk, other).await;
    assert!(matches!(
        desk.view_document(other, picture).await,
        Err(Error::NotViewable { .. } | Error::NotAllowed { .. })
    ));
    desk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_declared_identity_is_set_beside_the_one_read_with_differences_named() {
    let world = World::start_with(SandboxConfig::for_tests()).await;
    let desk = world.desk().await;
    let user = world.person("Zoé", "Lefèvre");
    known(&desk, user).await;
    let nothing_yet = desk.identity_check(user).await.unwrap();
    assert!(!nothing_yet.read);
    assert!(
        nothing_yet
            .fields
            .iter()
            .all(|f| f.agreement == Agreement::NotRead)
    );

    let started = desk
        .start_verification(user, None, Confirmation::Unconfirmed)
        .await
        .unwrap();
    world
        .control()
        .finish_with(
            started.identification.as_str(),
            Outcome::Validated,
            None,
            Capture {
                file: Some(Content::Png),
                identity: ReadIdentity {
                    first_name: Some("ZOE".into()),
                    last_name: Some("LEFEBVRE".into()),
                    birth_date: None,
                },
            },
        )
        .unwrap();
    case_in(&desk, user, CaseState::Validated).await;
    let check = desk.identity_check(user).await.unwrap();
    assert!(check.read);
    assert_eq!(check.identification.as_ref(), Some(&started.identification));
    let agreements: Vec<Agreement> = check.fields.iter().map(|f| f.agreement).collect();
    assert_eq!(
        agreements,
        [Agreement::Same, Agreement::Differs, Agreement::Same],
        "{check:?}"
    );
    assert_eq!(check.fields[1].declared.as_deref(), Some("Lefèvre"));
    assert_eq!(check.fields[1].read.as_deref(), Some("LEFEBVRE"));
    desk.shutdown().await;
}
