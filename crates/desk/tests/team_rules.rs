//! Proves that the team's rules are set from the desk by a senior only, at the hub, and audited:
//! a senior's deadlines and four-eyes policy reach a colleague's desk; an officer sees them
//! read-only (saying why) and the hub refuses their change, audited as failed; a bad deadline is
//! refused before the hub is asked; a desk cut off from the hub says so and changes nothing.

mod common;

use std::collections::BTreeMap;

use common::{World, signed_in, until};
use desk::team_rules::ReadOnly;
use kyc::CaseState;
use kyc::four_eyes::{Policy, Rule};
use kyc::officer::Role;

fn deadlines(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(s, n)| ((*s).to_owned(), *n)).collect()
}

fn seconds(rules: &desk::team_rules::TeamRules, state: CaseState) -> Option<i64> {
    rules
        .deadlines
        .iter()
        .find(|d| d.state == state)
        .and_then(|d| d.seconds)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_senior_sets_the_teams_rules_at_the_hub_and_an_officer_reads_them_only() {
    let mut world = World::start().await;
    let ines = signed_in(&world, "ines", "Inès", Role::Senior).await;
    let zoe = signed_in(&world, "zoe", "Zoé", Role::Officer).await;

    // Changeable once the hub has answered and named a senior.
    let rules = until(&ines, "the hub to answer", || async {
        let rules = ines.team_rules().await.unwrap();
        rules.read_only.is_none().then_some(rules)
    })
    .await;
    assert_eq!(rules.four_eyes, Policy::default());
    assert_eq!(seconds(&rules, CaseState::Validated), Some(86_400));
    until(&zoe, "the hub to name an officer", || async {
        let read_only = zoe.team_rules().await.unwrap().read_only;
        (read_only
            == Some(ReadOnly::NotSenior {
                role: Some(Role::Officer),
            }))
        .then_some(())
    })
    .await;

    let set = ines
        .set_deadlines(deadlines(&[
            ("link_issued", 1800),
            ("validated", 3 * 86_400),
        ]))
        .await
        .unwrap();
    assert_eq!(seconds(&set, CaseState::Validated), Some(3 * 86_400));
    assert_eq!(
        seconds(&set, CaseState::ReviewRequested),
        None,
        "left out: none"
    );
    let strict = Policy {
        request_review: Rule::Always,
        ..Policy::default()
    };
    ines.set_four_eyes_policy(strict).await.unwrap();
    let on_zoe = until(&zoe, "the senior's rules", || async {
        let rules = zoe.team_rules().await.unwrap();
        (rules.four_eyes == strict && seconds(&rules, CaseState::Validated) == Some(3 * 86_400))
            .then_some(rules)
    })
    .await;
    assert_eq!(seconds(&on_zoe, CaseState::LinkIssued), Some(1800));
    let trail = ines.audit_entries(None, 0, 100).await.unwrap();
    assert!(
        trail.iter().any(|r| r.entry.action == "set_deadlines"
            && r.entry.outcome == cache::Outcome::Succeeded
            && r.entry.detail.contains("validated 259200s")),
        "{trail:?}"
    );
    assert!(
        trail.iter().any(|r| r.entry.action == "four_eyes_policy"
            && r.entry.outcome == cache::Outcome::Succeeded)
    );

    // An officer's change is refused by the hub, audited, and changes nothing.
    let error = zoe
        .set_deadlines(deadlines(&[("validated", 60)]))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "hub_refused", "{error}");
    let trail = zoe.audit_entries(None, 0, 100).await.unwrap();
    let last = &trail.last().unwrap().entry;
    assert_eq!(
        (last.action.as_str(), last.outcome),
        ("set_deadlines", cache::Outcome::Failed)
    );
    assert_eq!(
        seconds(&ines.team_rules().await.unwrap(), CaseState::Validated),
        Some(3 * 86_400)
    );

    // A deadline out of bounds is refused before the hub is asked.
    let error = ines
        .set_deadlines(deadlines(&[("validated", 5)]))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "invalid_deadlines", "{error}");
    assert!(error.to_string().contains("1 minute"), "{error}");
    assert!(
        matches!(
            error.words(),
            desk::words::Words::InvalidDeadlines {
                problem: kyc::deadline::DeadlineError::OutOfBounds {
                    state: CaseState::Validated,
                    seconds: 5
                }
            }
        ),
        "the window gets the problem typed, to word it in the officer's language: {error}"
    );

    // Cut off from the hub: read-only, and a change says the hub cannot be reached.
    world.stop_relay().await;
    until(&ines, "the hub to be away", || async {
        (ines.team_rules().await.unwrap().read_only == Some(ReadOnly::HubAway)).then_some(())
    })
    .await;
    let error = ines
        .set_deadlines(deadlines(&[("validated", 86_400)]))
        .await
        .unwrap_err();
    assert_eq!(error.code(), "hub_unreachable", "{error}");
    ines.shutdown().await;
    zoe.shutdown().await;
}
