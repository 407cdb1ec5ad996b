//! What one write transaction does to users, gathered so that each user's row is read, rebuilt
//! and written once per transaction however many of its events arrive together: the profile
//! observations merged in one go, the case projected once, the row saved once.

use std::collections::BTreeMap;

use kyc::case::CaseEvent;
use kyc::objects::User;
use kyc::{Timestamp, UserId};
use rusqlite::Connection;

use crate::error::Result;
use crate::profile::merge_observations;
use crate::project::{insert_event, project_into};
use crate::row::{Layout, Row};
use crate::tally::Tally;

#[derive(Default)]
struct Pending {
    observations: Vec<(User, Timestamp)>,
    case_grew: bool,
}

/// The users a transaction touches, and what happened to each.
#[derive(Default)]
pub(crate) struct Batch {
    users: BTreeMap<UserId, Pending>,
}

impl Batch {
    /// A profile observation of `user` at `at`.
    pub fn observe(&mut self, user: &User, at: Timestamp) {
        self.users
            .entry(user.user_id)
            .or_default()
            .observations
            .push((user.clone(), at));
    }

    /// Stores a case event now (a duplicate is a no-op) and notes the user's case for projection.
    pub fn record(&mut self, conn: &Connection, user: UserId, event: &CaseEvent) -> Result<()> {
        if insert_event(conn, user, event)? {
            self.touch(user);
        }
        Ok(())
    }

    /// Notes `user`'s case for projection: its events changed outside [`Batch::record`].
    pub fn touch(&mut self, user: UserId) {
        self.users.entry(user).or_default().case_grew = true;
    }

    /// Rebuilds and writes every touched user's row. Returns the users whose row changed.
    pub fn finish(
        self,
        conn: &Connection,
        now: Timestamp,
        tally: &mut Tally,
    ) -> Result<Vec<UserId>> {
        let mut changed = Vec::new();
        let layout = Layout::of(conn)?;
        for (user, pending) in self.users {
            let id = user.get() as i64;
            let old = Row::load(conn, id, layout)?;
            let mut row = old.clone().unwrap_or_else(|| Row::new(id, layout));
            if !pending.observations.is_empty() {
                merge_observations(conn, &pending.observations, &mut row)?;
            }
            if pending.case_grew {
                project_into(conn, user, now, &mut row)?;
            }
            if old.as_ref() != Some(&row) {
                row.save(conn, old.as_ref(), tally)?;
                changed.push(user);
            }
        }
        Ok(changed)
    }
}
