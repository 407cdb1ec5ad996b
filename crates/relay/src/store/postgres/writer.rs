//! Group commit on PostgreSQL: one task per instance gathers every webhook waiting at that moment
//! and appends them in one call of `append_events` (one statement, one transaction, one WAL
//! flush), then answers each waiter. While a group commits, the next one gathers.
//!
//! What must stay true (as for SQLite's writer):
//! - A waiter hears `Stored` or `Duplicate` only after the statement that holds its row committed.
//! - A team record and its trail entry commit in one transaction, under the append lock taken
//!   before the trail's head is read (see [`crate::trail::postgres`]). A group of webhooks only
//!   needs no trail entry and keeps the single autocommitted statement.
//! - A group the database refused for its data (not for a lost connection) is retried one webhook
//!   at a time, so that one bad webhook cannot fail the others of its group.

use std::collections::HashMap;
use std::sync::Arc;

use deadpool_postgres::{GenericClient, Pool};
use tokio::sync::{mpsc, oneshot, watch};

use super::super::Record;
use super::super::writer::{Counters, MAX_GROUP, Outcome};
use super::{advance, connection, failed};
use crate::error::{RelayError, Result};
use crate::trail::{self, TrailKey, TrailRecord};

pub(super) enum Command {
    Append {
        record: Record,
        reply: oneshot::Sender<Result<Outcome>>,
    },
    /// Commit what came before, then stop.
    Stop { reply: oneshot::Sender<()> },
}

const APPEND: &str = "SELECT stored_id, stored_seq FROM append_events($1, $2, $3, $4, $5, $6, $7)";

type Waiter = (Record, oneshot::Sender<Result<Outcome>>);

pub(super) async fn run(
    pool: Pool,
    mut inbox: mpsc::Receiver<Command>,
    publish: Arc<watch::Sender<u64>>,
    stats: Arc<Counters>,
    key: TrailKey,
) {
    let mut group: Vec<Waiter> = Vec::with_capacity(MAX_GROUP);
    while let Some(first) = inbox.recv().await {
        let mut next = Some(first);
        let mut stop = None;
        while let Some(command) = next.take() {
            match command {
                Command::Append { record, reply } => group.push((record, reply)),
                Command::Stop { reply } => {
                    stop = Some(reply);
                    break;
                }
            }
            if group.len() >= MAX_GROUP {
                break;
            }
            next = inbox.try_recv().ok();
        }
        commit(&pool, &key, &mut group, &publish, &stats).await;
        if let Some(reply) = stop {
            let _ = reply.send(());
            break;
        }
    }
}

async fn commit(
    pool: &Pool,
    key: &TrailKey,
    group: &mut Vec<Waiter>,
    publish: &watch::Sender<u64>,
    stats: &Counters,
) {
    if group.is_empty() {
        return;
    }
    let records: Vec<&Record> = group.iter().map(|(record, _)| record).collect();
    let outcomes: Vec<Result<Outcome>> = match append(pool, key, &records).await {
        Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
        Err(error) if refused_for_its_data(&error) && records.len() > 1 => {
            tracing::warn!(%error, size = records.len(), "a group commit failed; retrying its webhooks one by one");
            let mut outcomes = Vec::with_capacity(records.len());
            for record in &records {
                outcomes.push(append(pool, key, &[record]).await.map(|o| o[0]));
            }
            outcomes
        }
        Err(error) => {
            let message = error.to_string();
            records.iter().map(|_| Err(not_stored(&message))).collect()
        }
    };
    for (outcome, record) in outcomes.iter().zip(&records) {
        if let Err(error) = outcome {
            tracing::error!(%error, webhook_id = %record.webhook_id, event = %record.event, "a webhook could not be stored");
        }
    }
    if let Some(last) = outcomes
        .iter()
        .filter_map(|o| match o {
            Ok(Outcome::Stored { seq }) => Some(*seq),
            _ => None,
        })
        .max()
    {
        advance(publish, last);
    }
    stats.count(group.len());
    for ((_, reply), outcome) in group.drain(..).zip(outcomes) {
        // A waiter that went away still had its webhook stored.
        let _ = reply.send(outcome);
    }
}

/// The database answered with an error about the statement (a constraint, a bad value), as
/// opposed to a connection that could not be had or was lost: only the former is worth retrying
/// webhook by webhook.
fn refused_for_its_data(error: &RelayError) -> bool {
    matches!(error, RelayError::Postgres { source, .. } if source.as_db_error().is_some())
}

fn not_stored(message: &str) -> RelayError {
    RelayError::Commit(message.to_owned())
}

/// One call of `append_events` for `records`: in autocommit (the statement is its transaction)
/// for webhooks only, in a transaction with their trail entries when team records are among them.
async fn append(pool: &Pool, key: &TrailKey, records: &[&Record]) -> Result<Vec<Outcome>> {
    // A webhook twice in one group is stored once: the first copy goes to the database.
    let mut first_of: HashMap<&str, usize> = HashMap::with_capacity(records.len());
    let mut unique: Vec<&Record> = Vec::with_capacity(records.len());
    for (at, record) in records.iter().enumerate() {
        if !first_of.contains_key(record.webhook_id.as_str()) {
            first_of.insert(&record.webhook_id, at);
            unique.push(record);
        }
    }
    let mut client = connection(pool).await?;
    let stored = if unique.iter().any(|record| record.officer.is_some()) {
        let tx = client
            .transaction()
            .await
            .map_err(failed("starting an append with trail entries"))?;
        let mut head = trail::postgres::lock_and_head(&tx).await?;
        let stored = append_events(&tx, &unique).await?;
        for record in &unique {
            if let Some(&seq) = stored.get(&record.webhook_id)
                && let Some(entry) = TrailRecord::of_team(record, seq)
            {
                trail::postgres::insert(&tx, key, &mut head, &entry).await?;
            }
        }
        tx.commit()
            .await
            .map_err(failed("committing an append with trail entries"))?;
        stored
    } else {
        append_events(&client, &unique).await?
    };
    Ok(records
        .iter()
        .enumerate()
        .map(|(at, record)| match stored.get(&record.webhook_id) {
            Some(&seq) if first_of.get(record.webhook_id.as_str()) == Some(&at) => {
                Outcome::Stored { seq }
            }
            _ => Outcome::Duplicate,
        })
        .collect())
}

/// The call of `append_events` itself: the ids it stored, with their numbers.
async fn append_events(
    client: &impl GenericClient,
    unique: &[&Record],
) -> Result<HashMap<String, u64>> {
    let ids: Vec<&str> = unique.iter().map(|r| r.webhook_id.as_str()).collect();
    let webhooks: Vec<&str> = unique.iter().map(|r| r.event.as_str()).collect();
    let objects: Vec<&str> = unique.iter().map(|r| r.object.as_str()).collect();
    let object_ids: Vec<Option<&str>> = unique.iter().map(|r| r.object_id.as_deref()).collect();
    let created: Vec<Option<i64>> = unique.iter().map(|r| r.webhook_created_at).collect();
    let payloads: Vec<&str> = unique.iter().map(|r| r.payload.as_str()).collect();
    let officers: Vec<Option<&str>> = unique.iter().map(|r| r.officer.as_deref()).collect();
    let statement = client
        .prepare_cached(APPEND)
        .await
        .map_err(failed("preparing the append"))?;
    let rows = client
        .query(
            &statement,
            &[
                &ids,
                &webhooks,
                &objects,
                &object_ids,
                &created,
                &payloads,
                &officers,
            ],
        )
        .await
        .map_err(failed("appending webhooks"))?;
    Ok(rows
        .iter()
        .map(|row| (row.get::<_, String>(0), row.get::<_, i64>(1) as u64))
        .collect())
}
