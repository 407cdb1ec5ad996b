//! `queue_counts`, kept up to date: users per (state, type, AML flag, score, review).
//!
//! Writers note each row's move from one combination to another here; the moves of one
//! transaction are summed in memory and written once, before its commit.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use crate::error::{Doing, Result};

/// (state, user type or 0, AML flag, score or -9, review), as `queue_counts` keys its rows.
pub(crate) type CountKey = (i64, i64, i64, i64, i64);

#[derive(Default)]
pub(crate) struct Tally(HashMap<CountKey, i64>);

impl Tally {
    pub fn add(&mut self, key: CountKey, delta: i64) {
        *self.0.entry(key).or_default() += delta;
    }

    pub fn moved(&mut self, from: CountKey, to: CountKey) {
        if from != to {
            self.add(from, -1);
            self.add(to, 1);
        }
    }

    /// Writes the summed moves.
    pub fn flush(self, conn: &Connection) -> Result<()> {
        let mut upsert = conn
            .prepare_cached(
                "INSERT INTO queue_counts (state, user_type, aml_flagged, score, review, n)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT DO UPDATE SET n = n + excluded.n",
            )
            .doing("counting users per state")?;
        for ((state, user_type, aml, score, review), delta) in self.0 {
            if delta != 0 {
                upsert
                    .execute(params![state, user_type, aml, score, review, delta])
                    .doing("counting users per state")?;
            }
        }
        Ok(())
    }
}
