//! Actions whose start is in the log but whose end is not: what a crash in the middle of a long
//! action (a document download) leaves behind, for the next start to report.

use rusqlite::Connection;

use super::{AuditEntry, AuditRecord, Outcome, RawRecord, read};
use crate::error::{Doing, Result};

/// The `started` entries of `action` with no later `succeeded` or `failed` entry for the same user
/// and document, oldest first.
pub(crate) fn unfinished(conn: &Connection, action: &str) -> Result<Vec<AuditRecord>> {
    let mut statement = conn
        .prepare_cached(
            "SELECT seq, at, officer, action, user_id, document_id, outcome, detail, prev_hash,
                 hash, chain
             FROM audit_log AS started
             WHERE action = ?1 AND outcome = 'started'
                 AND NOT EXISTS (
                     SELECT 1 FROM audit_log AS ended
                     WHERE ended.seq > started.seq AND ended.action = started.action
                         AND ended.user_id IS started.user_id
                         AND ended.document_id IS started.document_id
                         AND ended.outcome IN ('succeeded', 'failed'))
             ORDER BY seq",
        )
        .doing("reading unfinished actions")?;
    let mut rows = statement
        .query([action])
        .doing("reading unfinished actions")?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().doing("reading unfinished actions")? {
        let raw = read(row).doing("reading unfinished actions")?;
        out.push(
            RawRecord {
                entry: AuditEntry {
                    outcome: Outcome::Started,
                    ..raw.entry
                },
                ..raw
            }
            .record(),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use kyc::{DocumentId, Timestamp, UserId};

    use crate::{AuditAnchor, AuditEntry, AuditKey, Cache, Outcome};

    fn entry(document: u64, outcome: Outcome) -> AuditEntry {
        AuditEntry {
            at: Timestamp::from_unix_seconds(1_720_000_000),
            officer: "officer.test".into(),
            action: "download_document".into(),
            user_id: Some(UserId::new(4).unwrap()),
            document_id: Some(DocumentId::new(document).unwrap()),
            outcome,
            detail: String::new(),
        }
    }

    #[test]
    fn a_start_without_its_end_is_unfinished_until_the_end_is_logged() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = Cache::open(dir.path().join("cache.sqlite")).unwrap();
        let key = AuditKey::from_bytes([1; 32]);
        let mut anchor = AuditAnchor::empty();
        let mut log = |cache: &mut Cache, document, outcome| {
            anchor = cache
                .audit_append(&key, &anchor, &entry(document, outcome))
                .unwrap()
                .1;
            anchor.clone()
        };
        log(&mut cache, 1, Outcome::Started);
        log(&mut cache, 1, Outcome::Succeeded);
        log(&mut cache, 2, Outcome::Started);
        log(&mut cache, 3, Outcome::Started);
        log(&mut cache, 3, Outcome::Failed);
        log(&mut cache, 3, Outcome::Started);
        let open: Vec<(u64, u64)> = cache
            .audit_unfinished("download_document")
            .unwrap()
            .iter()
            .map(|r| (r.seq, r.entry.document_id.unwrap().get()))
            .collect();
        assert_eq!(open, [(3, 2), (6, 3)]);
        assert!(cache.audit_unfinished("request_review").unwrap().is_empty());
        log(&mut cache, 2, Outcome::Failed);
        let anchor = log(&mut cache, 3, Outcome::Succeeded);
        assert!(
            cache
                .audit_unfinished("download_document")
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            cache.audit_verify(&key, Some(&anchor)).unwrap(),
            Ok(8)
        ));
    }
}
