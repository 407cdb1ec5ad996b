//! The dashboard's settings: where Treezor and the relay are, and where documents go.
//!
//! Kept as JSON in the user's configuration folder, written atomically (temporary file, then
//! rename) with owner-only permissions. Settings hold no secret: the client secret and the feed
//! token are in the keychain ([`crate::secrets`]). With no Treezor and relay settings the dashboard
//! runs in demo mode on its embedded sandbox and relay.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Which Treezor environment the settings point to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// `https://<company>.sandbox.treezor.co`
    Sandbox,
    /// `https://<company>.api.treezor.com`
    Production,
}

/// How to reach Treezor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TreezorSettings {
    pub environment: Environment,
    pub base_url: String,
    pub client_id: String,
    /// OAuth2 scopes to ask for; Treezor's defaults when empty.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// PEM client certificate and key for Treezor's mutual TLS in production.
    #[serde(default)]
    pub client_certificate: Option<PathBuf>,
    #[serde(default)]
    pub client_key: Option<PathBuf>,
    /// An extra PEM CA bundle to trust.
    #[serde(default)]
    pub extra_ca: Option<PathBuf>,
}

/// How to reach the webhook relay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RelaySettings {
    pub url: String,
}

/// How long personal data stays on this machine after a case closes (see [`crate::retention`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Retention {
    /// Days a case stays closed with no activity before its personal data leaves the cache
    /// (and its downloaded documents this machine). 1 to 36,500.
    pub closed_case_days: u32,
}

impl Default for Retention {
    /// Three months: long enough to answer a customer about a closed case from the dashboard;
    /// Treezor keeps the data of record.
    fn default() -> Self {
        Retention {
            closed_case_days: 90,
        }
    }
}

/// All settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Settings {
    #[serde(default)]
    pub treezor: Option<TreezorSettings>,
    #[serde(default)]
    pub relay: Option<RelaySettings>,
    /// Where downloaded documents go; the user's download folder when unset.
    #[serde(default)]
    pub download_dir: Option<PathBuf>,
    #[serde(default)]
    pub retention: Retention,
}

impl Settings {
    /// Whether the dashboard should talk to a real Treezor and relay.
    pub fn is_live(&self) -> bool {
        self.treezor.is_some() && self.relay.is_some()
    }

    /// Checks every field, naming the first that is wrong and what it should be.
    pub fn validate(&self) -> Result<()> {
        if let Some(treezor) = &self.treezor {
            check_url("Treezor base URL", &treezor.base_url)?;
            if treezor.client_id.trim().is_empty() {
                return Err(Error::InvalidSetting {
                    setting: "Treezor client id",
                    problem: "it is empty; copy it from Treezor's dashboard".to_owned(),
                });
            }
            if treezor.client_certificate.is_some() != treezor.client_key.is_some() {
                return Err(Error::InvalidSetting {
                    setting: "Treezor client certificate",
                    problem: "mutual TLS needs both the certificate and its key".to_owned(),
                });
            }
        }
        if let Some(relay) = &self.relay {
            check_url("relay URL", &relay.url)?;
        }
        if !(1..=36_500).contains(&self.retention.closed_case_days) {
            return Err(Error::InvalidSetting {
                setting: "retention period",
                problem: format!(
                    "{} days is outside 1 to 36,500 days",
                    self.retention.closed_case_days
                ),
            });
        }
        Ok(())
    }

    /// Reads the settings file; a missing file means default settings (demo mode).
    pub fn load(path: &Path) -> Result<Settings> {
        match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::SettingsFile {
                path: path.to_owned(),
                problem: format!("it is not valid settings JSON ({e}); fix or delete it"),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(Error::SettingsFile {
                path: path.to_owned(),
                problem: format!("it could not be read: {e}"),
            }),
        }
    }

    /// Validates, then writes the settings file atomically, readable only by its owner.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.validate()?;
        let io = |e: std::io::Error| Error::SettingsFile {
            path: path.to_owned(),
            problem: format!("it could not be written: {e}"),
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(io)?;
        let json = serde_json::to_vec_pretty(self).expect("settings serialize");
        let temporary = path.with_extension("json.tmp");
        let mut file = open_private(&temporary).map_err(io)?;
        file.write_all(&json).map_err(io)?;
        file.sync_all().map_err(io)?;
        fs::rename(&temporary, path).map_err(io)
    }
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<fs::File> {
    fs::File::create(path)
}

/// HTTPS, or plain HTTP to this machine only (a local relay or sandbox).
fn check_url(setting: &'static str, url: &str) -> Result<()> {
    let invalid = |problem: &str| Error::InvalidSetting {
        setting,
        problem: problem.to_owned(),
    };
    let url = url.trim();
    let rest = if let Some(rest) = url.strip_prefix("https://") {
        rest
    } else if let Some(rest) = url.strip_prefix("http://") {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err(invalid(
                "it must start with https:// (plain http is only for this machine)",
            ));
        }
        rest
    } else {
        return Err(invalid("it must start with https://"));
    };
    if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
        return Err(invalid("it has no host name"));
    }
    Ok(())
}

/// Where the dashboard keeps its files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    pub settings_file: PathBuf,
    pub cache_file: PathBuf,
    pub demo_dir: PathBuf,
    pub default_download_dir: PathBuf,
}

impl Paths {
    /// The OS's folders for the current user; `KYC_DESK_HOME`, when set, puts everything under one
    /// folder instead (tests and side-by-side installs).
    pub fn for_current_user() -> Result<Paths> {
        if let Some(home) = std::env::var_os("KYC_DESK_HOME").filter(|h| !h.is_empty()) {
            return Ok(Paths::under(Path::new(&home)));
        }
        let dirs = directories::ProjectDirs::from("eu", "kycdesk", "kyc-desk")
            .ok_or(Error::NoHomeFolder)?;
        let downloads = directories::UserDirs::new()
            .and_then(|u| u.download_dir().map(Path::to_path_buf))
            .unwrap_or_else(|| dirs.data_dir().join("downloads"));
        Ok(Paths {
            settings_file: dirs.config_dir().join("settings.json"),
            cache_file: dirs.data_dir().join("cache.sqlite"),
            demo_dir: dirs.data_dir().join("demo"),
            default_download_dir: downloads.join("KYC Desk"),
        })
    }

    /// Everything under one folder.
    pub fn under(root: &Path) -> Paths {
        Paths {
            settings_file: root.join("settings.json"),
            cache_file: root.join("cache.sqlite"),
            demo_dir: root.join("demo"),
            default_download_dir: root.join("downloads"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> Settings {
        Settings {
            treezor: Some(TreezorSettings {
                environment: Environment::Production,
                base_url: "https://acme.api.treezor.com".into(),
                client_id: "acme-client".into(),
                scopes: vec!["read_write".into()],
                client_certificate: None,
                client_key: None,
                extra_ca: None,
            }),
            relay: Some(RelaySettings {
                url: "https://relay.acme.example".into(),
            }),
            download_dir: None,
            retention: Retention::default(),
        }
    }

    #[test]
    fn the_retention_period_defaults_to_90_days_and_is_bounded() {
        let settings: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(settings.retention.closed_case_days, 90);
        let mut settings = live();
        settings.retention.closed_case_days = 0;
        assert!(
            settings
                .validate()
                .unwrap_err()
                .to_string()
                .contains("retention period")
        );
        settings.retention.closed_case_days = 3650;
        settings.validate().unwrap();
    }

    #[test]
    fn no_settings_means_demo_mode() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::load(&dir.path().join("missing.json")).unwrap();
        assert!(!settings.is_live());
    }

    #[test]
    fn settings_round_trip_through_an_owner_only_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("settings.json");
        live().save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap(), live());
        assert!(Settings::load(&path).unwrap().is_live());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert!(!path.with_extension("json.tmp").exists());
    }

    #[test]
    fn a_broken_file_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        fs::write(&path, "{ not json").unwrap();
        let error = Settings::load(&path).unwrap_err().to_string();
        assert!(
            error.contains("settings.json") && error.contains("fix or delete it"),
            "{error}"
        );
    }

    #[test]
    fn urls_must_be_https_except_on_this_machine() {
        let mut settings = live();
        settings.treezor.as_mut().unwrap().base_url = "http://acme.api.treezor.com".into();
        assert!(
            settings
                .validate()
                .unwrap_err()
                .to_string()
                .contains("https://")
        );
        settings.treezor.as_mut().unwrap().base_url = "http://127.0.0.1:8080".into();
        settings.validate().unwrap();
        settings.relay.as_mut().unwrap().url = "ftp://relay".into();
        assert!(settings.validate().is_err());
        settings.relay.as_mut().unwrap().url = "https://".into();
        assert!(settings.validate().is_err());
    }

    #[test]
    fn a_certificate_needs_its_key_and_a_client_id_is_required() {
        let mut settings = live();
        settings.treezor.as_mut().unwrap().client_certificate = Some("/etc/cert.pem".into());
        assert!(settings.validate().unwrap_err().to_string().contains("key"));
        let mut settings = live();
        settings.treezor.as_mut().unwrap().client_id = " ".into();
        assert!(
            settings
                .validate()
                .unwrap_err()
                .to_string()
                .contains("client id")
        );
    }
}
