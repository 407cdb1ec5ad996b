//! Operator commands on the data file: list, export, prune. They open the file directly, so
//! they work whether or not the relay is running (SQLite's WAL lets them read beside it).

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use relay::RelayError;
use relay::store::{self, now, read, retention};

fn existing(path: &Path) -> Result<(), String> {
    if path.is_file() {
        Ok(())
    } else {
        Err(format!(
            "no event store at {}; pass --data with the relay's data file",
            path.display()
        ))
    }
}

pub fn list(path: &Path, mut after: u64, limit: Option<u64>) -> Result<(), String> {
    existing(path)?;
    let conn = store::open_for_reading(path).map_err(|e| e.to_string())?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut left = limit.unwrap_or(u64::MAX);
    while left > 0 {
        let events =
            read::page(&conn, after, left.min(1000) as usize).map_err(|e| e.to_string())?;
        let Some(last) = events.last() else { break };
        after = last.seq;
        left -= events.len() as u64;
        for event in events {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}",
                event.seq,
                event.received_at,
                event.webhook,
                event.webhook_id,
                event.object,
                event.object_id.as_deref().unwrap_or("-")
            )
            .map_err(|e| format!("writing to stdout: {e}"))?;
        }
    }
    out.flush().map_err(|e| e.to_string())
}

pub fn export(path: &Path, after: u64, output: Option<&Path>) -> Result<(), String> {
    existing(path)?;
    let conn = store::open_for_reading(path).map_err(|e| e.to_string())?;
    let mut out: Box<dyn Write> = match output {
        Some(file) => Box::new(BufWriter::new(
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(file)
                .map_err(|e| format!("cannot create {}: {e}", file.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let count = read::for_each(&conn, after, |event| {
        serde_json::to_writer(&mut out, &event)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"))
            .map_err(|source| RelayError::Io {
                what: "writing the export".into(),
                source,
            })
    })
    .map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    tracing::info!(count, "events exported");
    Ok(())
}

pub fn prune(path: &Path, older_than_days: u32) -> Result<(), String> {
    existing(path)?;
    let mut conn = store::open_for_writing(path).map_err(|e| e.to_string())?;
    let before = now().plus_seconds(-i64::from(older_than_days) * 86_400);
    let deleted = retention::prune_all(&mut conn, before).map_err(|e| e.to_string())?;
    tracing::info!(deleted, older_than_days, "old events deleted");
    Ok(())
}
