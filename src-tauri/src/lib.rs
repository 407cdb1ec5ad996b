//! KYC Desk's desktop shell: the window, and the commands the window may call.
//!
//! The shell is thin on purpose. Each command takes its state, calls one library function and maps
//! the error; every rule lives in the crates under `crates/`, which know nothing of Tauri. The
//! window's content is the Svelte app in `ui/`, served from `ui/dist`.
//!
//! # Layout
//! - [`commands`]: the IPC commands, one small function each.
//! - [`state`]: the desk as the shell holds it, or why it could not start.
//! - [`events`]: the desk's announcements forwarded to the window, and desktop notifications.
//! - [`navigation`]: the guard that keeps the window on the app's own pages.
//! - [`painting`]: the window paints in software on Linux (WebKit's compositing costs more there).
//! - [`error`]: [`IpcError`], the one error shape that crosses the IPC boundary.
//! - `bindings` (tests only): keeps the UI's TypeScript types in step with the Rust ones.
//! - `config_checks`, `ipc_checks` (tests only): what the configuration and the capabilities
//!   allow, and what the IPC boundary refuses.

pub mod commands;
pub mod error;
pub mod events;
pub mod navigation;
pub mod painting;
pub mod state;

#[cfg(test)]
mod bindings;
#[cfg(test)]
mod config_checks;
#[cfg(test)]
mod ipc_checks;

use desk::{Desk, StartOptions};
use tauri::{Builder, Manager, RunEvent, Runtime};

pub use error::{ErrorCode, IpcError};
use state::DeskState;

/// Opens the dashboard window and serves its commands until the officer closes it.
pub fn run() {
    tracing::debug!("start: the window's setup begins");
    let app = with_commands(Builder::default())
        .setup(|app| {
            tracing::debug!("start: the window's setup runs");
            let window = navigation::open_main_window(app)?;
            painting::in_software(&window)?;
            tracing::debug!("start: the window is built");
            // The desk starts while the window loads its page (see `state`).
            let (starting, state) = DeskState::starting();
            app.manage(state);
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let began = std::time::Instant::now();
                let started = match StartOptions::for_current_user() {
                    Ok(options) => Desk::start(options).await,
                    Err(e) => Err(e),
                }
                .map_err(state::NotStarted::from);
                match &started {
                    Ok(desk) => {
                        tracing::info!(ms = began.elapsed().as_millis(), "the dashboard started");
                        events::forward(&handle, desk);
                    }
                    Err(why) => tracing::error!("the dashboard could not start: {why}"),
                }
                starting.started(started);
            });
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|error| panic!("KYC Desk could not start its window: {error}"));
    app.run(|handle, event| {
        if let RunEvent::Exit = event
            && let Some(desk) = handle.state::<DeskState>().started()
        {
            // Let the sync loop finish its batch and the demo servers their requests.
            tauri::async_runtime::block_on(desk.shutdown());
        }
    });
}

/// The plugins (the navigation guard first) and the commands of the window, on any runtime: the
/// app's own, and Tauri's mock runtime in the tests that invoke commands the way the window does.
pub fn with_commands<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(navigation::guard())
        .plugin(tauri_plugin_notification::init())
        // Only our `copy_to_clipboard` command uses it; none of its own commands is granted to
        // the window.
        .plugin(tauri_plugin_clipboard_manager::init())
        .invoke_handler(tauri::generate_handler![
            commands::catalogue::reason_catalogue,
            commands::clipboard::copy_to_clipboard,
            commands::status::app_status,
            commands::queue::queue_page,
            commands::queue::queue_counts,
            commands::case::case_file,
            commands::case::decode_redirect,
            commands::team::case_notes,
            commands::team::write_note,
            commands::claims::case_claim,
            commands::claims::queue_claims,
            commands::claims::team_state,
            commands::claims::claim_case,
            commands::claims::release_case,
            commands::claims::reassign_case,
            commands::claims::next_unclaimed,
            commands::team::case_decisions,
            commands::team::record_decision,
            commands::team::case_four_eyes,
            commands::team::propose_action,
            commands::team::answer_proposal,
            commands::rules::team_rules,
            commands::rules::set_four_eyes_policy,
            commands::rules::set_deadlines,
            commands::actions::start_verification,
            commands::actions::retrieve_documents,
            commands::actions::check_documents,
            commands::actions::download_document,
            commands::actions::request_review,
            commands::actions::cancel_action,
            commands::actions::show_in_folder,
            commands::audit::verify_audit,
            commands::audit::export_audit,
            commands::settings::settings_view,
            commands::settings::save_settings,
            commands::settings::check_treezor,
            commands::settings::check_relay,
            commands::files::local_files,
            commands::files::purge_documents,
            commands::viewer::view_document,
            commands::viewer::identity_check,
        ])
}
