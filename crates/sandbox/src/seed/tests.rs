//! The seeded population: every state, every reason, reproducible.

use super::*;
use crate::config::SandboxConfig;

#[tokio::test]
async fn the_population_covers_every_state_and_reason_and_is_reproducible() {
    let run = |seed: u64| {
        let state = SandboxState::new(SandboxConfig::for_tests(), "http://127.0.0.1:1").unwrap();
        let report = seed_once(&state, seed);
        let names: Vec<(String, String)> = state.world(|w| {
            w.users
                .values()
                .map(|u| (u.firstname.clone(), u.lastname.clone()))
                .collect()
        });
        let children = state.world(|w| w.users.values().filter(|u| u.parent_user_id != 0).count());
        // The people listed per state are individuals of their own, each listed once.
        let listed: Vec<u64> = report.people.values().flatten().copied().collect();
        state.world(|w| {
            for id in &listed {
                let user = &w.users[id];
                assert_eq!((user.user_type, user.parent_user_id), (1, 0), "{id}");
            }
        });
        assert_eq!(
            listed.len(),
            listed
                .iter()
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        );
        state.shutdown();
        (report, names, children)
    };
    let (report, names, children) = run(7);
    assert!(report.users >= 300, "{report:?}");
    for story in Story::ALL {
        assert!(
            report.by_state.get(story.name()).copied().unwrap_or(0) > 0,
            "no user in {}",
            story.name()
        );
        assert!(
            report
                .people
                .get(story.name())
                .is_some_and(|p| !p.is_empty()),
            "no individual listed in {}",
            story.name()
        );
    }
    for stage in Stage::ALL {
        assert!(
            report.businesses.get(stage.name()).copied().unwrap_or(0) > 0,
            "no business {}",
            stage.name()
        );
    }
    let all: Vec<u16> = ListedReason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(report.reason_codes, all, "every reason code is represented");
    assert!(children > 10);
    assert!(
        names
            .iter()
            .any(|(f, l)| f.contains('\'') || l.contains('\''))
    );
    assert!(names.iter().any(|(f, l)| !f.is_ascii() || !l.is_ascii()));
    assert!(names.iter().any(|(f, _)| {
        f.chars().any(|c| {
            ('\u{0400}'..='\u{04ff}').contains(&c) || ('\u{3040}'..='\u{30ff}').contains(&c)
        })
    }));
    assert!(report.webhooks > report.users);
    let (again, same_names, _) = run(7);
    assert_eq!(
        (
            again.users,
            again.by_state,
            again.businesses,
            again.reason_codes,
            again.people
        ),
        (
            report.users,
            report.by_state,
            report.businesses,
            report.reason_codes,
            report.people
        )
    );
    assert_eq!(same_names, names);
}

fn seed_once(state: &SandboxState, rng_seed: u64) -> SeedReport {
    seed(
        state,
        &SeedOptions {
            users: 300,
            rng_seed,
            send_webhooks: false,
        },
    )
}
