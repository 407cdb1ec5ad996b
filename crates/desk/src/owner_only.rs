//! Files and folders that hold personal data, readable by their owner only: folders 0700, files
//! 0600, from the moment they are created (never created wider and narrowed after).
//!
//! What is written this way: the settings file and its folder, the cache (its file, WAL and SHM:
//! SQLite gives those the database file's mode) and its folder, the demo's folder, the download
//! folders and documents, the audit exports.
//!
//! Folders KYC Desk names itself (a user's download folder, the audit folder) are narrowed when an
//! earlier version left them wider; folders the officer chose (the download folder, `KYC_DESK_HOME`)
//! are created owner-only when missing but never changed when they exist: they may hold other
//! things, or be shared on purpose.

use std::fs;
use std::io;
use std::path::Path;

/// Creates `dir` and its missing parents, each owner-only. An existing folder is left as it is.
pub(crate) fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `dir` like [`create_dir`], and narrows it to owner-only if it existed wider: for the
/// folders KYC Desk names and fills itself.
pub(crate) fn own_dir(dir: &Path) -> io::Result<()> {
    create_dir(dir)?;
    narrow(dir, 0o700)
}

/// Opens `path` for writing, creating it owner-only if it does not exist (its mode then is 0600
/// whatever the umask allows), truncating it otherwise.
pub(crate) fn create_file(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Creates `path` empty and owner-only if it does not exist; an existing file is left as it is
/// (for a file another library then opens, such as the cache's SQLite database).
pub(crate) fn create_if_missing(path: &Path) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Narrows an existing file or folder to `mode` when it allows more; a missing one is not an
/// error.
pub(crate) fn narrow(path: &Path, mode: u32) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let metadata = match fs::symlink_metadata(path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        // A link is not followed: what it points to is not ours to change.
        if metadata.file_type().is_symlink() {
            return Ok(());
        }
        let current = metadata.permissions().mode() & 0o777;
        if current & !mode != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(current & mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn created_owner_only_and_only_ours_narrowed() {
        let root = tempfile::tempdir().unwrap();
        let nested = root.path().join("a").join("b");
        create_dir(&nested).unwrap();
        assert_eq!(mode(&root.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);

        let chosen = root.path().join("chosen");
        fs::create_dir(&chosen).unwrap();
        fs::set_permissions(&chosen, fs::Permissions::from_mode(0o755)).unwrap();
        create_dir(&chosen).unwrap();
        assert_eq!(
            mode(&chosen),
            0o755,
            "a folder the officer chose is left alone"
        );
        own_dir(&chosen).unwrap();
        assert_eq!(mode(&chosen), 0o700, "a folder of ours is narrowed");

        let file = root.path().join("f");
        create_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
        narrow(&file, 0o600).unwrap();
        assert_eq!(mode(&file), 0o600);
        narrow(&root.path().join("missing"), 0o600).unwrap();
    }
}
