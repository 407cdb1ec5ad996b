//! The two secrets the dashboard holds, kept only in the OS keychain.
//!
//! The Treezor client secret and the relay feed token live in the Secret Service (GNOME Keyring,
//! KWallet…) through `keyring`, never in the settings file, the cache, logs or IPC answers. The app
//! never falls back to memory on its own: a missing or locked keychain is an error that says what
//! to do. The in-memory store exists for tests of other parts and for demo mode, whose credentials
//! are generated at start and protect nothing real; choosing it is explicit.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use crate::error::{Error, Result};

/// The keychain service name under which the dashboard's entries live.
pub const KEYCHAIN_SERVICE: &str = "eu.kycdesk.app";

/// Which secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretName {
    TreezorClientSecret,
    RelayFeedToken,
}

impl SecretName {
    /// The keychain entry's user name.
    fn entry(self) -> &'static str {
        match self {
            SecretName::TreezorClientSecret => "treezor-client-secret",
            SecretName::RelayFeedToken => "relay-feed-token",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            SecretName::TreezorClientSecret => "the Treezor client secret",
            SecretName::RelayFeedToken => "the relay feed token",
        }
    }
}

/// A secret's value. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// `None` for an empty or blank value.
    pub fn new(value: impl Into<String>) -> Option<Secret> {
        let value = value.into();
        (!value.trim().is_empty()).then_some(Secret(value))
    }

    /// The value, for the one place that sends it where it belongs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Where secrets are kept.
pub enum SecretStore {
    /// The OS keychain (Secret Service on Linux).
    Keychain,
    /// Process memory, chosen explicitly (tests, demo mode).
    Memory(Mutex<HashMap<SecretName, Secret>>),
}

impl fmt::Debug for SecretStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretStore::Keychain => f.write_str("SecretStore::Keychain"),
            SecretStore::Memory(_) => f.write_str("SecretStore::Memory"),
        }
    }
}

impl SecretStore {
    pub fn memory() -> SecretStore {
        SecretStore::Memory(Mutex::new(HashMap::new()))
    }

    /// Reads a secret; `Ok(None)` when none was saved.
    pub fn get(&self, name: SecretName) -> Result<Option<Secret>> {
        match self {
            SecretStore::Keychain => match entry(name)?.get_password() {
                Ok(value) => Ok(Secret::new(value)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(keychain_error(name.words(), "read", e)),
            },
            SecretStore::Memory(map) => Ok(lock(map).get(&name).cloned()),
        }
    }

    /// Saves a secret, replacing the previous one.
    pub fn set(&self, name: SecretName, secret: &Secret) -> Result<()> {
        match self {
            SecretStore::Keychain => entry(name)?
                .set_password(secret.expose())
                .map_err(|e| keychain_error(name.words(), "save", e)),
            SecretStore::Memory(map) => {
                lock(map).insert(name, secret.clone());
                Ok(())
            }
        }
    }

    /// Removes a secret; removing one that is not there is not an error.
    pub fn delete(&self, name: SecretName) -> Result<()> {
        match self {
            SecretStore::Keychain => match entry(name)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(keychain_error(name.words(), "delete", e)),
            },
            SecretStore::Memory(map) => {
                lock(map).remove(&name);
                Ok(())
            }
        }
    }
}

fn lock(
    map: &Mutex<HashMap<SecretName, Secret>>,
) -> std::sync::MutexGuard<'_, HashMap<SecretName, Secret>> {
    // A panic while holding this lock cannot leave the map half-written.
    map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn entry(name: SecretName) -> Result<keyring::Entry> {
    keyring::Entry::new(KEYCHAIN_SERVICE, name.entry())
        .map_err(|e| keychain_error(name.words(), "open", e))
}

/// A keychain failure on `secret` (its words), as the officer reads it.
pub(crate) fn keychain_error(
    secret: &'static str,
    operation: &'static str,
    error: keyring::Error,
) -> Error {
    match error {
        keyring::Error::NoStorageAccess(_) => Error::KeychainLocked { secret, operation },
        keyring::Error::NoDefaultStore => Error::KeychainUnavailable {
            secret,
            operation,
            detail: "no Secret Service is running on the session bus".to_owned(),
        },
        other => Error::KeychainUnavailable {
            secret,
            operation,
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let secret = Secret::new("s3cr3t-value").unwrap();
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert!(Secret::new("  ").is_none());
    }

    #[test]
    fn the_memory_store_keeps_and_forgets() {
        let store = SecretStore::memory();
        assert_eq!(store.get(SecretName::RelayFeedToken).unwrap(), None);
        store
            .set(SecretName::RelayFeedToken, &Secret::new("t").unwrap())
            .unwrap();
        assert_eq!(
            store
                .get(SecretName::RelayFeedToken)
                .unwrap()
                .unwrap()
                .expose(),
            "t"
        );
        assert_eq!(store.get(SecretName::TreezorClientSecret).unwrap(), None);
        store.delete(SecretName::RelayFeedToken).unwrap();
        store.delete(SecretName::RelayFeedToken).unwrap();
        assert_eq!(store.get(SecretName::RelayFeedToken).unwrap(), None);
    }
}
