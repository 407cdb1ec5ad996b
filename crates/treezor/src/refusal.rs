//! Reading Treezor's error bodies, in the three shapes its endpoints use:
//! `{"errors":[{"type","code","message","docUrl","requestId"}]}`,
//! `{"errors":[{"errorCode","errorMessage"}]}` and `{"error":"…"}` (with an optional
//! `error_description`, as the token endpoint writes it).

use serde_json::Value;

use crate::error::{Problem, TreezorError};

/// Which endpoint refused: some statuses mean something specific there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Plain,
    StartLiveness,
    RetrieveDocuments,
    DownloadUrl,
}

/// The parts of an error body, whatever its shape.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Said {
    pub code: Option<String>,
    pub message: String,
    pub request_id: Option<String>,
    pub doc_url: Option<String>,
}

/// The most of one field of an error body that is kept: enough for any message Treezor writes,
/// and an error that stays readable (and a log line that stays short) whatever the body holds.
const MAX_FIELD_CHARS: usize = 300;

fn text(value: Option<&Value>) -> Option<String> {
    let text = match value? {
        Value::String(s) if !s.trim().is_empty() => s.trim(),
        Value::Number(n) => return Some(n.to_string()),
        _ => return None,
    };
    Some(match text.char_indices().nth(MAX_FIELD_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    })
}

pub(crate) fn read_body(body: &[u8]) -> Said {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        let raw = String::from_utf8_lossy(body);
        let short: String = raw.trim().chars().take(200).collect();
        return Said {
            message: short,
            ..Said::default()
        };
    };
    if let Some(first) = value
        .get("errors")
        .and_then(|e| e.as_array())
        .and_then(|a| a.first())
    {
        return Said {
            code: text(first.get("code")).or_else(|| text(first.get("errorCode"))),
            message: text(first.get("message"))
                .or_else(|| text(first.get("errorMessage")))
                .unwrap_or_default(),
            request_id: text(first.get("requestId")).or_else(|| text(value.get("requestId"))),
            doc_url: text(first.get("docUrl")),
        };
    }
    let error = text(value.get("error"));
    let description = text(value.get("error_description")).or_else(|| text(value.get("message")));
    Said {
        message: description.clone().or(error.clone()).unwrap_or_default(),
        code: if description.is_some() { error } else { None },
        request_id: text(value.get("requestId")),
        doc_url: None,
    }
}

/// The attributes named in a 428's message; all three when it names none.
fn missing_attributes(message: &str) -> Vec<String> {
    let lower = message.to_lowercase();
    let missing_part = lower.split("missing").nth(1).unwrap_or(&lower);
    let named: Vec<String> = ["firstname", "lastname", "birthday"]
        .iter()
        .filter(|a| missing_part.contains(*a))
        .map(|a| (*a).to_owned())
        .collect();
    if named.is_empty() {
        vec!["firstname".into(), "lastname".into(), "birthday".into()]
    } else {
        named
    }
}

pub(crate) fn refusal(call: &str, status: u16, body: &[u8], endpoint: Endpoint) -> TreezorError {
    let said = read_body(body);
    let problem = match (status, endpoint) {
        (428, _) => Problem::MissingAttributes(missing_attributes(&said.message)),
        (403 | 501, Endpoint::DownloadUrl) => Problem::DownloadNotEnabled,
        (405, Endpoint::RetrieveDocuments) => Problem::DocumentsNotStorable,
        (406, Endpoint::RetrieveDocuments) => Problem::NotProcessed,
        (410, Endpoint::RetrieveDocuments) => Problem::IdentificationGone,
        (400, _) => Problem::BadRequest,
        (401, _) => Problem::Unauthorized,
        (403, _) => Problem::Forbidden,
        (404, _) => Problem::NotFound,
        (429, _) => Problem::RateLimited,
        (500..=599, _) => Problem::Unavailable,
        _ => Problem::Other,
    };
    TreezorError {
        call: call.to_owned(),
        status,
        code: said.code,
        message: said.message,
        request_id: said.request_id,
        doc_url: said.doc_url,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_all_three_shapes() {
        let current = read_body(br#"{"errors":[{"type":"invalid_request","code":"resource_not_found_error","message":"User 4 not found","docUrl":"https://d","requestId":"r-1"}]}"#);
        assert_eq!(
            current,
            Said {
                code: Some("resource_not_found_error".into()),
                message: "User 4 not found".into(),
                request_id: Some("r-1".into()),
                doc_url: Some("https://d".into())
            }
        );
        let older = read_body(br#"{"errors":[{"errorCode":18000,"errorMessage":"Impossible"}]}"#);
        assert_eq!(
            (older.code.as_deref(), older.message.as_str()),
            (Some("18000"), "Impossible")
        );
        let oauth = read_body(
            br#"{"error":"invalid_client","error_description":"Client authentication failed"}"#,
        );
        assert_eq!(
            (oauth.code.as_deref(), oauth.message.as_str()),
            (Some("invalid_client"), "Client authentication failed")
        );
        let bare = read_body(br#"{"error":"Something broke"}"#);
        assert_eq!(
            (bare.code, bare.message.as_str()),
            (None, "Something broke")
        );
        let html = read_body(b"<html>502 Bad Gateway</html>");
        assert_eq!(html.message, "<html>502 Bad Gateway</html>");
    }

    /// A megabyte of message in an error body made a megabyte of error text.
    #[test]
    fn long_fields_are_cut() {
        let body = format!(
            r#"{{"errors":[{{"message":"{}","code":"{}"}}]}}"#,
            "é".repeat(5000),
            "c".repeat(400)
        );
        let said = read_body(body.as_bytes());
        assert_eq!(said.message.chars().count(), MAX_FIELD_CHARS + 1);
        assert!(said.message.ends_with('…'));
        assert_eq!(said.code.unwrap().chars().count(), MAX_FIELD_CHARS + 1);
    }

    #[test]
    fn a_428_names_the_missing_attributes() {
        let error = refusal("POST /v1/users/4/kycliveness", 428, br#"{"errors":[{"message":"User 4 must have firstname, lastname and birthday before a live verification; missing: lastname, birthday"}]}"#, Endpoint::StartLiveness);
        assert_eq!(
            error.problem,
            Problem::MissingAttributes(vec!["lastname".into(), "birthday".into()])
        );
        assert!(
            error.to_string().contains("lacks lastname, birthday"),
            "{error}"
        );
        let vague = refusal(
            "POST /v1/users/4/kycliveness",
            428,
            br#"{"errors":[{"message":"Specified userId is not found"}]}"#,
            Endpoint::StartLiveness,
        );
        assert_eq!(
            vague.problem,
            Problem::MissingAttributes(vec![
                "firstname".into(),
                "lastname".into(),
                "birthday".into()
            ])
        );
    }

    #[test]
    fn download_refusals_explain_the_feature() {
        for status in [403, 501] {
            let error = refusal(
                "GET /v1/documents/9/download",
                status,
                b"{}",
                Endpoint::DownloadUrl,
            );
            assert_eq!(error.problem, Problem::DownloadNotEnabled);
            assert!(error.to_string().contains("ask Treezor to enable it"));
        }
        let scope = refusal("GET /v1/users/1", 403, b"{}", Endpoint::Plain);
        assert_eq!(scope.problem, Problem::Forbidden);
    }
}
