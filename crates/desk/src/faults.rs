//! What went wrong inside the dashboard itself, typed: the settings file, the audit trail's
//! keychain entries, the demo's start, and the faults that are no one's input (a folder, a thread,
//! the cache's worker).
//!
//! Each is worded by the window in the officer's language (`ui/src/lib/i18n/errors.ts`); the
//! `Display` here is the English the logs and the command line print. A `detail` is the operating
//! system's or a library's own description (quoted, not translated); everything around it is a
//! kind the window words, with what the officer can do.

use std::fmt;

use serde::Serialize;

/// Why the settings file could not be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum SettingsFileProblem {
    /// Not settings JSON; `detail` is the parser's description (line and column).
    NotSettingsJson {
        detail: String,
    },
    Unreadable {
        detail: String,
    },
    NotWritten {
        detail: String,
    },
}

impl fmt::Display for SettingsFileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingsFileProblem::NotSettingsJson { detail } => {
                write!(
                    f,
                    "it is not valid settings JSON ({detail}); fix or delete it"
                )
            }
            SettingsFileProblem::Unreadable { detail } => {
                write!(f, "it could not be read: {detail}")
            }
            SettingsFileProblem::NotWritten { detail } => {
                write!(f, "it could not be written: {detail}")
            }
        }
    }
}

/// Why the audit trail cannot be kept: its key and anchor in the keychain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TrailProblem {
    KeyNotOurs,
    KeyMissing,
    AnchorNotOurs,
}

impl fmt::Display for TrailProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TrailProblem::KeyNotOurs => "its key in the keychain is not one KYC Desk wrote",
            TrailProblem::KeyMissing => {
                "its key is missing from the keychain, so no action can be recorded and the trail cannot be checked"
            }
            TrailProblem::AnchorNotOurs => "its anchor in the keychain is not one KYC Desk wrote",
        })
    }
}

/// The step of the demo's start that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DemoStep {
    RemoveOldFiles,
    CreateFolder,
    StartRelay,
    SetPolicy,
    StartSandbox,
    MakeClient,
}

impl fmt::Display for DemoStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DemoStep::RemoveOldFiles => "the previous demo files could not be removed",
            DemoStep::CreateFolder => "the demo folder could not be created",
            DemoStep::StartRelay => "the demo relay did not start",
            DemoStep::SetPolicy => "the demo hub's four-eyes policy was not set",
            DemoStep::StartSandbox => "the demo sandbox did not start",
            DemoStep::MakeClient => "the demo Treezor client could not be made",
        })
    }
}

/// Why a step of the demo's start failed, typed from the part that failed: the window words it.
/// A `detail` is the operating system's or SQLite's own description, quoted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum DemoCause {
    /// The operating system refused (a folder, a file).
    System { detail: String },
    /// The relay or the sandbox could not listen on this machine's loopback.
    Listen { addr: String, detail: String },
    /// The demo hub's event store failed.
    Store { detail: String },
    /// The demo hub's store was written by a newer relay.
    NewerStore { found: i64, known: i64 },
    /// A name the demo gives an officer is not an officer name.
    OfficerName {
        name: String,
        problem: kyc::text_problem::TextProblem,
    },
    /// The demo hub did not record what the demo sent it.
    Hub { problem: crate::words::HubProblem },
    /// The demo's Treezor client could not be configured.
    Treezor { problem: treezor::ConfigProblem },
    /// A fault inside the relay or the sandbox that has no words of its own: the log says it.
    Inside,
}

impl fmt::Display for DemoCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DemoCause::System { detail } => f.write_str(detail),
            DemoCause::Listen { addr, detail } => {
                write!(f, "nothing could listen on {addr} ({detail})")
            }
            DemoCause::Store { detail } => write!(f, "its event store failed ({detail})"),
            DemoCause::NewerStore { found, known } => write!(
                f,
                "its event store was written by a newer relay (schema {found}, this one knows up to {known})"
            ),
            DemoCause::OfficerName { name, problem } => {
                write!(f, "the officer name \"{name}\" is refused: {problem}")
            }
            DemoCause::Hub { problem } => f.write_str(&problem.english()),
            DemoCause::Treezor { problem } => write!(f, "{problem}"),
            DemoCause::Inside => {
                f.write_str("a fault inside the demo's relay or sandbox (see the log)")
            }
        }
    }
}

/// A fault of the dashboard's own, not caused by the officer's input nor by Treezor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "fault", rename_all = "snake_case")]
pub enum Fault {
    DownloadFolder { path: String, detail: String },
    ExportFolder { path: String, detail: String },
    ExportNotNamed { path: String, detail: String },
    CacheNotOwnerOnly { path: String, detail: String },
    CacheThread { detail: String },
    CacheStopped,
    NoDemoSandbox,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::DownloadFolder { path, detail } => write!(
                f,
                "the download folder {path} could not be created: {detail}. Choose another folder in Settings"
            ),
            Fault::ExportFolder { path, detail } => {
                write!(f, "the folder {path} could not be created: {detail}")
            }
            Fault::ExportNotNamed { path, detail } => {
                write!(f, "the export could not be named {path}: {detail}")
            }
            Fault::CacheNotOwnerOnly { path, detail } => write!(
                f,
                "the cache {path} could not be made readable by you only: {detail}. Check that its folder belongs to you"
            ),
            Fault::CacheThread { detail } => {
                write!(f, "the cache thread could not start: {detail}")
            }
            Fault::CacheStopped => {
                f.write_str("the cache stopped after an internal error; restart KYC Desk")
            }
            Fault::NoDemoSandbox => f.write_str("there is no demo sandbox outside demo mode"),
        }
    }
}
