//! Applying the same webhooks in any order, any number of times, in any batches, gives the same
//! cache: queue rows, counts, case details, cursor. And a signed payload replayed under any envelope
//! (a fresh id, another event name, any time) adds nothing but a line in the timeline.

mod common;

use cache::{Cache, CaseDetail, QueueQuery, QueueRow, Sort, SortKey, StateCounts};
use common::*;
use kyc::case::{CaseEvent, LINK_LIFETIME_SECONDS};
use kyc::feed::FeedEvent;
use kyc::{IdentificationId, LivenessType, UserId};
use proptest::prelude::*;

/// The instant every apply and query of a run uses: some links have expired by then, some not.
const NOW: i64 = 1_000;

#[derive(Clone, Debug)]
enum Spec {
    User {
        user: u8,
        name: u8,
        t: u16,
    },
    Liveness {
        user: u8,
        ident: u8,
        status: u8,
        score: u8,
        reasons: u8,
        t: u16,
    },
    Document {
        user: u8,
        doc: u8,
        synthesis: bool,
        status: u8,
        t: u16,
    },
    Review {
        user: u8,
        request: bool,
        value: u8,
        t: u16,
    },
    Other {
        user: u8,
        t: u16,
    },
    Unreadable {
        t: u16,
    },
    Link {
        user: u8,
        ident: u8,
        t: u16,
    },
}

fn spec() -> impl Strategy<Value = Spec> {
    let user = 0u8..4;
    let t = (0u16..200).prop_map(|t| t * 10);
    prop_oneof![
        (user.clone(), 0u8..4, t.clone()).prop_map(|(user, name, t)| Spec::User { user, name, t }),
        (user.clone(), 0u8..3, 0u8..4, 0u8..4, 0u8..4, t.clone()).prop_map(
            |(user, ident, status, score, reasons, t)| Spec::Liveness {
                user,
                ident,
                status,
                score,
                reasons,
                t
            }
        ),
        (user.clone(), 0u8..4, any::<bool>(), 0u8..2, t.clone()).prop_map(
            |(user, doc, synthesis, status, t)| Spec::Document {
                user,
                doc,
                synthesis,
                status,
                t
            }
        ),
        (user.clone(), any::<bool>(), 0u8..4, t.clone()).prop_map(|(user, request, value, t)| {
            Spec::Review {
                user,
                request,
                value,
                t,
            }
        }),
        (user.clone(), t.clone()).prop_map(|(user, t)| Spec::Other { user, t }),
        t.clone().prop_map(|t| Spec::Unreadable { t }),
        (user, 0u8..3, t).prop_map(|(user, ident, t)| Spec::Link { user, ident, t }),
    ]
}

const FIRST: [&str; 4] = ["Zoé", "Ann", "Jérôme", "Bo"];
const LAST: [&str; 4] = ["Martin", "Lee", "Müller", "O'Brien"];

enum Op {
    Feed(FeedEvent),
    Link(UserId, CaseEvent),
}

fn op(seq: u64, spec: &Spec) -> Op {
    let uid = |u: u8| 100 + u64::from(u);
    let wid = format!("w-{seq}");
    let ts = |t: u16| at(i64::from(t));
    let feed = match spec {
        Spec::User { user, name, t } => {
            let (f, l) = (FIRST[*name as usize], LAST[(*name as usize + 1) % 4]);
            event(
                seq,
                &wid,
                if *t < 100 {
                    "user.create"
                } else {
                    "user.update"
                },
                "user",
                Some(ts(*t)),
                &format!(
                    r#"{{"users":[{{"userId":"{}","userTypeId":"{}","firstname":"{f}","lastname":"{l}","email":"{}@example.com","parentUserId":"{}","createdDate":"{}","modifiedDate":"{}"}}]}}"#,
                    uid(*user),
                    1 + name % 2,
                    f.to_lowercase(),
                    if *user == 3 { uid(0) } else { 0 },
                    at(-86_400).to_treezor_date(),
                    ts(*t).to_treezor_date(),
                ),
            )
        }
        Spec::Liveness {
            user,
            ident,
            status,
            score,
            reasons,
            t,
        } => {
            let status_text = ["processing", "processed", "aborted", "expired"][*status as usize];
            let score = match score {
                0 => String::new(),
                s => format!(r#","score":"{}""#, i8::try_from(*s).unwrap() - 2),
            };
            let reasons = match reasons {
                0 => "",
                1 => r#"{"reason-code":"1301","reason-message":"blurry"}"#,
                2 => r#"{"reason-code":"2301","reason-message":"counterfeit"}"#,
                _ => r#"{"reason-code":"1301"},{"reason-code":"9999","reason-message":"new"}"#,
            };
            let id = if *ident == 2 {
                String::new()
            } else {
                format!(r#","identification-id":"idv-{}-{ident}""#, uid(*user))
            };
            event(
                seq,
                &wid,
                "kycliveness.update",
                "kycliveness",
                Some(ts(*t)),
                &format!(
                    r#"{{"user_id":"{}","kyc-status":"{status_text}"{score},"reasons":[{reasons}]{id},"updated-at":"{}"}}"#,
                    uid(*user),
                    ts(*t).to_treezor_date(),
                ),
            )
        }
        Spec::Document {
            user,
            doc,
            synthesis,
            status,
            t,
        } => event(
            seq,
            &wid,
            "document.create",
            "document",
            Some(ts(*t)),
            &format!(
                r#"{{"documents":[{{"documentId":"{}","userId":"{}","documentTypeId":"{}","documentStatus":"{}","fileName":"f.pdf","createdDate":"{}"}}]}}"#,
                uid(*user) * 10 + u64::from(*doc),
                uid(*user),
                if *synthesis { 26 } else { 9 },
                ["PENDING", "VALIDATED"][*status as usize],
                ts(*t).to_treezor_date(),
            ),
        ),
        Spec::Review {
            user,
            request,
            value,
            t,
        } => event(
            seq,
            &wid,
            if *request {
                "user.kycrequest"
            } else {
                "user.kycreview"
            },
            "user",
            Some(ts(*t)),
            &format!(
                r#"{{"users":[{{"userId":"{}","kycReview":"{value}","modifiedDate":"{}"}}]}}"#,
                uid(*user),
                ts(*t).to_treezor_date(),
            ),
        ),
        Spec::Other { user, t } => event(
            seq,
            &wid,
            "card.create",
            "card",
            Some(ts(*t)),
            &format!(
                r#"{{"cards":[{{"cardId":"9","userId":"{}"}}]}}"#,
                uid(*user)
            ),
        ),
        Spec::Unreadable { t } => event(
            seq,
            &wid,
            "kycliveness.update",
            "kycliveness",
            Some(ts(*t)),
            r#"{"user_id":"not-a-user","kyc-status":"processed"}"#,
        ),
        Spec::Link { user, ident, t } => {
            let identification =
                IdentificationId::parse(&format!("idv-{}-{ident}", uid(*user))).unwrap();
            return Op::Link(
                UserId::new(uid(*user)).unwrap(),
                CaseEvent::LinkIssued {
                    at: ts(*t),
                    identification: identification.clone(),
                    url: format!("https://id.example/{identification}"),
                    expires_at: ts(*t).plus_seconds(LINK_LIFETIME_SECONDS),
                    liveness_type: Some(LivenessType::Liveness),
                },
            );
        }
    };
    Op::Feed(feed)
}

/// The operations of `specs`, keeping the first of those that carry the same signed payload: two
/// feed events with one payload are one event (the replay property below covers the others).
fn distinct_ops(specs: &[Spec]) -> Vec<Op> {
    let mut payloads = std::collections::HashSet::new();
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| op(i as u64 + 1, s))
        .filter(|op| match op {
            Op::Feed(event) => payloads.insert(event.object_payload.get().to_owned()),
            Op::Link(..) => true,
        })
        .collect()
}

/// Everything a run leaves that the officer can see.
#[derive(Debug, PartialEq)]
struct Seen {
    rows: Vec<QueueRow>,
    counts: StateCounts,
    details: Vec<CaseDetail>,
    cursor: u64,
}

fn seen(cache: &Cache) -> Seen {
    let now = at(NOW);
    let query = QueueQuery {
        sort: Sort {
            key: SortKey::Name,
            ..Sort::default()
        },
        limit: 1000,
        ..QueueQuery::default()
    };
    let rows = cache.queue(&query, now).unwrap().rows;
    let details = rows
        .iter()
        .map(|r| cache.case_detail(r.user_id, now).unwrap())
        .collect();
    Seen {
        counts: cache.counts(&Default::default(), now).unwrap(),
        details,
        rows,
        cursor: cache.cursor().unwrap(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn any_order_any_repetition_any_batches_give_the_same_cache(
        specs in prop::collection::vec(spec(), 1..40),
        order_seed in any::<u64>(),
        repeats in prop::collection::vec(any::<prop::sample::Index>(), 0..10),
        cuts in prop::collection::vec(1usize..6, 1..20),
    ) {
        let ops = distinct_ops(&specs);
        let now = at(NOW);

        // In order, one batch.
        let (_a, mut ordered) = fresh_cache();
        let feed: Vec<FeedEvent> = ops.iter().filter_map(|o| match o { Op::Feed(e) => Some(e.clone()), _ => None }).collect();
        ordered.apply_batch(&feed, now).unwrap();
        let links: Vec<(UserId, CaseEvent)> = ops.iter().filter_map(|o| match o { Op::Link(u, e) => Some((*u, e.clone())), _ => None }).collect();
        ordered.record_case_events(&links, now).unwrap();

        // Shuffled, some events delivered again, in batches of random sizes, links in between.
        let mut shuffled: Vec<&Op> = ops.iter().collect();
        for index in &repeats {
            shuffled.push(index.get(&ops));
        }
        let mut state = order_seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let (_b, mut scrambled) = fresh_cache();
        let mut rest = &shuffled[..];
        let mut cut = cuts.iter().cycle();
        let mut applied = 0;
        while !rest.is_empty() {
            let n = (*cut.next().unwrap()).min(rest.len());
            let (batch, tail) = rest.split_at(n);
            rest = tail;
            let feed: Vec<FeedEvent> = batch.iter().filter_map(|o| match o { Op::Feed(e) => Some(e.clone()), _ => None }).collect();
            applied += scrambled.apply_batch(&feed, now).unwrap().applied;
            let links: Vec<(UserId, CaseEvent)> = batch.iter().filter_map(|o| match o { Op::Link(u, e) => Some((*u, e.clone())), _ => None }).collect();
            scrambled.record_case_events(&links, now).unwrap();
        }

        prop_assert_eq!(applied, ops.iter().filter(|o| matches!(o, Op::Feed(_))).count());
        let (expected, got) = (seen(&ordered), seen(&scrambled));
        prop_assert_eq!(&expected, &got);
    }

    #[test]
    fn a_replayed_payload_adds_nothing_whatever_its_envelope(
        specs in prop::collection::vec(spec(), 1..30),
        replays in prop::collection::vec((any::<prop::sample::Index>(), 0usize..7, 0u8..4), 1..10),
    ) {
        let ops = distinct_ops(&specs);
        let now = at(NOW);
        let (_dir, mut cache) = fresh_cache();
        let feed: Vec<FeedEvent> = ops.iter().filter_map(|o| match o { Op::Feed(e) => Some(e.clone()), _ => None }).collect();
        prop_assume!(!feed.is_empty());
        cache.apply_batch(&feed, now).unwrap();
        let links: Vec<(UserId, CaseEvent)> = ops.iter().filter_map(|o| match o { Op::Link(u, e) => Some((*u, e.clone())), _ => None }).collect();
        cache.record_case_events(&links, now).unwrap();
        let before = seen(&cache);

        // Each replay: a stored payload under a fresh id, any event name, any time or none.
        let names = ["kycliveness.create", "kycliveness.update", "document.create", "user.create", "user.update", "user.kycrequest", "user.kycreview"];
        let mut seq = 10_000;
        let replayed: Vec<FeedEvent> = replays.iter().map(|(index, name, when)| {
            seq += 1;
            let original = index.get(&feed);
            let created_at = match when {
                0 => None,
                1 => Some(at(100 * 365 * 86_400)),
                2 => Some(at(-10 * 365 * 86_400)),
                _ => Some(at(NOW + 1)),
            };
            FeedEvent {
                seq,
                webhook_id: kyc::WebhookId::parse(&format!("replay-{seq}")).unwrap(),
                webhook: names[*name].to_owned(),
                webhook_created_at: created_at,
                received_at: at(NOW + 2),
                ..original.clone()
            }
        }).collect();
        let applied = cache.apply_batch(&replayed, now).unwrap();
        prop_assert_eq!(applied.replays, replayed.len());
        prop_assert!(applied.changed_users.is_empty(), "{:?}", applied.changed_users);

        let after = seen(&cache);
        let without_timelines = |seen: &Seen| -> Vec<CaseDetail> {
            seen.details.iter().cloned().map(|d| CaseDetail { timeline: Vec::new(), ..d }).collect()
        };
        prop_assert_eq!(&before.rows, &after.rows);
        prop_assert_eq!(&before.counts, &after.counts);
        prop_assert_eq!(without_timelines(&before), without_timelines(&after));
        for detail in &after.details {
            for entry in &detail.timeline {
                let is_replay = entry.webhook_id.as_str().starts_with("replay-");
                prop_assert_eq!(is_replay, entry.replay_of.is_some(), "{:?}", entry);
            }
        }
    }
}
