//! The officer every audit entry names: the one the team hub knows this dashboard's credential as
//! (see [`crate::sync`]), or else the OS user running the dashboard.

use std::fmt;

use serde::Serialize;

/// The person acting, as the OS knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Officer(String);

impl Officer {
    /// The OS user of this process. Falls back to `$USER`, then to the numeric-free marker
    /// `unknown-user`, so that an audit entry always names someone.
    pub fn current() -> Officer {
        let name = whoami::username()
            .ok()
            .or_else(|| std::env::var("USER").ok())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| "unknown-user".to_owned());
        Officer(name)
    }

    /// An officer with a given name (tests, and settings that name a shared account's person).
    pub fn named(name: impl Into<String>) -> Officer {
        Officer(name.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Officer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_officer_has_a_name() {
        assert!(!Officer::current().as_str().is_empty());
    }
}
