//! The data file holds every customer's webhooks: it is created readable by its owner only.
//!
//! SQLite creates a database's `-wal` and `-shm` files with the permissions of the database file
//! itself, so creating the database file 0600 (whatever the umask) before SQLite opens it makes
//! all three owner-only. A missing folder is created 0700. A file that an older relay created
//! with looser permissions (0644 under the usual umask) is tightened to 0600 at start, its `-wal`
//! and `-shm` too, and the log says so. Exports (`kyc-relay events export --output`) are created
//! 0600 by the command itself.

use std::fs::{DirBuilder, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{RelayError, Result};

/// Makes `path` ready for SQLite: its folder exists (created 0700 if it did not), the file exists
/// (created 0600 if it did not), and the file and its `-wal` and `-shm` have no permission for
/// group or others.
pub fn prepare(path: &Path) -> Result<()> {
    let io = |what: String| move |source| RelayError::Io { what, source };
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && !folder.exists()
    {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(folder)
            .map_err(io(format!(
                "creating the folder {} of the event store",
                folder.display()
            )))?;
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(io(format!("creating the event store {}", path.display())))?;
    tighten(&file, path)?;
    for suffix in ["-wal", "-shm"] {
        let beside = with_suffix(path, suffix);
        if let Ok(file) = File::open(&beside) {
            tighten(&file, &beside)?;
        }
    }
    Ok(())
}

/// Removes every permission of group and others from the open `file`.
fn tighten(file: &File, path: &Path) -> Result<()> {
    let io = |source| RelayError::Io {
        what: format!("restricting {} to its owner", path.display()),
        source,
    };
    let mode = file.metadata().map_err(io)?.permissions().mode() & 0o7777;
    if mode & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))
            .map_err(io)?;
        tracing::warn!(
            file = %path.display(),
            was = format!("{mode:04o}").as_str(),
            now = format!("{:04o}", mode & 0o700).as_str(),
            "the event store was readable by others; it is now readable by its owner only"
        );
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_store_and_its_folders_are_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/relay/events.sqlite3");
        prepare(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("state/relay")), 0o700);
        assert_eq!(mode(&dir.path().join("state")), 0o700);
    }

    #[test]
    fn an_existing_store_others_could_read_is_tightened_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.sqlite3");
        fs::write(&path, b"existing").unwrap();
        fs::write(with_suffix(&path, "-wal"), b"wal").unwrap();
        for file in [path.clone(), with_suffix(&path, "-wal")] {
            fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        }
        prepare(&path).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&with_suffix(&path, "-wal")), 0o600);
        assert_eq!(fs::read(&path).unwrap(), b"existing");
        assert!(!with_suffix(&path, "-shm").exists());
    }
}
