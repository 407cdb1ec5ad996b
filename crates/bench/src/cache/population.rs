//! A made-up population of users and the webhooks their verifications produce, as the relay's feed
//! would serve them: names with accents from a few hundred first and last names, emails, user
//! types, and verification stories that reach every case state in realistic proportions.
//!
//! Deterministic: the same seed gives the same users and events, so a cache file generated once
//! can be reused and figures compared between runs.

use kyc::case::{CaseEvent, LINK_LIFETIME_SECONDS};
use kyc::feed::FeedEvent;
use kyc::{IdentificationId, LivenessType, Timestamp, UserId, WebhookId};

use super::names::{DOMAINS, FIRST_NAMES, LAST_NAMES};
use serde_json::value::RawValue;

/// Change when the stories or names change, so that a stored benchmark cache is regenerated.
pub const GENERATOR_VERSION: u32 = 2;

/// A deterministic xorshift generator.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed | 1)
    }

    pub fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides.max(1)
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.roll(items.len() as u64) as usize]
    }
}

/// One webhook of a story, before it gets its place in the feed.
pub struct Webhook {
    pub at: Timestamp,
    pub name: &'static str,
    pub object: &'static str,
    pub payload: String,
}

/// What one user goes through: the webhooks Treezor sends, and the case events the desk records
/// itself (links it issued, documents it requested).
pub struct Story {
    pub user: UserId,
    pub webhooks: Vec<Webhook>,
    pub recorded: Vec<CaseEvent>,
}

/// The story of user `id`, created at `created`, as far as it got by `until`: a user who signed
/// up lately is still in the middle of it.
pub fn story(dice: &mut Dice, id: u64, created: Timestamp, until: Timestamp) -> Story {
    let mut story = full_story(dice, id, created);
    story.webhooks.retain(|w| w.at <= until);
    story.recorded.retain(|e| e.at() <= until);
    story
}

fn full_story(dice: &mut Dice, id: u64, created: Timestamp) -> Story {
    let user = UserId::new(id).expect("ids start at 1");
    let first = dice.pick(FIRST_NAMES);
    let last = dice.pick(LAST_NAMES);
    let email = format!(
        "{}.{}{}@{}",
        cache::fold::fold(first).replace(' ', ""),
        cache::fold::fold(last).replace([' ', '\''], ""),
        dice.roll(100),
        dice.pick(DOMAINS)
    );
    let user_type = if dice.roll(5) == 0 { 2 } else { 1 };
    let mut webhooks = vec![Webhook {
        at: created,
        name: "user.create",
        object: "user",
        payload: format!(
            r#"{{"users":[{{"userId":"{id}","userTypeId":"{user_type}","userStatus":"VALIDATED","firstname":"{first}","lastname":"{last}","email":"{email}","birthday":"1990-0{}-1{}","kycLevel":"0","kycReview":"0","parentUserId":"0","createdDate":"{}","modifiedDate":"0000-00-00 00:00:00"}}]}}"#,
            1 + dice.roll(9),
            dice.roll(10),
            created.to_treezor_date()
        ),
    }];
    let mut recorded = Vec::new();
    // Stories, by how far the verification got. Percent: 20 none, 5 link only, 5 processing,
    // 5 abandoned, 15 refused, 10 failed, 10 validated, 2 documents requested, 13 documents
    // received, 10 review requested, 5 review decided: about 2.9 webhooks per user.
    let roll = dice.roll(100);
    if roll < 20 {
        return Story {
            user,
            webhooks,
            recorded,
        };
    }
    let identification = IdentificationId::parse(&format!("idv-{id}-{}", dice.roll(1 << 40)))
        .expect("a generated identification parses");
    let issued = created.plus_seconds(60 + dice.roll(86_400 * 20) as i64);
    recorded.push(CaseEvent::LinkIssued {
        at: issued,
        identification: identification.clone(),
        url: format!("https://id.example/v/{identification}"),
        expires_at: issued.plus_seconds(LINK_LIFETIME_SECONDS),
        liveness_type: Some(LivenessType::VideoCertified),
    });
    if roll < 25 {
        return Story {
            user,
            webhooks,
            recorded,
        };
    }
    let mut t = issued.plus_seconds(120 + dice.roll(600) as i64);
    let liveness = |t: Timestamp, status: &str, score: Option<i8>, reasons: &str| Webhook {
        at: t,
        name: if status == "processing" {
            "kycliveness.create"
        } else {
            "kycliveness.update"
        },
        object: "kycliveness",
        payload: format!(
            r#"{{"user_id":"{id}","kyc-status":"{status}"{},"comment":"","reasons":[{reasons}],"identification-id":"{identification}","started-at":"{}","updated-at":"{}"}}"#,
            score
                .map(|s| format!(r#","score":"{s}""#))
                .unwrap_or_default(),
            issued.to_treezor_date(),
            t.to_treezor_date()
        ),
    };
    webhooks.push(liveness(t, "processing", None, ""));
    if roll < 30 {
        return Story {
            user,
            webhooks,
            recorded,
        };
    }
    t = t.plus_seconds(30 + dice.roll(900) as i64);
    let (status, score, reasons) = match roll {
        30..35 => ("aborted", None, String::new()),
        35..50 => {
            let code = [2101, 2102, 2201, 2202, 2301, 2303, 2401, 1305][dice.roll(8) as usize];
            ("processed", Some(0), reason(code))
        }
        50..60 => {
            let code = [1201, 1301, 1311, 1320, 1901][dice.roll(5) as usize];
            ("processed", Some(-1), reason(code))
        }
        _ => ("processed", Some(1), String::new()),
    };
    webhooks.push(liveness(t, status, score, &reasons));
    if roll < 70 {
        return Story {
            user,
            webhooks,
            recorded,
        };
    }
    t = t.plus_seconds(60 + dice.roll(3_600) as i64);
    recorded.push(CaseEvent::DocumentsRequested { at: t });
    if roll < 72 {
        return Story {
            user,
            webhooks,
            recorded,
        };
    }
    t = t.plus_seconds(5 + dice.roll(60) as i64);
    webhooks.push(Webhook {
        at: t,
        name: "document.create",
        object: "document",
        payload: format!(
            r#"{{"documents":[{{"documentId":"{}","userId":"{id}","documentTypeId":"34","documentTypeName":"Certified liveness result","documentStatus":"PENDING","fileName":"synthesis-{id}.pdf","createdDate":"{}"}}]}}"#,
            id * 4,
            t.to_treezor_date()
        ),
    });
    if roll < 85 {
        return Story {
            user,
            webhooks,
            recorded,
        };
    }
    t = t.plus_seconds(60 + dice.roll(86_400) as i64);
    webhooks.push(review_webhook(id, "user.kycrequest", 1, t));
    if roll < 95 {
        return Story {
            user,
            webhooks,
            recorded,
        };
    }
    t = t.plus_seconds(3_600 + dice.roll(86_400 * 3) as i64);
    let decision = if dice.roll(4) == 0 { 3 } else { 2 };
    webhooks.push(review_webhook(id, "user.kycreview", decision, t));
    Story {
        user,
        webhooks,
        recorded,
    }
}

fn reason(code: u16) -> String {
    format!(r#"{{"reason-code":"{code}","reason-message":"reason {code}"}}"#)
}

fn review_webhook(id: u64, name: &'static str, review: u8, t: Timestamp) -> Webhook {
    Webhook {
        at: t,
        name,
        object: "user",
        payload: format!(
            r#"{{"users":[{{"userId":"{id}","kycReview":"{review}","kycReviewComment":"","modifiedDate":"{}"}}]}}"#,
            t.to_treezor_date()
        ),
    }
}

/// A webhook as the relay's feed serves it.
pub fn feed_event(seq: u64, webhook: &Webhook) -> FeedEvent {
    FeedEvent {
        seq,
        webhook_id: WebhookId::parse(&format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            seq.wrapping_mul(0x9E37_79B9) as u32,
            (seq >> 16) & 0xffff,
            seq & 0xfff,
            (seq >> 4) & 0xfff,
            seq
        ))
        .expect("a generated webhook id parses"),
        webhook: webhook.name.to_owned(),
        object: webhook.object.to_owned(),
        object_id: None,
        webhook_created_at: Some(webhook.at),
        received_at: webhook.at.plus_seconds(1),
        object_payload: RawValue::from_string(webhook.payload.clone())
            .expect("a generated payload is JSON"),
        officer: None,
    }
}
