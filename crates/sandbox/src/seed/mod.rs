//! A realistic population for demos and load: hundreds of users in every state a live
//! verification can be in, businesses with their shareholders and leaders, every reason code at
//! least once, names in many scripts.
//!
//! The same `rng_seed` gives the same people, states and reasons (dates follow the clock). Each
//! user's history is replayed through the world's own operations at past instants, so the
//! webhooks it raises are the ones Treezor would have sent, with past `webhook_created_at`s.

mod names;

use std::collections::BTreeMap;
use std::time::Duration;

use kyc::reasons::ListedReason;
use kyc::{DocumentTypeId, Timestamp};
use serde::{Deserialize, Serialize};

use crate::clock::before;
use crate::rng::SplitMix;
use crate::state::SandboxState;
use crate::world::identification::Outcome;
use crate::world::users::NewUser;
use crate::world::{Event, ReviewDecision, StartSettings, World};
use names::{CITIES, COMPANIES, FIRST_NAMES, LAST_NAMES, ascii_slug};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedOptions {
    /// How many users to create (children included), at least one per state.
    pub users: usize,
    pub rng_seed: u64,
    /// Send the webhooks each user's history raised (to the target, or waiting for one).
    pub send_webhooks: bool,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            users: 300,
            rng_seed: 42,
            send_webhooks: true,
        }
    }
}

/// What the seed created.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SeedReport {
    pub users: usize,
    pub identifications: usize,
    pub documents: usize,
    pub webhooks: usize,
    /// Users per state, by the names of [`Story`].
    pub by_state: BTreeMap<String, usize>,
    /// Businesses per stage of their KYC review, by the names of [`Stage`].
    pub businesses: BTreeMap<String, usize>,
    /// Every reason code given in a refusal or failure.
    pub reason_codes: Vec<u16>,
    /// The individuals (not a business's children) per state, by the names of [`Story`], in the
    /// order they were made: what a demo points at when it shows a case in a given state.
    pub people: BTreeMap<String, Vec<u64>>,
}

/// Where a seeded user's verification stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Story {
    NotStarted,
    MissingAttributes,
    LinkOpen,
    LinkExpired,
    Replaced,
    Processing,
    Abandoned,
    Failed,
    Refused,
    Validated,
    DocumentsStored,
    ReviewPending,
    ReviewValidated,
    ReviewRefused,
}

impl Story {
    const ALL: [Story; 14] = [
        Story::NotStarted,
        Story::MissingAttributes,
        Story::LinkOpen,
        Story::LinkExpired,
        Story::Replaced,
        Story::Processing,
        Story::Abandoned,
        Story::Failed,
        Story::Refused,
        Story::Validated,
        Story::DocumentsStored,
        Story::ReviewPending,
        Story::ReviewValidated,
        Story::ReviewRefused,
    ];

    fn name(self) -> &'static str {
        match self {
            Story::NotStarted => "not_started",
            Story::MissingAttributes => "missing_attributes",
            Story::LinkOpen => "link_open",
            Story::LinkExpired => "link_expired",
            Story::Replaced => "replaced",
            Story::Processing => "processing",
            Story::Abandoned => "abandoned",
            Story::Failed => "failed",
            Story::Refused => "refused",
            Story::Validated => "validated",
            Story::DocumentsStored => "documents_stored",
            Story::ReviewPending => "review_pending",
            Story::ReviewValidated => "review_validated",
            Story::ReviewRefused => "review_refused",
        }
    }
}

/// Where a seeded business stands in the review of a parent: its children's documents first,
/// then the review requested for the business, then Treezor's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// No child has its documents in Treezor.
    ChildrenWithout,
    /// The leader has its documents; a shareholder does not.
    SomeChildren,
    /// Every leader and shareholder has its documents: the review can be requested.
    Ready,
    ReviewPending,
    ReviewValidated,
    ReviewRefused,
}

impl Stage {
    const ALL: [Stage; 6] = [
        Stage::ChildrenWithout,
        Stage::SomeChildren,
        Stage::Ready,
        Stage::ReviewPending,
        Stage::ReviewValidated,
        Stage::ReviewRefused,
    ];

    fn name(self) -> &'static str {
        match self {
            Stage::ChildrenWithout => "children_without_documents",
            Stage::SomeChildren => "some_children_with_documents",
            Stage::Ready => "ready_for_review",
            Stage::ReviewPending => "review_pending",
            Stage::ReviewValidated => "review_validated",
            Stage::ReviewRefused => "review_refused",
        }
    }

    /// The stories of the leader and of the shareholder.
    fn children(self) -> [Story; 2] {
        match self {
            Stage::ChildrenWithout => [Story::NotStarted, Story::LinkOpen],
            Stage::SomeChildren => [Story::DocumentsStored, Story::Processing],
            _ => [Story::DocumentsStored, Story::DocumentsStored],
        }
    }
}

struct Seeder {
    rng: SplitMix,
    now: Timestamp,
    settings: StartSettings,
    document_size: u64,
    events: Vec<Event>,
    report: SeedReport,
    /// The next reason codes to hand out, so every code appears.
    reasons: std::iter::Cycle<std::slice::Iter<'static, ListedReason>>,
}

/// Creates the population in `state`'s world and sends its webhooks.
pub fn seed(state: &SandboxState, options: &SeedOptions) -> SeedReport {
    let now = state.now();
    let mut seeder = Seeder {
        rng: SplitMix::new(options.rng_seed),
        now,
        settings: StartSettings {
            kind: state.config().liveness_type,
            lifetime: state.config().identification_lifetime,
            url_base: state.shared().base_url.clone(),
        },
        document_size: state.config().document_size,
        events: Vec::new(),
        report: SeedReport::default(),
        reasons: ListedReason::ALL.iter().cycle(),
    };
    state.world(|world| {
        let mut made = 0;
        let mut turn = 0usize;
        while made < options.users.max(1) {
            let story = Story::ALL[turn % Story::ALL.len()];
            // Every fifth family is a business with children, each in the next stage.
            made += if turn % 5 == 4 && options.users - made >= 4 {
                let stage = Stage::ALL[(turn / 5) % Stage::ALL.len()];
                seeder.business(world, stage)
            } else if let Some(id) = seeder.person(world, story, None) {
                let people = seeder.report.people.entry(story.name().to_owned());
                people.or_default().push(id);
                1
            } else {
                0
            };
            turn += 1;
        }
    });
    let mut report = seeder.report;
    report.webhooks = seeder.events.len();
    report.reason_codes.sort_unstable();
    report.reason_codes.dedup();
    if options.send_webhooks {
        seeder.events.sort_by_key(|e| e.at);
        state.send(seeder.events);
    }
    report
}

impl Seeder {
    fn ago(&mut self, max_days: u64) -> Timestamp {
        let seconds = 3600 + self.rng.below(max_days.max(1) * 86_400);
        before(self.now, Duration::from_secs(seconds))
    }

    fn new_person(&mut self, story: Story, parent: Option<(u64, &str)>) -> NewUser {
        let first = *self.rng.pick(FIRST_NAMES);
        let last = *self.rng.pick(LAST_NAMES);
        let year = 1950 + self.rng.below(55);
        let (month, day) = (1 + self.rng.below(12), 1 + self.rng.below(28));
        let serial = self.report.users + 1;
        let slug = format!("{}.{}", ascii_slug(first), ascii_slug(last));
        let local = if slug.len() > 3 {
            slug
        } else {
            format!("client{serial}")
        };
        NewUser {
            user_type_id: Some(1),
            user_tag: Some(format!("seed-{serial}")),
            parent_user_id: parent.map(|(id, _)| id),
            parent_type: parent.map(|(_, kind)| kind.to_owned()),
            title: Some(if self.rng.below(2) == 0 { "M" } else { "MME" }.into()),
            firstname: Some(first.into()),
            lastname: Some(last.into()),
            birthday: (story != Story::MissingAttributes)
                .then(|| format!("{year:04}-{month:02}-{day:02}")),
            place_of_birth: Some((*self.rng.pick(CITIES)).into()),
            nationality: Some("FR".into()),
            // One customer in five prefers English (no draw: the seed's stories stay the same).
            language: Some(if serial.is_multiple_of(5) { "EN" } else { "FR" }.into()),
            email: Some(format!("{local}.{serial}@example.com")),
            address1: Some(format!("{} rue de l'Église", 1 + self.rng.below(120))),
            postcode: Some(format!("{:05}", 1000 + self.rng.below(94_000))),
            city: Some((*self.rng.pick(CITIES)).into()),
            country: Some("FR".into()),
            phone: Some(format!("+336{:08}", self.rng.below(100_000_000))),
            legal_name: None,
            legal_registration_number: None,
            legal_form: None,
        }
    }

    fn collect(&mut self, events: Vec<Event>) {
        self.events.extend(events);
    }

    /// A business (a legal entity, never verified by live video) with a leader and a shareholder,
    /// sometimes an employee (whose documents its review does not wait for), and its review as
    /// far as `stage` says.
    fn business(&mut self, world: &mut World, stage: Stage) -> usize {
        let created = self.ago(90);
        let company = *self.rng.pick(COMPANIES);
        let serial = self.report.users + 1;
        let new = NewUser {
            user_type_id: Some(2),
            user_tag: Some(format!("seed-{serial}")),
            legal_name: Some(company.into()),
            legal_registration_number: Some(format!(
                "{:09}",
                100_000_000 + self.rng.below(800_000_000)
            )),
            legal_form: Some(
                if self.rng.below(2) == 0 {
                    "SAS"
                } else {
                    "SARL"
                }
                .into(),
            ),
            email: Some(format!("contact.{serial}@example.com")),
            address1: Some(format!(
                "{} avenue de la République",
                1 + self.rng.below(200)
            )),
            postcode: Some(format!("{:05}", 1000 + self.rng.below(94_000))),
            city: Some((*self.rng.pick(CITIES)).into()),
            country: Some("FR".into()),
            ..NewUser::default()
        };
        let Ok((parent, events)) = world.create_user(&new, created) else {
            return 0;
        };
        self.collect(events);
        self.count(Story::NotStarted);
        *self
            .report
            .businesses
            .entry(stage.name().to_owned())
            .or_default() += 1;
        let mut made = 1;
        let [leader, shareholder] = stage.children();
        for (kind, story) in [("leader", leader), ("shareholder", shareholder)] {
            made += usize::from(self.person(world, story, Some((parent.id, kind))).is_some());
        }
        if self.rng.below(3) == 0 {
            let employed = self.person(world, Story::NotStarted, Some((parent.id, "employee")));
            made += usize::from(employed.is_some());
        }
        let decision = match stage {
            Stage::ChildrenWithout | Stage::SomeChildren | Stage::Ready => return made,
            Stage::ReviewPending => None,
            Stage::ReviewValidated => Some(ReviewDecision::Validated),
            Stage::ReviewRefused => Some(ReviewDecision::Refused {
                comment: "The register extract (Kbis) is older than three months".into(),
            }),
        };
        let asked = before(self.now, Duration::from_secs(3 * 86_400));
        if let Ok((_, events)) = world.request_review(parent.id, asked) {
            self.collect(events);
        }
        if let Some(decision) = decision {
            world.review_plans.insert(parent.id, decision);
            let events =
                world.decide_review(parent.id, before(self.now, Duration::from_secs(86_400)));
            self.collect(events);
        }
        made
    }

    fn count(&mut self, story: Story) {
        self.report.users += 1;
        *self
            .report
            .by_state
            .entry(story.name().to_owned())
            .or_default() += 1;
    }

    fn next_reasons(&mut self, how_many: usize) -> Vec<u16> {
        let codes: Vec<u16> = (0..how_many)
            .filter_map(|_| self.reasons.next().map(|r| r.code()))
            .collect();
        self.report.reason_codes.extend(&codes);
        codes
    }

    /// One person and its verification history; returns its id.
    fn person(
        &mut self,
        world: &mut World,
        story: Story,
        parent: Option<(u64, &str)>,
    ) -> Option<u64> {
        let mut at = self.ago(60);
        let new = self.new_person(story, parent);
        let (user, events) = world.create_user(&new, at).ok()?;
        self.collect(events);
        self.count(story);
        let id = user.id;
        if matches!(story, Story::NotStarted | Story::MissingAttributes) {
            return Some(id);
        }
        let step = |at: Timestamp, minutes: u64| {
            crate::clock::after(at, Duration::from_secs(60 * minutes))
        };
        if story == Story::LinkOpen {
            at = before(self.now, Duration::from_secs(60 + self.rng.below(240)));
        }
        // Shaped like the provider's UUIDs (version 4), but drawn from the seed.
        let uuid = |rng: &mut SplitMix| {
            let (a, b) = (rng.next_u64(), rng.next_u64());
            format!(
                "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xfff,
                0x8000 | ((b >> 48) & 0x3fff),
                b & 0xffff_ffff_ffff
            )
        };
        let first = uuid(&mut self.rng);
        world
            .start(id, None, at, &self.settings, first.clone())
            .ok()?;
        self.report.identifications += 1;
        let mut current = first;
        if story == Story::Replaced {
            at = step(at, 2);
            current = uuid(&mut self.rng);
            world
                .start(id, None, at, &self.settings, current.clone())
                .ok()?;
            self.report.identifications += 1;
        }
        if story == Story::LinkExpired {
            // Opened a minute after it was sent, and left: its 15 minutes have passed.
            world.open_link(&current, step(at, 1));
        }
        if matches!(
            story,
            Story::LinkOpen | Story::LinkExpired | Story::Replaced
        ) {
            return Some(id);
        }
        let outcome = match story {
            Story::Abandoned => Outcome::Abandoned,
            Story::Failed => Outcome::Failed {
                reasons: self.next_reasons(1),
                comment: None,
            },
            Story::Refused => {
                let how_many = 1 + self.rng.below(3) as usize;
                Outcome::Refused {
                    reasons: self.next_reasons(how_many),
                    comment: None,
                }
            }
            _ => Outcome::Validated,
        };
        let document = *self
            .rng
            .pick(&[DocumentTypeId::IDENTITY_CARD, DocumentTypeId::PASSPORT]);
        at = step(at, 3 + self.rng.below(10));
        if story == Story::Processing {
            at = before(self.now, Duration::from_secs(30));
        }
        let (_, events) = world.finish(&current, outcome, Some(document), at).ok()?;
        self.collect(events);
        if story == Story::Processing {
            return Some(id);
        }
        at = step(at, 1);
        let events = world.decide(&current, at);
        self.collect(events);
        if matches!(
            story,
            Story::Abandoned | Story::Failed | Story::Refused | Story::Validated
        ) {
            return Some(id);
        }
        at = step(at, 5 + self.rng.below(60));
        let (documents, events) = world.retrieve(id, at, self.document_size).ok()?;
        self.report.documents += documents.len();
        self.collect(events);
        if story == Story::DocumentsStored {
            return Some(id);
        }
        at = step(at, 10);
        let (_, events) = world.request_review(id, at).ok()?;
        self.collect(events);
        if story == Story::ReviewPending {
            return Some(id);
        }
        let decision = if story == Story::ReviewValidated {
            ReviewDecision::Validated
        } else {
            ReviewDecision::Refused {
                comment: "The proof of address is older than three months".into(),
            }
        };
        world.review_plans.insert(id, decision);
        let events = world.decide_review(id, step(at, 60 * 24));
        self.collect(events);
        Some(id)
    }
}

#[cfg(test)]
mod tests;
