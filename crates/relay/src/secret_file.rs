//! Secrets read from files that only their owner can read.
//!
//! A headless service cannot use the desktop keychain; the usual places are the environment (set
//! by the service manager) or a file such as systemd's `LoadCredential=`. A file is accepted only
//! when it is owned by the user running the relay and has no permission bits for group or others
//! (0600 or 0400): anything looser means someone else could have read or replaced the secret.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use crate::error::{RelayError, Result};

/// Reads a secret from `path`, trimming the line ending a text editor adds.
pub fn read_secret_file(path: &Path) -> Result<String> {
    let problem = |problem: String| RelayError::SecretFile {
        path: path.to_owned(),
        problem,
    };
    let metadata = fs::metadata(path).map_err(|e| problem(format!("cannot be read: {e}")))?;
    if !metadata.is_file() {
        return Err(problem("is not a regular file".into()));
    }
    let me = rustix::process::geteuid().as_raw();
    if metadata.uid() != me {
        return Err(problem(format!(
            "is owned by uid {}, not by the user running the relay (uid {me}); `chown` it to that user",
            metadata.uid()
        )));
    }
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(problem(format!(
            "has mode {mode:04o}; others could read it. Run `chmod 600` on it (0600 or 0400 are accepted)"
        )));
    }
    let text = fs::read_to_string(path).map_err(|e| problem(format!("cannot be read: {e}")))?;
    let secret = text.trim_end_matches(['\n', '\r']).to_owned();
    if secret.trim().is_empty() {
        return Err(problem("is empty".into()));
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_with(mode: u32, content: &str) -> tempfile::NamedTempFile {
        let file = tempfile::NamedTempFile::new().unwrap();
        fs::write(file.path(), content).unwrap();
        fs::set_permissions(file.path(), fs::Permissions::from_mode(mode)).unwrap();
        file
    }

    #[test]
    fn an_owner_only_file_is_read_without_its_line_ending() {
        for mode in [0o600, 0o400] {
            let file = file_with(mode, "s3cret value\n");
            assert_eq!(read_secret_file(file.path()).unwrap(), "s3cret value");
        }
    }

    #[test]
    fn a_file_others_can_read_is_refused_with_the_fix() {
        for mode in [0o644, 0o640, 0o604, 0o660] {
            let file = file_with(mode, "s3cret");
            let error = read_secret_file(file.path()).unwrap_err().to_string();
            assert!(error.contains("chmod 600"), "{error}");
            assert!(!error.contains("s3cret"), "{error}");
        }
    }

    #[test]
    fn an_empty_or_missing_file_is_refused() {
        let file = file_with(0o600, "\n");
        assert!(
            read_secret_file(file.path())
                .unwrap_err()
                .to_string()
                .contains("is empty")
        );
        let missing = read_secret_file(Path::new("/nonexistent/secret")).unwrap_err();
        assert!(missing.to_string().contains("cannot be read"), "{missing}");
    }
}
