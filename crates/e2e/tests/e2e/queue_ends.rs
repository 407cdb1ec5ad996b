//! Proves that End and Home land at once on a queue far longer than a page: the window reads the
//! last page from the end of the cache instead of paging down to it, and shows the last row with
//! the right row number and count; Home comes back to the first row.

use std::path::Path;

use cache::Cache;
use e2e::{Desk, Theme};
use kyc::case::{CaseEvent, LINK_LIFETIME_SECONDS};
use kyc::{IdentificationId, Timestamp, UserId};

const END: &str = "\u{E010}";
const HOME: &str = "\u{E011}";

/// Users in the cache: 40 of the window's 500-row pages.
const USERS: u64 = 20_000;
/// The first user's id; user `FIRST_ID + i` got their link `i` minutes after the first.
const FIRST_ID: u64 = 500_000;

/// A live-mode cache of `USERS` cases, each with a link issued a minute after the one before, and
/// settings whose servers are a closed loopback port: the window shows the cache alone.
fn prepare(home: &Path) {
    let mut cache = Cache::open(home.join("cache.sqlite")).expect("a cache in the app's home");
    let start = Timestamp::from_unix_seconds(1_767_225_600);
    let events: Vec<(UserId, CaseEvent)> = (0..USERS)
        .map(|i| {
            let user = FIRST_ID + i;
            let at = Timestamp::from_unix_seconds(1_767_225_600 + i as i64 * 60);
            let identification = IdentificationId::parse(&format!("idv-{user}")).unwrap();
            let event = CaseEvent::LinkIssued {
                at,
                identification,
                url: format!("https://id.example/idv-{user}"),
                expires_at: Timestamp::from_unix_seconds(
                    1_767_225_600 + i as i64 * 60 + LINK_LIFETIME_SECONDS,
                ),
                liveness_type: None,
            };
            (UserId::new(user).unwrap(), event)
        })
        .collect();
    cache
        .record_case_events(&events, start)
        .expect("the cases are recorded");
    e2e::write_offline_settings(home);
}

#[tokio::test]
async fn end_shows_the_last_row_and_home_the_first_on_a_long_queue() {
    let desk = Desk::open_prepared(Theme::Light, prepare).await;
    // Newest change first: the last link issued heads the queue, the first one ends it.
    let newest = (FIRST_ID + USERS - 1).to_string();
    let oldest = FIRST_ID.to_string();
    desk.element(&format!(".grid .row[data-user=\"{newest}\"]"))
        .await;
    desk.wait_for_text(".footer", "20,000 cases").await;

    // From here on, note whether the list ever says it is paging down to a far row.
    desk.script(
        "window.pagedOnTheWay = false;
         new MutationObserver(() => {
           if (document.querySelector('.grid .seeking')) window.pagedOnTheWay = true;
         }).observe(document.querySelector('.grid'), { childList: true, subtree: true });
         return null;",
    )
    .await;
    desk.click(".footer").await;
    desk.press(END).await;
    let footer = desk.wait_for_text(".footer", "row 20,000").await;
    assert_eq!(
        desk.script("return window.pagedOnTheWay;").await,
        false,
        "End reads the last page from the end, without paging down to it"
    );
    assert!(footer.contains("20,000 cases"), "{footer}");
    desk.wait_for("the cursor on the queue's last case", async |desk| {
        let user = desk.attribute(".grid .row.cursor", "data-user").await?;
        (user == oldest).then_some(())
    })
    .await;
    let last = desk
        .element(&format!(".grid .row[data-user=\"{oldest}\"]"))
        .await;
    assert_eq!(
        last.attr("aria-rowindex").await.unwrap().as_deref(),
        Some("20001"),
        "the last case sits on the last line of the grid (after its header)"
    );
    desk.screenshot("queue-end").await;

    desk.press(HOME).await;
    let footer = desk
        .wait_for("the cursor on the first row", async |desk| {
            let footer = desk.text_of(".footer").await?;
            let row = footer.split("row ").nth(1)?;
            row.starts_with('1')
                .then(|| row[1..].trim_start())
                .filter(|rest| !rest.starts_with(|c: char| c.is_ascii_digit() || c == ','))
                .map(|_| footer.clone())
        })
        .await;
    assert!(footer.contains("20,000 cases"), "{footer}");
    desk.wait_for("the cursor back on the queue's first case", async |desk| {
        let user = desk.attribute(".grid .row.cursor", "data-user").await?;
        (user == newest).then_some(())
    })
    .await;
    desk.screenshot("queue-home").await;

    desk.close().await;
}
