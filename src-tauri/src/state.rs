//! The dashboard's state as the shell holds it: the [`desk::Desk`] once started, or why it could
//! not start.
//!
//! The desk starts beside the window rather than before it (opening the cache, the keychain's
//! entries, the audit trail): the page loads meanwhile, and a command that comes first waits for
//! the start to end. This took the start off the path to the window's first rows (B7).

use desk::Desk;
use desk::words::Words;
use tokio::sync::watch;

use crate::error::{ErrorCode, ErrorWords, IpcError, ShellWords};

/// Why the desk could not start: its error, in English for the logs and in words for the window.
#[derive(Clone, Debug)]
pub struct NotStarted {
    message: String,
    words: Words,
}

impl From<desk::Error> for NotStarted {
    fn from(error: desk::Error) -> NotStarted {
        NotStarted {
            message: error.to_string(),
            words: error.words(),
        }
    }
}

impl std::fmt::Display for NotStarted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Managed by Tauri; every command reaches the desk through it.
pub struct DeskState(watch::Receiver<Option<Result<Desk, NotStarted>>>);

/// Where the start's outcome goes.
pub struct Starting(watch::Sender<Option<Result<Desk, NotStarted>>>);

impl Starting {
    pub fn started(self, started: Result<Desk, NotStarted>) {
        self.0.send_replace(Some(started));
    }
}

impl DeskState {
    /// A desk already started (or that could not start).
    pub fn new(started: Result<Desk, NotStarted>) -> DeskState {
        DeskState(watch::Sender::new(Some(started)).subscribe())
    }

    /// A desk still starting: commands wait until [`Starting::started`] says how it went.
    pub fn starting() -> (Starting, DeskState) {
        let (tx, rx) = watch::channel(None);
        (Starting(tx), DeskState(rx))
    }

    /// The desk once started, or a `not_ready` error saying why there is none.
    pub async fn desk(&self) -> Result<Desk, IpcError> {
        let mut started = self.0.clone();
        let outcome = match started.wait_for(Option::is_some).await {
            Ok(outcome) => outcome.clone(),
            Err(_) => None,
        };
        match outcome {
            Some(Ok(desk)) => Ok(desk),
            Some(Err(why)) => Err(not_ready(Some(why))),
            None => Err(not_ready(None)),
        }
    }

    /// The desk if it has started, without waiting (to stop it).
    pub fn started(&self) -> Option<Desk> {
        match &*self.0.borrow() {
            Some(Ok(desk)) => Some(desk.clone()),
            _ => None,
        }
    }
}

fn not_ready(why: Option<NotStarted>) -> IpcError {
    match why {
        Some(NotStarted { message, words }) => IpcError {
            code: ErrorCode::NotReady,
            message: format!("KYC Desk could not start: {message}"),
            words: ErrorWords::Shell(ShellWords::NotReady {
                why: Some(Box::new(words)),
            }),
            detail: None,
        },
        None => IpcError::new(ErrorCode::NotReady, ShellWords::NotReady { why: None }),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_failed_start_reaches_the_window_as_the_starts_own_typed_words() {
        let state = DeskState::new(Err(desk::Error::NoHomeFolder.into()));
        let Err(error) = tauri::async_runtime::block_on(state.desk()) else {
            panic!("a desk that could not start is not ready");
        };
        assert_eq!(error.code, ErrorCode::NotReady);
        assert_eq!(
            serde_json::to_value(&error.words).unwrap(),
            json!({"kind": "not_ready", "why": {"kind": "no_home_folder"}})
        );
        assert!(
            error.message.starts_with("KYC Desk could not start: ")
                && error.message.contains("KYC_DESK_HOME"),
            "the English for the logs: {}",
            error.message
        );
    }
}
