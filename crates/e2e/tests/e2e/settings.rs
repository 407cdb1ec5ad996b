//! Proves that settings entered in the window are saved, that the secrets go to the keychain (as
//! libsecret's own `secret-tool` finds them on the app's bus) and nowhere else, and that the
//! "test connection" buttons say step by step what worked.

use e2e::{Desk, Theme};

const CLIENT_SECRET: &str = "cs-e2e-7f3a-not-shown-back";
const FEED_TOKEN: &str = "ft-e2e-19c2-not-shown-back";

#[tokio::test]
async fn settings_are_saved_with_their_secrets_in_the_keychain_only() {
    let desk = Desk::open(Theme::Light).await;
    desk.click("[data-screen=settings]").await;
    desk.wait_for_text(".settings", "No client secret in the keychain.")
        .await;
    assert_eq!(desk.keychain_entry("treezor-client-secret.bound"), None);

    desk.click("input[type=radio][value=production]").await;
    desk.fill("input[name=base-url]", "https://acme.api.treezor.com")
        .await;
    desk.fill("input[name=client-id]", "acme-client").await;
    desk.fill("input[name=client-secret]", CLIENT_SECRET).await;
    desk.fill("input[name=relay-url]", "https://relay.acme.example")
        .await;
    desk.fill("input[name=feed-token]", FEED_TOKEN).await;
    desk.click_button("Save settings").await;

    let saved = desk
        .wait_for_text(".save .saved", "Restart KYC Desk to leave the demo")
        .await;
    assert!(saved.starts_with("Settings saved."), "{saved}");
    desk.wait_for_text(
        ".settings",
        "A client secret is saved in the keychain, for https://acme.api.treezor.com.",
    )
    .await;
    desk.wait_for_text(
        ".settings",
        "A feed token is saved in the keychain, for https://relay.acme.example.",
    )
    .await;
    desk.screenshot("settings-saved").await;

    // Each secret in one entry with the server it was entered for, as libsecret finds it.
    for (entry, origin, secret) in [
        (
            "treezor-client-secret.bound",
            "https://acme.api.treezor.com",
            CLIENT_SECRET,
        ),
        (
            "relay-feed-token.bound",
            "https://relay.acme.example",
            FEED_TOKEN,
        ),
    ] {
        let saved: serde_json::Value = serde_json::from_str(
            &desk
                .keychain_entry(entry)
                .unwrap_or_else(|| panic!("{entry} is in the keychain")),
        )
        .unwrap();
        assert_eq!(
            saved,
            serde_json::json!({ "origin": origin, "secret": secret })
        );
    }
    let file = std::fs::read_to_string(desk.app_home().join("settings.json"))
        .expect("the settings file is written");
    assert!(file.contains("https://acme.api.treezor.com") && file.contains("acme-client"));
    assert!(!file.contains(CLIENT_SECRET) && !file.contains(FEED_TOKEN));
    // The window never shows a secret back, not even in a field's value.
    for field in ["client-secret", "feed-token"] {
        let value = desk
            .script(&format!(
                "return document.querySelector('input[name={field}]').value;"
            ))
            .await;
        assert_eq!(value, "", "{field} is emptied once saved");
    }
    let page = desk
        .script("return document.documentElement.outerHTML;")
        .await;
    let page = page.as_str().unwrap_or_default();
    assert!(!page.contains(CLIENT_SECRET) && !page.contains(FEED_TOKEN));

    desk.click_button("Test Treezor connection").await;
    let treezor = desk
        .wait_for_text("[aria-label='Treezor check']", "Token and users")
        .await;
    assert!(treezor.contains("Treezor: everything worked."), "{treezor}");
    assert!(
        treezor.contains("demo mode: the embedded sandbox"),
        "{treezor}"
    );
    desk.click_button("Test relay connection").await;
    let relay = desk
        .wait_for_text("[aria-label='Relay check']", "Feed")
        .await;
    assert!(relay.contains("events applied"), "{relay}");
    desk.scroll_to(".checks").await;
    desk.screenshot("settings-connection-checks").await;

    // The relay moves to another server: the saved token is not sent there, and the screen says
    // it must be entered again.
    desk.fill("input[name=relay-url]", "https://relay.other.example")
        .await;
    desk.click_button("Save settings").await;
    let said = desk
        .wait_for_text(
            ".settings [role=alert]",
            "The feed token in the keychain was entered for https://relay.acme.example",
        )
        .await;
    assert!(said.contains("Enter it again"), "{said}");
    desk.wait_for_text(
        ".save .saved",
        "so it is not sent to https://relay.other.example",
    )
    .await;
    desk.scroll_to("input[name=relay-url]").await;
    desk.screenshot("settings-secret-for-another-server").await;

    desk.close().await;
}

#[tokio::test]
async fn a_hand_edited_settings_file_is_refused_and_the_window_says_so() {
    let desk = Desk::open_prepared(Theme::Light, |home| {
        let settings = serde_json::json!({
            "treezor": {
                "environment": "production",
                "base_url": "https://acme.api.treezor.com",
                "client_id": "acme-client"
            },
            "relay": { "url": "http://localhost@relay.evil.example" }
        });
        std::fs::write(home.join("settings.json"), settings.to_string()).unwrap();
    })
    .await;
    let banner = desk
        .wait_for_text("[aria-label='Settings refused']", "NOT CONNECTED")
        .await;
    assert!(
        banner.contains("its relay URL (\"relay.url\") is not valid")
            && banner.contains("user name or password")
            && banner.contains("contacts neither Treezor nor the relay"),
        "{banner}"
    );
    assert!(
        desk.text_of("[aria-label='Demo mode']").await.is_none(),
        "no demo either"
    );
    desk.screenshot("settings-file-refused").await;

    // The settings screen shows the file as written, for the officer to correct.
    desk.click_button("Open Settings").await;
    desk.wait_for("the relay URL as the file has it", async |desk| {
        let value = desk
            .script("return document.querySelector('input[name=relay-url]')?.value ?? null;")
            .await;
        (value == "http://localhost@relay.evil.example").then_some(())
    })
    .await;
    desk.close().await;
}
