//! "All the documents": Treezor's list of a user's documents, read and compared with the
//! `document.create` webhooks the cache has (the rule itself is `kyc::case`'s).
//!
//! Each reading that says something new is recorded in the case ([`CaseEvent::DocumentsListed`]). A
//! task reads the list of every case waiting for its documents: at once when a case starts waiting,
//! then again with a doubling delay while it waits, so that a webhook Treezor never sends does not
//! leave the case stuck. A document the list still names without its webhook `grace` after the list
//! first named it is taken from the list ([`CaseEvent::DocumentRecovered`]), and its object is
//! stored as the list gave it; the case's timeline shows both. The officer can ask for a reading at
//! once ([`Desk::check_documents`], audited).

use std::collections::HashMap;
use std::time::Duration;

use cache::{Outcome, QueueFilter, QueueQuery};
use kyc::case::{Awaited, ListedDocument, first_listed};
use kyc::{CaseEvent, CaseState, DocumentId, UserId};
use serde::Serialize;
use tokio::sync::broadcast::error::RecvError;

use crate::desk::{Change, Desk};
use crate::error::Result;

/// When the list is read while a case waits, and when a missing webhook counts as lost.
#[derive(Clone, Copy, Debug)]
pub struct DocumentsWatch {
    /// The wait before the second reading; doubled after each, up to `max`.
    pub first: Duration,
    pub max: Duration,
    /// How long after the list first names a document its webhook may still come.
    pub grace: Duration,
}

impl Default for DocumentsWatch {
    /// Treezor sends its `document.create`s within seconds of the retrieval: two minutes is
    /// ample, and a list read every five minutes at most costs Treezor little.
    fn default() -> Self {
        DocumentsWatch {
            first: Duration::from_secs(2),
            max: Duration::from_secs(300),
            grace: Duration::from_secs(120),
        }
    }
}

/// What one reading of the list found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DocumentsChecked {
    pub user_id: UserId,
    /// How many documents Treezor listed.
    pub listed: u32,
    /// Documents taken from the list, their webhook having not come within the grace period.
    pub recovered: Vec<DocumentId>,
    /// What the review still waits for (empty: every document is in).
    pub awaited: Vec<Awaited>,
}

/// The audit log's name for the officer's "check documents now".
const CHECK_DOCUMENTS: &str = "check_documents";

impl Desk {
    /// Reads Treezor's list of `user`'s documents now, at the officer's request: records it,
    /// takes from it the documents whose webhook is overdue, and audits the check.
    pub async fn check_documents(&self, user: UserId) -> Result<DocumentsChecked> {
        let outcome = self.read_documents(user).await;
        let (status, detail) = match &outcome {
            Ok(checked) => (Outcome::Succeeded, checked.words()),
            Err(error) => (Outcome::Failed, error.to_string()),
        };
        self.audit_named(CHECK_DOCUMENTS, Some(user), None, status, detail)
            .await?;
        outcome
    }

    /// One reading of the list (see the module doc).
    pub(crate) async fn read_documents(&self, user: UserId) -> Result<DocumentsChecked> {
        let client = self.treezor()?;
        let documents = client.list_documents(user).await?;
        let at = self.now();
        let listed: Vec<ListedDocument> = documents
            .iter()
            .filter(|d| d.user_id.is_none_or(|owner| owner == user))
            .filter_map(|d| {
                Some(ListedDocument {
                    document: d.document_id,
                    document_type: d.document_type_id?,
                    created_at: d.created_at,
                })
            })
            .collect();
        let count = listed.len() as u32;
        // A reading that says what the last one since the retrieval said adds nothing: it is not
        // recorded, so a case that waits long does not pile up identical readings.
        let before = self.case_detail(user).await?.view;
        let same = !before.awaited.contains(&Awaited::Listing)
            && before
                .listings
                .last()
                .is_some_and(|last| same_documents(&last.documents, &listed));
        let objects = documents.clone();
        self.store()
            .write(move |cache| {
                for document in &objects {
                    cache.upsert_document(document, at)?;
                }
                if same {
                    return Ok(false);
                }
                cache.record_case_event(
                    user,
                    CaseEvent::DocumentsListed {
                        at,
                        documents: listed,
                    },
                    at,
                )
            })
            .await?;
        let grace = self.inner.sync_options.documents.grace.as_micros() as i64;
        let view = self.case_detail(user).await?.view;
        let overdue: Vec<ListedDocument> = view
            .awaited
            .iter()
            .filter_map(|awaited| match awaited {
                Awaited::Document { document, .. } => Some(*document),
                _ => None,
            })
            .filter(|document| {
                first_listed(&view.listings, *document)
                    .is_some_and(|first| at.unix_micros() - first.unix_micros() >= grace)
            })
            .filter_map(|document| {
                view.listings
                    .iter()
                    .rev()
                    .flat_map(|l| &l.documents)
                    .find(|l| l.document == document)
                    .cloned()
            })
            .collect();
        let recovered: Vec<DocumentId> = overdue.iter().map(|d| d.document).collect();
        if !overdue.is_empty() {
            let events: Vec<(UserId, CaseEvent)> = overdue
                .into_iter()
                .map(|document| (user, CaseEvent::DocumentRecovered { at, document }))
                .collect();
            self.store()
                .write(move |cache| cache.record_case_events(&events, at))
                .await?;
        }
        self.notify_changed(vec![user]);
        let awaited = self.case_detail(user).await?.view.awaited;
        Ok(DocumentsChecked {
            user_id: user,
            listed: count,
            recovered,
            awaited,
        })
    }
}

/// Whether two readings name the same documents, whatever their order.
fn same_documents(a: &[ListedDocument], b: &[ListedDocument]) -> bool {
    let ids = |list: &[ListedDocument]| {
        let mut ids: Vec<DocumentId> = list.iter().map(|d| d.document).collect();
        ids.sort_unstable();
        ids
    };
    ids(a) == ids(b)
}

impl DocumentsChecked {
    /// The audit entry's words: counts and ids, nothing personal.
    fn words(&self) -> String {
        let mut words = format!("Treezor lists {} documents", self.listed);
        if !self.recovered.is_empty() {
            let ids: Vec<String> = self.recovered.iter().map(ToString::to_string).collect();
            words.push_str(&format!(
                "; taken from the list, their document.create not having come: {}",
                ids.join(", ")
            ));
        }
        if self.awaited.is_empty() {
            words.push_str("; every document is in");
        } else {
            words.push_str(&format!("; {} still awaited", self.awaited.len()));
        }
        words
    }
}

/// When each waiting case is next read, and how long after that.
struct Due {
    at: tokio::time::Instant,
    wait: Duration,
}

/// How often, at most, the log says that lists could not be read.
pub const UNREAD_SAID_EVERY: Duration = Duration::from_secs(60);

/// The readings that failed, said in the log at most once every [`UNREAD_SAID_EVERY`]. Treezor
/// out of reach or not configured fails every waiting case's reading alike: a line per reading
/// filled the log (60,000 lines in 15 s with a large queue offline). The line says how many
/// failed since the last one; each failure is at the debug level.
#[derive(Default)]
struct Unread {
    since_said: u64,
    said_at: Option<tokio::time::Instant>,
}

impl Unread {
    fn failed(&mut self, user: UserId, error: &crate::error::Error) {
        tracing::debug!(%user, %error, "Treezor's list of documents could not be read");
        self.since_said += 1;
        let now = tokio::time::Instant::now();
        if self.said_at.is_none_or(|at| now >= at + UNREAD_SAID_EVERY) {
            tracing::warn!(
                failed = self.since_said,
                last_user = %user,
                %error,
                "Treezor's lists of documents could not be read ({} readings failed since the last \
                 such line; every waiting case is read again later)",
                self.since_said
            );
            self.since_said = 0;
            self.said_at = Some(now);
        }
    }
}

/// The task that reads the list of every case waiting for its documents, with backoff.
pub(crate) fn spawn_watch(desk: Desk) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let options = desk.inner.sync_options.documents;
        let hold = desk.inner.sync_options.hold_for_first_rows;
        desk.inner.first_rows.wait(hold).await;
        let mut changes = desk.subscribe();
        let mut due: HashMap<UserId, Due> = HashMap::new();
        let mut unread = Unread::default();
        loop {
            let waiting = match waiting_cases(&desk).await {
                Ok(waiting) => waiting,
                Err(error) => {
                    tracing::warn!(%error, "the cases waiting for documents could not be listed");
                    Vec::new()
                }
            };
            due.retain(|user, _| waiting.contains(user));
            let start = tokio::time::Instant::now();
            for user in waiting {
                let entry = due.entry(user).or_insert(Due {
                    at: start,
                    wait: options.first,
                });
                if entry.at > start {
                    continue;
                }
                if let Err(error) = desk.read_documents(user).await {
                    unread.failed(user, &error);
                }
                entry.at = tokio::time::Instant::now() + entry.wait;
                entry.wait = (entry.wait * 2).min(options.max);
            }
            let next = due
                .values()
                .map(|d| d.at)
                .min()
                .unwrap_or_else(|| tokio::time::Instant::now() + options.max);
            // A change may be a case that starts waiting: look again at once.
            tokio::select! {
                () = tokio::time::sleep_until(next) => {}
                change = changes.recv() => match change {
                    Ok(Change::Users(_)) | Err(RecvError::Lagged(_)) => {}
                    Ok(Change::Notice(_)) => {}
                    Err(RecvError::Closed) => return,
                },
            }
        }
    })
}

/// Every case waiting for its documents (at most the first 10,000).
async fn waiting_cases(desk: &Desk) -> Result<Vec<UserId>> {
    let filter = QueueFilter {
        states: vec![CaseState::DocumentsRequested],
        ..QueueFilter::default()
    };
    let mut users = Vec::new();
    let mut after = None;
    for _ in 0..10 {
        let page = desk
            .queue_rows(QueueQuery {
                filter: filter.clone(),
                after,
                limit: 1_000,
                ..QueueQuery::default()
            })
            .await?;
        users.extend(page.rows.iter().map(|r| r.user_id));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(users)
}
