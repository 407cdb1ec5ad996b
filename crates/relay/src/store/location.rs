//! Where the log lives: `sqlite:PATH` (or a bare path) or a `postgres://` URL.

use std::fmt;
use std::path::{Path, PathBuf};

/// Which store, and where.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// One SQLite file (with its `-wal` and `-shm` beside it).
    Sqlite(PathBuf),
    /// A PostgreSQL database, as a `postgres://` or `postgresql://` URL (or a libpq key=value
    /// string). It may carry a password: it is never printed (see [`fmt::Display`]).
    Postgres(String),
}

impl StoreLocation {
    /// Reads `sqlite:PATH`, `postgres://…`/`postgresql://…`, or a bare path (SQLite).
    pub fn parse(text: &str) -> Result<StoreLocation, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("the store is empty; give sqlite:PATH or a postgres:// URL".into());
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(StoreLocation::Postgres(text.to_owned()));
        }
        let path = text.strip_prefix("sqlite:").unwrap_or(text);
        if path.is_empty() {
            return Err(
                "sqlite: needs a file path, e.g. sqlite:/var/lib/kyc-relay/events.sqlite3".into(),
            );
        }
        Ok(StoreLocation::Sqlite(PathBuf::from(path)))
    }

    /// The SQLite file, if that is the store.
    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            StoreLocation::Sqlite(path) => Some(path),
            StoreLocation::Postgres(_) => None,
        }
    }
}

impl From<PathBuf> for StoreLocation {
    fn from(path: PathBuf) -> Self {
        StoreLocation::Sqlite(path)
    }
}

impl From<&Path> for StoreLocation {
    fn from(path: &Path) -> Self {
        StoreLocation::Sqlite(path.to_owned())
    }
}

impl From<&PathBuf> for StoreLocation {
    fn from(path: &PathBuf) -> Self {
        StoreLocation::Sqlite(path.clone())
    }
}

/// `sqlite:PATH`, or the URL with its password replaced by `***`.
impl fmt::Display for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Sqlite(path) => write!(f, "sqlite:{}", path.display()),
            StoreLocation::Postgres(url) => f.write_str(&without_password(url)),
        }
    }
}

impl fmt::Debug for StoreLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A URL's `user:password@` becomes `user:***@`; a `password=` parameter becomes `password=***`.
fn without_password(url: &str) -> String {
    let mut shown = url.to_owned();
    if let Some(scheme_end) = shown.find("://") {
        let rest = &shown[scheme_end + 3..];
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        if let Some(at) = rest[..authority_end].rfind('@')
            && let Some(colon) = rest[..at].find(':')
        {
            let start = scheme_end + 3 + colon + 1;
            let end = scheme_end + 3 + at;
            shown.replace_range(start..end, "***");
        }
    }
    let mut out = String::with_capacity(shown.len());
    let mut rest = shown.as_str();
    while let Some(at) = rest.find("password=") {
        out.push_str(&rest[..at + "password=".len()]);
        out.push_str("***");
        rest = &rest[at + "password=".len()..];
        let end = rest.find(['&', ' ']).unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_read_as_documented() {
        assert_eq!(
            StoreLocation::parse("sqlite:/var/lib/r/e.sqlite3").unwrap(),
            StoreLocation::Sqlite("/var/lib/r/e.sqlite3".into())
        );
        assert_eq!(
            StoreLocation::parse("events.sqlite3").unwrap(),
            StoreLocation::Sqlite("events.sqlite3".into())
        );
        assert!(matches!(
            StoreLocation::parse("postgresql://relay@db/kyc").unwrap(),
            StoreLocation::Postgres(_)
        ));
        assert!(StoreLocation::parse("sqlite:").is_err());
        assert!(StoreLocation::parse(" ").is_err());
    }

    #[test]
    fn a_password_never_prints() {
        for (url, shown) in [
            (
                "postgres://relay:s3cret@db:5432/kyc",
                "postgres://relay:***@db:5432/kyc",
            ),
            (
                "postgres://relay@db/kyc?password=s3cret&sslmode=require",
                "postgres://relay@db/kyc?password=***&sslmode=require",
            ),
            ("postgres://db/kyc", "postgres://db/kyc"),
        ] {
            let location = StoreLocation::parse(url).unwrap();
            assert_eq!(location.to_string(), shown);
            assert!(!format!("{location:?}").contains("s3cret"));
        }
    }
}
