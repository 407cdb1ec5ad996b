//! Keeps the UI's TypeScript types (`ui/src/lib/bindings/`) in step with the Rust types that cross
//! the IPC boundary. The test fails when a committed file differs from what the Rust types give;
//! `KYC_DESK_WRITE_BINDINGS=1 cargo test -p kyc-desk bindings` rewrites them.

use std::path::{Path, PathBuf};

use ts_rs::{Config, TS};

/// One generated file: where it goes (relative to the bindings folder) and what it holds.
struct Binding {
    path: PathBuf,
    text: String,
}

fn binding<T: TS + 'static>(cfg: &Config) -> Binding {
    Binding {
        path: T::output_path().expect("an exported type has an output path"),
        text: T::export_to_string(cfg).expect("the type renders as TypeScript"),
    }
}

/// Every type the UI receives or sends, with what it refers to.
fn bindings() -> Vec<Binding> {
    let cfg = Config::new();
    vec![
        binding::<kyc::CatalogueEntry>(&cfg),
        binding::<kyc::Family>(&cfg),
        binding::<crate::IpcError>(&cfg),
        binding::<crate::ErrorCode>(&cfg),
        binding::<crate::error::ErrorDetail>(&cfg),
        binding::<desk::error::ChildWithoutDocuments>(&cfg),
        binding::<kyc::UserId>(&cfg),
    ]
}

fn bindings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings")
}

#[test]
fn the_ui_types_match_the_rust_types() {
    let dir = bindings_dir();
    let rewrite = std::env::var_os("KYC_DESK_WRITE_BINDINGS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for Binding { path, text } in bindings() {
        let file = dir.join(&path);
        if rewrite {
            std::fs::create_dir_all(&dir).expect("the bindings folder can be created");
            std::fs::write(&file, &text).expect("the binding can be written");
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
