//! The case state machine: the guide's flow, the officer's permissions at each step, and the same
//! state whatever the order and repetition of the events.

use proptest::prelude::*;

use super::*;
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
        document(711, 12, 34),
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
fn a_link_expires_fifteen_minutes_after_issue() {
    let events = [link(0, "idv-1")];
    assert_eq!(
        state(&events, LINK_LIFETIME_SECONDS - 1),
        CaseState::LinkIssued
    );
    assert_eq!(
        state(&events, LINK_LIFETIME_SECONDS),
        CaseState::LinkExpired
    );
    // Once the customer has finished, the link's expiry no longer matters.
    let finished = [link(0, "idv-1"), processing(60, "idv-1")];
    assert_eq!(
        state(&finished, 10 * LINK_LIFETIME_SECONDS),
        CaseState::Processing
    );
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
    ];
    assert_eq!(state(&events, 101), CaseState::DocumentsReceived);
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
        view.permission(Action::RequestReview),
        Permission::NotAllowed(Refusal::DocumentsNotArrived)
    );
    assert_eq!(
        view.permission(Action::DownloadDocument),
        Permission::Allowed
    );
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
            vec![link(-2 * LINK_LIFETIME_SECONDS, "a")],
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
            vec![link(0, "a"), processed(1, "a", Score::Refused, &["2301"])],
        ),
        (
            CaseState::Failed,
            vec![link(0, "a"), processed(1, "a", Score::Failed, &[])],
        ),
        (CaseState::DocumentsRequested, happy_path()[..4].to_vec()),
        (CaseState::DocumentsReceived, happy_path()[..6].to_vec()),
        (CaseState::ReviewRequested, happy_path()[..7].to_vec()),
        (CaseState::ReviewValidated, happy_path()),
        (
            CaseState::ReviewRefused,
            [&happy_path()[..7], &[review(90_000, KycReview::Refused)]].concat(),
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
        let start = view.permission(Action::StartVerification);
        let retrieve = view.permission(Action::RetrieveDocuments);
        let review = view.permission(Action::RequestReview);
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
                    Confirm(Caution::ReplacesVerificationInProgress),
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
        for permission in [start, retrieve, review] {
            if permission != Allowed {
                assert!(permission.message().is_some_and(|m| m.len() > 20));
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
        0u8..12,
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
                    _ => review(t, KycReview::Refused),
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
        for action in Action::ALL {
            let permission = view.permission(action);
            prop_assert_eq!(permission == Permission::Allowed, permission.message().is_none());
        }
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
