//! The team's deadlines in either store: one `deadline_policy` row (migration 0007), replaced
//! whole by a senior. A row that no longer reads as a policy (a state this relay does not know,
//! written by a newer one) is an error naming it, never silently the defaults: desks would
//! otherwise work to deadlines nobody set.

use deadpool_postgres::Pool;
use kyc::deadline::DeadlinePolicy;
use kyc::officer::OfficerName;
use rusqlite::{Connection, OptionalExtension, params};

use super::now;
use super::postgres::{connection, failed};
use crate::error::{RelayError, Result};

fn policy_of(text: &str) -> Result<DeadlinePolicy> {
    serde_json::from_str(text).map_err(|e| {
        RelayError::Config(format!(
            "the stored deadlines cannot be read ({e}); set them again with PUT /v1/deadlines"
        ))
    })
}

fn text_of(policy: &DeadlinePolicy) -> String {
    serde_json::to_string(policy).expect("a policy serializes")
}

pub(crate) fn sqlite_read(conn: &Connection) -> Result<Option<DeadlinePolicy>> {
    let text: Option<String> = conn
        .query_row("SELECT policy FROM deadline_policy WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    text.as_deref().map(policy_of).transpose()
}

pub(crate) fn sqlite_write(
    conn: &Connection,
    policy: &DeadlinePolicy,
    by: &OfficerName,
) -> Result<()> {
    conn.execute(
        "INSERT INTO deadline_policy (id, policy, set_by, set_at) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET policy = ?1, set_by = ?2, set_at = ?3",
        params![text_of(policy), by.as_str(), now().unix_micros()],
    )?;
    Ok(())
}

pub(crate) async fn postgres_read(pool: &Pool) -> Result<Option<DeadlinePolicy>> {
    let client = connection(pool).await?;
    let row = client
        .query_opt("SELECT policy FROM deadline_policy WHERE id = 1", &[])
        .await
        .map_err(failed("reading the deadlines"))?;
    row.map(|row| policy_of(row.get(0))).transpose()
}

pub(crate) async fn postgres_write(
    pool: &Pool,
    policy: &DeadlinePolicy,
    by: &OfficerName,
) -> Result<()> {
    let client = connection(pool).await?;
    client
        .execute(
            "INSERT INTO deadline_policy (id, policy, set_by, set_at) VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET policy = $1, set_by = $2, set_at = $3",
            &[&text_of(policy), &by.as_str(), &now().unix_micros()],
        )
        .await
        .map_err(failed("storing the deadlines"))?;
    Ok(())
}
