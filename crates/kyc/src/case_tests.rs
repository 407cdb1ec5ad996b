//! The case state machine: the guide's flow, the officer's permissions at each step, and the same
//! state whatever the order and repetition of the events.

use proptest::prelude::*;

use super::*;
use crate::hierarchy::Standing;
use crate::ids::UserId;
use crate::reasons::ReasonCode;

const T0: i64 = 1_700_000_000;

fn at(seconds_after_t0: i64) -> Timestamp {
    Timestamp::from_unix_seconds(T0 + seconds_after_t0)
}

fn id(raw: &str) -> IdentificationId {
    IdentificationId::parse(raw).unwrap()
}

fn link(t: i64, identification: &str) -> CaseEvent {
    CaseEvent::LinkIssued {
        at: at(t),
        identification: id(identification),
        url: format!("https://id.example/{identification}"),
        expires_at: at(t + LINK_LIFETIME_SECONDS),
        liveness_type: Some(LivenessType::VideoCertified),
    }
}

fn liveness(
    t: i64,
    identification: Option<&str>,
    status: LivenessStatus,
    score: Option<Score>,
    codes: &[&str],
) -> CaseEvent {
    CaseEvent::Liveness {
        at: at(t),
        identification: identification.map(id),
        status,
        score,
        reasons: codes
            .iter()
            .map(|c| Reason {
                code: ReasonCode::parse(c),
                message: String::new(),
            })
            .collect(),
        comment: None,
    }
}

fn processing(t: i64, identification: &str) -> CaseEvent {
    liveness(
        t,
        Some(identification),
        LivenessStatus::Processing,
        None,
        &[],
    )
}

fn processed(t: i64, identification: &str, score: Score, codes: &[&str]) -> CaseEvent {
    liveness(
        t,
        Some(identification),
        LivenessStatus::Processed,
        Some(score),
        codes,
    )
}

fn document(t: i64, document: u64, type_id: u16) -> CaseEvent {
    CaseEvent::DocumentCreated {
        at: at(t),
        document: DocumentId::new(document).unwrap(),
        document_type: DocumentTypeId::parse(&type_id.to_string()).unwrap(),
    }
}

fn listed(document: u64, type_id: u16) -> ListedDocument {
    ListedDocument {
        document: DocumentId::new(document).unwrap(),
        document_type: DocumentTypeId::parse(&type_id.to_string()).unwrap(),
        created_at: None,
    }
}

fn listing(t: i64, documents: &[(u64, u16)]) -> CaseEvent {
    CaseEvent::DocumentsListed {
        at: at(t),
        documents: documents.iter().map(|&(d, ty)| listed(d, ty)).collect(),
    }
}

fn person(view: &CaseView, action: Action) -> Permission {
    view.permission(action, &Standing::person())
}

fn confirm(cautions: &[Caution]) -> Permission {
    Permission::NeedsConfirmation(cautions.to_vec())
}

fn review(t: i64, review: KycReview) -> CaseEvent {
    CaseEvent::Review {
        at: at(t),
        review,
        comment: None,
    }
}

fn case_of(events: impl IntoIterator<Item = CaseEvent>) -> Case {
    let mut case = Case::new();
    for event in events {
        case.record(event);
    }
    case
}

fn state(events: &[CaseEvent], now: i64) -> CaseState {
    case_of(events.iter().cloned()).view(at(now)).state
}

/// The guide page's whole process, one event at a time.
fn happy_path() -> Vec<CaseEvent> {
    vec![
        link(0, "idv-1"),
        processing(300, "idv-1"),
        processed(600, "idv-1", Score::Validated, &[]),
        CaseEvent::DocumentsRequested { at: at(700) },
        document(710, 11, 9),
        listing(711, &[(11, 9), (12, 34)]),
        document(712, 12, 34),
        review(800, KycReview::Pending),
        review(90_000, KycReview::Validated),
    ]
}

#[test]
fn the_guide_flow_walks_through_every_state() {
    let events = happy_path();
    let expected = [
        CaseState::LinkIssued,
        CaseState::Processing,
        CaseState::Validated,
        CaseState::DocumentsRequested,
        CaseState::DocumentsRequested,
        CaseState::DocumentsRequested,
        CaseState::DocumentsReceived,
        CaseState::ReviewRequested,
        CaseState::ReviewValidated,
    ];
    assert_eq!(state(&[], 0), CaseState::NoVerification);
    for (n, want) in expected.iter().enumerate() {
        let now = events[n].at().unix_micros() / 1_000_000 - T0 + 1;
        assert_eq!(state(&events[..=n], now), *want, "after {} events", n + 1);
    }
}

#[test]
fn a_link_is_never_expired_on_the_clock_since_its_minutes_start_when_the_customer_opens_it() {
    let events = [link(0, "idv-1")];
    assert_eq!(state(&events, 1), CaseState::LinkIssued);
    assert_eq!(
        state(&events, 100 * LINK_LIFETIME_SECONDS),
        CaseState::LinkIssued,
        "the customer may have opened it late, and the provider may still be deciding"
    );
    // Treezor's word expires it.
    let expired = [
        link(0, "idv-1"),
        liveness(2000, Some("idv-1"), LivenessStatus::Expired, None, &[]),
    ];
    assert_eq!(state(&expired, 2001), CaseState::LinkExpired);
    let finished = [link(0, "idv-1"), processing(3000, "idv-1")];
    assert_eq!(state(&finished, 3001), CaseState::Processing);
}

#[test]
fn refused_failed_abandoned_and_expired_outcomes() {
    let base = link(0, "a");
    assert_eq!(
        state(
            &[base.clone(), processed(60, "a", Score::Refused, &["2101"])],
            60
        ),
        CaseState::Refused
    );
    assert_eq!(
        state(&[base.clone(), processed(60, "a", Score::Failed, &[])], 60),
        CaseState::Failed
    );
    assert_eq!(
        state(
            &[
                base.clone(),
                liveness(60, Some("a"), LivenessStatus::Processed, None, &[])
            ],
            60
        ),
        CaseState::Failed
    );
    assert_eq!(
        state(
            &[
                base.clone(),
                liveness(60, Some("a"), LivenessStatus::Aborted, None, &[])
            ],
            60
        ),
        CaseState::Abandoned
    );
    assert_eq!(
        state(
            &[
                base,
                liveness(60, Some("a"), LivenessStatus::Expired, None, &[])
            ],
            60
        ),
        CaseState::LinkExpired
    );
}

#[test]
fn a_new_verification_after_a_failure_starts_afresh() {
    let events = [
        link(0, "a"),
        processed(60, "a", Score::Refused, &["1301"]),
        link(1000, "b"),
    ];
    let view = case_of(events).view(at(1001));
    assert_eq!(view.state, CaseState::LinkIssued);
    assert_eq!(view.attempts.len(), 2);
    assert_eq!(
        view.current_attempt().unwrap().identification,
        Some(id("b"))
    );
    assert!(view.current_attempt().unwrap().reasons.is_empty());
}

#[test]
fn webhooks_of_a_replaced_verification_do_not_touch_the_new_one() {
    let events = [
        link(0, "a"),
        link(100, "b"),
        processed(200, "a", Score::Validated, &[]),
    ];
    let view = case_of(events).view(at(201));
    assert_eq!(view.state, CaseState::LinkIssued);
    assert_eq!(view.attempts[0].score, Some(Score::Validated));
}

#[test]
fn webhooks_without_an_identification_attach_to_the_attempt_running_then() {
    let events = [
        link(0, "a"),
        processed(60, "a", Score::Failed, &[]),
        link(1000, "b"),
        liveness(1100, None, LivenessStatus::Processing, None, &[]),
    ];
    let view = case_of(events).view(at(1101));
    assert_eq!(view.state, CaseState::Processing);
    assert_eq!(view.attempts[0].status, Some(LivenessStatus::Processed));
}

#[test]
fn a_verification_known_only_from_webhooks_is_still_followed() {
    let events = [
        liveness(60, None, LivenessStatus::Processing, None, &[]),
        liveness(
            120,
            None,
            LivenessStatus::Processed,
            Some(Score::Refused),
            &["2304"],
        ),
    ];
    let view = case_of(events).view(at(121));
    assert_eq!(view.state, CaseState::Refused);
    assert!(view.aml_flagged());
    let started_elsewhere = [
        processing(60, "x"),
        processed(120, "x", Score::Validated, &[]),
    ];
    assert_eq!(state(&started_elsewhere, 121), CaseState::Validated);
}

#[test]
fn a_late_processing_webhook_does_not_undo_a_decision() {
    let events = [
        link(0, "a"),
        processed(100, "a", Score::Validated, &[]),
        processing(200, "a"),
    ];
    assert_eq!(state(&events, 201), CaseState::Validated);
}

#[test]
fn a_document_that_arrives_before_the_decision_still_counts() {
    let events = [
        link(0, "a"),
        document(90, 5, 26),
        processed(100, "a", Score::Validated, &[]),
        listing(110, &[(5, 26)]),
    ];
    assert_eq!(state(&events, 111), CaseState::DocumentsReceived);
}

#[test]
fn the_documents_are_in_only_once_every_listed_one_has_arrived() {
    let validated = [
        link(0, "a"),
        processed(100, "a", Score::Validated, &[]),
        CaseEvent::DocumentsRequested { at: at(200) },
    ];
    let view = |extra: &[CaseEvent]| case_of(validated.iter().chain(extra).cloned()).view(at(999));
    // The synthesis arrives first: it is not enough without Treezor's list.
    let only_synthesis = view(&[document(210, 12, 34)]);
    assert_eq!(only_synthesis.state, CaseState::DocumentsRequested);
    assert_eq!(only_synthesis.awaited, [Awaited::Listing]);
    // Treezor lists two documents: the identity card is awaited, by name.
    let listed = [document(210, 12, 34), listing(220, &[(11, 9), (12, 34)])];
    let waiting = view(&listed);
    assert_eq!(waiting.state, CaseState::DocumentsRequested);
    assert_eq!(
        waiting.awaited,
        [Awaited::Document {
            document: DocumentId::new(11).unwrap(),
            document_type: DocumentTypeId::IDENTITY_CARD,
        }]
    );
    assert_eq!(
        person(&waiting, Action::RequestReview),
        Permission::NotAllowed(Refusal::DocumentsNotArrived)
    );
    // Its webhook arrives: every document is in.
    let all = view(&[listed[0].clone(), listed[1].clone(), document(230, 11, 9)]);
    assert_eq!(all.state, CaseState::DocumentsReceived);
    assert!(all.awaited.is_empty());
    assert_eq!(person(&all, Action::RequestReview), Permission::Allowed);
    // A list read before the retrieval was asked for says nothing about it.
    let early = view(&[listing(150, &[(12, 34)]), document(210, 12, 34)]);
    assert_eq!(early.awaited, [Awaited::Listing]);
    // A list with nothing yet, and no synthesis: the synthesis is awaited.
    let empty = view(&[listing(205, &[])]);
    assert_eq!(empty.awaited, [Awaited::Synthesis]);
}

#[test]
fn a_document_recovered_from_the_listing_counts_and_says_where_it_came_from() {
    let synthesis = ListedDocument {
        created_at: Some(at(205)),
        ..listed(12, 34)
    };
    let events = [
        link(0, "a"),
        processed(100, "a", Score::Validated, &[]),
        CaseEvent::DocumentsRequested { at: at(200) },
        document(210, 11, 9),
        listing(220, &[(11, 9), (12, 34)]),
        listing(400, &[(11, 9), (12, 34)]),
        CaseEvent::DocumentRecovered {
            at: at(400),
            document: synthesis.clone(),
        },
    ];
    let view = case_of(events.clone()).view(at(401));
    assert_eq!(view.state, CaseState::DocumentsReceived);
    let recovered = view
        .documents
        .iter()
        .find(|d| d.document.get() == 12)
        .unwrap();
    assert_eq!(recovered.source, DocumentSource::Listing);
    assert_eq!(recovered.created_at, at(205), "Treezor's own date");
    assert_eq!(recovered.taken_at, Some(at(400)), "when the desk took it");
    assert_eq!(view.listings.len(), 2);
    // Its webhook turning up late changes nothing but the source.
    let late = case_of(events.into_iter().chain([document(500, 12, 34)])).view(at(501));
    assert_eq!(late.state, CaseState::DocumentsReceived);
    assert_eq!(
        late.documents
            .iter()
            .find(|d| d.document.get() == 12)
            .unwrap()
            .source,
        DocumentSource::Webhook
    );
    // A synthesis Treezor created before this verification started is not its synthesis.
    let old = [
        link(1000, "b"),
        processed(1100, "b", Score::Validated, &[]),
        CaseEvent::DocumentsRequested { at: at(1200) },
        listing(1210, &[(12, 34)]),
        CaseEvent::DocumentRecovered {
            at: at(1500),
            document: synthesis,
        },
    ];
    assert_eq!(case_of(old).view(at(1501)).awaited, [Awaited::Synthesis]);
}

#[test]
fn documents_of_an_earlier_verification_do_not_count_for_the_current_one() {
    let events = [
        link(0, "a"),
        processed(100, "a", Score::Validated, &[]),
        document(150, 5, 34),
        link(1000, "b"),
        processed(1100, "b", Score::Validated, &[]),
    ];
    assert_eq!(state(&events, 1101), CaseState::Validated);
}

#[test]
fn an_identity_document_alone_is_not_enough_for_the_review() {
    let events = [
        link(0, "a"),
        processed(100, "a", Score::Validated, &[]),
        CaseEvent::DocumentsRequested { at: at(110) },
        document(120, 5, 9),
    ];
    let view = case_of(events).view(at(121));
    assert_eq!(view.state, CaseState::DocumentsRequested);
    assert_eq!(
        person(&view, Action::RequestReview),
        Permission::NotAllowed(Refusal::DocumentsNotArrived)
    );
    assert_eq!(person(&view, Action::DownloadDocument), Permission::Allowed);
}

#[test]
fn a_review_refusal_and_a_new_verification() {
    let mut events = happy_path();
    events.pop();
    events.push(review(90_000, KycReview::Refused));
    assert_eq!(state(&events, 90_001), CaseState::ReviewRefused);
    events.push(link(100_000, "idv-2"));
    assert_eq!(
        state(&events, 100_001),
        CaseState::LinkIssued,
        "an old review does not cover the new attempt"
    );
}

#[test]
fn every_action_is_answered_in_every_state_with_a_reason_when_refused() {
    let cases: Vec<(CaseState, Vec<CaseEvent>)> = vec![
        (CaseState::NoVerification, vec![]),
        (CaseState::LinkIssued, vec![link(0, "a")]),
        (
            CaseState::LinkExpired,
            vec![
                link(0, "a"),
                liveness(1, Some("a"), LivenessStatus::Expired, None, &[]),
            ],
        ),
        (
            CaseState::Processing,
            vec![link(0, "a"), processing(1, "a")],
        ),
        (
            CaseState::Abandoned,
            vec![
                link(0, "a"),
                liveness(1, Some("a"), LivenessStatus::Aborted, None, &[]),
            ],
        ),
        (CaseState::Validated, happy_path()[..3].to_vec()),
        (
            CaseState::Refused,
            vec![link(0, "a"), processed(1, "a", Score::Refused, &["2101"])],
        ),
        (
            CaseState::Failed,
            vec![link(0, "a"), processed(1, "a", Score::Failed, &[])],
        ),
        (CaseState::DocumentsRequested, happy_path()[..4].to_vec()),
        (CaseState::DocumentsReceived, happy_path()[..7].to_vec()),
        (CaseState::ReviewRequested, happy_path()[..8].to_vec()),
        (CaseState::ReviewValidated, happy_path()),
        (
            CaseState::ReviewRefused,
            [&happy_path()[..8], &[review(90_000, KycReview::Refused)]].concat(),
        ),
    ];
    use Permission::{Allowed, NeedsConfirmation as Confirm, NotAllowed as No};
    for (expected_state, events) in cases {
        let now = events
            .iter()
            .map(|e| e.at())
            .max()
            .map_or(at(0), |t| t.plus_seconds(1))
            .max(at(0));
        let view = case_of(events).view(now);
        assert_eq!(view.state, expected_state);
        let start = person(&view, Action::StartVerification);
        let retrieve = person(&view, Action::RetrieveDocuments);
        let review = person(&view, Action::RequestReview);
        match expected_state {
            CaseState::NoVerification
            | CaseState::LinkExpired
            | CaseState::Abandoned
            | CaseState::Refused
            | CaseState::Failed
            | CaseState::ReviewRefused => {
                assert_eq!(start, Allowed, "{expected_state}")
            }
            CaseState::LinkIssued | CaseState::Processing => {
                assert_eq!(
                    start,
                    Confirm(vec![Caution::ReplacesVerificationInProgress]),
                    "{expected_state}"
                )
            }
            CaseState::ReviewRequested => assert_eq!(start, No(Refusal::ReviewInProgress)),
            _ => assert!(matches!(start, Confirm(_)), "{expected_state}"),
        }
        let may_retrieve = matches!(
            expected_state,
            CaseState::Validated | CaseState::DocumentsRequested
        );
        assert_eq!(retrieve == Allowed, may_retrieve, "{expected_state}");
        assert_eq!(
            review == Allowed,
            expected_state == CaseState::DocumentsReceived,
            "{expected_state}"
        );
        for permission in [&start, &retrieve, &review] {
            if let Permission::NeedsConfirmation(cautions) = permission {
                assert!(!cautions.is_empty(), "a confirmation names what to confirm");
            }
        }
    }
}

#[test]
fn state_names_round_trip() {
    for state in CaseState::ALL {
        assert_eq!(CaseState::parse(state.as_str()), Some(state));
        assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
    }
    assert_eq!(CaseState::parse("nope"), None);
}

#[test]
fn a_duplicate_event_is_recorded_once() {
    let mut case = Case::new();
    assert!(case.record(link(0, "a")));
    assert!(!case.record(link(0, "a")));
    assert_eq!(case.events().count(), 1);
}

/// A random history: up to three attempts, each going some way down the flow, with documents,
/// reviews and anonymous webhooks sprinkled in.
fn history() -> impl Strategy<Value = Vec<CaseEvent>> {
    let step = (
        0u8..16,
        0i64..5_000,
        0usize..3,
        proptest::sample::select(vec!["1301", "2301", "2404", "9999", "2101"]),
    );
    proptest::collection::vec(step, 0..16).prop_map(|steps| {
        steps
            .into_iter()
            .map(|(kind, t, attempt, code)| {
                let name = ["a", "b", "c"][attempt];
                match kind {
                    0 => link(t, name),
                    1 => processing(t, name),
                    2 => processed(t, name, Score::Validated, &[]),
                    3 => processed(t, name, Score::Refused, &[code]),
                    4 => processed(t, name, Score::Failed, &[]),
                    5 => liveness(t, None, LivenessStatus::Processing, None, &[]),
                    6 => CaseEvent::DocumentsRequested { at: at(t) },
                    7 => document(t, t as u64 + 1, 9),
                    8 => document(t, t as u64 + 1, 26),
                    9 => review(t, KycReview::Pending),
                    10 => review(t, KycReview::Validated),
                    11 => review(t, KycReview::Refused),
                    12 => listing(t, &[(t as u64 + 1, 9), (attempt as u64 + 1, 34)]),
                    13 => CaseEvent::DocumentRecovered {
                        at: at(t),
                        document: listed(attempt as u64 + 1, 34),
                    },
                    14 => CaseEvent::StartUnanswered { at: at(t) },
                    _ => processed(t, name, Score::Refused, &[code, "1301"]),
                }
            })
            .collect()
    })
}

proptest! {
    /// Events in any order, some delivered twice, give the same case.
    #[test]
    fn order_and_duplicates_do_not_change_the_case(
        events in history(),
        seed in any::<u64>(),
        repeats in proptest::collection::vec(any::<prop::sample::Index>(), 0..6),
        now in 0i64..10_000,
    ) {
        let reference = case_of(events.clone()).view(at(now));

        let mut shuffled = events.clone();
        for index in &repeats {
            if !events.is_empty() {
                shuffled.push(events[index.index(events.len())].clone());
            }
        }
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(case_of(shuffled).view(at(now)), reference);
    }

    /// Whatever happened, every action gets an answer, and a refusal always says why.
    #[test]
    fn every_state_answers_every_action(events in history(), now in 0i64..10_000) {
        let view = case_of(events).view(at(now));
        let standings = [
            Standing::person(),
            Standing { legal_entity: true, ..Standing::person() },
            Standing {
                parent: Some(UserId::new(1).unwrap()),
                children_without_documents: vec![UserId::new(2).unwrap()],
                ..Standing::person()
            },
        ];
        for action in Action::ALL {
            for standing in &standings {
                let permission = view.permission(action, standing);
                // Typed: a refusal names its reason; a confirmation names at least one caution.
                if let Permission::NeedsConfirmation(cautions) = &permission {
                    prop_assert!(!cautions.is_empty());
                }
            }
        }
    }

    /// Whatever happens after a refusal for an AML-sensitive reason, the person keeps the flag.
    #[test]
    fn nothing_that_comes_later_clears_an_aml_flag(later in history()) {
        let refused = [link(0, "flagged"), processed(60, "flagged", Score::Refused, &["2301"])];
        let view = case_of(refused.into_iter().chain(later)).view(at(10_000));
        prop_assert!(view.aml_flagged());
        prop_assert!(view.aml_flags.iter().any(|f| f.identification == Some(id("flagged"))));
    }
}

#[test]
fn states_read_back_from_their_stable_names() {
    for state in CaseState::ALL {
        let json = serde_json::to_string(&state).unwrap();
        assert_eq!(json, format!("\"{}\"", state.as_str()));
        let back: CaseState = serde_json::from_str(&json).unwrap();
        assert_eq!(back, state);
    }
    assert!(serde_json::from_str::<CaseState>("\"closed\"").is_err());
}

#[test]
fn the_aml_flag_stays_with_the_person_through_a_new_verification_a_success_and_a_review() {
    let events = [
        link(0, "a"),
        processed(100, "a", Score::Refused, &["1301", "2304"]),
        link(1000, "b"),
        processed(1100, "b", Score::Validated, &[]),
        CaseEvent::DocumentsRequested { at: at(1200) },
        document(1210, 21, 9),
        document(1211, 22, 34),
        listing(1212, &[(21, 9), (22, 34)]),
        review(1300, KycReview::Pending),
        review(2000, KycReview::Validated),
    ];
    let view = case_of(events).view(at(2001));
    assert_eq!(view.state, CaseState::ReviewValidated);
    assert!(view.current_attempt().unwrap().reasons.is_empty());
    assert_eq!(
        view.aml_flags,
        [AmlFlag {
            raised_at: at(100),
            identification: Some(id("a")),
            codes: vec![ReasonCode::parse("2304")],
        }]
    );
    // The earlier attempt keeps its score and reasons.
    assert_eq!(view.attempts[0].score, Some(Score::Refused));
    assert_eq!(view.attempts[0].reasons.len(), 2);
}

#[test]
fn a_new_verification_of_a_flagged_person_needs_a_confirmation_that_names_the_flag_first() {
    let refused = [link(0, "a"), processed(100, "a", Score::Refused, &["2401"])];
    let view = case_of(refused.clone()).view(at(101));
    assert_eq!(
        person(&view, Action::StartVerification),
        confirm(&[Caution::AmlFlagged])
    );
    let in_progress = case_of(refused.into_iter().chain([link(200, "b")])).view(at(201));
    let start = person(&in_progress, Action::StartVerification);
    assert_eq!(
        start,
        confirm(&[Caution::AmlFlagged, Caution::ReplacesVerificationInProgress])
    );
    // A refusal for shareable reasons only raises no flag.
    let shareable = case_of([link(0, "a"), processed(100, "a", Score::Refused, &["1301"])]);
    let view = shareable.view(at(101));
    assert!(!view.aml_flagged());
    assert_eq!(
        person(&view, Action::StartVerification),
        Permission::Allowed
    );
}

#[test]
fn a_start_whose_answer_was_lost_is_named_until_a_verification_is_known() {
    let lost = [CaseEvent::StartUnanswered { at: at(50) }];
    let view = case_of(lost.clone()).view(at(51));
    assert_eq!(view.state, CaseState::NoVerification);
    assert_eq!(view.unanswered_start, Some(at(50)));
    assert_eq!(
        person(&view, Action::StartVerification),
        confirm(&[Caution::StartAnswerLost])
    );
    // A verification Treezor names after it settles the question.
    let found = case_of(lost.into_iter().chain([processing(60, "x")])).view(at(61));
    assert_eq!(found.unanswered_start, None);
    assert_eq!(found.state, CaseState::Processing);
}

#[test]
fn a_legal_entity_is_never_verified_and_its_review_waits_for_its_children() {
    let entity = Standing {
        legal_entity: true,
        ..Standing::person()
    };
    let view = Case::new().view(at(0));
    assert_eq!(
        view.permission(Action::StartVerification, &entity),
        Permission::NotAllowed(Refusal::LegalEntity)
    );
    assert_eq!(
        view.permission(Action::RetrieveDocuments, &entity),
        Permission::NotAllowed(Refusal::LegalEntity)
    );
    assert_eq!(
        view.permission(Action::RequestReview, &entity),
        Permission::Allowed,
        "every child that needs documents has them"
    );
    let waiting = Standing {
        children_without_documents: vec![UserId::new(5).unwrap()],
        ..entity.clone()
    };
    assert_eq!(
        view.permission(Action::RequestReview, &waiting),
        confirm(&[Caution::ChildrenWithoutDocuments])
    );
    let pending = case_of([review(10, KycReview::Pending)]).view(at(11));
    assert_eq!(pending.state, CaseState::ReviewRequested);
    assert_eq!(
        pending.permission(Action::RequestReview, &entity),
        Permission::NotAllowed(Refusal::ReviewInProgress)
    );
    let refused = case_of([
        review(10, KycReview::Pending),
        review(20, KycReview::Refused),
    ]);
    assert_eq!(
        refused
            .view(at(21))
            .permission(Action::RequestReview, &entity),
        Permission::Allowed,
        "after a refusal the parent may be sent again"
    );
}

#[test]
fn a_review_on_a_child_warns_that_it_usually_goes_on_the_parent() {
    let child = Standing {
        parent: Some(UserId::new(1).unwrap()),
        ..Standing::person()
    };
    let ready = case_of(happy_path()[..7].to_vec()).view(at(799));
    assert_eq!(ready.state, CaseState::DocumentsReceived);
    assert_eq!(
        ready.permission(Action::RequestReview, &child),
        confirm(&[Caution::ReviewGoesOnParent])
    );
    assert_eq!(
        Case::new()
            .view(at(0))
            .permission(Action::RequestReview, &child),
        Permission::NotAllowed(Refusal::NoVerification),
        "a refusal stays a refusal"
    );
}

#[test]
fn a_case_entered_its_state_with_the_event_that_changed_it_not_the_latest() {
    let events = happy_path();
    // After the documents were asked for (700), a document and a listing (710, 711) leave the
    // case waiting for documents: it entered that state at 700.
    let expected_since = [0, 300, 600, 700, 700, 700, 712, 800, 90_000];
    assert_eq!(case_of([]).state_since(), None);
    for (n, since) in expected_since.iter().enumerate() {
        let case = case_of(events[..=n].iter().cloned());
        assert_eq!(
            case.state_since(),
            Some(at(*since)),
            "after {} events",
            n + 1
        );
    }
    // The same webhook again, later, leaves the case where it was and when it got there.
    let mut repeated = events[..3].to_vec();
    repeated.push(processed(650, "idv-1", Score::Validated, &[]));
    assert_eq!(case_of(repeated).state_since(), Some(at(600)));
}
