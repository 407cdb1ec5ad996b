//! Approve and reject records on PostgreSQL: in the transaction of [`super::decided`], read the
//! proposal from `events` with its verdict, decide ([`super::super::four_eyes`]), append the
//! record and write the verdict.

use deadpool_postgres::Pool;
use tokio::sync::watch;

use super::super::four_eyes::{self, Answered, VerdictAsk};
use super::{advance, connection, decided, failed};
use crate::error::Result;
use crate::trail::TrailKey;

pub(super) async fn verdict(
    pool: &Pool,
    publish: &watch::Sender<u64>,
    trail_key: &TrailKey,
    ask: &VerdictAsk,
) -> Result<Answered> {
    let mut client = connection(pool).await?;
    let tx = client
        .transaction()
        .await
        .map_err(failed("starting an approval"))?;
    let record = &ask.record;
    let Some(mut head) = decided::lock_unless_stored(&tx, record).await? else {
        return Ok(Answered::Duplicate);
    };
    let number = ask.proposal as i64;
    let row = tx
        .query_opt(
            "SELECT e.officer, e.payload, v.verdict, v.officer FROM events e \
             LEFT JOIN verdicts v ON v.proposal = e.seq \
             WHERE e.seq = $1 AND e.webhook = 'team.propose'",
            &[&number],
        )
        .await
        .map_err(failed("reading the proposal"))?;
    let proposal = row.and_then(|r| {
        let verdict: Option<String> = r.get(2);
        let by: Option<String> = r.get(3);
        four_eyes::proposal_from_rows(ask.proposal, r.get(0), r.get(1), verdict.zip(by))
    });
    if let Err(refusal) = ask.decide(proposal.as_ref()) {
        return Ok(Answered::Refused(refusal));
    }
    let seq = decided::append(&tx, trail_key, &mut head, record).await?;
    tx.execute(
        "INSERT INTO verdicts (proposal, verdict, officer, seq) VALUES ($1, $2, $3, $4)",
        &[
            &number,
            &ask.verdict.as_str(),
            &ask.by.as_str(),
            &(seq as i64),
        ],
    )
    .await
    .map_err(failed("writing the proposal's verdict"))?;
    tx.commit()
        .await
        .map_err(failed("committing an approval"))?;
    advance(publish, seq);
    Ok(Answered::Stored { seq })
}
