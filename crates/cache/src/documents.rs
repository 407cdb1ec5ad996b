//! Treezor documents (the newest observation of each, as for users) and the downloads made to this
//! machine.

use kyc::objects::Document;
use kyc::{DocumentId, Timestamp, UserId};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Doing, Error, Result};

/// A document as the case detail shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StoredDocument {
    pub document: Document,
    /// When the observation shown was made (webhook time or REST fetch).
    pub observed_at: Timestamp,
    /// Downloads made to this machine, oldest first.
    pub downloads: Vec<Download>,
}

/// A document saved on this machine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Download {
    pub path: String,
    pub size: u64,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    pub downloaded_at: Timestamp,
}

/// A download as the list of local files shows it: which document, whose, and the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LocalDownload {
    /// The download's own number, to forget it once its file is gone.
    pub id: i64,
    pub document_id: DocumentId,
    /// The document's user, when the cache knows the document's owner.
    pub user_id: Option<UserId>,
    pub download: Download,
}

/// Every download recorded (or those of one user's documents), newest first.
pub(crate) fn local_downloads(
    conn: &Connection,
    user: Option<UserId>,
) -> Result<Vec<LocalDownload>> {
    conn.prepare_cached(
        "SELECT d.id, d.document_id, documents.user_id, d.path, d.size, d.sha256, d.downloaded_at
         FROM document_downloads AS d LEFT JOIN documents USING (document_id)
         WHERE ?1 IS NULL OR documents.user_id = ?1
         ORDER BY d.downloaded_at DESC, d.id DESC",
    )
    .and_then(|mut s| {
        s.query_map([user.map(|u| u.get() as i64)], |r| {
            let document: i64 = r.get(1)?;
            let user: Option<i64> = r.get(2)?;
            Ok((
                r.get::<_, i64>(0)?,
                document,
                user,
                Download {
                    path: r.get(3)?,
                    size: r.get::<_, i64>(4)? as u64,
                    sha256: r.get(5)?,
                    downloaded_at: Timestamp::from_unix_micros(r.get(6)?),
                },
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()
    })
    .doing("reading downloads")?
    .into_iter()
    .map(|(id, document, user, download)| {
        let document_id = DocumentId::new(document as u64).map_err(|e| Error::Stored {
            what: crate::StoredValue::Download,
            problem: crate::StoredProblem::invalid(e),
        })?;
        Ok(LocalDownload {
            id,
            document_id,
            user_id: user.and_then(|u| UserId::new(u as u64).ok()),
            download,
        })
    })
    .collect()
}

/// Forgets a download whose file was removed. Returns whether it was recorded.
pub(crate) fn forget_download(conn: &Connection, id: i64) -> Result<bool> {
    conn.prepare_cached("DELETE FROM document_downloads WHERE id = ?1")
        .and_then(|mut s| s.execute([id]))
        .map(|n| n == 1)
        .doing("forgetting a download")
}

/// Records one observation of a document. Returns the document's user when the stored row changed.
pub(crate) fn observe_document(
    conn: &Connection,
    document: &Document,
    at: Timestamp,
) -> Result<Option<Option<UserId>>> {
    let json = serde_json::to_string(document).expect("a document always serializes");
    let key = Sha256::digest(json.as_bytes())[..16].to_vec();
    let id = document.document_id.get() as i64;
    let known: Option<(i64, Vec<u8>)> = conn
        .prepare_cached("SELECT observed_at, observed_key FROM documents WHERE document_id = ?1")
        .and_then(|mut s| s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .doing("reading a document")?;
    if known.is_some_and(|(a, k)| (a, k) >= (at.unix_micros(), key.clone())) {
        return Ok(None);
    }
    conn.prepare_cached(
        "INSERT INTO documents (document_id, user_id, document_type, status, file_name, created_at,
             observed_at, observed_key, object)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (document_id) DO UPDATE SET
             user_id = excluded.user_id, document_type = excluded.document_type,
             status = excluded.status, file_name = excluded.file_name,
             created_at = excluded.created_at, observed_at = excluded.observed_at,
             observed_key = excluded.observed_key, object = excluded.object",
    )
    .and_then(|mut s| {
        s.execute(params![
            id,
            document.user_id.map(|u| u.get() as i64),
            document.document_type_id.map(|t| t.number()),
            document.document_status,
            document.file_name,
            document.created_at.map(Timestamp::unix_micros),
            at.unix_micros(),
            key,
            json,
        ])
    })
    .doing("writing a document")?;
    Ok(Some(document.user_id))
}

pub(crate) fn record_download(
    conn: &Connection,
    document: DocumentId,
    download: &Download,
) -> Result<()> {
    let known: bool = conn
        .prepare_cached("SELECT 1 FROM documents WHERE document_id = ?1")
        .and_then(|mut s| s.exists([document.get() as i64]))
        .doing("reading a document")?;
    if !known {
        return Err(Error::UnknownDocument(document.get()));
    }
    conn.prepare_cached(
        "INSERT INTO document_downloads (document_id, path, size, sha256, downloaded_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| {
        s.execute(params![
            document.get() as i64,
            download.path,
            download.size as i64,
            download.sha256,
            download.downloaded_at.unix_micros(),
        ])
    })
    .doing("recording a download")?;
    Ok(())
}

/// The documents of one user, oldest first, with their downloads.
pub(crate) fn documents_of(conn: &Connection, user: UserId) -> Result<Vec<StoredDocument>> {
    let mut documents = Vec::new();
    let mut rows = conn
        .prepare_cached(
            "SELECT document_id, object, observed_at FROM documents WHERE user_id = ?1
             ORDER BY created_at, document_id",
        )
        .doing("reading documents")?;
    let found = rows
        .query_map([user.get() as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })
        .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
        .doing("reading documents")?;
    for (id, json, observed_at) in found {
        let document: Document = serde_json::from_str(&json).map_err(|e| Error::Stored {
            what: crate::StoredValue::Document,
            problem: crate::StoredProblem::json(&e),
        })?;
        documents.push(StoredDocument {
            document,
            observed_at: Timestamp::from_unix_micros(observed_at),
            downloads: downloads_of(conn, id)?,
        });
    }
    Ok(documents)
}

fn downloads_of(conn: &Connection, document: i64) -> Result<Vec<Download>> {
    conn.prepare_cached(
        "SELECT path, size, sha256, downloaded_at FROM document_downloads WHERE document_id = ?1
         ORDER BY downloaded_at, id",
    )
    .and_then(|mut s| {
        s.query_map([document], |r| {
            Ok(Download {
                path: r.get(0)?,
                size: r.get::<_, i64>(1)? as u64,
                sha256: r.get(2)?,
                downloaded_at: Timestamp::from_unix_micros(r.get(3)?),
            })
        })?
        .collect()
    })
    .doing("reading downloads")
}
