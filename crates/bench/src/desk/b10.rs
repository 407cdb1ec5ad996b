//! B10: team propagation. Two officers, each on a dashboard of their own, read one hub on
//! loopback with their own credentials. One writes a note on a case (the officer's action: checked,
//! sent to the hub, audited); the time runs until the other dashboard has it: applied from the
//! hub's feed, announced to its window (the change the window reloads the case on), and read back
//! as the window reads it. 200 notes, on 20 cases both dashboards hold.

use std::time::{Duration, Instant};

use desk::{Change, Desk};
use kyc::UserId;
use kyc::officer::Role;
use sandbox::{NewUser, SandboxConfig};
use tokio::sync::broadcast::error::RecvError;

use super::world::World;
use super::{caught_up, percentile};
use crate::figure::Figure;

const NOTES: usize = 200;
const CASES: usize = 20;
/// Past this, a note counts as not shown.
const SHOW_LIMIT: Duration = Duration::from_secs(10);

pub async fn run() -> Vec<Figure> {
    let world = World::start(SandboxConfig::for_tests()).await;
    let zoe = world.officer("Zoé", Role::Officer).await;
    let sam = world.officer("Sam", Role::Officer).await;
    let writer = world.desk_reading_with("zoe", zoe.expose()).await;
    let reader = world.desk_reading_with("sam", sam.expose()).await;
    for desk in [&writer, &reader] {
        signed_in(desk).await;
    }
    let control = world.sandbox.control();
    let cases: Vec<UserId> = (0..CASES)
        .map(|i| {
            let id = control
                .create_user(&NewUser {
                    user_type_id: Some(1),
                    firstname: Some("Team".into()),
                    lastname: Some(format!("Case {i}")),
                    birthday: Some("1990-01-01".into()),
                    ..NewUser::default()
                })
                .expect("the user is created");
            UserId::new(id).expect("a user id")
        })
        .collect();
    for desk in [&writer, &reader] {
        assert!(
            caught_up(desk, &world.relay, Duration::from_secs(60)).await,
            "B10: the dashboards did not get the cases"
        );
    }

    let mut changes = reader.subscribe();
    let mut shown = Vec::with_capacity(NOTES);
    let mut missed = 0;
    for n in 0..NOTES {
        let user = cases[n % CASES];
        let text = format!("B10 note {n}");
        // Changes from before this note are not its own.
        changes = changes.resubscribe();
        let written = Instant::now();
        writer
            .write_note(user, &text)
            .await
            .expect("the hub records the note");
        match seen(&reader, &mut changes, user, &text).await {
            true => shown.push(written.elapsed().as_secs_f64() * 1000.0),
            false => missed += 1,
        }
    }
    writer.shutdown().await;
    reader.shutdown().await;

    shown.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&shown, 0.50), percentile(&shown, 0.99));
    eprintln!(
        "B10: {} notes shown on the other desk (missed {missed}): p50 {p50:.1} ms, p99 {p99:.1} ms; load average {}",
        shown.len(),
        crate::figure::load_average()
    );
    let all = missed == 0;
    vec![
        Figure {
            id: "B10",
            figure: format!("note on one desk to shown on another, p50 of {NOTES}"),
            value: p50,
            unit: "ms",
            target: "(aim <= 100)",
            meets_target: all && p50 <= 100.0,
        },
        Figure {
            id: "B10",
            figure: format!("note on one desk to shown on another, p99 of {NOTES}"),
            value: if all { p99 } else { f64::INFINITY },
            unit: "ms",
            target: "<= 1000",
            meets_target: all && p99 <= 1000.0,
        },
    ]
}

async fn signed_in(desk: &Desk) {
    let mut health = desk.health();
    tokio::time::timeout(
        Duration::from_secs(30),
        health.wait_for(|h| h.signed_in.is_some()),
    )
    .await
    .expect("B10: a dashboard did not sign in at the hub within 30 s")
    .expect("the sync loop runs");
}

/// Waits for `reader` to announce `user`'s case changed and to hold the note `text`.
async fn seen(
    reader: &Desk,
    changes: &mut tokio::sync::broadcast::Receiver<Change>,
    user: UserId,
    text: &str,
) -> bool {
    let deadline = tokio::time::Instant::now() + SHOW_LIMIT;
    loop {
        let announced = tokio::select! {
            change = changes.recv() => match change {
                Ok(Change::Users(users)) => users.contains(&user),
                Ok(Change::Notice(_)) => false,
                Err(RecvError::Lagged(_)) => true,
                Err(RecvError::Closed) => return false,
            },
            () = tokio::time::sleep_until(deadline) => return false,
        };
        if announced
            && reader
                .notes(user)
                .await
                .expect("the notes are read")
                .iter()
                .any(|note| note.text == text)
        {
            return true;
        }
    }
}
