//! The PostgreSQL schema, as versioned SQL files in `crates/relay/migrations/postgres/`, applied
//! at start in order, each once, in one transaction with its version recorded in
//! `relay_schema`. Instances starting together take turns on an advisory lock, so a migration
//! runs once. A database migrated by a newer relay is refused, as for SQLite. An applied
//! migration is never edited: a change is a new file.

use deadpool_postgres::Pool;

use super::{connection, failed};
use crate::error::{RelayError, Result};

/// Every migration, in order: (version, SQL).
pub const MIGRATIONS: [(i32, &str); 8] = [
    (1, include_str!("../../../migrations/postgres/0001_log.sql")),
    (
        2,
        include_str!("../../../migrations/postgres/0002_officers.sql"),
    ),
    (
        3,
        include_str!("../../../migrations/postgres/0003_team_records.sql"),
    ),
    (
        4,
        include_str!("../../../migrations/postgres/0004_claims.sql"),
    ),
    (
        5,
        include_str!("../../../migrations/postgres/0005_trail.sql"),
    ),
    (
        6,
        include_str!("../../../migrations/postgres/0006_verdicts.sql"),
    ),
    (
        7,
        include_str!("../../../migrations/postgres/0007_deadlines.sql"),
    ),
    (
        8,
        include_str!("../../../migrations/postgres/0008_runs.sql"),
    ),
];

/// The lock instances take in turn while they migrate (distinct from the append lock).
const MIGRATION_LOCK: i64 = 4846191140421634;

/// Applies the migrations this database lacks. `url` only names the database in errors (its
/// password is never printed).
pub async fn run(pool: &Pool, url: &str) -> Result<()> {
    let mut client = connection(pool).await?;
    let tx = client
        .transaction()
        .await
        .map_err(failed("starting the migration"))?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(failed("waiting for another instance's migration"))?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS relay_schema (
             version integer PRIMARY KEY,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    )
    .await
    .map_err(failed("creating the schema's version table"))?;
    let found: i32 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM relay_schema", &[])
        .await
        .map_err(failed("reading the schema's version"))?
        .get(0);
    let known = MIGRATIONS.last().map_or(0, |(version, _)| *version);
    if found > known {
        return Err(RelayError::NewerSchema {
            path: crate::store::StoreLocation::Postgres(url.to_owned())
                .to_string()
                .into(),
            found: found.into(),
            known: known.into(),
        });
    }
    for (version, sql) in MIGRATIONS {
        if version > found {
            tx.batch_execute(sql)
                .await
                .map_err(failed("applying a migration"))?;
            tx.execute(
                "INSERT INTO relay_schema (version) VALUES ($1)",
                &[&version],
            )
            .await
            .map_err(failed("recording a migration"))?;
            tracing::info!(version, "store migrated");
        }
    }
    tx.commit()
        .await
        .map_err(failed("committing the migration"))
}
