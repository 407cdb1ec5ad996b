//! Exporting the audit log (or one user's trail) for auditors: CSV for spreadsheets, JSON for
//! programs. Both carry every field the MAC covers, the instant in microseconds, the MACs and how
//! each entry is chained (`sha256` before the chain was keyed, `hmac-sha256` after), so the chain
//! can be checked from the export with the desk's key, and its links followed without it. Values
//! are written as stored: a CSV cell that starts with `=` stays as it is (the export must match
//! the chain); open it as text.

use std::io::Write;

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use super::{AuditRecord, AuditScope, for_each};
use crate::error::{Doing, Result};

const CSV_HEADER: &str =
    "seq,at,at_unix_micros,officer,action,user_id,document_id,outcome,detail,prev_hash,hash,chain";

pub(crate) fn export_csv(conn: &Connection, scope: AuditScope, out: &mut dyn Write) -> Result<u64> {
    writeln!(out, "{CSV_HEADER}")?;
    let mut n = 0;
    for_each(conn, scope, 0, None, |raw| {
        let r = raw.record();
        let e = &r.entry;
        let cells = [
            r.seq.to_string(),
            e.at.to_rfc3339(),
            e.at.unix_micros().to_string(),
            e.officer.clone(),
            e.action.clone(),
            e.user_id.map(|u| u.to_string()).unwrap_or_default(),
            e.document_id.map(|d| d.to_string()).unwrap_or_default(),
            e.outcome.as_str().to_owned(),
            e.detail.clone(),
            r.prev_hash.clone(),
            r.hash.clone(),
            r.chain.as_str().to_owned(),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        writeln!(out, "{}", line.join(","))?;
        n += 1;
        Ok(())
    })?;
    out.flush()?;
    Ok(n)
}

/// RFC 4180: quote a cell holding a comma, a quote or a line break; double its quotes.
fn csv_cell(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

#[derive(Serialize)]
struct Head {
    seq: u64,
    hash: String,
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    #[serde(flatten)]
    record: &'a AuditRecord,
    at_unix_micros: i64,
}

/// `{"format":"kyc-desk-audit/2","scope":…,"head":{…},"entries":[…]}`, entries streamed. Format 2
/// added each entry's `chain`.
pub(crate) fn export_json(
    conn: &Connection,
    scope: AuditScope,
    out: &mut dyn Write,
) -> Result<u64> {
    let head: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_head WHERE id = 1")
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .doing("reading the audit log's head")?;
    let head = head.map(|(seq, hash)| Head {
        seq: seq as u64,
        hash: hex::encode(hash),
    });
    let scope_text = match scope {
        AuditScope::All => "all".to_owned(),
        AuditScope::User(user) => format!("user {user}"),
    };
    write!(
        out,
        "{{\"format\":\"kyc-desk-audit/2\",\"scope\":{},\"head\":{},\"entries\":[",
        serde_json::to_string(&scope_text).map_err(std::io::Error::other)?,
        serde_json::to_string(&head).map_err(std::io::Error::other)?,
    )?;
    let mut n = 0u64;
    for_each(conn, scope, 0, None, |raw| {
        let record = raw.record();
        if n > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(
            &mut *out,
            &JsonEntry {
                at_unix_micros: record.entry.at.unix_micros(),
                record: &record,
            },
        )
        .map_err(std::io::Error::other)?;
        n += 1;
        Ok(())
    })?;
    out.write_all(b"]}\n")?;
    out.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_only_when_needed() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
    }
}
