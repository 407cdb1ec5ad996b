//! The window never leaves the app's own pages.
//!
//! Script in the page (a bug, a malicious dependency, injected content) could set `location`,
//! follow a link, or `window.open` another origin: the app's pages would be gone, or a second
//! window would load the other origin, and the request would carry whatever the script put in the
//! URL. The content security policy cannot stop a top-level navigation or a new window, so the
//! shell does:
//! - every navigation of every webview goes through [`guard`], which lets it happen only to the
//!   app's own origin ([`is_own`]);
//! - the main window is built by [`open_main_window`] (`tauri.conf.json` describes it with
//!   `"create": false`), which refuses every new window a page asks for.
//!
//! Each refusal is logged with the origin alone: the path and query are what such a script would
//! try to send out.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::webview::NewWindowResponse;
use tauri::{Manager, Runtime, Url, WebviewWindow, WebviewWindowBuilder};

/// The plugin that refuses every navigation off the app's own origin.
pub fn guard<R: Runtime>() -> TauriPlugin<R> {
    Builder::new("navigation-guard")
        .on_navigation(|webview, url| {
            let dev_url = tauri::is_dev()
                .then(|| webview.app_handle().config().build.dev_url.clone())
                .flatten();
            let allowed = is_own(url, dev_url.as_ref());
            if !allowed {
                tracing::warn!(
                    origin = %url.origin().ascii_serialization(),
                    "the window was kept from navigating away from KYC Desk's own pages"
                );
            }
            allowed
        })
        .build()
}

/// Builds the main window as `tauri.conf.json` describes it, refusing every new window its pages
/// ask for (`window.open`, links with a target).
pub fn open_main_window<R: Runtime, M: Manager<R>>(app: &M) -> tauri::Result<WebviewWindow<R>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == "main")
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    WebviewWindowBuilder::from_config(app, &config)?
        .on_new_window(|url, _| {
            tracing::warn!(
                origin = %url.origin().ascii_serialization(),
                "the window was kept from opening another window"
            );
            NewWindowResponse::Deny
        })
        // Steps of the start's timeline (see `Desk::start`), which B7 prints.
        .on_page_load(|_, payload| {
            tracing::debug!(event = ?payload.event(), "start: the page's load");
        })
        .build()
}

/// Whether `url` is one of the app's own pages: Tauri's protocol for the bundled UI
/// (`tauri://localhost` on Linux and macOS, `http(s)://tauri.localhost` on Windows and Android),
/// or, in a development build only, the dev server's origin (`dev_url`).
pub fn is_own(url: &Url, dev_url: Option<&Url>) -> bool {
    let bundled = match url.scheme() {
        "tauri" => url.host_str() == Some("localhost") && url.port().is_none(),
        "http" | "https" => url.host_str() == Some("tauri.localhost") && url.port().is_none(),
        _ => false,
    };
    bundled || dev_url.is_some_and(|dev| dev.origin() == url.origin())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        text.parse().unwrap()
    }

    #[test]
    fn only_the_apps_own_pages_are_reached() {
        for own in [
            "tauri://localhost",
            "tauri://localhost/",
            "tauri://localhost/index.html#/settings",
            "http://tauri.localhost/",
            "https://tauri.localhost/assets/app.js",
        ] {
            assert!(is_own(&url(own), None), "{own}");
        }
        for away in [
            "https://evil.example/",
            "http://127.0.0.1:4100/sandbox/",
            "tauri://localhost.evil.example/",
            "tauri://evil.example/",
            "tauri://localhost:8080/",
            "http://tauri.localhost.evil.example/",
            "http://tauri.localhost:8080/",
            "https://localhost/",
            "http://localhost:5173/",
            "about:blank",
            "data:text/html,<h1>hi</h1>",
            "file:///etc/passwd",
            "blob:tauri://localhost/0b6f",
            "javascript:alert(1)",
        ] {
            assert!(!is_own(&url(away), None), "{away} must be refused");
        }
    }

    #[test]
    fn the_dev_server_is_the_apps_own_only_in_a_development_build() {
        let dev = url("http://localhost:5173");
        assert!(is_own(
            &url("http://localhost:5173/src/main.ts"),
            Some(&dev)
        ));
        assert!(!is_own(&url("http://localhost:5174/"), Some(&dev)));
        assert!(!is_own(&url("http://localhost:5173/"), None));
    }
}
