//! The trail's key: 32 random bytes that only the hub holds.
//!
//! It lives in a file (hex, one line), never in the database: whoever can write the database can
//! then change entries but cannot compute the MACs that [`kyc::trail::verify`] accepts. On first
//! start the file is created owner-only (0600, refusing to replace anything); afterwards it is
//! read through [`crate::secret_file::OwnerOnlyFile`], so a file others could read is refused with
//! the `chmod` to run. Every instance of a team's hub must be given the same file.

use std::fmt;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use rand::RngCore;

use crate::error::{RelayError, Result};
use crate::secret_file::OwnerOnlyFile;

pub const TRAIL_KEY_BYTES: usize = 32;

#[derive(Clone, PartialEq, Eq)]
pub struct TrailKey([u8; TRAIL_KEY_BYTES]);

impl TrailKey {
    /// A fresh key from the OS's random source.
    pub fn random() -> TrailKey {
        let mut bytes = [0; TRAIL_KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        TrailKey(bytes)
    }

    pub fn from_bytes(bytes: [u8; TRAIL_KEY_BYTES]) -> TrailKey {
        TrailKey(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Reads the key at `path`, or creates it there (owner-only) when there is no file yet.
    pub fn load_or_create(path: &Path) -> Result<TrailKey> {
        let problem = |problem: String| RelayError::SecretFile {
            path: path.to_owned(),
            problem,
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(mut file) => {
                let key = TrailKey::random();
                file.write_all(format!("{}\n", hex::encode(key.0)).as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| problem(format!("the new trail key could not be written: {e}")))?;
                tracing::info!(path = %path.display(), "trail key created; back it up with the database, and give every instance the same file");
                Ok(key)
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                let bytes = OwnerOnlyFile::open(path)?.read_to_end(path)?;
                let text = String::from_utf8_lossy(&bytes);
                let mut key = [0; TRAIL_KEY_BYTES];
                hex::decode_to_slice(text.trim(), &mut key).map_err(|_| {
                    problem(format!(
                        "is not a trail key ({} hex digits on one line); restore it from the backup, since a new key makes every entry written before fail verification",
                        TRAIL_KEY_BYTES * 2
                    ))
                })?;
                Ok(TrailKey(key))
            }
            Err(error) => Err(problem(format!(
                "cannot be created: {error}; check that its folder exists and is writable by this user"
            ))),
        }
    }
}

impl fmt::Debug for TrailKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TrailKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_key_is_created_owner_only_read_back_and_never_printed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trail.key");
        let made = TrailKey::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(TrailKey::load_or_create(&path).unwrap(), made);
        assert_eq!(format!("{made:?}"), "TrailKey(***)");

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = TrailKey::load_or_create(&path).unwrap_err().to_string();
        assert!(error.contains("chmod 600"), "{error}");

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::write(&path, "not hex").unwrap();
        let error = TrailKey::load_or_create(&path).unwrap_err().to_string();
        assert!(error.contains("is not a trail key"), "{error}");
    }
}
