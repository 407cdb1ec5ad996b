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
    assert_eq!(desk.keychain_entry("treezor-client-secret"), None);

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
    desk.wait_for_text(".settings", "A client secret is saved in the keychain.")
        .await;
    desk.wait_for_text(".settings", "A feed token is saved in the keychain.")
        .await;
    desk.screenshot("settings-saved").await;

    assert_eq!(
        desk.keychain_entry("treezor-client-secret").as_deref(),
        Some(CLIENT_SECRET)
    );
    assert_eq!(
        desk.keychain_entry("relay-feed-token").as_deref(),
        Some(FEED_TOKEN)
    );
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

    desk.close().await;
}
