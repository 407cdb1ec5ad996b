//! Checks of what the shell grants and loads, read from the files Tauri itself compiles
//! (`tauri.conf.json`, `src-tauri/capabilities/`, `src-tauri/permissions/`) and from the list of
//! registered commands in `lib.rs`:
//!
//! - the content security policy allows no inline or evaluated script, no inline style, and no
//!   origin but the app's own and Tauri's IPC;
//! - nothing in the configuration points to a remote URL (the dev server is on loopback), the
//!   shell's code never builds an external webview URL or navigates, and every window has the
//!   navigation guard (`navigation.rs`, whose own tests prove its rule);
//! - the window's capability grants our own permissions and the two event permissions, nothing
//!   else, to the main window only, and never to a remote origin;
//! - every registered command has exactly one permission, and every permission names registered
//!   commands only.
//!
//! `ipc_checks` proves the same from the other side, by invoking commands through Tauri's IPC.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn config() -> Value {
    serde_json::from_str(&read(&root().join("tauri.conf.json"))).unwrap()
}

/// The sources a directive may name: the app's own files, inline images as data, and the IPC
/// endpoints Tauri's own script calls (`ipc:` on Linux and macOS, `http://ipc.localhost`
/// elsewhere).
const ALLOWED_SOURCES: [&str; 5] = ["'self'", "'none'", "data:", "ipc:", "http://ipc.localhost"];

fn csp_directives(csp: &Value) -> BTreeMap<String, Vec<String>> {
    let words = |text: &str| text.split_whitespace().map(str::to_owned).collect();
    match csp {
        Value::Object(map) => map
            .iter()
            .map(|(name, value)| {
                let sources = match value {
                    Value::String(text) => words(text),
                    Value::Array(list) => list
                        .iter()
                        .map(|v| v.as_str().expect("a CSP source is text").to_owned())
                        .collect(),
                    other => panic!("the CSP directive {name} is {other}"),
                };
                (name.clone(), sources)
            })
            .collect(),
        Value::String(text) => text
            .split(';')
            .filter_map(|directive| {
                let mut parts = directive.split_whitespace();
                let name = parts.next()?.to_owned();
                Some((name, parts.map(str::to_owned).collect()))
            })
            .collect(),
        other => panic!("the CSP is {other}"),
    }
}

#[test]
fn the_csp_allows_no_inline_or_eval_and_no_other_origin() {
    let config = config();
    let security = &config["app"]["security"];
    for key in ["csp", "devCsp"] {
        let Some(csp) = security.get(key).filter(|v| !v.is_null()) else {
            assert_eq!(key, "devCsp", "the app has a CSP");
            continue;
        };
        let directives = csp_directives(csp);
        for required in [
            "default-src",
            "script-src",
            "style-src",
            "object-src",
            "base-uri",
        ] {
            assert!(directives.contains_key(required), "{key} sets {required}");
        }
        assert_eq!(directives["object-src"], ["'none'"], "{key}: no plugins");
        for (name, sources) in &directives {
            for source in sources {
                let lower = source.to_ascii_lowercase();
                assert!(!lower.contains("unsafe-"), "{key} {name} allows {source}");
                assert!(
                    ALLOWED_SOURCES.contains(&lower.as_str()),
                    "{key} {name} names {source}, which is neither the app nor Tauri's IPC"
                );
            }
        }
    }
    // Tauri adds hashes of the app's own scripts and styles to this CSP, unless told not to.
    for flag in [
        "dangerousDisableAssetCspModification",
        "dangerousRemoteDomainIpcAccess",
    ] {
        assert!(
            security.get(flag).is_none_or(|v| v == &Value::Bool(false)),
            "{flag} is set"
        );
    }
    assert_eq!(security["freezePrototype"], true);
    assert_eq!(config["app"]["withGlobalTauri"], false);
}

/// Every text value in the configuration, with its JSON path.
fn strings(value: &Value, path: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(text) => out.push((path, text.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                strings(item, format!("{path}.{key}"), out);
            }
        }
        _ => {}
    }
}

fn is_loopback_url(text: &str) -> bool {
    let Some((_, rest)) = text.split_once("://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
    matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "ipc.localhost")
}

#[test]
fn the_configuration_points_to_no_remote_url() {
    let config = config();
    let mut found = Vec::new();
    strings(&config, String::new(), &mut found);
    for (path, text) in &found {
        if text.contains("://") {
            assert!(
                is_loopback_url(text),
                "{path} = {text} is a remote URL; the app loads only its own files"
            );
        }
    }
    assert!(is_loopback_url(config["build"]["devUrl"].as_str().unwrap()));
    let dist = config["build"]["frontendDist"].as_str().unwrap();
    assert!(!dist.contains("://"), "the UI is served from {dist}");
    for window in config["app"]["windows"].as_array().unwrap() {
        if let Some(url) = window.get("url").and_then(Value::as_str) {
            assert!(
                !url.contains("://"),
                "window {} loads {url}",
                window["label"]
            );
        }
    }
    assert!(
        config
            .get("plugins")
            .is_none_or(|p| p.get("updater").is_none()),
        "no updater fetching from a server"
    );
}

/// The shell's own code: every `.rs` file under `src-tauri/src`, without this one.
fn shell_sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("config_checks.rs")
            {
                out.push((path.clone(), read(&path)));
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("src-tauri/src"), &mut out);
    out
}

#[test]
fn the_shell_never_loads_or_navigates_to_another_url() {
    for (path, source) in shell_sources() {
        for forbidden in [
            "WebviewUrl::External",
            "WebviewUrl::CustomProtocol",
            ".navigate(",
            "eval(",
            "open_url(",
            "open_path(",
        ] {
            assert!(
                !source.contains(forbidden),
                "{} uses {forbidden}",
                path.display()
            );
        }
        // Navigation is decided in one place: the guard.
        assert!(
            path.ends_with("navigation.rs") || !source.contains("on_navigation"),
            "{} decides navigations; only navigation.rs does",
            path.display()
        );
    }
    // The main window is built by the shell, which refuses new windows; the configuration only
    // describes it.
    for window in config()["app"]["windows"].as_array().unwrap() {
        assert_eq!(
            window["create"], false,
            "window {} is built by navigation::open_main_window",
            window["label"]
        );
    }
    let lib = read(&root().join("src-tauri/src/lib.rs"));
    assert!(lib.contains("navigation::open_main_window(app)?"));
    let plugins = &lib[lib
        .find("builder\n")
        .expect("with_commands starts from the builder")..];
    assert!(
        plugins
            .trim_start_matches("builder\n")
            .trim_start()
            .starts_with(".plugin(navigation::guard())"),
        "the navigation guard is the first plugin of every window"
    );
}

/// `identifier → commands it allows`, from every file in `src-tauri/permissions/`.
fn permissions() -> BTreeMap<String, BTreeSet<String>> {
    let mut all = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("src-tauri/permissions")).unwrap() {
        let path = entry.unwrap().path();
        let file: toml::Value = toml::from_str(&read(&path)).unwrap();
        for permission in file["permission"].as_array().unwrap() {
            let identifier = permission["identifier"].as_str().unwrap().to_owned();
            let commands = &permission["commands"];
            assert!(
                commands.get("deny").is_none(),
                "{identifier}: a permission here only allows"
            );
            assert!(permission.get("scope").is_none(), "{identifier}: no scopes");
            let allowed: BTreeSet<String> = commands["allow"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_owned())
                .collect();
            assert!(
                all.insert(identifier.clone(), allowed).is_none(),
                "{identifier} is declared twice"
            );
        }
    }
    all
}

/// The commands `lib.rs` hands to `generate_handler!`, by name.
pub(crate) fn registered_commands() -> BTreeSet<String> {
    let lib = read(&root().join("src-tauri/src/lib.rs"));
    let start = lib
        .find("generate_handler![")
        .expect("lib.rs registers commands")
        + 18;
    let end = start + lib[start..].find(']').unwrap();
    lib[start..end]
        .split(',')
        .map(str::trim)
        .filter(|path| !path.is_empty())
        .map(|path| path.rsplit("::").next().unwrap().to_owned())
        .collect()
}

/// Tauri's own permissions the window may hold: listening to the events the shell emits.
const CORE_GRANTS: [&str; 2] = ["core:event:allow-listen", "core:event:allow-unlisten"];

#[test]
fn capabilities_grant_our_commands_and_event_listening_only_to_the_main_window() {
    let ours = permissions();
    let mut granted = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("src-tauri/capabilities")).unwrap() {
        let path = entry.unwrap().path();
        let capability: Value = serde_json::from_str(&read(&path)).unwrap();
        let name = path.display();
        assert!(
            capability.get("remote").is_none(),
            "{name} opens IPC to a remote origin"
        );
        assert_eq!(capability["windows"], serde_json::json!(["main"]), "{name}");
        assert!(capability.get("webviews").is_none(), "{name}");
        assert!(
            capability.get("platforms").is_none(),
            "{name}: the same grants everywhere"
        );
        for permission in capability["permissions"].as_array().unwrap() {
            let identifier = permission
                .as_str()
                .unwrap_or_else(|| panic!("{name}: {permission} has a scope; none is needed"));
            assert!(
                ours.contains_key(identifier) || CORE_GRANTS.contains(&identifier),
                "{name} grants {identifier}, which is neither one of ours nor event listening"
            );
            granted.insert(identifier.to_owned());
        }
    }
    for identifier in ours.keys() {
        assert!(
            granted.contains(identifier),
            "{identifier} is declared but no capability grants it"
        );
    }
}

#[test]
fn every_command_has_a_permission_and_every_permission_a_command() {
    let registered = registered_commands();
    let mut owner: BTreeMap<String, String> = BTreeMap::new();
    for (identifier, commands) in permissions() {
        for command in commands {
            assert!(
                registered.contains(&command),
                "{identifier} allows {command}, which lib.rs does not register"
            );
            if let Some(other) = owner.insert(command.clone(), identifier.clone()) {
                panic!("{command} is allowed by both {other} and {identifier}");
            }
        }
    }
    for command in &registered {
        assert!(
            owner.contains_key(command),
            "{command} is registered but no permission allows it: the window could never call it"
        );
    }
}
