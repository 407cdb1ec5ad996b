//! The trail on PostgreSQL. An entry is numbered and chained under the log's append lock
//! (`pg_advisory_xact_lock`, the one `append_events` takes), taken before the trail's head is
//! read and held until the transaction commits: instances take turns, so no two entries ever
//! chain to the same one, and a team record commits with its entry or not at all.

use deadpool_postgres::{GenericClient, Pool};
use kyc::trail::TrailEntry;

use super::{Head, TrailFilter, TrailKey, TrailRecord, entry_of};
use crate::error::Result;
use crate::store::now;
use crate::store::postgres::{APPEND_LOCK, connection, failed};
use crate::store::writer::Outcome;

const COLUMNS: &str = "seq, at, officer, action, outcome, user_id, document_id, detail, \
     occurred_at, feed_seq, prev_mac, mac";

/// Takes the append lock for the caller's transaction, then reads the trail's head.
pub async fn lock_and_head(client: &impl GenericClient) -> Result<Head> {
    client
        .execute("SELECT pg_advisory_xact_lock($1)", &[&APPEND_LOCK])
        .await
        .map_err(failed("waiting for the append lock"))?;
    let row = client
        .query_opt("SELECT seq, mac FROM trail ORDER BY seq DESC LIMIT 1", &[])
        .await
        .map_err(failed("reading the trail's head"))?;
    Ok(match row {
        Some(row) => Head::from_stored(Some(row.get(0)), Some(row.get(1))),
        None => Head::from_stored(None, None),
    })
}

/// Inserts `record` sealed after `head`, in the caller's transaction (which holds the lock).
pub async fn insert(
    client: &impl GenericClient,
    key: &TrailKey,
    head: &mut Head,
    record: &TrailRecord,
) -> Result<TrailEntry> {
    let entry = record.seal(key, head, now());
    let statement = client
        .prepare_cached(
            "INSERT INTO trail (seq, entry_id, at, officer, action, outcome, user_id, \
             document_id, detail, occurred_at, feed_seq, prev_mac, mac) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .await
        .map_err(failed("preparing a trail entry"))?;
    client
        .execute(
            &statement,
            &[
                &(entry.seq as i64),
                &record.entry_id,
                &entry.at.unix_micros(),
                &entry.officer.as_str(),
                &entry.action,
                &entry.outcome,
                &entry.user_id,
                &entry.document_id,
                &entry.detail,
                &entry.occurred_at.map(kyc::Timestamp::unix_micros),
                &entry.feed_seq.map(|s| s as i64),
                &entry.prev_mac,
                &entry.mac,
            ],
        )
        .await
        .map_err(failed("storing a trail entry"))?;
    Ok(entry)
}

/// A desk's entry, in a transaction of its own: stored once per id.
pub async fn append(pool: &Pool, key: &TrailKey, record: TrailRecord) -> Result<Outcome> {
    let mut client = connection(pool).await?;
    let tx = client
        .transaction()
        .await
        .map_err(failed("starting a trail entry"))?;
    let mut head = lock_and_head(&tx).await?;
    let known = tx
        .query_opt(
            "SELECT 1 FROM trail WHERE entry_id = $1",
            &[&record.entry_id],
        )
        .await
        .map_err(failed("looking for a trail entry"))?;
    if known.is_some() {
        return Ok(Outcome::Duplicate);
    }
    let entry = insert(&tx, key, &mut head, &record).await?;
    tx.commit()
        .await
        .map_err(failed("committing a trail entry"))?;
    Ok(Outcome::Stored { seq: entry.seq })
}

/// Entries with `seq > after` that pass `filter`, oldest first, at most `limit`.
pub async fn page(
    pool: &Pool,
    after: u64,
    limit: usize,
    filter: &TrailFilter,
) -> Result<Vec<TrailEntry>> {
    let client = connection(pool).await?;
    let statement = client
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM trail WHERE seq > $1 \
               AND ($3::text IS NULL OR user_id = $3) AND ($4::text IS NULL OR officer = $4) \
               AND ($5::bigint IS NULL OR at >= $5) AND ($6::bigint IS NULL OR at < $6) \
             ORDER BY seq LIMIT $2"
        ))
        .await
        .map_err(failed("preparing a read of the trail"))?;
    let rows = client
        .query(
            &statement,
            &[
                &i64::try_from(after).unwrap_or(i64::MAX),
                &i64::try_from(limit).unwrap_or(i64::MAX),
                &filter.user_id,
                &filter.officer,
                &filter.from,
                &filter.to,
            ],
        )
        .await
        .map_err(failed("reading the trail"))?;
    rows.iter()
        .map(|row| {
            entry_of(
                row.get(0),
                row.get(1),
                row.get(2),
                row.get(3),
                row.get(4),
                row.get(5),
                row.get(6),
                row.get(7),
                row.get(8),
                row.get(9),
                row.get(10),
                row.get(11),
            )
        })
        .collect()
}
