//! Keeps the UI's TypeScript types (`ui/src/lib/bindings/`) in step with the Rust types that cross
//! the IPC boundary. The test fails when a committed file differs from what the Rust types give, or
//! when the folder holds a file no Rust type gives any more;
//! `KYC_DESK_WRITE_BINDINGS=1 cargo test -p kyc-desk bindings` rewrites them.
//!
//! The roots below are what the commands take and return and what the events carry; every type they
//! refer to is found through ts-rs's dependency visitor, so a field added to a nested type cannot be
//! forgotten. 64-bit integers are written as `number`: ids, counts and byte sizes stay far below
//! 2^53, where JavaScript numbers are exact.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use ts_rs::{Config, TS, TypeVisitor};

/// Collects a type and, recursively, every type it refers to that has a file of its own.
struct Collect<'c> {
    cfg: &'c Config,
    seen: HashSet<TypeId>,
    files: BTreeMap<PathBuf, String>,
}

impl TypeVisitor for Collect<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        if let Some(path) = T::output_path() {
            let text = T::export_to_string(self.cfg).expect("the type renders as TypeScript");
            self.files.insert(path, text);
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

/// Every file the bindings folder must hold, by its path relative to the folder.
fn bindings() -> BTreeMap<PathBuf, String> {
    let cfg = Config::new().with_large_int("number");
    let mut collect = Collect {
        cfg: &cfg,
        seen: HashSet::new(),
        files: BTreeMap::new(),
    };
    // Errors.
    collect.visit::<crate::IpcError>();
    // Commands: what they take and what they return.
    collect.visit::<kyc::CatalogueEntry>();
    collect.visit::<desk::status::AppStatus>();
    collect.visit::<cache::QueueQuery>();
    collect.visit::<cache::QueuePage>();
    collect.visit::<cache::QueueFilter>();
    collect.visit::<cache::StateCounts>();
    collect.visit::<desk::views::CaseFile>();
    collect.visit::<crate::commands::case::DecodedRedirect>();
    collect.visit::<cache::Note>();
    collect.visit::<desk::team::NoteWritten>();
    collect.visit::<desk::claims::ClaimView>();
    collect.visit::<cache::CaseClaim>();
    collect.visit::<cache::Decision>();
    collect.visit::<desk::four_eyes::FourEyes>();
    collect.visit::<desk::four_eyes::Recorded>();
    collect.visit::<kyc::decision::DecisionKind>();
    collect.visit::<kyc::four_eyes::GuardedAction>();
    collect.visit::<kyc::four_eyes::Verdict>();
    collect.visit::<desk::team_rules::TeamRules>();
    collect.visit::<kyc::four_eyes::Policy>();
    collect.visit::<desk::Confirmation>();
    collect.visit::<desk::actions::StartedVerification>();
    collect.visit::<desk::actions::DownloadProgress>();
    collect.visit::<desk::actions::SavedDocument>();
    collect.visit::<desk::actions::ReviewRequested>();
    collect.visit::<desk::awaited::DocumentsChecked>();
    collect.visit::<kyc::Action>();
    collect.visit::<desk::audit::AuditCheck>();
    collect.visit::<desk::audit::HubTrailCheck>();
    collect.visit::<desk::audit::AuditExport>();
    collect.visit::<desk::audit::ExportFormat>();
    collect.visit::<desk::configure::SettingsView>();
    collect.visit::<desk::configure::SettingsInput>();
    collect.visit::<desk::configure::Saved>();
    collect.visit::<desk::configure::ConnectionCheck>();
    collect.visit::<desk::files::LocalFiles>();
    collect.visit::<crate::commands::files::PurgeRequest>();
    collect.visit::<desk::files::PurgeReport>();
    collect.visit::<crate::commands::clipboard::CopyRequest>();
    collect.visit::<desk::viewer::identity::IdentityCheck>();
    // Events.
    collect.visit::<crate::events::Changed>();
    collect.visit::<desk::sync::SyncHealth>();
    collect.visit::<desk::sync::Notice>();
    collect.files
}

fn bindings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings")
}

#[test]
fn the_ui_types_match_the_rust_types() {
    let dir = bindings_dir();
    let rewrite = std::env::var_os("KYC_DESK_WRITE_BINDINGS").is_some_and(|v| v == "1");
    let files = bindings();
    let on_disk: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| PathBuf::from(e.file_name()))
                .collect()
        })
        .unwrap_or_default();
    let mut stale = Vec::new();
    for path in on_disk.iter().filter(|p| !files.contains_key(*p)) {
        if rewrite {
            std::fs::remove_file(dir.join(path)).expect("a stale binding can be removed");
        } else {
            stale.push(format!("{} (no Rust type gives it)", path.display()));
        }
    }
    for (path, text) in &files {
        let file = dir.join(path);
        if rewrite {
            std::fs::create_dir_all(&dir).expect("the bindings folder can be created");
            std::fs::write(&file, text).expect("the binding can be written");
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "ui/src/lib/bindings is out of date for {stale:?}; \
         run `KYC_DESK_WRITE_BINDINGS=1 cargo test -p kyc-desk bindings` and commit the result"
    );
}

/// The names of the fields of the object type `name`, as its generated file declares them.
fn declared_fields(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(bindings_dir().join(format!("{name}.ts")))
        .expect("the binding exists");
    let body = text
        .split_once(&format!("export type {name} = {{"))
        .map(|(_, rest)| rest)
        .expect("an object type");
    let (mut depth, mut fields, mut token, mut in_comment) =
        (0i32, Vec::new(), String::new(), false);
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if in_comment {
            in_comment = !(c == '*' && chars.peek() == Some(&'/'));
            if !in_comment {
                chars.next();
            }
            continue;
        }
        match c {
            '/' if chars.peek() == Some(&'*') => in_comment = true,
            '{' | '<' | '(' | '[' => depth += 1,
            '}' | '>' | ')' | ']' if depth == 0 => break,
            '}' | '>' | ')' | ']' => depth -= 1,
            ':' if depth == 0 => {
                fields.push(token.trim().trim_matches('"').to_owned());
                token.clear();
            }
            ',' if depth == 0 => token.clear(),
            _ => token.push(c),
        }
    }
    fields
}

fn keys(value: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

fn sorted(mut fields: Vec<String>) -> Vec<String> {
    fields.sort();
    fields
}

#[test]
fn types_with_their_own_serde_are_declared_as_they_serialize() {
    use serde_json::{json, to_value};
    // The `ts(type = ...)` written by hand, against what their serde really writes.
    assert!(
        to_value(kyc::Timestamp::from_unix_seconds(1_700_000_000))
            .unwrap()
            .is_string()
    );
    for (score, number) in [
        (kyc::Score::Validated, 1),
        (kyc::Score::Refused, 0),
        (kyc::Score::Failed, -1),
    ] {
        assert_eq!(to_value(score).unwrap(), json!(number));
    }
    assert!(
        to_value(kyc::ReasonCode::parse("2301"))
            .unwrap()
            .is_string()
    );
    assert!(to_value(kyc::ReasonCode::parse("x9")).unwrap().is_string());
    assert!(
        to_value(kyc::LivenessStatus::parse("processed").unwrap())
            .unwrap()
            .is_string()
    );
    assert!(to_value(kyc::UserId::new(7).unwrap()).unwrap().is_u64());
    assert!(to_value(kyc::DocumentId::new(7).unwrap()).unwrap().is_u64());
    assert!(
        to_value(kyc::KycLevel::parse("2").unwrap())
            .unwrap()
            .is_i64()
    );
    assert!(
        to_value(kyc::KycReview::parse("1").unwrap())
            .unwrap()
            .is_i64()
    );
    assert!(
        to_value(kyc::UserType::parse("1").unwrap())
            .unwrap()
            .is_i64()
    );
    assert!(
        to_value(kyc::DocumentTypeId::parse("34").unwrap())
            .unwrap()
            .is_u64()
    );
    let cursor: cache::Cursor = serde_json::from_value(json!("opaque")).unwrap();
    assert_eq!(to_value(cursor).unwrap(), json!("opaque"));

    // Objects whose serde renames fields: every key they write is declared, and no other.
    let user: kyc::objects::User = serde_json::from_value(json!({
        "userId": 42, "userTypeId": 1, "firstname": "Zoé", "birthday": "1990-02-01",
        "createdDate": "2024-01-15 10:00:00"
    }))
    .unwrap();
    let user = to_value(&user).unwrap();
    assert!(user["birthday"].is_string() && user["createdDate"].is_string());
    assert_eq!(keys(&user), sorted(declared_fields("User")));
    let document: kyc::objects::Document = serde_json::from_value(json!({
        "documentId": 9, "userId": 42, "documentTypeId": 34, "createdDate": "2024-07-01 10:00:00"
    }))
    .unwrap();
    assert_eq!(
        keys(&to_value(&document).unwrap()),
        sorted(declared_fields("Document"))
    );
    let reason: kyc::Reason =
        serde_json::from_value(json!({"reason-code": "2301", "reason-message": "m"})).unwrap();
    assert_eq!(
        keys(&to_value(&reason).unwrap()),
        sorted(declared_fields("Reason"))
    );
}
