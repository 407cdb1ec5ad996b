//! Claim records on PostgreSQL: one transaction that takes the append lock first (the lock
//! `append_events` takes, reentrant within a transaction), reads the case's claim, decides it
//! ([`super::super::claims`]), appends the record through `append_events` and writes the case's
//! new claim, with the record's entry in the team's trail. Any instance's next append or claim
//! waits for the lock, so it sees this one.

use deadpool_postgres::Pool;
use tokio::sync::watch;

use super::super::claims::{self, ClaimAsk, Claimed};
use super::{advance, connection, failed};
use crate::error::Result;
use crate::trail::{self, TrailKey, TrailRecord};

const APPEND: &str = "SELECT stored_seq FROM append_events(ARRAY[$1::text], ARRAY[$2::text], \
     ARRAY[$3::text], ARRAY[$4::text], ARRAY[$5::bigint], ARRAY[$6::text], ARRAY[$7::text])";

pub(super) async fn claim(
    pool: &Pool,
    publish: &watch::Sender<u64>,
    trail_key: &TrailKey,
    ask: &ClaimAsk,
) -> Result<Claimed> {
    let mut client = connection(pool).await?;
    let tx = client
        .transaction()
        .await
        .map_err(failed("starting a claim"))?;
    // The append lock, and under it the trail's head: a claim is a team record, and its trail
    // entry is written in this transaction.
    let mut head = trail::postgres::lock_and_head(&tx).await?;
    let record = &ask.record;
    let known = tx
        .query_opt(
            "SELECT 1 FROM events WHERE webhook_id = $1",
            &[&record.webhook_id],
        )
        .await
        .map_err(failed("looking for the claim record"))?;
    if known.is_some() {
        return Ok(Claimed::Duplicate);
    }
    let user = ask.user.get() as i64;
    let row = tx
        .query_opt(
            "SELECT holder, since, last_activity FROM claims WHERE user_id = $1",
            &[&user],
        )
        .await
        .map_err(failed("reading the case's claim"))?;
    let current = row
        .as_ref()
        .and_then(|r| claims::from_row(r.get(0), r.get(1), r.get(2)));
    // The database's clock, as append_events uses for received_at: every instance decides by
    // the same clock.
    let now: i64 = tx
        .query_one(
            "SELECT greatest(last_received, \
                 (extract(epoch FROM clock_timestamp()) * 1000000)::bigint) FROM log_head",
            &[],
        )
        .await
        .map_err(failed("reading the hub's clock"))?
        .get(0);
    let holder = match ask.decide(current.as_ref(), kyc::Timestamp::from_unix_micros(now)) {
        Ok(holder) => holder,
        Err(refusal) => return Ok(Claimed::Refused(refusal)),
    };
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
        .map_err(failed("appending a claim record"))?;
    let seq = stored.get::<_, i64>(0) as u64;
    if let Some(entry) = TrailRecord::of_team(record, seq) {
        trail::postgres::insert(&tx, trail_key, &mut head, &entry).await?;
    }
    match &holder {
        Some(claim) => tx
            .execute(
                "INSERT INTO claims (user_id, holder, since, last_activity) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET \
                 holder = excluded.holder, since = excluded.since, \
                 last_activity = excluded.last_activity",
                &[
                    &user,
                    &claim.holder.as_str(),
                    &claim.since.unix_micros(),
                    &claim.last_activity.unix_micros(),
                ],
            )
            .await
            .map_err(failed("writing the case's claim"))?,
        None => tx
            .execute("DELETE FROM claims WHERE user_id = $1", &[&user])
            .await
            .map_err(failed("clearing the case's claim"))?,
    };
    tx.commit().await.map_err(failed("committing a claim"))?;
    advance(publish, seq);
    Ok(Claimed::Stored { seq, holder })
}
