//! The secrets the dashboard holds, kept only in the OS keychain, each bound to the server it was
//! entered for.
//!
//! The Treezor client secret and the relay feed token live in the Secret Service (GNOME Keyring,
//! KWallet…) through `keyring`, never in the settings file, the cache, logs or IPC answers. The app
//! never falls back to memory on its own: a missing or locked keychain is an error that says what
//! to do. The in-memory store exists for tests of other parts and for demo mode, whose credentials
//! are generated at start and protect nothing real; choosing it is explicit.
//!
//! # Bound to an origin
//! A secret is saved with the origin (scheme, host, port) of the URL it is sent to: the client
//! secret with the Treezor base URL's, the feed token with the relay URL's
//! ([`SecretName::bound_to`]). It is handed out only for that same origin ([`SecretStore::get`]):
//! when the setting points to another server, the secret is not used and must be entered again
//! (the settings screen says so), so changing a URL can never send a saved secret to a new host.
//! One keychain entry per secret holds `{"origin": …, "secret": …}`: a single write binds the two,
//! so there is no moment where a secret is saved without its origin.
//!
//! An officer's own credential for a team's hub is kept where the feed token is
//! ([`SecretName::RelayFeedToken`]): it goes to the same server, by the same header, and a
//! dashboard holds one or the other; the hub tells them apart. Another secret would be a
//! [`SecretName`] variant with its entry names, its words and the setting it is bound to.
//!
//! # Upgrade
//! Earlier versions kept each secret unbound, under the entry name without `.bound`. At the first
//! start after the upgrade, such an entry is bound to the origin that the settings file then names
//! for it, and removed ([`SecretStore::bind_unbound`]); the secret was entered for that server.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use crate::error::{Error, Result};
use crate::settings::{RELAY_URL, Setting, Settings, TREEZOR_BASE_URL};

/// The keychain service name under which the dashboard's entries live.
pub const KEYCHAIN_SERVICE: &str = "eu.kycdesk.app";

/// Which secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretName {
    TreezorClientSecret,
    /// What the dashboard reads the relay with: its shared feed token, or an officer's own
    /// credential for a team's hub.
    RelayFeedToken,
}

impl SecretName {
    pub const ALL: [SecretName; 2] = [SecretName::TreezorClientSecret, SecretName::RelayFeedToken];

    /// The keychain entry's user name.
    fn entry(self) -> &'static str {
        match self {
            SecretName::TreezorClientSecret => "treezor-client-secret.bound",
            SecretName::RelayFeedToken => "relay-feed-token.bound",
        }
    }

    /// Where earlier versions kept it, unbound.
    fn unbound_entry(self) -> &'static str {
        match self {
            SecretName::TreezorClientSecret => "treezor-client-secret",
            SecretName::RelayFeedToken => "relay-feed-token",
        }
    }

    pub fn words(self) -> &'static str {
        self.kept().words()
    }

    pub fn kept(self) -> Kept {
        match self {
            SecretName::TreezorClientSecret => Kept::TreezorClientSecret,
            SecretName::RelayFeedToken => Kept::RelayFeedToken,
        }
    }

    /// The setting whose URL the secret is sent to, and so bound to.
    pub fn bound_to(self) -> Setting {
        match self {
            SecretName::TreezorClientSecret => TREEZOR_BASE_URL,
            SecretName::RelayFeedToken => RELAY_URL,
        }
    }

    /// The origin `settings` name for this secret: `Ok(None)` when the setting is not set, an
    /// error when its URL is not valid.
    pub fn origin_in(self, settings: &Settings) -> Result<Option<Origin>> {
        let url = match self {
            SecretName::TreezorClientSecret => settings.treezor.as_ref().map(|t| t.url()),
            SecretName::RelayFeedToken => settings.relay.as_ref().map(|r| r.url()),
        };
        url.transpose().map(|url| url.as_ref().map(Origin::of))
    }
}

/// What KYC Desk keeps in the keychain, as an error names it: the window words it in the
/// officer's language, [`Kept::words`] in English for logs and the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Kept {
    TreezorClientSecret,
    RelayFeedToken,
    AuditKey,
    AuditAnchor,
}

impl Kept {
    pub fn words(self) -> &'static str {
        match self {
            Kept::TreezorClientSecret => "the Treezor client secret",
            Kept::RelayFeedToken => "the relay feed token",
            Kept::AuditKey => "the audit trail's key",
            Kept::AuditAnchor => "the audit trail's anchor",
        }
    }
}

impl fmt::Display for Kept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.words())
    }
}

/// What KYC Desk asked of the keychain when it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum KeychainOperation {
    Open,
    Read,
    Save,
    Delete,
}

impl fmt::Display for KeychainOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeychainOperation::Open => "open",
            KeychainOperation::Read => "read",
            KeychainOperation::Save => "save",
            KeychainOperation::Delete => "delete",
        })
    }
}

/// Why the keychain could not do what KYC Desk asked, when it is not locked: the window words
/// it; `Display` is the English of the logs. A `detail` is the keychain's own description, quoted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum KeychainProblem {
    /// No Secret Service answers on the session bus (no GNOME Keyring or KWallet running, or no
    /// session bus at all): the keychain's store could not start.
    NoSecretService,
    /// The keychain refused the entry or the request (a name it does not take, an operation its
    /// store does not support).
    Refused { detail: String },
    /// The entry holds something that is not text: it was not written by KYC Desk.
    NotText,
    /// Several entries answer to the one name.
    Ambiguous { entries: u64 },
    /// The keychain or the bus failed.
    Platform { detail: String },
}

impl KeychainProblem {
    /// What `keyring` said, typed; `None` for a locked keychain (its own error) and a missing
    /// entry (not an error).
    fn of(error: keyring::Error) -> Option<KeychainProblem> {
        use keyring::Error as K;
        Some(match error {
            K::NoStorageAccess(_) | K::NoEntry => return None,
            K::NoDefaultStore => KeychainProblem::NoSecretService,
            K::BadEncoding(_) | K::BadDataFormat(..) => KeychainProblem::NotText,
            K::Ambiguous(entries) => KeychainProblem::Ambiguous {
                entries: entries.len() as u64,
            },
            refused @ (K::Invalid(..) | K::TooLong(..) | K::NotSupportedByStore(_)) => {
                KeychainProblem::Refused {
                    detail: refused.to_string(),
                }
            }
            K::PlatformFailure(platform) => KeychainProblem::Platform {
                detail: platform.to_string(),
            },
            other => KeychainProblem::Platform {
                detail: other.to_string(),
            },
        })
    }
}

impl fmt::Display for KeychainProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeychainProblem::NoSecretService => f.write_str(
                "no Secret Service is running on the session bus. Start GNOME Keyring or KWallet in your session (or log in to a desktop session), then retry",
            ),
            KeychainProblem::Refused { detail } => write!(
                f,
                "the keychain refused the request ({detail}). Report this error",
            ),
            KeychainProblem::NotText => f.write_str(
                "its entry does not hold text, so KYC Desk did not write it. Remove the entry with \"Passwords and Keys\", then enter the secret again in Settings",
            ),
            KeychainProblem::Ambiguous { entries } => write!(
                f,
                "{entries} entries answer to its name. Remove the extra ones with \"Passwords and Keys\", then retry",
            ),
            KeychainProblem::Platform { detail } => write!(
                f,
                "the keychain failed ({detail}). Make sure GNOME Keyring or KWallet is running in your session, then retry",
            ),
        }
    }
}

/// A server as a secret is bound to it: scheme, host and port, as one text
/// (`https://acme.api.treezor.com`, `http://127.0.0.1:8787`; a default port is left out, so
/// `https://x` and `https://x:443` are one origin).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Origin(String);

impl Origin {
    pub fn of(url: &Url) -> Origin {
        Origin(treezor::endpoint::origin_of(url))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A secret's value. Its `Debug` and `Display` never show it. Read from the window as a string;
/// a blank one is refused.
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

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Secret::new(value).ok_or_else(|| serde::de::Error::custom("a secret cannot be blank"))
    }
}

/// What the keychain holds for a secret, asked for one origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Saved for this origin.
    Found(Secret),
    /// Nothing saved.
    Missing,
    /// Saved for another origin: not handed out.
    ForAnotherOrigin(Origin),
}

impl Lookup {
    /// The secret, or the error that says it must be entered (again).
    pub fn found(self, name: SecretName, origin: &Origin) -> Result<Secret> {
        match self {
            Lookup::Found(secret) => Ok(secret),
            Lookup::Missing => Err(Error::MissingSecret {
                secret: name.kept(),
            }),
            Lookup::ForAnotherOrigin(entered_for) => Err(Error::SecretForAnotherOrigin {
                secret: name.kept(),
                setting: name.bound_to(),
                entered_for,
                now: origin.clone(),
            }),
        }
    }
}

/// A keychain entry's value: a secret and the origin it is bound to.
#[derive(Serialize, Deserialize)]
struct Bound {
    origin: Origin,
    secret: String,
}

/// Where secrets are kept.
pub enum SecretStore {
    /// The OS keychain (Secret Service on Linux).
    Keychain,
    /// Process memory, chosen explicitly (tests, demo mode): entry name → value, as the keychain
    /// would hold them.
    Memory(Mutex<Entries>),
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

    /// The secret saved for `origin`, if that is the origin it was entered for.
    pub fn get(&self, name: SecretName, origin: &Origin) -> Result<Lookup> {
        Ok(match self.bound(name)? {
            None => Lookup::Missing,
            Some(bound) if bound.origin == *origin => match Secret::new(bound.secret) {
                Some(secret) => Lookup::Found(secret),
                None => Lookup::Missing,
            },
            Some(bound) => Lookup::ForAnotherOrigin(bound.origin),
        })
    }

    /// The origin the saved secret is bound to, if one is saved (without reading it out).
    pub fn bound_origin(&self, name: SecretName) -> Result<Option<Origin>> {
        Ok(self.bound(name)?.map(|bound| bound.origin))
    }

    /// Saves a secret bound to `origin`, replacing the previous one whatever its origin.
    pub fn set(&self, name: SecretName, origin: &Origin, secret: &Secret) -> Result<()> {
        let value = serde_json::to_string(&Bound {
            origin: origin.clone(),
            secret: secret.expose().to_owned(),
        })
        .expect("a bound secret serializes");
        self.write(name, name.entry(), &value)
    }

    /// Saves a secret bound to the origin `settings` name for it; an error when they name none.
    pub fn set_for(
        &self,
        name: SecretName,
        settings: &Settings,
        secret: &Secret,
    ) -> Result<Origin> {
        let origin = name.origin_in(settings)?.ok_or(Error::InvalidSetting {
            setting: name.bound_to(),
            problem: crate::settings::SettingProblem::EmptyWithSecret {
                secret: name.kept(),
            },
        })?;
        self.set(name, &origin, secret)?;
        Ok(origin)
    }

    /// Removes a secret, bound or left unbound by an earlier version; removing one that is not
    /// there is not an error.
    pub fn delete(&self, name: SecretName) -> Result<()> {
        self.remove(name, name.entry())?;
        self.remove(name, name.unbound_entry())
    }

    /// Binds a secret an earlier version saved unbound to `origin`, and removes the unbound entry;
    /// returns whether there was one. A secret already bound is kept as it is (the unbound copy
    /// is older) and the unbound entry removed.
    pub fn bind_unbound(&self, name: SecretName, origin: &Origin) -> Result<bool> {
        let Some(value) = self.read(name, name.unbound_entry())? else {
            return Ok(false);
        };
        if self.bound(name)?.is_none()
            && let Some(secret) = Secret::new(value)
        {
            self.set(name, origin, &secret)?;
        }
        self.remove(name, name.unbound_entry())?;
        Ok(true)
    }

    /// Binds every secret an earlier version left unbound to the origin `settings` name for it
    /// (see the module doc); a secret whose setting is not set, or not valid, stays as it is.
    /// Returns the secrets bound.
    pub fn bind_all_unbound(&self, settings: &Settings) -> Result<Vec<(SecretName, Origin)>> {
        let mut bound = Vec::new();
        for name in SecretName::ALL {
            let Ok(Some(origin)) = name.origin_in(settings) else {
                continue;
            };
            if self.bind_unbound(name, &origin)? {
                bound.push((name, origin));
            }
        }
        Ok(bound)
    }

    /// The bound entry, read. An entry not in this format counts as missing: it is entered again.
    fn bound(&self, name: SecretName) -> Result<Option<Bound>> {
        let Some(value) = self.read(name, name.entry())? else {
            return Ok(None);
        };
        match serde_json::from_str::<Bound>(&value) {
            Ok(bound) => Ok(Some(bound)),
            Err(_) => {
                tracing::warn!(
                    secret = name.words(),
                    "a keychain entry is not in KYC Desk's format and is not used; enter the secret again"
                );
                Ok(None)
            }
        }
    }

    fn read(&self, name: SecretName, entry: &'static str) -> Result<Option<String>> {
        match self {
            SecretStore::Keychain => match keychain_entry(name, entry)?.get_password() {
                Ok(value) => Ok(Some(value)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(keychain_error(name.kept(), KeychainOperation::Read, e)),
            },
            SecretStore::Memory(map) => Ok(lock(map).get(entry).cloned()),
        }
    }

    fn write(&self, name: SecretName, entry: &'static str, value: &str) -> Result<()> {
        match self {
            SecretStore::Keychain => keychain_entry(name, entry)?
                .set_password(value)
                .map_err(|e| keychain_error(name.kept(), KeychainOperation::Save, e)),
            SecretStore::Memory(map) => {
                lock(map).insert(entry, value.to_owned());
                Ok(())
            }
        }
    }

    fn remove(&self, name: SecretName, entry: &'static str) -> Result<()> {
        match self {
            SecretStore::Keychain => match keychain_entry(name, entry)?.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(keychain_error(name.kept(), KeychainOperation::Delete, e)),
            },
            SecretStore::Memory(map) => {
                lock(map).remove(entry);
                Ok(())
            }
        }
    }
}

/// The memory store's entries: entry name → value.
type Entries = HashMap<&'static str, String>;

fn lock(map: &Mutex<Entries>) -> std::sync::MutexGuard<'_, Entries> {
    // A panic while holding this lock cannot leave the map half-written.
    map.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn keychain_entry(name: SecretName, entry: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(KEYCHAIN_SERVICE, entry)
        .map_err(|e| keychain_error(name.kept(), KeychainOperation::Open, e))
}

/// A keychain failure on `secret` (its words), as the officer reads it.
pub(crate) fn keychain_error(
    secret: Kept,
    operation: KeychainOperation,
    error: keyring::Error,
) -> Error {
    match KeychainProblem::of(error) {
        Some(problem) => Error::KeychainUnavailable {
            secret,
            operation,
            problem,
        },
        None => Error::KeychainLocked { secret, operation },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::RelaySettings;

    fn origin(url: &str) -> Origin {
        Origin::of(&Url::parse(url).unwrap())
    }

    fn secret(value: &str) -> Secret {
        Secret::new(value).unwrap()
    }

    #[test]
    fn secrets_never_print() {
        let secret = secret("s3cr3t-value");
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert!(Secret::new("  ").is_none());
        let read: Option<Secret> = serde_json::from_str(r#""s3cr3t-value""#).unwrap();
        assert_eq!(format!("{read:?}"), "Some(Secret(<redacted>))");
        assert!(serde_json::from_str::<Secret>(r#""  ""#).is_err());
    }

    #[test]
    fn a_keychain_failure_reaches_the_window_typed_with_only_the_keychains_own_text_quoted() {
        let words = |error: keyring::Error| {
            serde_json::to_value(
                keychain_error(Kept::RelayFeedToken, KeychainOperation::Read, error).words(),
            )
            .unwrap()
        };
        let problem = |error: keyring::Error| words(error)["problem"].clone();
        assert_eq!(
            problem(keyring::Error::NoDefaultStore),
            serde_json::json!({"problem": "no_secret_service"})
        );
        assert_eq!(
            problem(keyring::Error::BadEncoding(vec![0xff])),
            serde_json::json!({"problem": "not_text"})
        );
        assert_eq!(
            problem(keyring::Error::Ambiguous(Vec::new())),
            serde_json::json!({"problem": "ambiguous", "entries": 0})
        );
        let bus = std::io::Error::other("org.freedesktop.DBus.Error.NoReply");
        assert_eq!(
            problem(keyring::Error::PlatformFailure(Box::new(bus))),
            serde_json::json!({"problem": "platform", "detail": "org.freedesktop.DBus.Error.NoReply"}),
            "the platform's own text, without keyring's English around it"
        );
        assert_eq!(
            problem(keyring::Error::NotSupportedByStore("search".into()))["problem"],
            "refused"
        );
        let locked = std::io::Error::other("locked");
        assert_eq!(
            words(keyring::Error::NoStorageAccess(Box::new(locked))),
            serde_json::json!({"kind": "keychain_locked", "secret": "relay_feed_token", "operation": "read"})
        );
        // The English for the logs still says what to do.
        let english = keychain_error(
            Kept::AuditKey,
            KeychainOperation::Open,
            keyring::Error::NoDefaultStore,
        )
        .to_string();
        assert!(
            english.contains("no Secret Service is running on the session bus")
                && english.contains("GNOME Keyring"),
            "{english}"
        );
    }

    #[test]
    fn a_secret_is_handed_out_only_for_the_origin_it_was_entered_for() {
        let store = SecretStore::memory();
        let relay = origin("https://relay.acme.example");
        let name = SecretName::RelayFeedToken;
        assert_eq!(store.get(name, &relay).unwrap(), Lookup::Missing);
        store.set(name, &relay, &secret("t")).unwrap();
        assert_eq!(store.get(name, &relay).unwrap(), Lookup::Found(secret("t")));
        assert_eq!(
            store
                .get(name, &origin("https://relay.acme.example:443/other/path"))
                .unwrap(),
            Lookup::Found(secret("t")),
            "the same origin, whatever the path, with its default port written out"
        );
        for elsewhere in [
            "https://relay.acme.example:8443",
            "http://relay.acme.example",
            "https://relay.acme.example.evil.example",
            "https://evil.example",
        ] {
            assert_eq!(
                store.get(name, &origin(elsewhere)).unwrap(),
                Lookup::ForAnotherOrigin(relay.clone()),
                "{elsewhere}"
            );
        }
        let error = store
            .get(name, &origin("https://evil.example"))
            .unwrap()
            .found(name, &origin("https://evil.example"))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("https://relay.acme.example")
                && error.contains("https://evil.example")
                && error.contains("Enter it again"),
            "{error}"
        );
        assert_eq!(
            store.get(SecretName::TreezorClientSecret, &relay).unwrap(),
            Lookup::Missing
        );
        store.delete(name).unwrap();
        store.delete(name).unwrap();
        assert_eq!(store.get(name, &relay).unwrap(), Lookup::Missing);
    }

    #[test]
    fn a_secret_an_earlier_version_left_unbound_is_bound_to_the_settings_origin() {
        let store = SecretStore::memory();
        let name = SecretName::RelayFeedToken;
        store
            .write(name, name.unbound_entry(), "old-token")
            .unwrap();
        let settings = Settings {
            relay: Some(RelaySettings {
                url: "https://relay.acme.example/".into(),
            }),
            ..Settings::default()
        };
        let bound = store.bind_all_unbound(&settings).unwrap();
        let relay = origin("https://relay.acme.example");
        assert_eq!(bound, [(name, relay.clone())]);
        assert_eq!(
            store.get(name, &relay).unwrap(),
            Lookup::Found(secret("old-token"))
        );
        assert_eq!(store.read(name, name.unbound_entry()).unwrap(), None);
        assert!(
            store.bind_all_unbound(&settings).unwrap().is_empty(),
            "once"
        );

        // No URL for the client secret in these settings: its unbound entry waits for one.
        let client = SecretName::TreezorClientSecret;
        store.write(client, client.unbound_entry(), "cs").unwrap();
        assert!(store.bind_all_unbound(&settings).unwrap().is_empty());
        assert_eq!(
            store
                .read(client, client.unbound_entry())
                .unwrap()
                .as_deref(),
            Some("cs")
        );
    }
}
