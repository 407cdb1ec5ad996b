//! The sandbox's memory: users, identifications, documents, review plans, and the answers kept
//! for `accessTag` replays; with the operations Treezor performs on them.
//!
//! Operations take `now` and return the webhooks they cause as [`Event`]s; they do no I/O, so the
//! seed can replay a user's history at past instants and the server can send the events after
//! releasing the lock.

pub mod documents;
pub mod identification;
mod search;
pub mod users;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use kyc::{DocumentTypeId, LivenessType, Timestamp};
use serde::{Deserialize, Serialize};

use self::documents::DocumentRecord;
use self::identification::{Capture, Closed, Identification, Outcome, Phase};
use self::users::{NewUser, UserRecord};
use crate::content::Content;
use crate::wire::{Wire, listed};
pub use search::UserFilter;

/// A webhook to send: what happened, to which object, with its payload (values as strings).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub event: &'static str,
    pub object: &'static str,
    pub object_id: String,
    pub payload: String,
    /// When it happened: the webhook's `webhook_created_at`.
    pub at: Timestamp,
}

/// Treezor's decision on a KYC review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ReviewDecision {
    Validated,
    Refused { comment: String },
}

/// An answer kept for an `accessTag`, replayed for 24 hours.
#[derive(Clone, Debug)]
pub struct Replay {
    pub status: u16,
    pub body: String,
    pub at: Timestamp,
}

#[derive(Debug, PartialEq, Eq)]
pub enum StartError {
    UnknownUser,
    Missing(Vec<&'static str>),
}

#[derive(Debug, PartialEq, Eq)]
pub enum FinishError {
    Unknown,
    Closed(Closed),
}

/// Why `PUT kycliveness` fails, with Treezor's status codes.
#[derive(Debug, PartialEq, Eq)]
pub enum RetrieveError {
    UnknownUser,
    /// 404: the user never started a verification.
    NoIdentification,
    /// 406: the last verification is not processed.
    NotProcessed(&'static str),
    /// 405: processed but not validated: there is nothing to store.
    NothingToStore(i64),
    /// 410: the last verification expired before the end user finished.
    Gone,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ReviewError {
    UnknownUser,
    AlreadyPending,
}

/// The pages of a synthesis document the provider writes.
pub const SYNTHESIS_PAGES: u16 = 3;

/// What `POST kycliveness` needs besides the user.
pub struct StartSettings {
    pub kind: LivenessType,
    pub lifetime: Duration,
    pub url_base: String,
}

#[derive(Default)]
pub struct World {
    pub users: BTreeMap<u64, UserRecord>,
    pub identifications: HashMap<String, Identification>,
    /// The last identification started for each user.
    pub latest: HashMap<u64, String>,
    pub documents: BTreeMap<u64, DocumentRecord>,
    pub review_plans: HashMap<u64, ReviewDecision>,
    pub replays: HashMap<String, Replay>,
}

impl World {
    fn next_user_id(&self) -> u64 {
        self.users
            .keys()
            .next_back()
            .map_or(100_001, |last| last + 1)
    }

    fn next_document_id(&self) -> u64 {
        self.documents
            .keys()
            .next_back()
            .map_or(500_001, |last| last + 1)
    }

    fn user_event(&self, event: &'static str, user: &UserRecord, at: Timestamp) -> Event {
        Event {
            event,
            object: "user",
            object_id: user.id.to_string(),
            payload: listed("users", [user.json(Wire::Webhook, None)]),
            at,
        }
    }

    pub fn create_user(
        &mut self,
        new: &NewUser,
        now: Timestamp,
    ) -> Result<(UserRecord, Vec<Event>), String> {
        if let Some(parent) = new.parent_user_id.filter(|&p| p != 0) {
            match self.users.get(&parent) {
                None => return Err(format!("parentUserId {parent} does not exist")),
                Some(p) if p.parent_user_id != 0 => {
                    return Err(format!(
                        "parentUserId {parent} is itself a child: hierarchies are at most 2 deep"
                    ));
                }
                Some(_) => {}
            }
        }
        let user = UserRecord::from_new(self.next_user_id(), new, now)?;
        let event = self.user_event("user.create", &user, now);
        self.users.insert(user.id, user.clone());
        Ok((user, vec![event]))
    }

    /// `PUT /v1/users/{userId}`: the user's fields changed; `user.update`.
    pub fn update_user(
        &mut self,
        user: u64,
        change: &NewUser,
        now: Timestamp,
    ) -> Result<Option<(UserRecord, Vec<Event>)>, String> {
        let Some(record) = self.users.get(&user) else {
            return Ok(None);
        };
        let updated = record.updated(change, now)?;
        let event = self.user_event("user.update", &updated, now);
        self.users.insert(user, updated.clone());
        Ok(Some((updated, vec![event])))
    }

    pub fn children(&self, parent: u64) -> impl Iterator<Item = &UserRecord> {
        self.users
            .values()
            .filter(move |u| u.parent_user_id == parent && parent != 0)
    }

    /// `POST kycliveness`: a new identification, replacing the user's unfinished one.
    pub fn start(
        &mut self,
        user: u64,
        redirect_url: Option<String>,
        now: Timestamp,
        settings: &StartSettings,
        id: String,
    ) -> Result<Identification, StartError> {
        let record = self.users.get(&user).ok_or(StartError::UnknownUser)?;
        let missing = record.missing_for_liveness();
        if !missing.is_empty() {
            return Err(StartError::Missing(missing));
        }
        if let Some(previous) = self
            .latest
            .get(&user)
            .and_then(|p| self.identifications.get_mut(p))
            && !matches!(previous.phase, Phase::Processed { .. })
        {
            previous.replaced = true;
        }
        let identification = Identification {
            id: id.clone(),
            user,
            kind: settings.kind,
            created: now,
            lifetime: settings.lifetime,
            opened: None,
            redirect_url,
            phase: Phase::Started,
            replaced: false,
            id_document: DocumentTypeId::IDENTITY_CARD,
            capture: Capture::default(),
            documents_retrieved: false,
        };
        self.identifications
            .insert(id.clone(), identification.clone());
        self.latest.insert(user, id);
        Ok(identification)
    }

    /// The end user opens the link: its 15 minutes start. Nothing is sent: Treezor sends no
    /// webhook for it, and the desk never learns when a link was opened.
    pub fn open_link(&mut self, id: &str, now: Timestamp) {
        if let Some(identification) = self.identifications.get_mut(id) {
            identification.opened_at(now);
        }
    }

    /// What the end user's capture gave, recorded before [`World::finish`] while the link is
    /// open (a closed link keeps what it had; `finish` then says why).
    pub fn capture(&mut self, id: &str, capture: Capture, now: Timestamp) {
        if let Some(identification) = self
            .identifications
            .get_mut(id)
            .filter(|i| i.open(now).is_ok())
        {
            identification.capture = capture;
        }
    }

    /// The end user finishes (or leaves): `kycliveness.create` with `processing`.
    pub fn finish(
        &mut self,
        id: &str,
        outcome: Outcome,
        id_document: Option<DocumentTypeId>,
        now: Timestamp,
    ) -> Result<(Identification, Vec<Event>), FinishError> {
        let identification = self
            .identifications
            .get_mut(id)
            .ok_or(FinishError::Unknown)?;
        identification.open(now).map_err(FinishError::Closed)?;
        identification.phase = Phase::Processing {
            finished: now,
            outcome,
        };
        if let Some(document) = id_document {
            identification.id_document = document;
        }
        let identification = identification.clone();
        let event = self.liveness_event("kycliveness.create", &identification, now);
        Ok((identification, event.into_iter().collect()))
    }

    fn liveness_event(
        &self,
        event: &'static str,
        identification: &Identification,
        at: Timestamp,
    ) -> Option<Event> {
        let user = self.users.get(&identification.user)?;
        Some(Event {
            event,
            object: "kycliveness",
            object_id: identification.user.to_string(),
            payload: identification.payload(user),
            at,
        })
    }

    /// The provider decides: `kycliveness.update` with `processed` and the score. Nothing when the
    /// identification is not processing (decided already).
    pub fn decide(&mut self, id: &str, now: Timestamp) -> Vec<Event> {
        let Some(identification) = self.identifications.get_mut(id) else {
            return Vec::new();
        };
        let Phase::Processing { finished, outcome } = identification.phase.clone() else {
            return Vec::new();
        };
        identification.phase = Phase::Processed {
            finished,
            decided: now,
            outcome,
        };
        let identification = identification.clone();
        self.liveness_event("kycliveness.update", &identification, now)
            .into_iter()
            .collect()
    }

    /// `PUT kycliveness`: stores the last verification's documents and announces each.
    pub fn retrieve(
        &mut self,
        user: u64,
        now: Timestamp,
        size: u64,
    ) -> Result<(Vec<DocumentRecord>, Vec<Event>), RetrieveError> {
        let owner = self
            .users
            .get(&user)
            .ok_or(RetrieveError::UnknownUser)?
            .clone();
        let id = self
            .latest
            .get(&user)
            .ok_or(RetrieveError::NoIdentification)?
            .clone();
        let identification = self
            .identifications
            .get(&id)
            .ok_or(RetrieveError::NoIdentification)?
            .clone();
        match &identification.phase {
            Phase::Started if identification.open(now) == Err(Closed::Expired) => {
                return Err(RetrieveError::Gone);
            }
            Phase::Started => return Err(RetrieveError::NotProcessed("started")),
            Phase::Processing { .. } => return Err(RetrieveError::NotProcessed("processing")),
            Phase::Processed { outcome, .. } if outcome.score() != 1 => {
                return Err(RetrieveError::NothingToStore(outcome.score()));
            }
            Phase::Processed { .. } => {}
        }
        if identification.documents_retrieved {
            // Asking again stores nothing new: the documents are already in Treezor.
            let existing = self
                .documents
                .values()
                .filter(|d| d.user == user)
                .cloned()
                .collect();
            return Ok((existing, Vec::new()));
        }
        let mut created = Vec::new();
        let id_file = identification.capture.file.unwrap_or(Content::Jpeg);
        for (type_id, content) in [
            (identification.id_document, id_file),
            (
                identification.kind.synthesis_document(),
                Content::Pdf {
                    pages: SYNTHESIS_PAGES,
                },
            ),
        ] {
            let document =
                DocumentRecord::new(self.next_document_id(), user, type_id, now, size, content);
            self.documents.insert(document.id, document.clone());
            created.push(document);
        }
        if let Some(stored) = self.identifications.get_mut(&id) {
            stored.documents_retrieved = true;
        }
        let events = created
            .iter()
            .map(|d| Event {
                event: "document.create",
                object: "document",
                object_id: d.id.to_string(),
                payload: listed(
                    "documents",
                    [d.json(Wire::Webhook, &owner.firstname, &owner.lastname)],
                ),
                at: now,
            })
            .collect();
        Ok((created, events))
    }

    /// `PUT Kycreview`: the review is pending; `user.kycrequest`.
    pub fn request_review(
        &mut self,
        user: u64,
        now: Timestamp,
    ) -> Result<(UserRecord, Vec<Event>), ReviewError> {
        let record = self.users.get_mut(&user).ok_or(ReviewError::UnknownUser)?;
        if record.kyc_review == 1 {
            return Err(ReviewError::AlreadyPending);
        }
        record.kyc_review = 1;
        record.kyc_review_comment.clear();
        record.modified = now;
        let record = record.clone();
        let event = self.user_event("user.kycrequest", &record, now);
        Ok((record, vec![event]))
    }

    /// Treezor decides the review: `user.kycreview`. The plan set for the user wins; without one,
    /// the review is refused when the user or one of its children has no document.
    pub fn decide_review(&mut self, user: u64, now: Timestamp) -> Vec<Event> {
        if self.users.get(&user).is_none_or(|u| u.kyc_review != 1) {
            return Vec::new();
        }
        let decision = self.review_plans.remove(&user).unwrap_or_else(|| {
            let lacking: Vec<String> = std::iter::once(user)
                .chain(self.children(user).map(|c| c.id))
                .filter(|id| !self.documents.values().any(|d| d.user == *id))
                .map(|id| id.to_string())
                .collect();
            if lacking.is_empty() {
                ReviewDecision::Validated
            } else {
                ReviewDecision::Refused {
                    comment: format!("Documents are missing for user(s) {}: upload them, then request the review again", lacking.join(", ")),
                }
            }
        });
        let Some(record) = self.users.get_mut(&user) else {
            return Vec::new();
        };
        match decision {
            ReviewDecision::Validated => {
                record.kyc_review = 2;
                record.kyc_level = 2;
                record.kyc_review_comment.clear();
            }
            ReviewDecision::Refused { comment } => {
                record.kyc_review = 3;
                record.kyc_level = 4;
                record.kyc_review_comment = comment;
            }
        }
        record.modified = now;
        let record = record.clone();
        let status = if record.kyc_review == 2 {
            "VALIDATED"
        } else {
            "CANCELED"
        };
        for document in self.documents.values_mut().filter(|d| d.user == user) {
            document.status = status.into();
            document.modified = now;
        }
        vec![self.user_event("user.kycreview", &record, now)]
    }
}

#[cfg(test)]
mod tests;
