//! The dashboard's one error. Each message says what failed, for which object, and what the officer
//! can do; [`Error::code`] gives the window a stable name to switch on.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum Error {
    #[error(
        "The keychain is locked, so {secret} could not be {operation}d. Unlock your login keyring (log in again, or open \"Passwords and Keys\") and retry."
    )]
    KeychainLocked {
        secret: &'static str,
        operation: &'static str,
    },
    #[error(
        "The keychain could not {operation} {secret}: {detail}. Make sure a Secret Service (GNOME Keyring or KWallet) is running in your session, then retry."
    )]
    KeychainUnavailable {
        secret: &'static str,
        operation: &'static str,
        detail: String,
    },
    #[error("No {secret} is saved. Enter it in Settings.")]
    MissingSecret { secret: &'static str },
    #[error("The {setting} is not valid: {problem}.")]
    InvalidSetting {
        setting: &'static str,
        problem: String,
    },
    #[error("The settings file {} is not usable: {problem}.", path.display())]
    SettingsFile { path: PathBuf, problem: String },
    #[error(
        "The home folder could not be found, so there is nowhere to keep settings. Set KYC_DESK_HOME to a folder the dashboard may use."
    )]
    NoHomeFolder,
}

impl Error {
    /// A stable, snake_case name for the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::KeychainLocked { .. } => "keychain_locked",
            Error::KeychainUnavailable { .. } => "keychain_unavailable",
            Error::MissingSecret { .. } => "missing_secret",
            Error::InvalidSetting { .. } => "invalid_setting",
            Error::SettingsFile { .. } => "settings_file",
            Error::NoHomeFolder => "no_home_folder",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
