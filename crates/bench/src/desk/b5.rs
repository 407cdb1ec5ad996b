//! B5: 200,000 events already in the relay, applied to an empty cache through the feed and the
//! sync loop, from the dashboard's start to its cursor reaching the relay's last event.
//!
//! The events are a realistic mix for 40,000 users: `user.create`, `kycliveness.create`,
//! `kycliveness.update`, then two `document.create` (or, for a third of them, refused with reasons,
//! two `user.update`).

use std::time::{Duration, Instant};

use super::caught_up;
use super::webhooks::{document_create, liveness, post_all, user_create, user_event};
use super::world::World;
use crate::figure::Figure;

const USERS: u64 = 40_000;
const FIRST_USER: u64 = 5_000_000;

pub async fn run() -> Vec<Figure> {
    let world = World::start(sandbox::SandboxConfig::for_tests()).await;
    let mut bodies = Vec::with_capacity(USERS as usize * 5);
    for user in FIRST_USER..FIRST_USER + USERS {
        bodies.push(user_create(user));
        bodies.push(liveness(
            user,
            "kycliveness.create",
            "processing",
            None,
            &[],
        ));
        if user % 3 == 0 {
            bodies.push(liveness(
                user,
                "kycliveness.update",
                "processed",
                Some("0"),
                &["1301", "2304"],
            ));
            bodies.push(user_event("user.update", user));
            bodies.push(user_event("user.update", user));
        } else {
            bodies.push(liveness(
                user,
                "kycliveness.update",
                "processed",
                Some("1"),
                &[],
            ));
            bodies.push(document_create(user, user * 10 + 1, 9));
            bodies.push(document_create(user, user * 10 + 2, 34));
        }
    }
    bodies.truncate(200_000);
    let total = bodies.len();
    let fill = Instant::now();
    let acknowledged = post_all(&world.relay.webhook_url(), bodies, 32).await;
    eprintln!(
        "B5: the relay holds {acknowledged} of {total} events (filled in {:.1} s)",
        fill.elapsed().as_secs_f64()
    );

    let start = Instant::now();
    let desk = world.desk("b5").await;
    let done = caught_up(&desk, &world.relay, Duration::from_secs(600)).await;
    let elapsed = start.elapsed();
    let applied = desk.health().borrow().cursor;
    desk.shutdown().await;
    let rate = applied as f64 / elapsed.as_secs_f64();
    eprintln!(
        "B5: {applied} events applied in {:.2} s ({}), {rate:.0}/s",
        elapsed.as_secs_f64(),
        if done {
            "caught up"
        } else {
            "NOT caught up within 600 s"
        }
    );
    vec![Figure {
        id: "B5",
        figure: "catch-up rate, 200k events relay -> feed -> sync loop -> cache".into(),
        value: rate,
        unit: "events/s",
        target: ">= 50000",
        meets_target: done && rate >= 50_000.0,
    }]
}
