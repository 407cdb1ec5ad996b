//! The IPC boundary as the window meets it, through Tauri's own invoke path on its mock runtime,
//! with the app's real configuration and compiled capabilities (`generate_context!`) and the real
//! command list ([`crate::with_commands`]):
//!
//! - a command that no capability grants is refused before it runs: Tauri's plugin commands the
//!   window does not need, unknown commands, and our own commands invoked from a remote origin;
//! - the commands the window is granted reject bad arguments with a clear error: ids that are not
//!   positive, values of the wrong type or outside their enum, text over its bound.
//!
//! The desk behind them is a live-mode desk whose Treezor and relay are not reachable: every
//! command runs, none reaches the network.

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

use crate::state::DeskState;

struct Window {
    _app: App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    _home: tempfile::TempDir,
}

/// A dashboard window on the mock runtime, its desk in live mode with nothing to talk to.
fn window() -> Window {
    let home = tempfile::tempdir().unwrap();
    let paths = desk::settings::Paths::under(home.path());
    let settings = desk::settings::Settings {
        treezor: Some(desk::settings::TreezorSettings {
            environment: desk::settings::Environment::Sandbox,
            base_url: "http://127.0.0.1:9".into(),
            client_id: "ipc-checks".into(),
            scopes: Vec::new(),
            client_certificate: None,
            client_key: None,
            extra_ca: None,
        }),
        relay: Some(desk::settings::RelaySettings {
            url: "http://127.0.0.1:9".into(),
        }),
        download_dir: Some(home.path().join("downloads")),
        retention: Default::default(),
    };
    settings.save(&paths.settings_file).unwrap();
    let desk = tauri::async_runtime::block_on(desk::Desk::start(desk::StartOptions {
        paths,
        secrets: desk::secrets::SecretStore::memory(),
        officer: desk::officer::Officer::named("ipc.checks"),
        sync: Default::default(),
        demo: Default::default(),
    }))
    .expect("a live desk starts without its secrets");
    let app = crate::with_commands(mock_builder())
        .manage(DeskState::new(Ok(desk)))
        .build(tauri::generate_context!())
        .expect("the app builds on the mock runtime");
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Window {
        _app: app,
        webview,
        _home: home,
    }
}

impl Window {
    /// Invokes `command` as the window's script would, from `origin`.
    fn invoke_from(&self, origin: &str, command: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: command.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: origin.parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    fn invoke(&self, command: &str, args: Value) -> Result<Value, Value> {
        self.invoke_from("tauri://localhost", command, args)
    }
}

/// The text of a refusal, whatever its shape (Tauri's refusals are strings, ours `{code, message}`).
fn text(error: &Value) -> String {
    match error {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[test]
fn a_command_no_capability_grants_is_refused() {
    let window = window();
    assert!(
        window.invoke("reason_catalogue", json!({})).is_ok(),
        "a granted command runs"
    );
    for (command, args) in [
        (
            "plugin:notification|notify",
            json!({"options": {"title": "x"}}),
        ),
        ("plugin:notification|request_permission", json!({})),
        (
            "plugin:event|emit",
            json!({"event": "kyc://changed", "payload": null}),
        ),
        ("plugin:window|close", json!({})),
        ("plugin:webview|print", json!({})),
        ("plugin:app|version", json!({})),
        ("plugin:path|resolve_directory", json!({"directory": 1})),
        (
            "plugin:clipboard-manager|write_text",
            json!({"text": "anything"}),
        ),
        // The window once put any text on the clipboard through this command; it is gone.
        ("copy_text", json!({"text": "anything"})),
        ("not_a_command", json!({})),
    ] {
        let refused = window
            .invoke(command, args)
            .expect_err(&format!("{command} must be refused"));
        let said = text(&refused);
        assert!(
            said.contains("not allowed") || said.contains("not found"),
            "{command}: {said}"
        );
    }
}

#[test]
fn our_commands_are_refused_to_a_remote_origin() {
    let window = window();
    for origin in ["https://evil.example", "http://127.0.0.1:5173"] {
        for command in ["app_status", "reason_catalogue", "settings_view"] {
            let refused = window
                .invoke_from(origin, command, json!({}))
                .expect_err(&format!("{command} from {origin} must be refused"));
            assert!(
                text(&refused).contains("not allowed"),
                "{command} from {origin}: {refused}"
            );
        }
    }
}

/// The `{code, message}` of one of our own errors.
fn code(error: &Value) -> &str {
    error["code"].as_str().unwrap_or_default()
}

#[test]
fn granted_commands_reject_bad_arguments_clearly() {
    let window = window();
    assert!(window.invoke("app_status", json!({})).is_ok());

    // Ids that parse as numbers but are not ids: our own check, with our own error.
    for (command, args) in [
        ("case_file", json!({"user": 0})),
        ("case_notes", json!({"user": 0})),
        ("write_note", json!({"user": 0, "text": "called back"})),
        ("case_claim", json!({"user": 0})),
        ("queue_claims", json!({"users": [1, 0]})),
        ("claim_case", json!({"user": 0})),
        ("release_case", json!({"user": 0})),
        ("reassign_case", json!({"user": 0, "to": "Léa"})),
        ("retrieve_documents", json!({"user": 0})),
        (
            "request_review",
            json!({"user": 0, "confirmation": "confirmed"}),
        ),
        (
            "cancel_action",
            json!({"user": 0, "action": "start_verification"}),
        ),
        ("show_in_folder", json!({"user": 1, "document": 0})),
        ("view_document", json!({"user": 1, "document": 0})),
        ("identity_check", json!({"user": 0})),
        ("export_audit", json!({"user": 0, "format": "csv"})),
        (
            "copy_to_clipboard",
            json!({"what": {"kind": "customer_text", "user": 0, "language": "fr"}}),
        ),
        (
            "start_verification",
            json!({"user": 0, "redirectUrl": null, "confirmation": "unconfirmed"}),
        ),
    ] {
        let refused = window.invoke(command, args).unwrap_err();
        assert_eq!(code(&refused), "invalid_argument", "{command}: {refused}");
        assert!(
            refused["message"]
                .as_str()
                .unwrap()
                .contains("positive number"),
            "{command}: {refused}"
        );
    }

    // Values of the wrong type or outside an enum never reach the command: Tauri's deserializer
    // refuses them and names the argument.
    for (command, args, argument) in [
        ("case_file", json!({"user": -1}), "user"),
        ("case_file", json!({"user": "42"}), "user"),
        ("case_file", json!({"user": 1.5}), "user"),
        (
            "case_file",
            serde_json::from_str(r#"{"user": 18446744073709551616}"#).unwrap(),
            "user",
        ),
        ("case_file", json!({}), "user"),
        (
            "cancel_action",
            json!({"user": 1, "action": "delete_everything"}),
            "action",
        ),
        (
            "request_review",
            json!({"user": 1, "confirmation": "yes"}),
            "confirmation",
        ),
        (
            "export_audit",
            json!({"user": null, "format": "exe"}),
            "format",
        ),
        ("decode_redirect", json!({"url": 42}), "url"),
        // What to copy is named, never given as text.
        (
            "copy_to_clipboard",
            json!({"what": {"kind": "customer_text", "user": 1, "language": "en", "text": "You are suspected of fraud"}}),
            "what",
        ),
        (
            "copy_to_clipboard",
            json!({"what": {"kind": "text", "text": "anything"}}),
            "what",
        ),
        (
            "queue_page",
            json!({"query": {"sort": "drop table"}}),
            "query",
        ),
    ] {
        let refused = window.invoke(command, args).unwrap_err();
        let said = text(&refused);
        assert!(said.contains(argument), "{command}: {said}");
    }

    // Text over its bound: a clear refusal, not a long parse.
    let long = format!("https://acme.example/back?id={}", "x".repeat(5000));
    let refused = window
        .invoke("decode_redirect", json!({"url": long}))
        .unwrap_err();
    assert_eq!(code(&refused), "invalid_argument", "{refused}");
    let refused = window
        .invoke("decode_redirect", json!({"url": "not a url at all"}))
        .unwrap_err();
    assert_eq!(code(&refused), "invalid_argument", "{refused}");

    // A note that is empty, too long or carries terminal escapes is refused before the hub.
    for text in [" ".to_owned(), "x".repeat(4001), "a\u{1b}[31mb".to_owned()] {
        let refused = window
            .invoke("write_note", json!({"user": 1, "text": text}))
            .unwrap_err();
        assert_eq!(code(&refused), "invalid_argument", "{refused}");
    }

    // A redirect URL the desk will not hand to Treezor: plain http to another host.
    let refused = window
        .invoke(
            "start_verification",
            json!({"user": 1, "redirectUrl": "http://evil.example/x", "confirmation": "unconfirmed"}),
        )
        .unwrap_err();
    assert_eq!(code(&refused), "invalid_redirect_url", "{refused}");
}
