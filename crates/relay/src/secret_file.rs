//! Secrets read from files that only their owner can read: the webhook secret, the feed token and
//! the TLS private key.
//!
//! A headless service cannot use the desktop keychain; the usual places are the environment (set
//! by the service manager) or a file such as systemd's `LoadCredential=`. A file is accepted only
//! when it is owned by the user running the relay and has no permission bits for group or others
//! (0600 or 0400): anything looser means someone else could have read or replaced the secret.
//!
//! The file is opened once and everything is checked on that open handle (`fstat`), then read
//! from it. Checking the path and then opening it again would let someone who can rename files
//! in its folder swap a file of theirs in between the check and the read. The open does not
//! block on a FIFO (whose open waits for a writer); the check then refuses it as not a regular
//! file.

use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use crate::error::{RelayError, Result};

/// A file opened for reading whose owner and mode were checked on the open handle.
#[derive(Debug)]
pub struct OwnerOnlyFile {
    file: File,
}

impl OwnerOnlyFile {
    /// Opens `path` and checks, on what was opened: a regular file, owned by the user running
    /// the relay, with no permission for group or others. The error names the path and the fix.
    pub fn open(path: &Path) -> Result<OwnerOnlyFile> {
        let problem = |problem: String| RelayError::SecretFile {
            path: path.to_owned(),
            problem,
        };
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
            .open(path)
            .map_err(|e| problem(format!("cannot be read: {e}")))?;
        let metadata = file
            .metadata()
            .map_err(|e| problem(format!("cannot be read: {e}")))?;
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
        Ok(OwnerOnlyFile { file })
    }

    /// Everything in the file, read from the handle that was checked.
    pub fn read_to_end(mut self, path: &Path) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.file
            .read_to_end(&mut bytes)
            .map_err(|e| RelayError::SecretFile {
                path: path.to_owned(),
                problem: format!("cannot be read: {e}"),
            })?;
        Ok(bytes)
    }
}

/// Reads a secret from `path`, trimming the line ending a text editor adds.
pub fn read_secret_file(path: &Path) -> Result<String> {
    let problem = |problem: &str| RelayError::SecretFile {
        path: path.to_owned(),
        problem: problem.to_owned(),
    };
    let bytes = OwnerOnlyFile::open(path)?.read_to_end(path)?;
    let text = String::from_utf8(bytes).map_err(|_| problem("is not UTF-8 text"))?;
    let secret = text.trim_end_matches(['\n', '\r']).to_owned();
    if secret.trim().is_empty() {
        return Err(problem("is empty"));
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::os::unix::fs::symlink;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

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
    fn an_empty_missing_or_special_file_is_refused() {
        let file = file_with(0o600, "\n");
        assert!(
            read_secret_file(file.path())
                .unwrap_err()
                .to_string()
                .contains("is empty")
        );
        let missing = read_secret_file(Path::new("/nonexistent/secret")).unwrap_err();
        assert!(missing.to_string().contains("cannot be read"), "{missing}");
        // A FIFO would block an open for reading until someone writes to it.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        let special = read_secret_file(&fifo).unwrap_err().to_string();
        assert!(special.contains("not a regular file"), "{special}");
    }

    /// What is read is what was checked: a file swapped in under the same name after the check
    /// is not what the secret comes from.
    #[test]
    fn the_secret_is_read_from_the_handle_that_was_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        fs::write(&path, "checked secret").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let checked = OwnerOnlyFile::open(&path).unwrap();
        let swapped = dir.path().join("swapped");
        fs::write(&swapped, "someone else's secret").unwrap();
        fs::set_permissions(&swapped, fs::Permissions::from_mode(0o644)).unwrap();
        fs::rename(&swapped, &path).unwrap();
        assert_eq!(checked.read_to_end(&path).unwrap(), b"checked secret");
    }

    /// The same through the path-taking reader, against a name that keeps switching between an
    /// owner-only file and one that everyone can read: a check of the path followed by a second
    /// open of it would sometimes read the open file after checking the closed one.
    #[test]
    fn a_name_switched_under_the_reader_never_yields_the_open_file() {
        let dir = tempfile::tempdir().unwrap();
        let (guarded, exposed) = (dir.path().join("guarded"), dir.path().join("exposed"));
        fs::write(&guarded, "guarded secret").unwrap();
        fs::set_permissions(&guarded, fs::Permissions::from_mode(0o600)).unwrap();
        fs::write(&exposed, "exposed secret").unwrap();
        fs::set_permissions(&exposed, fs::Permissions::from_mode(0o644)).unwrap();
        let (to_guarded, to_exposed) = (dir.path().join("l1"), dir.path().join("l2"));
        let path = dir.path().join("secret");
        let stop = Arc::new(AtomicBool::new(false));
        let switcher = {
            let (stop, path) = (stop.clone(), path.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    for (link, target) in [(&to_guarded, &guarded), (&to_exposed, &exposed)] {
                        let _ = fs::remove_file(link);
                        let switched = symlink(target, link).and_then(|()| fs::rename(link, &path));
                        if switched.is_err() {
                            return; // the folder is gone: the test has ended
                        }
                    }
                }
            })
        };
        let mut read = 0;
        for _ in 0..20_000 {
            if let Ok(secret) = read_secret_file(&path) {
                assert_eq!(secret, "guarded secret");
                read += 1;
            }
        }
        stop.store(true, Ordering::Relaxed);
        switcher.join().unwrap();
        assert!(read > 0, "the guarded file was read at least once");
    }
}
