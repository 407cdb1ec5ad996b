//! The officers table of a PostgreSQL store, shared by every instance: a credential revoked
//! through one is refused by all at their next request.

use deadpool_postgres::Pool;
use kyc::officer::{OfficerName, Role};
use tokio_postgres::Row;

use super::{connection, failed};
use crate::error::{RelayError, Result};
use crate::officers::{Officer, TokenHash};
use crate::store::contract::{Officers, Pending};
use crate::store::now;
use crate::store::sqlite::{already_active, no_active};

pub struct PgOfficers {
    pool: Pool,
}

const COLUMNS: &str = "id, name, role, created_at, revoked_at";

impl PgOfficers {
    pub fn new(pool: Pool) -> PgOfficers {
        PgOfficers { pool }
    }
}

fn officer_of(row: &Row) -> Result<Officer> {
    Officer::from_columns(row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)).map_err(
        |detail| RelayError::Officers(format!("the officers table holds a bad row: {detail}")),
    )
}

impl Officers for PgOfficers {
    fn add(&self, name: OfficerName, role: Role, hash: TokenHash) -> Pending<'_, Officer> {
        Box::pin(async move {
            let client = connection(&self.pool).await?;
            // The partial unique index on active names decides between two concurrent adds.
            let row = client
                .query_opt(
                    &format!(
                        "INSERT INTO officers (name, role, token_hash, created_at) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
                    ),
                    &[
                        &name.as_str(),
                        &role.as_str(),
                        &hash.as_bytes().as_slice(),
                        &now().unix_micros(),
                    ],
                )
                .await
                .map_err(failed("adding an officer"))?;
            row.as_ref()
                .map(officer_of)
                .unwrap_or_else(|| Err(already_active(&name)))
        })
    }

    fn list(&self) -> Pending<'_, Vec<Officer>> {
        Box::pin(async move {
            let client = connection(&self.pool).await?;
            client
                .query(&format!("SELECT {COLUMNS} FROM officers ORDER BY id"), &[])
                .await
                .map_err(failed("listing officers"))?
                .iter()
                .map(officer_of)
                .collect()
        })
    }

    fn revoke(&self, name: OfficerName) -> Pending<'_, Officer> {
        Box::pin(async move {
            let client = connection(&self.pool).await?;
            let row = client
                .query_opt(
                    &format!(
                        "UPDATE officers SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL \
                         RETURNING {COLUMNS}"
                    ),
                    &[&name.as_str(), &now().unix_micros()],
                )
                .await
                .map_err(failed("revoking an officer"))?;
            row.as_ref()
                .map(officer_of)
                .unwrap_or_else(|| Err(no_active(&name)))
        })
    }

    fn by_token(&self, hash: TokenHash) -> Pending<'_, Option<Officer>> {
        Box::pin(async move {
            let client = connection(&self.pool).await?;
            let statement = client
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM officers WHERE token_hash = $1"
                ))
                .await
                .map_err(failed("preparing the credential lookup"))?;
            client
                .query_opt(&statement, &[&hash.as_bytes().as_slice()])
                .await
                .map_err(failed("looking up a credential"))?
                .as_ref()
                .map(officer_of)
                .transpose()
        })
    }
}
