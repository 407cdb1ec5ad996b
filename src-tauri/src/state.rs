//! The dashboard's state as the shell holds it: the [`desk::Desk`] once started, or why it could
//! not start.
//!
//! The desk starts beside the window rather than before it (opening the cache, the keychain's
//! entries, the audit trail): the page loads meanwhile, and a command that comes first waits for
//! the start to end. This took the start off the path to the window's first rows (B7).

use desk::Desk;
use tokio::sync::watch;

use crate::error::{ErrorCode, IpcError, ShellWords};

/// Managed by Tauri; every command reaches the desk through it.
pub struct DeskState(watch::Receiver<Option<Result<Desk, String>>>);

/// Where the start's outcome goes.
pub struct Starting(watch::Sender<Option<Result<Desk, String>>>);

impl Starting {
    pub fn started(self, started: Result<Desk, String>) {
        self.0.send_replace(Some(started));
    }
}

impl DeskState {
    /// A desk already started (or that could not start).
    pub fn new(started: Result<Desk, String>) -> DeskState {
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

fn not_ready(why: Option<String>) -> IpcError {
    IpcError::new(ErrorCode::NotReady, ShellWords::NotReady { why })
}
