//! The hosted verification page at `identification-url`: where a tester plays the end user.
//!
//! Plain server-rendered HTML with one form and several submit buttons: no script, and a strict
//! Content-Security-Policy (`default-src 'none'`, the stylesheet from the same origin). Finishing
//! sends the same webhooks as the control endpoint, then redirects to the `redirectUrl` with
//! `id`, `event` and `response_code`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kyc::reasons::ListedReason;
use kyc::{DocumentTypeId, Sensitivity, Timestamp};

use crate::content::Content;
use crate::control::Control;
use crate::state::SandboxState;
use crate::world::identification::{Capture, Closed, Outcome, liveness_type_word};

pub const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'";

const TITLE: &str = "Treezor sandbox — simulated live verification";

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2330}\
main{max-width:760px;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0002}\
h1{font-size:1.4rem}.banner{background:#fff4d6;border:1px solid #e6c35c;padding:.6rem .8rem;border-radius:6px}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}\
fieldset{border:1px solid #ccd;border-radius:6px;margin:1rem 0;padding:.6rem 1rem}legend{font-weight:600}\
label{display:block;margin:.25rem 0}.aml{color:#a11;font-weight:600}\
.actions{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:1rem}\
button{font-size:1rem;padding:.5rem .9rem;border-radius:6px;border:1px solid #889;background:#eef;cursor:pointer}\
button.ok{background:#d9f2dd;border-color:#3a7}button.ko{background:#fde0df;border-color:#c44}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dde;padding:.3rem;text-align:left}";

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn page(status: StatusCode, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{TITLE}</title><link rel=\"stylesheet\" href=\"/verify/style.css\"></head><body><main>\
         <h1>{TITLE}</h1><p class=\"banner\">This page stands in for Treezor's verification provider. \
         You play the customer: choose how the verification ends.</p>{body}</main></body></html>"
    );
    let mut response = (status, Html(html)).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub async fn style() -> Response {
    let mut response = STYLE.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css"));
    response
}

fn reason_boxes() -> String {
    ListedReason::ALL
        .iter()
        .map(|r| {
            let aml = if r.sensitivity() == Sensitivity::AmlSensitive {
                " <span class=\"aml\">(AML-sensitive)</span>"
            } else {
                ""
            };
            format!(
                "<label><input type=\"checkbox\" name=\"reason\" value=\"{code}\"> {code} — {message}{aml}</label>",
                code = r.code(),
                message = escape(r.message())
            )
        })
        .collect()
}

/// `GET /verify/{id}`.
pub async fn show(State(state): State<SandboxState>, Path(id): Path<String>) -> Response {
    let control = Control::new(state);
    let Some((identification, _, _)) = control.identification_record(&id) else {
        return page(
            StatusCode::NOT_FOUND,
            "<p>This verification link is unknown.</p>",
        );
    };
    if let Some(Err(closed)) = control.closed(&id) {
        return closed_page(&control, &identification, closed);
    }
    // Being here is being redirected: the 15 minutes start now (the first time).
    control.open_link(&id);
    let Some((identification, name, profile)) = control.identification_record(&id) else {
        return page(
            StatusCode::NOT_FOUND,
            "<p>This verification link is unknown.</p>",
        );
    };
    let documents: String = [
        DocumentTypeId::IDENTITY_CARD,
        DocumentTypeId::PASSPORT,
        DocumentTypeId::RESIDENCE_PERMIT,
        DocumentTypeId::DRIVING_LICENCE,
    ]
    .iter()
    .map(|d| format!("<option value=\"{}\">{}</option>", d.number(), d.name()))
    .collect();
    let files: String = FILES
        .iter()
        .map(|(value, words)| format!("<option value=\"{value}\">{words}</option>"))
        .collect();
    let field = |name: &str, label: &str, value: &Option<String>| {
        format!(
            "<label>{label} <input name=\"{name}\" value=\"{}\"></label>",
            escape(value.as_deref().unwrap_or_default())
        )
    };
    let read = [
        field("read_first_name", "First name", &profile.first_name),
        field("read_last_name", "Last name", &profile.last_name),
        field("read_birth_date", "Birth date", &profile.birth_date),
    ]
    .concat();
    let body = format!(
        "<dl><dt>Customer</dt><dd>{name}</dd><dt>User id</dt><dd>{user}</dd><dt>Identification</dt><dd>{id}</dd>\
         <dt>Method</dt><dd>{kind}</dd><dt>Link expires</dt><dd>{expires} (Paris time): 15 minutes after it was first opened</dd></dl>\
         <form method=\"post\" action=\"/verify/{id}/finish\">\
         <fieldset><legend>Identity document shown</legend><select name=\"document\">{documents}</select>\
         <label>File the provider keeps of it <select name=\"file\">{files}</select></label></fieldset>\
         <fieldset><legend>What the provider reads on it (change a field to make it differ from the profile)</legend>{read}</fieldset>\
         <div class=\"actions\"><button class=\"ok\" name=\"outcome\" value=\"validated\">Finish: validated (score 1)</button></div>\
         <fieldset><legend>Reasons, for a refusal or a failure</legend>{reasons}</fieldset>\
         <label>Comment from the provider (optional) <input name=\"comment\" size=\"50\"></label>\
         <div class=\"actions\">\
         <button class=\"ko\" name=\"outcome\" value=\"refused\">Finish: refused (score 0)</button>\
         <button class=\"ko\" name=\"outcome\" value=\"failed\">Finish: failed (-1)</button>\
         <button name=\"outcome\" value=\"abandoned\">Abandon</button></div></form>",
        name = escape(&name),
        user = identification.user,
        id = escape(&identification.id),
        kind = liveness_type_word(identification.kind),
        expires = identification
            .expires()
            .map(Timestamp::to_treezor_date)
            .unwrap_or_default(),
        reasons = reason_boxes(),
    );
    page(StatusCode::OK, &body)
}

fn closed_page(
    control: &Control,
    identification: &crate::world::identification::Identification,
    closed: Closed,
) -> Response {
    let (status, back) = match closed {
        Closed::Expired => (
            StatusCode::GONE,
            Some(control.redirect(
                identification,
                "identity_verification_link_expired",
                "61102",
            )),
        ),
        Closed::Replaced => (StatusCode::GONE, None),
        Closed::Finished => (StatusCode::CONFLICT, None),
    };
    let link = back
        .map(|url| {
            format!(
                "<p><a href=\"{}\">Return to the website</a></p>",
                escape(&url)
            )
        })
        .unwrap_or_default();
    page(
        status,
        &format!(
            "<p>This verification link can no longer be used: {}.</p>{link}",
            closed.words()
        ),
    )
}

/// `POST /verify/{id}/finish` with form fields `outcome`, `reason` (repeated), `comment`,
/// `document`, `file` and the `read_…` fields.
pub async fn finish(
    State(state): State<SandboxState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let control = Control::new(state);
    let mut outcome_word = String::new();
    let mut reasons = Vec::new();
    let mut comment = None;
    let mut document = None;
    let mut capture = Capture::default();
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "outcome" => outcome_word = value.into_owned(),
            "reason" => reasons.extend(value.parse::<u16>().ok()),
            "comment" => comment = Some(value.into_owned()).filter(|c| !c.trim().is_empty()),
            "document" => document = DocumentTypeId::parse(&value).ok(),
            "file" => capture.file = file_content(&value),
            "read_first_name" => capture.identity.first_name = filled(&value),
            "read_last_name" => capture.identity.last_name = filled(&value),
            "read_birth_date" => capture.identity.birth_date = filled(&value),
            _ => {}
        }
    }
    let outcome = match outcome_word.as_str() {
        "validated" => Outcome::Validated,
        "refused" => Outcome::Refused { reasons, comment },
        "failed" => Outcome::Failed { reasons, comment },
        "abandoned" => Outcome::Abandoned,
        _ => {
            return page(
                StatusCode::BAD_REQUEST,
                "<p>Choose one of the buttons to finish the verification.</p>",
            );
        }
    };
    match control.finish_with(&id, outcome, document, capture) {
        Ok(finished) => Redirect::to(&finished.redirect_to).into_response(),
        Err(crate::Error::UnknownIdentification(_)) => page(
            StatusCode::NOT_FOUND,
            "<p>This verification link is unknown.</p>",
        ),
        Err(error) => page(
            StatusCode::CONFLICT,
            &format!("<p>{}</p>", escape(&error.to_string())),
        ),
    }
}

/// The files the page offers for the identity document, by form value.
const FILES: [(&str, &str); 4] = [
    ("jpeg", "JPEG picture"),
    ("png", "PNG picture"),
    ("webp", "WebP picture"),
    ("heic", "HEIC picture (from a phone)"),
];

fn file_content(value: &str) -> Option<Content> {
    match value {
        "jpeg" => Some(Content::Jpeg),
        "png" => Some(Content::Png),
        "webp" => Some(Content::Webp),
        "heic" => Some(Content::Heic),
        _ => None,
    }
}

fn filled(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

#[derive(serde::Deserialize)]
pub struct DoneQuery {
    event: Option<String>,
}

/// `GET /verify/{id}/done`: where the end user lands when no `redirectUrl` was given.
pub async fn done(Path(id): Path<String>, Query(query): Query<DoneQuery>) -> Response {
    let event = query.event.unwrap_or_default();
    page(
        StatusCode::OK,
        &format!(
            "<p>The verification {} is over ({}). You may close this page.</p>",
            escape(&id),
            escape(&event)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">O'Brien & co</a>"#),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn every_reason_has_a_checkbox() {
        let boxes = reason_boxes();
        assert_eq!(boxes.matches("type=\"checkbox\"").count(), 30);
        assert_eq!(boxes.matches("AML-sensitive").count(), 12);
    }
}
