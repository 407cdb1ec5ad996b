//! The status bar: which world, who, and how the connections are doing.

use serde::Serialize;

use crate::desk::{Desk, Mode};
use crate::sync::SyncHealth;

/// The mode as the window shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModeView {
    Demo {
        sandbox_url: String,
        relay_url: String,
    },
    Live,
}

/// Everything the status bar shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AppStatus {
    pub mode: ModeView,
    pub officer: String,
    pub sync: SyncHealth,
    /// Why Treezor cannot be called, if it cannot.
    pub treezor_problem: Option<crate::words::Words>,
    /// A problem met at start (a settings file refused: the window says so and what to do),
    /// until valid settings are saved.
    pub startup_problem: Option<crate::words::Words>,
}

impl Desk {
    pub fn status(&self) -> AppStatus {
        AppStatus {
            mode: match self.mode() {
                Mode::Demo {
                    sandbox_url,
                    relay_url,
                } => ModeView::Demo {
                    sandbox_url: sandbox_url.clone(),
                    relay_url: relay_url.clone(),
                },
                Mode::Live => ModeView::Live,
            },
            officer: self.officer().as_str().to_owned(),
            sync: self.inner.health.borrow().clone(),
            treezor_problem: self.treezor_problem(),
            startup_problem: crate::desk::read(&self.inner.startup_problem).clone(),
        }
    }
}
