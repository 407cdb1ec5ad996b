//! The operations of the world, as Treezor's guide describes them.

use super::*;

const T0: Timestamp = Timestamp::from_unix_seconds(1_720_000_000);

fn settings() -> StartSettings {
    StartSettings {
        kind: LivenessType::VideoCertified,
        lifetime: Duration::from_secs(900),
        url_base: "http://sandbox".into(),
    }
}

fn person(world: &mut World) -> u64 {
    let new = NewUser {
        firstname: Some("Zoé".into()),
        lastname: Some("O'Brien".into()),
        birthday: Some("1990-02-01".into()),
        ..NewUser::default()
    };
    world.create_user(&new, T0).unwrap().0.id
}

#[test]
fn a_user_without_the_required_attributes_cannot_start() {
    let mut world = World::default();
    let (user, events) = world
        .create_user(
            &NewUser {
                lastname: Some("Doe".into()),
                ..NewUser::default()
            },
            T0,
        )
        .unwrap();
    assert_eq!(events[0].event, "user.create");
    let err = world
        .start(user.id, None, T0, &settings(), "a".into())
        .unwrap_err();
    assert_eq!(err, StartError::Missing(vec!["firstname", "birthday"]));
    assert_eq!(
        world
            .start(999, None, T0, &settings(), "a".into())
            .unwrap_err(),
        StartError::UnknownUser
    );
}

#[test]
fn a_second_start_replaces_the_first_whose_link_then_closes() {
    let mut world = World::default();
    let user = person(&mut world);
    world
        .start(user, None, T0, &settings(), "first".into())
        .unwrap();
    world
        .start(user, None, T0, &settings(), "second".into())
        .unwrap();
    let err = world
        .finish("first", Outcome::Validated, None, T0)
        .unwrap_err();
    assert_eq!(err, FinishError::Closed(Closed::Replaced));
    world
        .finish("second", Outcome::Validated, None, T0)
        .unwrap();
}

#[test]
fn documents_come_only_from_a_processed_validated_last_verification() {
    let mut world = World::default();
    let user = person(&mut world);
    assert_eq!(
        world.retrieve(user, T0, 10).unwrap_err(),
        RetrieveError::NoIdentification
    );
    world
        .start(user, None, T0, &settings(), "a".into())
        .unwrap();
    assert_eq!(
        world.retrieve(user, T0, 10).unwrap_err(),
        RetrieveError::NotProcessed("started")
    );
    assert_eq!(
        world.retrieve(user, T0.plus_seconds(901), 10).unwrap_err(),
        RetrieveError::NotProcessed("started"),
        "an unopened link does not expire"
    );
    world.open_link("a", T0.plus_seconds(60));
    assert_eq!(
        world.retrieve(user, T0.plus_seconds(961), 10).unwrap_err(),
        RetrieveError::Gone,
        "15 minutes after it was opened"
    );
    world.identifications.get_mut("a").unwrap().opened = None;
    let (_, created) = world.finish("a", Outcome::Validated, None, T0).unwrap();
    assert_eq!(created[0].event, "kycliveness.create");
    assert_eq!(
        world.retrieve(user, T0, 10).unwrap_err(),
        RetrieveError::NotProcessed("processing")
    );
    let update = world.decide("a", T0.plus_seconds(3));
    assert_eq!(update[0].event, "kycliveness.update");
    assert!(
        world.decide("a", T0.plus_seconds(4)).is_empty(),
        "decided once"
    );
    let (documents, events) = world.retrieve(user, T0.plus_seconds(5), 10).unwrap();
    let types: Vec<u16> = documents.iter().map(|d| d.type_id.number()).collect();
    assert_eq!(types, [9, 34]);
    assert_eq!(
        events
            .iter()
            .filter(|e| e.event == "document.create")
            .count(),
        2
    );
    let (again, no_events) = world.retrieve(user, T0.plus_seconds(6), 10).unwrap();
    assert_eq!(again.len(), 2);
    assert!(no_events.is_empty());
}

#[test]
fn a_refused_verification_has_nothing_to_store() {
    let mut world = World::default();
    let user = person(&mut world);
    world
        .start(user, None, T0, &settings(), "a".into())
        .unwrap();
    world
        .finish(
            "a",
            Outcome::Refused {
                reasons: vec![2301],
                comment: None,
            },
            None,
            T0,
        )
        .unwrap();
    world.decide("a", T0);
    assert_eq!(
        world.retrieve(user, T0, 10).unwrap_err(),
        RetrieveError::NothingToStore(0)
    );
}

#[test]
fn a_review_without_documents_for_a_child_is_refused_and_a_plan_wins() {
    let mut world = World::default();
    let parent = person(&mut world);
    let child = NewUser {
        parent_user_id: Some(parent),
        parent_type: Some("shareholder".into()),
        ..NewUser::default()
    };
    let child = world.create_user(&child, T0).unwrap().0.id;
    world
        .start(parent, None, T0, &settings(), "a".into())
        .unwrap();
    world.finish("a", Outcome::Validated, None, T0).unwrap();
    world.decide("a", T0);
    world.retrieve(parent, T0, 10).unwrap();
    let (pending, events) = world.request_review(parent, T0).unwrap();
    assert_eq!(
        (pending.kyc_review, events[0].event),
        (1, "user.kycrequest")
    );
    assert_eq!(
        world.request_review(parent, T0).unwrap_err(),
        ReviewError::AlreadyPending
    );
    let decision = world.decide_review(parent, T0);
    assert_eq!(decision[0].event, "user.kycreview");
    let user = &world.users[&parent];
    assert_eq!(user.kyc_review, 3);
    assert!(user.kyc_review_comment.contains(&child.to_string()));

    world.review_plans.insert(parent, ReviewDecision::Validated);
    world.request_review(parent, T0).unwrap();
    world.decide_review(parent, T0);
    assert_eq!(world.users[&parent].kyc_review, 2);
    assert!(world.documents.values().all(|d| d.status == "VALIDATED"));
}

#[test]
fn children_are_two_levels_at_most() {
    let mut world = World::default();
    let parent = person(&mut world);
    let child = world
        .create_user(
            &NewUser {
                parent_user_id: Some(parent),
                ..NewUser::default()
            },
            T0,
        )
        .unwrap()
        .0
        .id;
    let err = world
        .create_user(
            &NewUser {
                parent_user_id: Some(child),
                ..NewUser::default()
            },
            T0,
        )
        .unwrap_err();
    assert!(err.contains("at most 2 deep"), "{err}");
    assert!(
        world
            .create_user(
                &NewUser {
                    parent_user_id: Some(4242),
                    ..NewUser::default()
                },
                T0
            )
            .is_err()
    );
}

#[test]
fn search_filters_and_pages() {
    let mut world = World::default();
    for i in 0..25 {
        let new = NewUser {
            firstname: Some(format!("Name{i}")),
            lastname: Some(if i % 2 == 0 {
                "Éven".into()
            } else {
                "Odd".into()
            }),
            ..NewUser::default()
        };
        world.create_user(&new, T0.plus_seconds(i)).unwrap();
    }
    let filter = UserFilter {
        name: Some("éven".into()),
        page_count: Some("5".into()),
        page_number: Some("3".into()),
        ..UserFilter::default()
    };
    let (page, total) = world.search(&filter).unwrap();
    assert_eq!(total, 13);
    assert_eq!(page.len(), 3);
    assert!(
        page.windows(2).all(|w| w[0].created >= w[1].created),
        "newest first by default"
    );
    let bad = UserFilter {
        page_count: Some("0".into()),
        ..UserFilter::default()
    };
    assert!(world.search(&bad).unwrap_err().contains("pageCount"));
}
