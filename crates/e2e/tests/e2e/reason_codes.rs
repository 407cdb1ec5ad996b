//! Proves that an officer who opens the reason-code screen sees the guide's 30 codes, each with its
//! family and exact message, and the AML-sensitive ones marked "do not disclose". (The dark theme
//! of this screen is shot by `queue::the_dashboard_follows_a_dark_system_theme`.)

use e2e::{Desk, Theme};

const AML_BADGE: &str = "AML-sensitive — do not disclose";
const SHAREABLE: &str = "May be explained to the customer";

/// The table as the officer reads it: one row of cell texts per code, once all 30 are shown.
async fn reason_code_table(desk: &Desk) -> Vec<Vec<String>> {
    desk.click("[data-screen=codes]").await;
    desk.wait_for("the 30 rows of the reason-code table", async |desk| {
        let rows = desk.rows(".catalogue table tbody tr").await;
        (rows.len() == 30).then_some(rows)
    })
    .await
}

fn row<'t>(table: &'t [Vec<String>], code: &str) -> &'t [String] {
    table
        .iter()
        .find(|cells| cells.first().map(String::as_str) == Some(code))
        .unwrap_or_else(|| panic!("no row for code {code} in {table:#?}"))
}

#[tokio::test]
async fn the_officer_reads_every_reason_code_with_the_sensitive_ones_marked() {
    let desk = Desk::open(Theme::Light).await;
    let table = reason_code_table(&desk).await;
    desk.screenshot("reason-codes-light").await;

    assert_eq!(desk.title().await, "KYC Desk");
    assert_eq!(desk.text_of("header h1").await.as_deref(), Some("KYC Desk"));
    assert_eq!(
        desk.text_of(".counts").await.as_deref(),
        Some("30 codes · 12 AML-sensitive")
    );

    assert_eq!(
        row(&table, "2301"),
        [
            "2301",
            "Fraud suspicion",
            "Applicant has submitted a counterfeit or falsification",
            "The document is counterfeit or falsified.",
            AML_BADGE,
        ]
    );
    assert_eq!(
        row(&table, "1301"),
        [
            "1301",
            "Capture quality",
            "Applicant’s document video is too blurry (mostly due to too much movement but if \
             this error persists the camera quality might be at fault)",
            "The document video is blurry, usually from movement; a poor camera if it persists.",
            SHAREABLE,
        ]
    );

    let badged: Vec<&str> = table
        .iter()
        .filter(|cells| cells[4] == AML_BADGE)
        .map(|cells| cells[0].as_str())
        .collect();
    assert_eq!(
        badged,
        [
            "2301", "2302", "2303", "2304", "2305", "2306", "2307", "2399", "2401", "2402", "2403",
            "2404"
        ]
    );

    // Every row says what the domain crate says, in the guide's order, with the explanation the
    // window's English catalogue gives beside Treezor's message.
    let catalogue: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(e2e::workspace_root().join("ui/messages/en.json"))
            .expect("the English catalogue can be read"),
    )
    .expect("the English catalogue is JSON");
    let expected: Vec<[String; 5]> = kyc::catalogue()
        .into_iter()
        .map(|entry| {
            [
                entry.code.to_string(),
                entry.family_label.to_owned(),
                entry.message.to_owned(),
                catalogue[format!("reason_{}", entry.code)]
                    .as_str()
                    .unwrap_or_else(|| panic!("no explanation of {} in en.json", entry.code))
                    .to_owned(),
                if entry.aml_sensitive {
                    AML_BADGE
                } else {
                    SHAREABLE
                }
                .to_owned(),
            ]
        })
        .collect();
    assert_eq!(table, expected);

    desk.scroll_to(".catalogue tbody tr.sensitive").await;
    desk.screenshot("reason-codes-light-aml").await;

    desk.close().await;
}
