//! B11: the document viewer, from the click on View to the document visible in the window.
//!
//! The app runs in its demo mode (its own Treezor sandbox and relay on loopback) through the
//! end-to-end harness, under the X display the benchmark runs in. One customer is verified on the
//! sandbox's side; its identity document (a JPEG picture) and its synthesis (made a 20-page PDF)
//! reach the case in the window. Each is then opened 20 times: a script in the page clicks View
//! and notes the time; the viewer sets the `kyc-desk:document-shown` performance mark just before
//! the frame that first shows the document (the picture decoded and drawn, the PDF's first page
//! rendered by pdf.js); the figure is the time between the two, in the page's own clock, so the
//! WebDriver round trips are not counted. Each open fetches the document from the sandbox's file
//! host inside its URL window, checks it and audits the view, as an officer's click does. The
//! first open of a PDF also loads pdf.js and starts its worker: one open does not move the p50; the
//! slowest open printed beside includes it. A second mark, `kyc-desk:document-bytes`, set when
//! the bytes reach the page, splits the figure between the backend (fetch, check, audit, IPC) and
//! the page (decoding and drawing).

use std::path::Path;

use e2e::Desk;
use e2e::driver::Driver;
use serde_json::{Value, json};

use crate::desk::percentile;
use crate::figure::Figure;
use crate::window::app_under_x;

/// Opens of each document.
const OPENS: usize = 20;

/// The Escape key, as WebDriver sends it.
const ESCAPE: &str = "\u{E00C}";

pub fn run(wants: &dyn Fn(&str) -> bool) -> Vec<Figure> {
    if !wants("B11") {
        return Vec::new();
    }
    let Some(app) = app_under_x("B11") else {
        return Vec::new();
    };
    let runtime = crate::runtime();
    runtime.block_on(measure(&app))
}

async fn measure(app: &Path) -> Vec<Figure> {
    let desk = Desk::connect(Driver::start(&[("GTK_THEME", "Adwaita")]), app).await;
    let sandbox = DemoSandbox::of(&desk).await;
    let user = sandbox.verified_customer().await;
    let (picture, synthesis) = documents_in_the_case(&desk, user).await;
    sandbox
        .put(
            &format!("/sandbox/documents/{synthesis}/content"),
            json!({"kind": "pdf", "pages": 20}),
        )
        .await;
    let mut figures = Vec::new();
    for (document, what) in [(picture, "a JPEG picture"), (synthesis, "a 20-page PDF")] {
        let (mut shown, mut bytes) = (Vec::new(), Vec::new());
        for _ in 0..OPENS {
            let open = open_once(&desk, document).await;
            shown.push(open.shown);
            bytes.push(open.bytes);
        }
        let slowest = shown.iter().copied().fold(0.0, f64::max);
        let p50 = median(&mut shown);
        eprintln!(
            "B11: {what}: p50 {p50:.0} ms over {OPENS} opens (fastest {:.0} ms, slowest \
             {slowest:.0} ms); its bytes in the page at p50 {:.0} ms",
            shown[0],
            median(&mut bytes)
        );
        figures.push(Figure {
            id: "B11",
            figure: format!("viewer, click to {what} visible, p50 of {OPENS}"),
            value: p50,
            unit: "ms",
            target: "<= 500",
            meets_target: p50 <= 500.0,
        });
    }
    desk.close().await;
    figures
}

/// One open, in milliseconds from the click.
struct Open {
    /// To the document visible.
    shown: f64,
    /// To its bytes in the page (fetched, checked and audited by the backend).
    bytes: f64,
}

/// Clicks View for `document` from the page and waits for the viewer's marks; closes the viewer.
async fn open_once(desk: &Desk, document: u64) -> Open {
    let elapsed = desk
        .script_async_with(
            "const [css, done] = arguments;
             performance.clearMarks('kyc-desk:document-shown');
             performance.clearMarks('kyc-desk:document-bytes');
             const button = document.querySelector(css);
             if (!button) { done('no ' + css); return; }
             const clicked = performance.now();
             button.click();
             const until = clicked + 20000;
             (function poll() {
               const mark = performance.getEntriesByName('kyc-desk:document-shown')[0];
               const failed = document.querySelector('dialog.viewer[data-state=failed]');
               const bytes = performance.getEntriesByName('kyc-desk:document-bytes')[0];
               if (mark) done([mark.startTime - clicked, bytes.startTime - clicked]);
               else if (failed) done('the viewer failed: ' + failed.textContent);
               else if (performance.now() > until) done('no document shown after 20 s');
               else setTimeout(poll, 5);
             })();",
            vec![json!(format!("button[data-view=\"{document}\"]"))],
        )
        .await;
    let (Some(shown), Some(bytes)) = (elapsed[0].as_f64(), elapsed[1].as_f64()) else {
        panic!("B11: document {document}: {elapsed}");
    };
    desk.press(ESCAPE).await;
    desk.wait_for("the viewer to close", async |desk| {
        desk.find_all("dialog.viewer")
            .await
            .is_empty()
            .then_some(())
    })
    .await;
    Open { shown, bytes }
}

/// The p50 of `times`, which it sorts.
fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    percentile(times, 0.5)
}

/// Opens `user`'s case, has its documents retrieved into Treezor, and returns the identity
/// document's id and the synthesis's.
async fn documents_in_the_case(desk: &Desk, user: u64) -> (u64, u64) {
    desk.click("[data-screen=queue]").await;
    desk.fill("input[type=search]", &user.to_string()).await;
    let row = format!(".grid .row[data-user=\"{user}\"]");
    // The sync loop's changes reload the rows: the row is clicked from the page until the case
    // shows the retrieve action.
    let retrieve = "button[data-action=retrieve_documents]";
    desk.wait_for(
        "the case, validated, to offer the documents",
        async |desk| {
            if !desk.find_all(retrieve).await.is_empty() {
                return Some(());
            }
            desk.script_with(
                "document.querySelector(arguments[0])?.click();",
                vec![json!(row)],
            )
            .await;
            None
        },
    )
    .await;
    desk.click(retrieve).await;
    let mut ids = desk
        .wait_for("both documents in the case", async |desk| {
            let mut ids = Vec::new();
            for item in desk.find_all("li[data-document]").await {
                ids.push(item.attr("data-document").await.ok()??.parse().ok()?);
            }
            (ids.len() == 2).then_some(ids)
        })
        .await;
    desk.scroll_to(".documents").await;
    // The identity document is created first.
    ids.sort();
    (ids[0], ids[1])
}

/// The demo's sandbox, reached over HTTP at the address its banner shows.
struct DemoSandbox {
    base: String,
    http: reqwest::Client,
}

impl DemoSandbox {
    async fn of(desk: &Desk) -> DemoSandbox {
        let shown = desk
            .wait_for_text("[data-testid=sandbox-url]", "http://127.0.0.1:")
            .await;
        DemoSandbox {
            base: shown.trim().trim_end_matches("/sandbox/").to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// A person whose live verification the provider validated: its documents are ready.
    async fn verified_customer(&self) -> u64 {
        let user = self
            .post(
                "/sandbox/users",
                json!({"userTypeId": 1, "firstname": "Bench", "lastname": "Viewer",
                       "email": "bench.viewer@example.com", "birthday": "1990-04-12"}),
            )
            .await["userId"]
            .as_u64()
            .expect("the sandbox names the user");
        let started = self
            .post(&format!("/sandbox/users/{user}/kycliveness"), json!({}))
            .await;
        let id = started["id"].as_str().expect("the verification's id");
        self.post(
            &format!("/sandbox/identifications/{id}/finish"),
            json!({"outcome": "validated", "document": 17, "file": {"kind": "jpeg"}, "identity": {}}),
        )
        .await;
        user
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .and_then(|answer| answer.error_for_status())
            .unwrap_or_else(|e| panic!("B11: the sandbox refused {path}: {e}"))
            .json()
            .await
            .expect("the sandbox answers JSON")
    }

    async fn put(&self, path: &str, body: Value) {
        self.http
            .put(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .and_then(|answer| answer.error_for_status())
            .unwrap_or_else(|e| panic!("B11: the sandbox refused {path}: {e}"));
    }
}
