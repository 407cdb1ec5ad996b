//! What the queue tests ask: every filter the window offers (alone, combined, with searches of
//! every shape), every sort, and every way a search can run.

use cache::{Direction, QueueFilter, ReviewState, SearchTuning, Sort, SortKey, TimeRange};
use kyc::{CaseState, Score, UserType};

use super::*;

pub fn filters() -> Vec<(&'static str, QueueFilter)> {
    let f = QueueFilter::default;
    vec![
        ("everything", f()),
        (
            "refused",
            QueueFilter {
                states: vec![CaseState::Refused],
                ..f()
            },
        ),
        (
            "link issued (live only)",
            QueueFilter {
                states: vec![CaseState::LinkIssued],
                ..f()
            },
        ),
        (
            "link expired (stored as issued too)",
            QueueFilter {
                states: vec![CaseState::LinkExpired],
                ..f()
            },
        ),
        (
            "links, both",
            QueueFilter {
                states: vec![CaseState::LinkIssued, CaseState::LinkExpired],
                ..f()
            },
        ),
        (
            "several states",
            QueueFilter {
                states: vec![
                    CaseState::Validated,
                    CaseState::DocumentsReceived,
                    CaseState::ReviewRequested,
                    CaseState::NoVerification,
                ],
                ..f()
            },
        ),
        (
            "score 0 or none",
            QueueFilter {
                scores: vec![Some(Score::Refused), None],
                ..f()
            },
        ),
        (
            "score 1",
            QueueFilter {
                scores: vec![Some(Score::Validated)],
                ..f()
            },
        ),
        (
            "AML flagged",
            QueueFilter {
                aml_flagged: Some(true),
                ..f()
            },
        ),
        (
            "not AML flagged",
            QueueFilter {
                aml_flagged: Some(false),
                ..f()
            },
        ),
        (
            "review pending or refused",
            QueueFilter {
                reviews: vec![ReviewState::Pending, ReviewState::Refused],
                ..f()
            },
        ),
        (
            "businesses",
            QueueFilter {
                user_types: vec![UserType::Business],
                ..f()
            },
        ),
        (
            "created in a window",
            QueueFilter {
                created: TimeRange {
                    from: Some(at(5_000)),
                    until: Some(at(20_000)),
                },
                ..f()
            },
        ),
        (
            "changed lately",
            QueueFilter {
                last_change: TimeRange {
                    from: Some(at(30_000)),
                    until: None,
                },
                ..f()
            },
        ),
        (
            "search zoe (accents folded)",
            QueueFilter {
                search: Some("ZOE".into()),
                ..f()
            },
        ),
        (
            "search inside a name",
            QueueFilter {
                search: Some("ller".into()),
                ..f()
            },
        ),
        (
            "search last name first",
            QueueFilter {
                search: Some("martin zo".into()),
                ..f()
            },
        ),
        (
            "search email",
            QueueFilter {
                search: Some("dubois3@".into()),
                ..f()
            },
        ),
        (
            "search two letters",
            QueueFilter {
                search: Some("An".into()),
                ..f()
            },
        ),
        (
            "search one letter",
            QueueFilter {
                search: Some("z".into()),
                ..f()
            },
        ),
        (
            "search user id",
            QueueFilter {
                search: Some("1042".into()),
                ..f()
            },
        ),
        (
            "search nameless user",
            QueueFilter {
                search: Some("us".into()),
                ..f()
            },
        ),
        (
            "search nothing found",
            QueueFilter {
                search: Some("qqq".into()),
                ..f()
            },
        ),
        (
            "search with filters",
            QueueFilter {
                search: Some("an".into()),
                states: vec![
                    CaseState::Refused,
                    CaseState::Failed,
                    CaseState::NoVerification,
                    CaseState::DocumentsReceived,
                ],
                aml_flagged: Some(false),
                ..f()
            },
        ),
        (
            "everything at once",
            QueueFilter {
                states: vec![CaseState::Refused, CaseState::Failed, CaseState::Validated],
                scores: vec![Some(Score::Refused), Some(Score::Failed)],
                aml_flagged: Some(false),
                user_types: vec![UserType::Person],
                created: TimeRange {
                    from: Some(at(1_000)),
                    until: None,
                },
                ..f()
            },
        ),
    ]
}

pub fn sorts() -> Vec<Sort> {
    let mut sorts = Vec::new();
    for key in [
        SortKey::Created,
        SortKey::LastChange,
        SortKey::Name,
        SortKey::Due,
    ] {
        for direction in [Direction::Ascending, Direction::Descending] {
            sorts.push(Sort { key, direction });
        }
    }
    sorts
}

/// Every way a search can run: candidates fetched and sorted, kept along a walk, or each row's
/// text checked along a walk.
pub fn search_ways() -> [SearchTuning; 3] {
    [
        SearchTuning::default(),
        SearchTuning {
            fetch_up_to: 0,
            members_up_to: 1_000_000,
        },
        SearchTuning {
            fetch_up_to: 0,
            members_up_to: 0,
        },
    ]
}
