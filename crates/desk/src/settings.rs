//! The dashboard's settings: where Treezor and the relay are, and where documents go.
//!
//! Kept as JSON in the user's configuration folder, written atomically (temporary file, then
//! rename) with owner-only permissions. Settings hold no secret: the client secret and the feed
//! token are in the keychain ([`crate::secrets`]), each bound to the origin of the URL it is sent
//! to. With no Treezor and relay settings the dashboard runs in demo mode on its embedded sandbox
//! and relay.
//!
//! What must stay true:
//! - Every URL is parsed ([`setting_url`]), never matched as text: https, or plain http to this
//!   machine only; no user-info; a production Treezor base URL is exactly
//!   `https://<company>.api.treezor.com` (hosts are compared whole, so
//!   `acme.api.treezor.com.evil.example` is not Treezor).
//! - The file is checked when it is loaded, not only when the window saves it: a hand-edited file
//!   with a bad value is refused, naming the field ([`Settings::load`]).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use treezor::endpoint::UrlRefusal;

use crate::error::{Error, Result};
use crate::faults::SettingsFileProblem;
use crate::owner_only;
use crate::secrets::Kept;

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
            treezor.url()?;
            if treezor.client_id.trim().is_empty() {
                return Err(Error::InvalidSetting {
                    setting: TREEZOR_CLIENT_ID,
                    problem: SettingProblem::ClientIdEmpty,
                });
            }
            if treezor.client_certificate.is_some() != treezor.client_key.is_some() {
                return Err(Error::InvalidSetting {
                    setting: TREEZOR_CLIENT_CERTIFICATE,
                    problem: SettingProblem::CertificateWithoutKey,
                });
            }
        }
        if let Some(relay) = &self.relay {
            relay.url()?;
        }
        if !(1..=36_500).contains(&self.retention.closed_case_days) {
            return Err(Error::InvalidSetting {
                setting: RETENTION,
                problem: SettingProblem::RetentionOutOfRange {
                    days: self.retention.closed_case_days,
                },
            });
        }
        Ok(())
    }

    /// Reads and checks the settings file; a missing file means default settings (demo mode). A
    /// file that cannot be read, is not settings JSON, or holds a value [`Settings::validate`]
    /// refuses is an error naming the file and the field.
    pub fn load(path: &Path) -> Result<Settings> {
        let settings = Settings::read(path)?;
        settings.validate().map_err(|error| match error {
            Error::InvalidSetting { setting, problem } => Error::InvalidSettingInFile {
                path: path.to_owned(),
                setting,
                problem,
            },
            other => other,
        })?;
        Ok(settings)
    }

    /// Reads the settings file as written, without checking its values: what the settings screen
    /// shows when the file was refused, so that the officer can correct it.
    pub fn read(path: &Path) -> Result<Settings> {
        match fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| Error::SettingsFile {
                path: path.to_owned(),
                problem: SettingsFileProblem::NotSettingsJson {
                    detail: e.to_string(),
                },
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(Error::SettingsFile {
                path: path.to_owned(),
                problem: SettingsFileProblem::Unreadable {
                    detail: e.to_string(),
                },
            }),
        }
    }

    /// Validates, then writes the settings file atomically, readable only by its owner, in a
    /// folder created owner-only.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.validate()?;
        let io = |e: std::io::Error| Error::SettingsFile {
            path: path.to_owned(),
            problem: SettingsFileProblem::NotWritten {
                detail: e.to_string(),
            },
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        owner_only::create_dir(dir).map_err(io)?;
        let json = serde_json::to_vec_pretty(self).expect("settings serialize");
        let temporary = path.with_extension("json.tmp");
        let mut file = owner_only::create_file(&temporary).map_err(io)?;
        file.write_all(&json).map_err(io)?;
        file.sync_all().map_err(io)?;
        fs::rename(&temporary, path).map_err(io)
    }
}

impl TreezorSettings {
    /// The base URL, parsed and checked (see the module doc).
    pub fn url(&self) -> Result<Url> {
        let url = setting_url(TREEZOR_BASE_URL, &self.base_url)?;
        if self.environment == Environment::Production {
            let company = url
                .host_str()
                .and_then(|host| host.strip_suffix(".api.treezor.com"))
                .filter(|company| {
                    !company.is_empty()
                        && company
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
            if url.scheme() != "https" || company.is_none() {
                return Err(Error::InvalidSetting {
                    setting: TREEZOR_BASE_URL,
                    problem: SettingProblem::ProductionHost,
                });
            }
        }
        Ok(url)
    }
}

impl RelaySettings {
    /// The relay's URL, parsed and checked (see the module doc).
    pub fn url(&self) -> Result<Url> {
        setting_url(RELAY_URL, &self.url)
    }
}

/// A setting, by name: the window words it, the file spells it ([`Setting::file_key`]), the
/// English `Display` is for logs and the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Setting {
    TreezorBaseUrl,
    TreezorClientId,
    TreezorClientCertificate,
    TreezorClientKey,
    TreezorExtraCa,
    RelayUrl,
    Retention,
    DemoPace,
}

/// What is wrong with a setting; the window words it, `Display` says it in English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum SettingProblem {
    Empty,
    NotHttps,
    /// The URL parser's description, verbatim.
    NotUrl {
        detail: String,
    },
    UserInfo,
    NoHost,
    PlainHttpElsewhere,
    /// The URL is empty though `secret` is entered, and sent to it.
    EmptyWithSecret {
        secret: Kept,
    },
    ClientIdEmpty,
    CertificateWithoutKey,
    RetentionOutOfRange {
        days: u32,
    },
    ProductionHost,
    NotAPace {
        given: String,
    },
    FileUnreadable {
        path: String,
        detail: String,
    },
}

impl From<UrlRefusal> for SettingProblem {
    fn from(refusal: UrlRefusal) -> SettingProblem {
        match refusal {
            UrlRefusal::UserInfo => SettingProblem::UserInfo,
            UrlRefusal::NoHost => SettingProblem::NoHost,
            UrlRefusal::PlainHttpElsewhere => SettingProblem::PlainHttpElsewhere,
            UrlRefusal::NotHttps => SettingProblem::NotHttps,
        }
    }
}

impl std::fmt::Display for SettingProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettingProblem::Empty => f.write_str("it is empty"),
            SettingProblem::NotHttps => UrlRefusal::NotHttps.fmt(f),
            SettingProblem::NotUrl { detail } => write!(f, "it is not a URL ({detail})"),
            SettingProblem::UserInfo => UrlRefusal::UserInfo.fmt(f),
            SettingProblem::NoHost => UrlRefusal::NoHost.fmt(f),
            SettingProblem::PlainHttpElsewhere => UrlRefusal::PlainHttpElsewhere.fmt(f),
            SettingProblem::EmptyWithSecret { secret } => {
                write!(f, "it is empty, and {secret} is sent to it: enter both")
            }
            SettingProblem::ClientIdEmpty => {
                f.write_str("it is empty; copy it from Treezor's dashboard")
            }
            SettingProblem::CertificateWithoutKey => {
                f.write_str("mutual TLS needs both the certificate and its key")
            }
            SettingProblem::RetentionOutOfRange { days } => {
                write!(f, "{days} days is outside 1 to 36,500 days")
            }
            SettingProblem::ProductionHost => f.write_str(
                "production is https://<company>.api.treezor.com; for anything else, choose the sandbox environment",
            ),
            SettingProblem::NotAPace { given } => {
                write!(f, "{given:?} is not a pace; use quick or realistic, or unset it")
            }
            SettingProblem::FileUnreadable { path, detail } => {
                write!(f, "{path} could not be read: {detail}")
            }
        }
    }
}

pub const TREEZOR_BASE_URL: Setting = Setting::TreezorBaseUrl;
pub const RELAY_URL: Setting = Setting::RelayUrl;
const TREEZOR_CLIENT_ID: Setting = Setting::TreezorClientId;
const TREEZOR_CLIENT_CERTIFICATE: Setting = Setting::TreezorClientCertificate;
const RETENTION: Setting = Setting::Retention;

impl Setting {
    /// As the settings file (or the environment) spells it.
    pub fn file_key(self) -> &'static str {
        match self {
            Setting::TreezorBaseUrl => "treezor.base_url",
            Setting::TreezorClientId => "treezor.client_id",
            Setting::TreezorClientCertificate => "treezor.client_certificate",
            Setting::TreezorClientKey => "treezor.client_key",
            Setting::TreezorExtraCa => "treezor.extra_ca",
            Setting::RelayUrl => "relay.url",
            Setting::Retention => "retention.closed_case_days",
            Setting::DemoPace => "KYC_DESK_DEMO_PACE",
        }
    }
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Setting::TreezorBaseUrl => "Treezor base URL",
            Setting::TreezorClientId => "Treezor client id",
            Setting::TreezorClientCertificate => "Treezor client certificate",
            Setting::TreezorClientKey => "Treezor client key",
            Setting::TreezorExtraCa => "extra CA",
            Setting::RelayUrl => "relay URL",
            Setting::Retention => "retention period",
            Setting::DemoPace => "demo pace (KYC_DESK_DEMO_PACE)",
        })
    }
}

/// A settings URL, parsed: https, or plain http to this machine only; no user-info
/// ([`treezor::endpoint::refusal`]). Resolves the host for plain http.
pub fn setting_url(setting: Setting, raw: &str) -> Result<Url> {
    let invalid = |problem: SettingProblem| Error::InvalidSetting { setting, problem };
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(invalid(SettingProblem::Empty));
    }
    let url = Url::parse(raw).map_err(|e| match e {
        url::ParseError::RelativeUrlWithoutBase => invalid(SettingProblem::NotHttps),
        other => invalid(SettingProblem::NotUrl {
            detail: other.to_string(),
        }),
    })?;
    if let Some(why) = treezor::endpoint::refusal(&url) {
        return Err(invalid(why.into()));
    }
    Ok(url)
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
            let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(path.parent().unwrap()), 0o700, "the folder too");
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
        settings.treezor.as_mut().unwrap().environment = Environment::Sandbox;
        settings.treezor.as_mut().unwrap().base_url = "http://127.0.0.1:8080".into();
        settings.validate().unwrap();
        settings.relay.as_mut().unwrap().url = "http://localhost:8787".into();
        settings.validate().unwrap();
        settings.relay.as_mut().unwrap().url = "ftp://relay".into();
        assert!(settings.validate().is_err());
        settings.relay.as_mut().unwrap().url = "https://".into();
        assert!(settings.validate().is_err());
    }

    /// The error for `url` set as the relay URL, or for the Treezor base URL in `environment`.
    fn refusal(environment: Option<Environment>, url: &str) -> Option<String> {
        let mut settings = live();
        match environment {
            Some(environment) => {
                let treezor = settings.treezor.as_mut().unwrap();
                treezor.environment = environment;
                treezor.base_url = url.into();
            }
            None => settings.relay.as_mut().unwrap().url = url.into(),
        }
        settings.validate().err().map(|e| e.to_string())
    }

    #[test]
    fn hosts_are_compared_whole_and_user_info_is_refused() {
        let production = Some(Environment::Production);
        let sandbox = Some(Environment::Sandbox);
        for (environment, url) in [
            (production, "https://acme.api.treezor.com.evil.example"),
            (production, "https://evil.example/acme.api.treezor.com"),
            (production, "https://acme.api.treezor.com@evil.example"),
            (production, "https://api.treezor.com"),
            (production, "https://a.b.api.treezor.com"),
            (production, "https://evilapi.treezor.com"),
            (sandbox, "http://127.0.0.1.evil.example"),
            (sandbox, "http://localhost@evil.example"),
            (sandbox, "http://localhost:80@evil.example"),
            (None, "http://127.0.0.1.evil.example:8787"),
            (None, "http://localhost@evil.example"),
            (None, "http://[::1]@evil.example"),
            (None, "https://token:secret@relay.acme.example"),
            (None, "relay.acme.example"),
        ] {
            let error = refusal(environment, url);
            assert!(error.is_some(), "{url} must be refused");
            let error = error.unwrap();
            let field = if environment.is_some() {
                "Treezor base URL"
            } else {
                "relay URL"
            };
            assert!(error.contains(field), "{url}: {error}");
        }
        for (environment, url) in [
            (production, "https://acme.api.treezor.com"),
            (production, "https://ACME-2.API.treezor.com/"),
            (sandbox, "https://acme.sandbox.treezor.co"),
            (sandbox, "http://127.0.0.1:8081"),
            (None, "https://relay.acme.example:8443"),
            (None, "http://[::1]:8787"),
        ] {
            assert_eq!(refusal(environment, url), None, "{url}");
        }
        let error = refusal(None, "https://token@relay.acme.example").unwrap();
        assert!(error.contains("user name or password"), "{error}");
    }

    #[test]
    fn a_hand_edited_file_with_a_bad_url_is_refused_naming_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        live().save(&path).unwrap();
        let edited = fs::read_to_string(&path).unwrap().replace(
            "https://relay.acme.example",
            "http://localhost@evil.example",
        );
        fs::write(&path, edited).unwrap();
        let error = Settings::load(&path).unwrap_err();
        assert_eq!(error.code(), "settings_file");
        let said = error.to_string();
        assert!(
            said.contains("settings.json")
                && said.contains("relay URL")
                && said.contains("\"relay.url\"")
                && said.contains("user name or password"),
            "{said}"
        );
        // As written, for the settings screen to show and the officer to correct.
        let as_written = Settings::read(&path).unwrap();
        assert_eq!(
            as_written.relay.unwrap().url,
            "http://localhost@evil.example"
        );
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
