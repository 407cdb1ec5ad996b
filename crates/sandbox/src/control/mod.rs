//! The control handle: what tests and the demo do to the sandbox besides calling Treezor's API.
//! The `/sandbox/` endpoints ([`routes`]) mirror it over HTTP.

pub mod routes;

use std::collections::BTreeMap;
use std::time::Duration;

use kyc::{DocumentTypeId, Timestamp};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::api::liveness::identification_url;
use crate::content::Content;
use crate::error::{Error, Result};
use crate::faults::FaultRule;
use crate::seed::{SeedOptions, SeedReport};
use crate::state::{SandboxState, check_target, lock};
use crate::webhooks::{DeliveryRecord, WebhookFaults};
use crate::wire::Wire;
use crate::world::identification::{Capture, Closed, Identification, Outcome, Phase, ReadIdentity};
use crate::world::users::NewUser;
use crate::world::{FinishError, ReviewDecision, StartError, StartSettings};

/// An identification as the control API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdentificationView {
    pub id: String,
    pub user: u64,
    /// The hosted page where the end user (a tester) finishes it.
    pub url: String,
    /// `started`, `replaced`, `expired`, `processing` or `processed`.
    pub status: String,
    /// When the end user opened the link, if they did.
    pub opened_at: Option<Timestamp>,
    /// 15 minutes after the link was opened; none while unopened.
    pub expires_at: Option<Timestamp>,
    pub score: Option<i64>,
    pub documents_retrieved: bool,
}

/// What finishing an identification did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finished {
    pub identification: String,
    /// Where the end user's browser goes next: the `redirectUrl` with `id`, `event` and
    /// `response_code`.
    pub redirect_to: String,
}

/// A document's file as the sandbox serves it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocumentFacts {
    pub sha256: String,
    pub size: u64,
    pub file_name: String,
    /// The `Content-Type` the file host sends.
    pub media_type: &'static str,
    pub content: Content,
    /// A picture's width and height.
    pub dimensions: Option<(u32, u32)>,
    pub pages: Option<u16>,
    pub marker: String,
}

/// The in-process control handle. Cheap to clone.
#[derive(Clone)]
pub struct Control {
    state: SandboxState,
}

impl Control {
    pub fn new(state: SandboxState) -> Control {
        Control { state }
    }

    /// Creates a user as `POST /v1/users` does (with its `user.create` webhook).
    pub fn create_user(&self, new: &NewUser) -> Result<u64> {
        let now = self.state.now();
        let (user, events) = self
            .state
            .world(|w| w.create_user(new, now))
            .map_err(Error::InvalidUser)?;
        self.state.send(events);
        Ok(user.id)
    }

    /// Changes a user as `PUT /v1/users/{id}` does (with its `user.update` webhook).
    pub fn update_user(&self, user: u64, change: &NewUser) -> Result<()> {
        let now = self.state.now();
        let (_, events) = self
            .state
            .world(|w| w.update_user(user, change, now))
            .map_err(Error::InvalidUser)?
            .ok_or(Error::UnknownUser(user))?;
        self.state.send(events);
        Ok(())
    }

    /// A user as `GET /v1/users/{id}` writes it.
    pub fn user_json(&self, user: u64) -> Option<String> {
        self.state
            .world(|w| w.users.get(&user).map(|u| u.json(Wire::Rest, None)))
    }

    pub fn user_count(&self) -> usize {
        self.state.world(|w| w.users.len())
    }

    fn view(&self, identification: &Identification) -> IdentificationView {
        let now = self.state.now();
        IdentificationView {
            id: identification.id.clone(),
            user: identification.user,
            url: identification_url(&self.state.shared().base_url, &identification.id),
            status: identification.status_word(now).to_owned(),
            opened_at: identification.opened,
            expires_at: identification.expires(),
            score: match &identification.phase {
                Phase::Processed { outcome, .. } => Some(outcome.score()),
                _ => None,
            },
            documents_retrieved: identification.documents_retrieved,
        }
    }

    pub fn identification(&self, id: &str) -> Option<IdentificationView> {
        self.state
            .world(|w| w.identifications.get(id).cloned())
            .map(|i| self.view(&i))
    }

    /// The last identification started for `user`.
    pub fn latest_identification(&self, user: u64) -> Option<IdentificationView> {
        self.state
            .world(|w| {
                w.latest
                    .get(&user)
                    .and_then(|id| w.identifications.get(id))
                    .cloned()
            })
            .map(|i| self.view(&i))
    }

    /// Every identification, newest first.
    pub fn identifications(&self) -> Vec<IdentificationView> {
        let mut all: Vec<Identification> = self
            .state
            .world(|w| w.identifications.values().cloned().collect());
        all.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
        all.iter().map(|i| self.view(i)).collect()
    }

    /// Starts a verification as `POST kycliveness` does.
    pub fn start_identification(
        &self,
        user: u64,
        redirect_url: Option<String>,
    ) -> Result<IdentificationView> {
        let settings = StartSettings {
            kind: self.state.config().liveness_type,
            lifetime: self.state.config().identification_lifetime,
            url_base: self.state.shared().base_url.clone(),
        };
        let now = self.state.now();
        let id = uuid::Uuid::new_v4().to_string();
        match self
            .state
            .world(|w| w.start(user, redirect_url, now, &settings, id))
        {
            Ok(identification) => Ok(self.view(&identification)),
            Err(StartError::UnknownUser) => Err(Error::UnknownUser(user)),
            Err(StartError::Missing(missing)) => Err(Error::InvalidUser(format!(
                "user {user} lacks {} for a live verification",
                missing.join(", ")
            ))),
        }
    }

    /// Plays the end user: finishes the verification with `outcome`. Sends `kycliveness.create`
    /// now and `kycliveness.update` after the decision delay.
    pub fn finish(
        &self,
        id: &str,
        outcome: Outcome,
        id_document: Option<DocumentTypeId>,
    ) -> Result<Finished> {
        self.finish_with(id, outcome, id_document, Capture::default())
    }

    /// As [`Control::finish`], with the file the provider keeps of the identity document and
    /// what it read on it.
    pub fn finish_with(
        &self,
        id: &str,
        outcome: Outcome,
        id_document: Option<DocumentTypeId>,
        capture: Capture,
    ) -> Result<Finished> {
        let now = self.state.now();
        let finished = self.state.world(|w| {
            w.capture(id, capture, now);
            w.finish(id, outcome.clone(), id_document, now)
        });
        let (identification, events) = match finished {
            Ok(done) => done,
            Err(FinishError::Unknown) => return Err(Error::UnknownIdentification(id.to_owned())),
            Err(FinishError::Closed(closed)) => {
                return Err(Error::CannotFinish {
                    id: id.to_owned(),
                    why: closed.words().to_owned(),
                });
            }
        };
        self.state.send(events);
        let decided = id.to_owned();
        self.state
            .later(self.state.config().decision_delay, move |w, now| {
                w.decide(&decided, now)
            });
        let (event, code) = outcome.redirect_event();
        Ok(Finished {
            identification: id.to_owned(),
            redirect_to: self.redirect(&identification, event, code),
        })
    }

    /// The redirect for `identification` with Treezor's three query parameters.
    pub(crate) fn redirect(
        &self,
        identification: &Identification,
        event: &str,
        code: &str,
    ) -> String {
        let base = identification
            .redirect_url
            .clone()
            .or_else(|| self.state.config().default_redirect_url.clone())
            .unwrap_or_else(|| {
                format!(
                    "{}/verify/{}/done",
                    self.state.shared().base_url,
                    identification.id
                )
            });
        match reqwest::Url::parse(&base) {
            Ok(mut url) => {
                url.query_pairs_mut()
                    .append_pair("id", &identification.id)
                    .append_pair("event", event)
                    .append_pair("response_code", code);
                url.to_string()
            }
            Err(_) => base,
        }
    }

    /// Plays the end user opening the link (the hosted page does it too): its 15 minutes start.
    pub fn open_link(&self, id: &str) {
        let now = self.state.now();
        self.state.world(|w| w.open_link(id, now));
    }

    /// Why an identification's link is closed, if it is.
    pub(crate) fn closed(&self, id: &str) -> Option<std::result::Result<(), Closed>> {
        let now = self.state.now();
        self.state
            .world(|w| w.identifications.get(id).map(|i| i.open(now)))
    }

    /// An identification, with its user's name and what the user's profile says of them (what
    /// the provider reads unless a tester says otherwise).
    pub(crate) fn identification_record(
        &self,
        id: &str,
    ) -> Option<(Identification, String, ReadIdentity)> {
        self.state.world(|w| {
            let identification = w.identifications.get(id)?.clone();
            let user = w.users.get(&identification.user);
            let name = user
                .map(|u| format!("{} {}", u.firstname, u.lastname))
                .unwrap_or_default();
            let profile = user
                .map(|u| ReadIdentity {
                    first_name: Some(u.firstname.clone()),
                    last_name: Some(u.lastname.clone()),
                    birth_date: Some(u.birthday.clone()),
                })
                .unwrap_or_default();
            Some((identification, name, profile))
        })
    }

    /// Sets (or clears) where webhooks are posted; waiting webhooks go out at once.
    pub fn set_webhook_target(&self, target: Option<&str>) -> Result<()> {
        if let Some(target) = target {
            check_target(target)?;
        }
        self.state
            .shared()
            .outbox
            .set_target(target.map(str::to_owned));
        Ok(())
    }

    pub fn webhook_target(&self) -> Option<String> {
        self.state.shared().outbox.target()
    }

    pub fn set_webhook_faults(&self, faults: WebhookFaults) {
        self.state.shared().outbox.set_faults(faults);
    }

    /// The delivery faults as they stand (a drop counts down as it is used).
    pub fn webhook_faults(&self) -> WebhookFaults {
        self.state.shared().outbox.faults()
    }

    /// Every webhook raised so far, oldest first, with its delivery status.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.state.shared().outbox.deliveries()
    }

    pub fn inject(&self, rule: FaultRule) {
        self.state.shared().faults.add(rule);
    }

    pub fn clear_faults(&self) {
        self.state.shared().faults.clear();
    }

    pub fn faults(&self) -> Vec<FaultRule> {
        self.state.shared().faults.rules()
    }

    /// Decides how Treezor will answer `user`'s next KYC review.
    pub fn set_review_decision(&self, user: u64, decision: ReviewDecision) -> Result<()> {
        self.state.world(|w| {
            if !w.users.contains_key(&user) {
                return Err(Error::UnknownUser(user));
            }
            w.review_plans.insert(user, decision);
            Ok(())
        })
    }

    /// Moves the sandbox's clock forward: links and tokens expire as if that time had passed.
    pub fn advance_clock(&self, by: Duration) {
        self.state.shared().clock.advance(by);
    }

    pub fn now(&self) -> Timestamp {
        self.state.now()
    }

    /// How far the sandbox's clock is ahead of the system time, in microseconds, as it moves:
    /// what the demo's dashboard follows.
    pub fn clock_offset(&self) -> tokio::sync::watch::Receiver<i64> {
        self.state.shared().clock.follow()
    }

    /// Expires every access token issued so far.
    pub fn expire_tokens(&self) {
        self.state.shared().tokens.expire_all();
    }

    /// Requests seen, by `METHOD /path`.
    pub fn hits(&self) -> BTreeMap<String, u64> {
        lock(&self.state.shared().hits).clone()
    }

    /// Requests seen for one method and exact path.
    pub fn hits_for(&self, method: &str, path: &str) -> u64 {
        lock(&self.state.shared().hits)
            .get(&format!("{method} {path}"))
            .copied()
            .unwrap_or(0)
    }

    /// The ids of `user`'s documents, oldest first.
    pub fn documents_of(&self, user: u64) -> Vec<u64> {
        self.state.world(|w| {
            w.documents
                .values()
                .filter(|d| d.user == user)
                .map(|d| d.id)
                .collect()
        })
    }

    /// The SHA-256 (hex) and size of a document's file, to check a download.
    pub fn document_file(&self, document: u64) -> Result<(String, u64)> {
        let facts = self.document_facts(document)?;
        Ok((facts.sha256, facts.size))
    }

    /// What a document's file is: its hash and size, what it claims and holds, and the marker a
    /// search for copies of it looks for.
    pub fn document_facts(&self, document: u64) -> Result<DocumentFacts> {
        let record = self
            .state
            .world(|w| w.documents.get(&document).cloned())
            .ok_or(Error::UnknownDocument(document))?;
        let layout = crate::files::layout_of(&self.state, &record);
        let mut hasher = Sha256::new();
        for chunk in layout.chunks(record.id) {
            hasher.update(&chunk);
        }
        Ok(DocumentFacts {
            sha256: hex::encode(hasher.finalize()),
            size: layout.len(),
            file_name: record.file_name,
            media_type: record.content.media_type(),
            content: record.content,
            dimensions: record.content.dimensions(),
            pages: record.content.pages(),
            marker: crate::content::marker(record.id),
        })
    }

    /// Changes what a document's file holds (and, with `size`, the size it is padded to); its
    /// name stays, so the file may now lie about what it is.
    pub fn set_document_content(
        &self,
        document: u64,
        content: Content,
        size: Option<u64>,
    ) -> Result<()> {
        self.state.world(|w| {
            let record = w
                .documents
                .get_mut(&document)
                .ok_or(Error::UnknownDocument(document))?;
            record.content = content;
            if let Some(size) = size {
                record.size = size;
            }
            Ok(())
        })
    }

    /// Creates a realistic population (see [`crate::seed`]).
    pub fn seed(&self, options: &SeedOptions) -> SeedReport {
        crate::seed::seed(&self.state, options)
    }
}
