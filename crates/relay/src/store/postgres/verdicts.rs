//! Approve, reject and run records on PostgreSQL: in the transaction of [`super::decided`], read
//! the proposal from `events` with its verdict and its run, decide ([`super::super::four_eyes`]),
//! append the record and write the verdict or the run beside it.

use deadpool_postgres::{Pool, Transaction};
use kyc::four_eyes::RunRefusal;
use tokio::sync::watch;
use tokio_postgres::types::ToSql;

use super::super::four_eyes::{self, Answered, ProposalRow, RunAsk, VerdictAsk};
use super::{advance, connection, decided, failed};
use crate::error::Result;
use crate::store::Record;
use crate::trail::TrailKey;

pub(super) async fn verdict(
    pool: &Pool,
    publish: &watch::Sender<u64>,
    trail_key: &TrailKey,
    ask: &VerdictAsk,
) -> Result<Answered> {
    let answer = Beside {
        record: &ask.record,
        proposal: ask.proposal,
        statement: "INSERT INTO verdicts (proposal, verdict, officer, seq) VALUES ($1, $2, $3, $4)",
        texts: &[ask.verdict.as_str(), ask.by.as_str()],
        what: "an approval",
    };
    let decide = |row: Option<&ProposalRow>| ask.decide(row.map(|(proposal, _)| proposal));
    decided_answer(pool, publish, trail_key, answer, decide).await
}

pub(super) async fn approval_run(
    pool: &Pool,
    publish: &watch::Sender<u64>,
    trail_key: &TrailKey,
    ask: &RunAsk,
) -> Result<Answered<RunRefusal>> {
    let by = ask.record.officer.as_deref().unwrap_or_default();
    let run = Beside {
        record: &ask.record,
        proposal: ask.proposal,
        statement: "INSERT INTO runs (proposal, officer, seq) VALUES ($1, $2, $3)",
        texts: &[by],
        what: "a run",
    };
    let decide = |row: Option<&ProposalRow>| ask.decide(row);
    decided_answer(pool, publish, trail_key, run, decide).await
}

/// A record answering the proposal numbered `proposal`, and the row it writes beside itself:
/// `statement` binds the proposal's number, then the `texts`, then the record's number, in that
/// order from `$1`.
struct Beside<'a> {
    record: &'a Record,
    proposal: u64,
    statement: &'static str,
    texts: &'a [&'a str],
    what: &'static str,
}

/// Stores `beside`'s record if `decide` allows it against the proposal's row, in one
/// transaction with the row it writes beside itself.
async fn decided_answer<Why>(
    pool: &Pool,
    publish: &watch::Sender<u64>,
    trail_key: &TrailKey,
    beside: Beside<'_>,
    decide: impl FnOnce(Option<&ProposalRow>) -> std::result::Result<(), Why>,
) -> Result<Answered<Why>> {
    let record = beside.record;
    let mut client = connection(pool).await?;
    let tx = client
        .transaction()
        .await
        .map_err(failed("starting a decided answer"))?;
    let Some(mut head) = decided::lock_unless_stored(&tx, record).await? else {
        return Ok(Answered::Duplicate);
    };
    let number = beside.proposal as i64;
    if let Err(why) = decide(proposal_row(&tx, number).await?.as_ref()) {
        return Ok(Answered::Refused(why));
    }
    let seq = decided::append(&tx, trail_key, &mut head, record).await?;
    let seq_param = seq as i64;
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&number];
    params.extend(beside.texts.iter().map(|text| text as &(dyn ToSql + Sync)));
    params.push(&seq_param);
    tx.execute(beside.statement, &params)
        .await
        .map_err(failed(beside.what))?;
    tx.commit().await.map_err(failed(beside.what))?;
    advance(publish, seq);
    Ok(Answered::Stored { seq })
}

/// The proposal numbered `number`, its verdict and who spent it, as the log holds them.
async fn proposal_row(tx: &Transaction<'_>, number: i64) -> Result<Option<ProposalRow>> {
    let row = tx
        .query_opt(four_eyes::PROPOSAL_ROW, &[&number])
        .await
        .map_err(failed("reading the proposal"))?;
    Ok(row.and_then(|r| {
        let verdict: Option<String> = r.get(2);
        let by: Option<String> = r.get(3);
        four_eyes::proposal_row(number as u64, r.get(0), r.get(1), verdict.zip(by), r.get(4))
    }))
}
