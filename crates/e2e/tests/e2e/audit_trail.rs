//! Proves that the officer can verify the audit trail from the window: after two actions, the
//! Files screen says the trail is intact with its number of entries; after someone with write
//! access to the cache file cuts the last entry and moves the head back (a file that is a valid,
//! shorter chain on its own), it says which entry went and what to do.

use std::time::Duration;

use e2e::{Desk, Theme};

use crate::customer::{Sandbox, open_case};

#[tokio::test]
async fn the_officer_verifies_the_audit_trail_and_sees_where_it_was_cut() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    let user = sandbox
        .person("Inès", "Piste-d'Audit", Some("1988-02-03"))
        .await;

    // Two actions for the trail: a verification started from the case, and a second one the
    // officer declines to confirm.
    open_case(&desk, "Inès Piste-d'Audit", user).await;
    desk.click("button[data-action=start_verification]").await;
    desk.click("dialog button.primary").await;
    desk.wait_for_text("[data-testid=identification-url]", "/verify/")
        .await;
    desk.click_button("Done").await;
    desk.wait_for_text(
        "[data-testid=state-words]",
        "Link sent, waiting for the customer",
    )
    .await;
    desk.click("button[data-action=start_verification]").await;
    desk.wait_for_text("dialog .caution", "A verification is in progress.")
        .await;
    desk.click_button("Cancel").await;

    desk.click("[data-screen=files]").await;
    desk.click_button("Verify audit trail").await;
    let intact = desk
        .wait_for_text("[data-audit-verdict=intact]", "Intact.")
        .await;
    assert!(intact.contains("each sealed and in place"), "{intact}");
    desk.scroll_to(".trail").await;
    desk.screenshot("audit-trail-intact").await;

    // Someone who can write the cache file, not the keychain, removes the last entry and moves
    // the head back onto the one before.
    let cache = desk.app_home().join("demo").join("cache.sqlite");
    let raw = rusqlite::Connection::open(&cache).unwrap();
    raw.busy_timeout(Duration::from_secs(10)).unwrap();
    let last: i64 = raw
        .query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    raw.execute_batch(
        "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_head_no_update;
         DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log);
         UPDATE audit_head SET seq = (SELECT max(seq) FROM audit_log),
             hash = (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1);",
    )
    .unwrap();
    drop(raw);

    desk.click_button("Verify audit trail").await;
    let broken = desk
        .wait_for_text("[data-audit-verdict=broken]", "Broken at entry")
        .await;
    assert!(
        broken.contains(&format!("Broken at entry {last}."))
            && broken.contains(&format!(
                "Audit entry {last} was removed after it was written"
            )),
        "{broken}"
    );
    assert!(
        broken.contains("Keep the cache file") && broken.contains("Export the trail"),
        "{broken}"
    );
    desk.scroll_to(".trail").await;
    desk.screenshot("audit-trail-broken").await;
    desk.close().await;
}

/// Proves that the window's Verify carries the hub's answer on the team's trail: the demo's desk
/// is signed in to its hub with an officer's credential, so its audit entries reach the hub's
/// trail; Verify says that trail is intact, and once someone with write access to the hub's
/// database rewrites an entry, it says which entry of the hub's trail breaks.
#[tokio::test]
async fn the_window_shows_where_the_hubs_team_trail_breaks() {
    let desk = Desk::open(Theme::Light).await;
    let sandbox = Sandbox::of(&desk).await;
    let user = sandbox
        .person("Noé", "Piste-d'Équipe", Some("1990-04-05"))
        .await;
    open_case(&desk, "Noé Piste-d'Équipe", user).await;
    desk.click("button[data-action=start_verification]").await;
    desk.click("dialog button.primary").await;
    desk.wait_for_text("[data-testid=identification-url]", "/verify/")
        .await;
    desk.click_button("Done").await;

    // The outbox sends as soon as the entry is written: wait, with a bound, for the hub to hold it.
    let hub = desk.app_home().join("demo").join("relay.sqlite");
    let raw = rusqlite::Connection::open(&hub).unwrap();
    raw.busy_timeout(Duration::from_secs(10)).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let sent: i64 = raw
            .query_row(
                "SELECT count(*) FROM trail WHERE action = 'start_verification'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if sent >= 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the hub's trail never received the verification's entries"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    desk.click("[data-screen=files]").await;
    desk.click_button("Verify audit trail").await;
    let intact = desk
        .wait_for_text(
            "[data-hub-verdict=intact]",
            "Team trail at the hub: intact.",
        )
        .await;
    assert!(intact.contains("of the whole team"), "{intact}");
    desk.scroll_to(".trail").await;
    desk.screenshot("team-trail-intact").await;

    let first: i64 = raw
        .query_row(
            "SELECT min(seq) FROM trail WHERE action = 'start_verification'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    raw.execute(
        "UPDATE trail SET outcome = 'cancelled' WHERE seq = ?1",
        [first],
    )
    .unwrap();
    drop(raw);

    desk.click_button("Verify audit trail").await;
    let broken = desk
        .wait_for_text("[data-hub-verdict=broken]", "broken at entry")
        .await;
    assert!(
        broken.contains(&format!("Team trail at the hub: broken at entry {first}."))
            && broken.contains("This entry was altered"),
        "{broken}"
    );
    desk.wait_for_text("[data-audit-verdict=intact]", "Intact.")
        .await;
    desk.scroll_to(".trail").await;
    desk.screenshot("team-trail-broken").await;
    desk.close().await;
}
