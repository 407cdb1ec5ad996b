//! `GET /v1/trail/export`: its query, and the CSV it writes (JSON is the entries themselves).

use kyc::Timestamp;
use kyc::trail::TrailEntry;

use super::TrailFilter;

/// The export's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

/// An export request's parameters, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportQuery {
    pub format: Format,
    pub filter: TrailFilter,
}

impl ExportQuery {
    /// `format=csv|json` (required), `case=USER_ID`, `officer=NAME`, `from=`, `to=` (RFC 3339, or
    /// a date `YYYY-MM-DD` meaning its midnight UTC; `to` excluded). The error says which
    /// parameter is wrong and what is expected; an unknown parameter is refused, since a filter
    /// mistyped would otherwise export more than was asked.
    pub fn parse(query: Option<&str>) -> Result<ExportQuery, String> {
        let mut format = None;
        let mut filter = TrailFilter::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let value = value.into_owned();
            let given_twice = || format!("{key} is given more than once; give it once");
            match key.as_ref() {
                "format" => {
                    let parsed = match value.as_str() {
                        "csv" => Format::Csv,
                        "json" => Format::Json,
                        _ => return Err("format must be csv or json".into()),
                    };
                    if format.replace(parsed).is_some() {
                        return Err(given_twice());
                    }
                }
                "case" => {
                    if filter.user_id.replace(value).is_some() {
                        return Err(given_twice());
                    }
                }
                "officer" => {
                    if filter.officer.replace(value).is_some() {
                        return Err(given_twice());
                    }
                }
                "from" | "to" => {
                    let at = instant(&value).ok_or_else(|| {
                        format!("{key} must be a date (2026-12-01) or an RFC 3339 time (2026-12-01T09:30:00Z)")
                    })?;
                    let slot = if key == "from" {
                        &mut filter.from
                    } else {
                        &mut filter.to
                    };
                    if slot.replace(at).is_some() {
                        return Err(given_twice());
                    }
                }
                _ => {
                    return Err(format!(
                        "{key} is not a filter of the export; use format, case, officer, from and to"
                    ));
                }
            }
        }
        let format = format.ok_or("give format=csv or format=json")?;
        Ok(ExportQuery { format, filter })
    }
}

fn instant(value: &str) -> Option<i64> {
    let text = if value.len() == 10 {
        format!("{value}T00:00:00Z")
    } else {
        value.to_owned()
    };
    Timestamp::parse_rfc3339(&text)
        .ok()
        .map(Timestamp::unix_micros)
}

pub const CSV_HEADER: &str =
    "seq,at,officer,action,outcome,user_id,document_id,detail,occurred_at,feed_seq,prev_mac,mac";

/// One entry as a CSV line (with its line ending).
pub fn csv_line(entry: &TrailEntry) -> String {
    let cells = [
        entry.seq.to_string(),
        entry.at.to_rfc3339(),
        cell(entry.officer.as_str()),
        cell(&entry.action),
        cell(&entry.outcome),
        cell(entry.user_id.as_deref().unwrap_or("")),
        cell(entry.document_id.as_deref().unwrap_or("")),
        cell(&entry.detail),
        entry
            .occurred_at
            .map(Timestamp::to_rfc3339)
            .unwrap_or_default(),
        entry.feed_seq.map(|s| s.to_string()).unwrap_or_default(),
        entry.prev_mac.clone(),
        entry.mac.clone(),
    ];
    format!("{}\r\n", cells.join(","))
}

/// RFC 4180 quoting; and a cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, a tab
/// or a carriage return first) is prefixed with `'`, so a note or a name opened in a spreadsheet
/// is shown, never run.
fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_query_reads_its_filters_and_refuses_anything_else() {
        let query = ExportQuery::parse(Some(
            "format=csv&case=42&officer=Zo%C3%A9+Martin&from=2026-12-01",
        ))
        .unwrap();
        assert_eq!(query.format, Format::Csv);
        assert_eq!(query.filter.user_id.as_deref(), Some("42"));
        assert_eq!(query.filter.officer.as_deref(), Some("Zoé Martin"));
        assert_eq!(
            query.filter.from,
            Some(
                Timestamp::parse_rfc3339("2026-12-01T00:00:00Z")
                    .unwrap()
                    .unix_micros()
            )
        );
        for bad in [
            None,
            Some("format=xml"),
            Some("format=csv&user=42"),
            Some("format=csv&from=yesterday"),
            Some("format=csv&format=json"),
        ] {
            assert!(ExportQuery::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn csv_cells_are_quoted_and_never_read_as_formulas() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
    }
}
