//! A WebDriver session on the KYC Desk window, with the few things the tests do in it: wait for
//! what the page shows, read its visible text, and keep a screenshot.
//!
//! Waits are bounded polls on the page itself, never fixed sleeps: a test goes on as soon as the
//! page is in the state it needs, and fails with what the page showed instead when it never is.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Map, Value, json};

use crate::driver::Driver;
use crate::workspace_root;

/// How long the window may take to show what a test waits for (a cold WebKit start under Xvfb on
/// a loaded two-core machine takes a few seconds).
const PATIENCE: Duration = Duration::from_secs(30);
/// How long the app may take to open its window and give WebDriver a session, however loaded
/// the machine (it takes seconds).
const SESSION_START: Duration = Duration::from_secs(120);
const POLL_EVERY: Duration = Duration::from_millis(100);

/// The service name the app keeps its keychain entries under.
const KEYCHAIN_SERVICE: &str = "eu.kycdesk.app";

/// The colour scheme the app's window is asked for, through the GTK theme it inherits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    fn gtk_theme(self) -> &'static str {
        match self {
            Theme::Light => "Adwaita",
            Theme::Dark => "Adwaita:dark",
        }
    }
}

/// The KYC Desk window, open and driven through WebDriver.
pub struct Desk {
    client: Client,
    // Dropped after the session: it ends tauri-driver, WebKitWebDriver and the app.
    driver: Driver,
}

impl Desk {
    /// Starts the app in a new window, with the given colour scheme.
    pub async fn open(theme: Theme) -> Desk {
        Desk::open_with(theme, &[]).await
    }

    /// Starts the app in a new window, with the given colour scheme and `env` added to its
    /// environment.
    pub async fn open_with(theme: Theme, env: &[(&str, &str)]) -> Desk {
        let mut env = env.to_vec();
        env.push(("GTK_THEME", theme.gtk_theme()));
        Desk::connect(Driver::start(&env), &app_binary()).await
    }

    /// Starts the app in a new window once `prepare` has written what it needs into the app's
    /// `KYC_DESK_HOME` (a settings file, say).
    pub async fn open_prepared(theme: Theme, prepare: impl FnOnce(&Path)) -> Desk {
        Desk::open_set_up(theme, prepare, &[]).await
    }

    /// Starts the app in a new window once `prepare` has written what it needs into the app's
    /// `KYC_DESK_HOME` and each `(entry, value)` of `keychain` is saved in its keychain under the
    /// app's service name: a desk set up before its first start, as the settings screen leaves it.
    pub async fn open_set_up(
        theme: Theme,
        prepare: impl FnOnce(&Path),
        keychain: &[(&str, &str)],
    ) -> Desk {
        let driver = Driver::start(&[("GTK_THEME", theme.gtk_theme())]);
        let home = driver.app_home();
        std::fs::create_dir_all(&home).expect("the app's home can be prepared");
        prepare(&home);
        for (entry, value) in keychain {
            driver.save_keychain_entry(KEYCHAIN_SERVICE, entry, value);
        }
        Desk::connect(driver, &app_binary()).await
    }

    /// Starts `app` in a new window on a driver already running, whose folders the caller may
    /// have prepared (settings, a cache) before the app starts.
    pub async fn connect(driver: Driver, app: &Path) -> Desk {
        let mut capabilities = Map::new();
        capabilities.insert("browserName".into(), json!("wry"));
        capabilities.insert(
            "tauri:options".into(),
            json!({ "application": driver.launcher(app) }),
        );
        let mut builder = ClientBuilder::new(HttpConnector::new());
        builder.capabilities(capabilities);
        let url = driver.url();
        let session = builder.connect(&url);
        // WebKitWebDriver waits for an app that never opens its window (one that died at start)
        // without answering: bound the wait, so such a start fails with the app's own output
        // instead of holding the whole run.
        let client = tokio::time::timeout(SESSION_START, session)
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "no WebDriver session on {} after {SESSION_START:?}: the app did not open its \
                     window. Its output:\n{}",
                    app.display(),
                    driver.output()
                )
            })
            .unwrap_or_else(|error| {
                panic!(
                    "no WebDriver session on {}: {error} ({})",
                    app.display(),
                    driver.state()
                )
            });
        Desk { client, driver }
    }

    /// Panics for a WebDriver command that failed, saying what was being done, the error, and
    /// what is left of the session: whether the app ended and how, whether the drivers still
    /// listen (the output of all three follows, printed as the [`Driver`] goes).
    fn broke(&self, doing: &str, error: impl std::fmt::Debug) -> ! {
        panic!("{doing} failed: {error:?}; {}", self.driver.state())
    }

    /// Polls `probe` until it gives a value, and returns it. Panics after [`PATIENCE`], naming
    /// `what` and quoting the page's text.
    pub async fn wait_for<T>(
        &self,
        what: &str,
        mut probe: impl AsyncFnMut(&Desk) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(value) = probe(self).await {
                return value;
            }
            // A probe reads an error as "not yet": an app that has gone would be waited for in
            // vain, and end as a timeout that says nothing of it.
            if let Some(how) = self.driver.app_ended() {
                panic!(
                    "the app ended ({how}) while the test waited for {what}; its output and the \
                     drivers' follow"
                );
            }
            if Instant::now() >= deadline {
                let url = self.client.current_url().await.map(|u| u.to_string());
                let body = self.text_of("body").await;
                let shot = self.failure_screenshot().await;
                panic!(
                    "waited {PATIENCE:?} for {what}; the window shows {url:?} with text {body:?} \
                     (screenshot: {shot}; {}). An empty page usually means the app was built \
                     without --features custom-protocol.",
                    self.driver.state()
                );
            }
            tokio::time::sleep(POLL_EVERY).await;
        }
    }

    /// The first element matching `css`, once there is one.
    pub async fn element(&self, css: &str) -> Element {
        self.wait_for(&format!("an element matching {css}"), async |desk| {
            desk.client.find(Locator::Css(css)).await.ok()
        })
        .await
    }

    /// Clicks the first element matching `css`, once there is one. An element replaced between
    /// being found and clicked (the queue re-renders as the sync loop brings cases) is found again.
    pub async fn click(&self, css: &str) {
        self.wait_for(&format!("a click on {css}"), async |desk| {
            let element = desk.client.find(Locator::Css(css)).await.ok()?;
            match element.click().await {
                Ok(()) => Some(()),
                Err(error) if error.is_stale_element_reference() => None,
                Err(error) => desk.broke(&format!("a click on {css}"), error),
            }
        })
        .await
    }

    /// Clicks the first `button` (or link) whose visible text contains `text`. A button replaced
    /// between being found and clicked is found again, as in [`Desk::click`].
    pub async fn click_button(&self, text: &str) {
        self.wait_for(
            &format!("a click on a button saying {text:?}"),
            async |desk| {
                for button in desk.find_all("button").await {
                    let shown = button.is_displayed().await.unwrap_or(false);
                    if shown && button.text().await.is_ok_and(|t| t.contains(text)) {
                        return match button.click().await {
                            Ok(()) => Some(()),
                            Err(error) if error.is_stale_element_reference() => None,
                            Err(error) => {
                                desk.broke(&format!("a click on the button {text:?}"), error)
                            }
                        };
                    }
                }
                None
            },
        )
        .await;
    }

    /// Replaces the value of the first field matching `css` with `text`, typed as keys.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.element(css).await;
        element
            .clear()
            .await
            .unwrap_or_else(|error| self.broke(&format!("clearing {css}"), error));
        element
            .send_keys(text)
            .await
            .unwrap_or_else(|error| self.broke(&format!("typing into {css}"), error));
    }

    /// Sends keys to whatever has the focus (WebDriver key codes, e.g. `\u{E015}` for ↓).
    pub async fn press(&self, keys: &str) {
        let focused = self
            .client
            .active_element()
            .await
            .unwrap_or_else(|error| self.broke("finding the focused element", error));
        focused
            .send_keys(keys)
            .await
            .unwrap_or_else(|error| self.broke(&format!("pressing {keys:?}"), error));
    }

    /// Waits until the first element matching `css` shows text containing `wanted`, and returns
    /// its whole text.
    pub async fn wait_for_text(&self, css: &str, wanted: &str) -> String {
        self.wait_for(&format!("{css} to show {wanted:?}"), async |desk| {
            desk.text_of(css).await.filter(|text| text.contains(wanted))
        })
        .await
    }

    /// The value of `attribute` on the first element matching `css`, if both exist.
    pub async fn attribute(&self, css: &str, attribute: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(css)).await.ok()?;
        element.attr(attribute).await.ok().flatten()
    }

    /// The app's `KYC_DESK_HOME`, where its downloads and settings are.
    pub fn app_home(&self) -> PathBuf {
        self.driver.app_home()
    }

    /// The folder that holds everything the app and its session write: its XDG data, config and
    /// cache folders, its `KYC_DESK_HOME`, its `TMPDIR`, the keyring's files and the output.
    pub fn session_home(&self) -> PathBuf {
        self.driver.home().to_path_buf()
    }

    /// What the app's keychain holds for `username` under the app's service name.
    pub fn keychain_entry(&self, username: &str) -> Option<String> {
        self.driver.keychain_entry(KEYCHAIN_SERVICE, username)
    }

    /// The visible text of the first element matching `css`, if there is one.
    pub async fn text_of(&self, css: &str) -> Option<String> {
        let element = self.client.find(Locator::Css(css)).await.ok()?;
        element.text().await.ok()
    }

    /// The visible text of each cell (`th` or `td`) of each row matching `rows_css`.
    pub async fn rows(&self, rows_css: &str) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for row in self.find_all(rows_css).await {
            let mut cells = Vec::new();
            for cell in row
                .find_all(Locator::Css("th, td"))
                .await
                .unwrap_or_else(|error| {
                    self.broke(&format!("listing the cells of {rows_css}"), error)
                })
            {
                let text = cell.text().await;
                cells.push(text.unwrap_or_else(|error| self.broke("reading a cell", error)));
            }
            rows.push(cells);
        }
        rows
    }

    /// Every element matching `css`, in document order.
    pub async fn find_all(&self, css: &str) -> Vec<fantoccini::elements::Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|error| self.broke(&format!("looking for {css}"), error))
    }

    /// The result of a script run in the page (`return …;`).
    pub async fn script(&self, source: &str) -> Value {
        self.client
            .execute(source, Vec::new())
            .await
            .unwrap_or_else(|error| self.broke(&format!("running {source:?} in the page"), error))
    }

    /// The result of a script run in the page with `args` (`arguments[0]`, …).
    pub async fn script_with(&self, source: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(source, args)
            .await
            .unwrap_or_else(|error| self.broke(&format!("running {source:?} in the page"), error))
    }

    /// The result of an asynchronous script run in the page with `args` (`arguments[0]`, …): it
    /// ends by calling `arguments[arguments.length - 1]` with its result.
    pub async fn script_async_with(&self, source: &str, args: Vec<Value>) -> Value {
        self.client
            .execute_async(source, args)
            .await
            .unwrap_or_else(|error| self.broke(&format!("running {source:?} in the page"), error))
    }

    /// Scrolls the page until the first element matching `css` is at the top of the window.
    pub async fn scroll_to(&self, css: &str) {
        let found = self
            .client
            .execute(
                "const element = document.querySelector(arguments[0]);
                 if (element) element.scrollIntoView({ block: 'start' });
                 // scrollIntoView scrolls every ancestor, the page itself too, which the app's
                 // layout never does: that left the status bar mid-window in screenshots.
                 document.scrollingElement.scrollTop = 0;
                 return element !== null;",
                vec![json!(css)],
            )
            .await
            .unwrap_or_else(|error| self.broke(&format!("scrolling to {css}"), error));
        assert_eq!(found, true, "nothing matches {css} to scroll to");
    }

    /// The window's title.
    pub async fn title(&self) -> String {
        self.client
            .title()
            .await
            .unwrap_or_else(|error| self.broke("reading the window's title", error))
    }

    /// Saves what the window shows as `artifacts/screenshots/<name>.png`, and returns the path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        self.painted().await;
        let png = self
            .client
            .screenshot()
            .await
            .unwrap_or_else(|error| self.broke(&format!("a screenshot of {name}"), error));
        let folder = workspace_root().join("artifacts/screenshots");
        std::fs::create_dir_all(&folder).expect("artifacts/screenshots can be created");
        let path = folder.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("the screenshot can be written");
        path
    }

    /// Keeps what the window showed when a wait failed, under a name of its own; says where.
    async fn failure_screenshot(&self) -> String {
        let Ok(png) = self.client.screenshot().await else {
            return "none could be taken".to_owned();
        };
        let folder = workspace_root().join("artifacts/screenshots");
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let path = folder.join(format!("failed-{stamp}.png"));
        match std::fs::create_dir_all(&folder).and_then(|()| std::fs::write(&path, png)) {
            Ok(()) => path.display().to_string(),
            Err(e) => format!("not saved: {e}"),
        }
    }

    /// Returns once the page has painted what the DOM holds now. WebKit's screenshots copy the
    /// last painted frame, so without this one taken right after a change can show the page as it
    /// was before it (seen: a "Loading" frame after the table was in the DOM, and a scrolled page
    /// shown unscrolled). Two animation frames: the next one runs before the paint, the one after
    /// it once the paint is done.
    async fn painted(&self) {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
                Vec::new(),
            )
            .await
            .unwrap_or_else(|error| self.broke("waiting for the page to paint", error));
    }

    /// Ends the WebDriver session, which closes the window, then stops the drivers.
    pub async fn close(self) {
        drop(self.close_keeping_files().await);
    }

    /// Ends the WebDriver session, which closes the window, and hands back the drivers with the
    /// app's files and output, to look at before they go (when the [`Driver`] is dropped).
    pub async fn close_keeping_files(self) -> Driver {
        if let Err(error) = self.client.clone().close().await {
            self.broke("closing the WebDriver session", error);
        }
        self.driver
    }

    /// Everything the drivers and the app wrote to their output so far (the app's logs).
    pub fn output(&self) -> String {
        self.driver.output()
    }

    /// The app's process id.
    pub fn app_pid(&self) -> u32 {
        self.driver
            .app_pid()
            .expect("the launcher wrote the app's process id before the session opened")
    }
}

/// The app binary under test: `KYC_DESK_BIN`, or the debug build in cargo's target folder.
fn app_binary() -> PathBuf {
    let path = std::env::var_os("KYC_DESK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| workspace_root().join("target"))
                .join("debug/kyc-desk")
        });
    assert!(
        path.is_file(),
        "no app binary at {}: build it with `cargo build -p kyc-desk --features custom-protocol` \
         (scripts/test does) or point KYC_DESK_BIN at one",
        path.display()
    );
    path
}
