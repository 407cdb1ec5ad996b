//! The other side of the demo: the embedded Treezor sandbox, reached over plain HTTP as a tester
//! would. A test creates its own users there (so it knows exactly who it works on) and plays the
//! customer on the hosted verification page by sending the form that page holds, as a browser
//! would on a click.

use e2e::Desk;
use serde_json::{Value, json};

/// The sandbox the app under test runs on, found in the window's demo banner.
pub struct Sandbox {
    base: String,
    http: reqwest::Client,
}

/// How the customer ends the verification on the hosted page, as its buttons say.
pub enum Finish<'r> {
    Validated,
    Refused { reasons: &'r [u16] },
}

impl Sandbox {
    pub async fn of(desk: &Desk) -> Sandbox {
        let shown = desk
            .wait_for_text("[data-testid=sandbox-url]", "http://127.0.0.1:")
            .await;
        let base = shown
            .trim()
            .strip_suffix("/sandbox/")
            .unwrap_or_else(|| panic!("the banner shows the sandbox as {shown:?}"));
        Sandbox::at(base)
    }

    /// The sandbox at `base` (a team's hub's Treezor, say).
    pub fn at(base: &str) -> Sandbox {
        let http = reqwest::Client::builder()
            // The hosted page sends the customer on to the bank's redirect URL: stop there.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Sandbox {
            base: base.trim_end_matches('/').to_owned(),
            http,
        }
    }

    /// Creates a person through the control endpoint; Treezor's `user.create` webhook follows.
    pub async fn person(&self, firstname: &str, lastname: &str, birthday: Option<&str>) -> u64 {
        let mut body = json!({
            "userTypeId": 1,
            "firstname": firstname,
            "lastname": lastname,
            "email": format!("{}.{}@example.com", firstname.to_lowercase(), lastname.to_lowercase()),
        });
        if let Some(birthday) = birthday {
            body["birthday"] = json!(birthday);
        }
        self.create(body).await
    }

    /// Creates a business (a legal entity) through the control endpoint.
    pub async fn business(&self, legal_name: &str) -> u64 {
        self.create(json!({
            "userTypeId": 2,
            "legalName": legal_name,
            "legalForm": "SAS",
            "email": "contact@business.example",
        }))
        .await
    }

    /// Creates a person who is `role` (`leader`, `shareholder`, `employee`) of `parent`.
    pub async fn child(&self, parent: u64, firstname: &str, lastname: &str, role: &str) -> u64 {
        self.create(json!({
            "userTypeId": 1,
            "parentUserId": parent,
            "parentType": role,
            "firstname": firstname,
            "lastname": lastname,
            "birthday": "1985-05-05",
            "email": format!("{}.{}@example.com", firstname.to_lowercase(), lastname.to_lowercase()),
        }))
        .await
    }

    async fn create(&self, body: Value) -> u64 {
        let answer: Value = self
            .http
            .post(format!("{}/sandbox/users", self.base))
            .json(&body)
            .send()
            .await
            .expect("the sandbox answers")
            .error_for_status()
            .expect("the sandbox creates the user")
            .json()
            .await
            .expect("the sandbox answers JSON");
        answer["userId"]
            .as_u64()
            .expect("the answer names the user")
    }

    /// Has Treezor refuse every download URL of `document` (403, as for an account whose
    /// document download is not enabled), until [`Sandbox::clear_faults`].
    pub async fn refuse_download(&self, document: &str) {
        self.http
            .post(format!("{}/sandbox/faults", self.base))
            .json(&json!({
                "path": format!("/v1/documents/{document}/download"),
                "method": "GET",
                "fault": { "kind": "status", "status": 403 },
            }))
            .send()
            .await
            .expect("the sandbox answers")
            .error_for_status()
            .expect("the sandbox takes the fault");
    }

    pub async fn clear_faults(&self) {
        self.http
            .delete(format!("{}/sandbox/faults", self.base))
            .send()
            .await
            .expect("the sandbox answers")
            .error_for_status()
            .expect("the sandbox clears its faults");
    }

    /// Has Treezor lose the next `count` webhooks of `event`: they are never sent.
    pub async fn drop_next(&self, event: &str, count: u32) {
        self.http
            .put(format!("{}/sandbox/webhook-faults", self.base))
            .json(&json!({ "drop": { event: count } }))
            .send()
            .await
            .expect("the sandbox answers")
            .error_for_status()
            .expect("the sandbox takes the fault");
    }

    /// Plays the customer at `identification_url`: opens the page, then submits its form with
    /// the chosen button. Returns where the page sends the customer (the redirect URL with `id`,
    /// `event` and `response_code`).
    pub async fn finish(&self, identification_url: &str, finish: Finish<'_>) -> String {
        let page = self
            .http
            .get(identification_url)
            .send()
            .await
            .expect("the hosted page answers")
            .error_for_status()
            .expect("the hosted page is there")
            .text()
            .await
            .expect("the hosted page is text");
        assert!(
            page.contains("simulated live verification"),
            "not the hosted page: {page}"
        );
        let action = page
            .split("<form method=\"post\" action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("the hosted page has no form: {page}"));
        let mut form: Vec<(&str, String)> = vec![("document", "17".into())];
        match finish {
            Finish::Validated => form.push(("outcome", "validated".into())),
            Finish::Refused { reasons } => {
                for code in reasons {
                    assert!(
                        page.contains(&format!("value=\"{code}\"")),
                        "the page offers no box for reason {code}"
                    );
                    form.push(("reason", code.to_string()));
                }
                form.push(("outcome", "refused".into()));
            }
        }
        let answer = self
            .http
            .post(format!("{}{action}", self.base))
            .form(&form)
            .send()
            .await
            .expect("the hosted page takes the form");
        assert!(
            answer.status().is_redirection(),
            "the hosted page did not send the customer on: {}",
            answer.status()
        );
        answer
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .expect("a redirect names where to")
            .to_owned()
    }

    /// Has `user` finish a verification validated, started and finished on the sandbox's side:
    /// the provider keeps the identity document as `file` (e.g. `{"kind":"png"}`) and reads
    /// `identity` on it (e.g. `{"last_name":"…"}`; the profile's values otherwise).
    pub async fn validated_with(&self, user: u64, file: Value, identity: Value) {
        let started: Value = self
            .post(&format!("/sandbox/users/{user}/kycliveness"), &json!({}))
            .await;
        let id = started["id"]
            .as_str()
            .expect("the sandbox names the verification");
        self.post(
            &format!("/sandbox/identifications/{id}/finish"),
            &json!({"outcome": "validated", "document": 17, "file": file, "identity": identity}),
        )
        .await;
    }

    /// Changes what a document's file holds (`{"kind":"not_pdf"}`, `{"kind":"pdf","pages":20}`).
    pub async fn set_content(&self, document: u64, content: Value) {
        self.http
            .put(format!(
                "{}/sandbox/documents/{document}/content",
                self.base
            ))
            .json(&content)
            .send()
            .await
            .expect("the sandbox answers")
            .error_for_status()
            .expect("the sandbox changes the document's content");
    }

    /// What the sandbox says of a document's file: `sha256`, `size`, `dimensions`, `pages`,
    /// `marker`…
    pub async fn document_facts(&self, document: u64) -> Value {
        self.http
            .get(format!("{}/sandbox/documents/{document}/file", self.base))
            .send()
            .await
            .expect("the sandbox answers")
            .json()
            .await
            .expect("the sandbox answers JSON")
    }

    async fn post(&self, path: &str, body: &Value) -> Value {
        self.http
            .post(format!("{}{path}", self.base))
            .json(body)
            .send()
            .await
            .expect("the sandbox answers")
            .error_for_status()
            .unwrap_or_else(|e| panic!("the sandbox refused {path}: {e}"))
            .json()
            .await
            .expect("the sandbox answers JSON")
    }

    /// The SHA-256 and size of a document's file, as the sandbox serves it.
    pub async fn document_file(&self, document: u64) -> (String, u64) {
        let answer = self.document_facts(document).await;
        (
            answer["sha256"].as_str().expect("a sha256").to_owned(),
            answer["size"].as_u64().expect("a size"),
        )
    }
}

/// Finds `user` by its id in the queue's search and opens its case, which must be `name`'s.
///
/// The row is clicked until the case opens: the sync loop's changes reload the rows in view, and
/// a row replaced between the press and the release of a click never gets it.
pub async fn open_case(desk: &Desk, name: &str, user: u64) {
    desk.click("[data-screen=queue]").await;
    desk.fill("input[type=search]", &user.to_string()).await;
    // The user reaches the queue through the sandbox's webhook, the relay and the sync loop.
    let row = format!(".grid .row[data-user=\"{user}\"]");
    desk.wait_for(&format!("the case of {name} to open"), async |desk| {
        if desk
            .text_of("#case-title")
            .await
            .is_some_and(|title| title.contains(name))
        {
            return Some(());
        }
        // Clicked from the page itself: a row replaced under a WebDriver click (its press on
        // one node, its release on the next) is not clicked, and is clicked at the next poll.
        desk.script_with(
            "const row = document.querySelector(arguments[0]); if (row) row.click(); return row !== null;",
            vec![serde_json::json!(row)],
        )
        .await;
        None
    })
    .await;
}

/// Starts a verification from the open case and returns the link the dialog shows.
pub async fn start_from_case(desk: &Desk) -> String {
    desk.click("button[data-action=start_verification]").await;
    desk.click("dialog button.primary").await;
    let link = desk
        .wait_for_text("[data-testid=identification-url]", "/verify/")
        .await;
    desk.click_button("Done").await;
    link.trim().to_owned()
}
