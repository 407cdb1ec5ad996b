//! Retention on this machine: the personal data of a case closed for the configured number of days
//! ([`crate::settings::Retention`], 90 by default) leaves it, files first, then the cache; the
//! audit log keeps every officer action, and one entry per pruned user says what went and why.
//!
//! "Closed" and what the cache removes are defined in [`cache::retention`]: the link expired, the
//! customer abandoned, the verification was refused or failed, or the KYC review was decided, and
//! no webhook or fetch about the user since. The pass runs a few minutes after start (never while
//! the window reads its first pages: listing closed cases reads the whole users table) and then
//! once a day; it works in chunks, so the sync loop's batches interleave with a long first pass.

use std::time::Duration;

use cache::{Outcome, PrunedUser};
use kyc::{CaseState, Timestamp, UserId};
use serde::Serialize;

use crate::desk::Desk;
use crate::error::Result;
use crate::files::{PurgeReport, PurgeSelection};

/// The audit log's name for a retention prune.
pub const RETENTION_ACTION: &str = "retention_prune";

/// Users pruned per transaction.
const CHUNK: usize = 500;

/// How long after start the first pass waits.
pub const AFTER_START: Duration = Duration::from_secs(5 * 60);

/// How often the pass runs after the first one.
pub const PERIOD: Duration = Duration::from_secs(24 * 3600);

const SECONDS_PER_DAY: i64 = 86_400;

/// What one pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RetentionRun {
    /// The retention period the pass applied.
    pub days: u32,
    /// Users whose personal data left this machine, with the closed state their case was in.
    pub users: Vec<(UserId, CaseState)>,
    /// Their downloaded documents, removed from disk (or left, with why).
    pub files: PurgeReport,
    /// Documents and webhook payloads removed from the cache.
    pub documents: usize,
    pub webhooks_emptied: usize,
}

impl Desk {
    /// One retention pass as of `now` (the daily task passes the desk's clock).
    pub async fn retention_pass(&self, now: Timestamp) -> Result<RetentionRun> {
        let days = self.settings().retention.closed_case_days;
        let before = now.plus_seconds(-i64::from(days) * SECONDS_PER_DAY);
        let mut run = RetentionRun {
            days,
            ..RetentionRun::default()
        };
        loop {
            let users = self
                .store()
                .read(move |reader| reader.closed_users(before, CHUNK))
                .await?;
            if users.is_empty() {
                break;
            }
            let files = self
                .purge_documents(PurgeSelection::Users(users.clone()))
                .await?;
            run.files.removed.extend(files.removed);
            run.files.already_gone.extend(files.already_gone);
            run.files.kept.extend(files.kept);
            let listed = users.len();
            let pruned = self
                .store()
                .write(move |cache| cache.prune_closed_users(&users, before, now))
                .await?;
            for (user, state) in &pruned.users {
                self.audit_named(
                    RETENTION_ACTION,
                    Some(*user),
                    None,
                    Outcome::Succeeded,
                    format!(
                        "personal data removed from this machine: the case was {state} with no activity for more than {days} days; this audit trail is kept"
                    ),
                )
                .await?;
            }
            self.notify_changed(pruned.users.iter().map(|(user, _)| *user).collect());
            run.documents += pruned.documents;
            run.webhooks_emptied += pruned.webhooks_emptied;
            let progressed = !pruned.users.is_empty();
            run.users.extend(pruned.users);
            // A chunk whose cases all moved since the listing would be listed again: stop.
            if listed < CHUNK || !progressed {
                break;
            }
        }
        Ok(run)
    }

    /// Whether `user`'s personal data was pruned, and when: what to show instead of their case.
    pub async fn pruned_user(&self, user: UserId) -> Result<Option<PrunedUser>> {
        self.store()
            .read(move |reader| reader.pruned_user(user))
            .await
    }
}

/// Runs the pass [`AFTER_START`] from now, then every [`PERIOD`], until aborted.
pub(crate) fn spawn_daily(desk: Desk) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let first = tokio::time::Instant::now() + AFTER_START;
        let mut period = tokio::time::interval_at(first, PERIOD);
        loop {
            period.tick().await;
            match desk.retention_pass(desk.now()).await {
                Ok(run) if !run.users.is_empty() => tracing::info!(
                    users = run.users.len(),
                    files = run.files.removed.len(),
                    days = run.days,
                    "retention removed the personal data of closed cases"
                ),
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "the retention pass failed; it runs again tomorrow");
                }
            }
        }
    })
}
