//! Proves that the harness says what happened when the app dies under a test: a wait that can no
//! longer be met fails at once, naming how the app ended, instead of timing out on a session
//! that is gone with nothing said of why.

use e2e::{Desk, Theme};

#[tokio::test]
async fn a_test_whose_app_dies_fails_at_once_saying_how_the_app_ended() {
    let desk = Desk::open(Theme::Light).await;
    desk.element("main").await;
    let app = desk.app_pid();
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &app.to_string()])
        .status()
        .expect("kill(1) runs");
    assert!(killed.success(), "the app ({app}) could be killed");

    // On a task of its own, so that its panic is caught and read here.
    let waited = tokio::task::LocalSet::new()
        .run_until(async move {
            tokio::task::spawn_local(async move {
                desk.wait_for_text("[data-testid=never-shown]", "anything")
                    .await;
            })
            .await
        })
        .await;
    let panic = waited.expect_err("the wait fails").into_panic();
    let said = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    // Not a timeout: the wait fails on the app's end, and names it.
    assert!(
        said.contains("the app ended (killed by signal 9) while the test waited for"),
        "{said}"
    );
}
