//! What every team record the hub decides (a claim, an approval, a rejection, a run) does on
//! PostgreSQL around its own rule: one transaction that takes the append lock first (the lock
//! `append_events` takes, reentrant within a transaction) with the trail's head under it, answers
//! a record stored before as a duplicate before anything is decided, and appends the record
//! through `append_events` with its entry in the team's trail. Any instance's next append waits
//! for the lock, so it sees this one.

use deadpool_postgres::Transaction;

use super::failed;
use crate::error::Result;
use crate::store::Record;
use crate::trail::{self, Head, TrailKey, TrailRecord};

const APPEND: &str = "SELECT stored_seq FROM append_events(ARRAY[$1::text], ARRAY[$2::text], \
     ARRAY[$3::text], ARRAY[$4::text], ARRAY[$5::bigint], ARRAY[$6::text], ARRAY[$7::text])";

/// Takes the append lock and reads the trail's head; `None` when `record` was stored before.
pub(super) async fn lock_unless_stored(
    tx: &Transaction<'_>,
    record: &Record,
) -> Result<Option<Head>> {
    let head = trail::postgres::lock_and_head(tx).await?;
    let known = tx
        .query_opt(
            "SELECT 1 FROM events WHERE webhook_id = $1",
            &[&record.webhook_id],
        )
        .await
        .map_err(failed("looking for the team record"))?;
    Ok(known.is_none().then_some(head))
}

/// Appends the decided `record` and its trail entry; its number in the log.
pub(super) async fn append(
    tx: &Transaction<'_>,
    trail_key: &TrailKey,
    head: &mut Head,
    record: &Record,
) -> Result<u64> {
    let stored = tx
        .query_one(
            APPEND,
            &[
                &record.webhook_id,
                &record.event,
                &record.object,
                &record.object_id,
                &record.webhook_created_at,
                &record.payload,
                &record.officer,
            ],
        )
        .await
        .map_err(failed("appending a team record"))?;
    let seq = stored.get::<_, i64>(0) as u64;
    if let Some(entry) = TrailRecord::of_team(record, seq) {
        trail::postgres::insert(tx, trail_key, head, &entry).await?;
    }
    Ok(seq)
}
