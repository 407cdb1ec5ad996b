//! Claim records on PostgreSQL: in the transaction of [`super::decided`], read the case's claim,
//! decide it ([`super::super::claims`]), append the record and write the case's new claim.

use deadpool_postgres::Pool;
use tokio::sync::watch;

use super::super::claims::{self, ClaimAsk, Claimed};
use super::{advance, connection, decided, failed};
use crate::error::Result;
use crate::trail::TrailKey;

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
    let record = &ask.record;
    let Some(mut head) = decided::lock_unless_stored(&tx, record).await? else {
        return Ok(Claimed::Duplicate);
    };
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
    let seq = decided::append(&tx, trail_key, &mut head, record).await?;
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
