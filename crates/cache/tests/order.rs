//! Applying the same webhooks in any order, any number of times, in any batches, gives the same
//! cache: queue rows, counts, case details, cursor.

mod common;

use cache::{Cache, CaseDetail, QueueQuery, QueueRow, Sort, SortKey, StateCounts};
use common::*;
use kyc::case::{CaseEvent, LINK_LIFETIME_SECONDS};
use kyc::feed::FeedEvent;
use kyc::{IdentificationId, LivenessType, Timestamp, UserId};
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
                    r#"{{"users":[{{"userId":"{}","userTypeId":"{}","firstname":"{f}","lastname":"{l}","email":"{}@example.com","parentUserId":"{}","createdDate":"{}"}}]}}"#,
                    uid(*user),
                    1 + name % 2,
                    f.to_lowercase(),
                    if *user == 3 { uid(0) } else { 0 },
                    at(-86_400).to_treezor_date(),
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
                    r#"{{"user_id":"{}","kyc-status":"{status_text}"{score},"reasons":[{reasons}]{id}}}"#,
                    uid(*user)
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
                r#"{{"documents":[{{"documentId":"{}","userId":"{}","documentTypeId":"{}","documentStatus":"{}","fileName":"f.pdf"}}]}}"#,
                uid(*user) * 10 + u64::from(*doc),
                uid(*user),
                if *synthesis { 26 } else { 9 },
                ["PENDING", "VALIDATED"][*status as usize],
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
                r#"{{"users":[{{"userId":"{}","kycReview":"{value}"}}]}}"#,
                uid(*user)
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
        let ops: Vec<Op> = specs.iter().enumerate().map(|(i, s)| op(i as u64 + 1, s)).collect();
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
        let _ = Timestamp::from_unix_seconds(0);
    }
}
