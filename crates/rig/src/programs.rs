//! Finding Debian's PostgreSQL and nginx binaries, and running them as an unprivileged user.
//!
//! PostgreSQL refuses to run as root, and tests run as root on CI: when we are root, servers are
//! started through `setpriv` as the system user Debian's package created (`postgres`, or `nobody`
//! for nginx), which `setpriv` switches to before it `exec`s the program, so the process we hold
//! is the server itself. As an ordinary user they simply run as that user.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The folder of PostgreSQL's server binaries (`initdb`, `pg_ctl`, `postgres`, `pgbench`):
/// `$KYC_PG_BIN`, else the newest `/usr/lib/postgresql/*/bin` (where Debian puts them; they are
/// not on `PATH`).
pub fn postgres_bin() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("KYC_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| missing("PostgreSQL", "postgresql"))?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| missing("PostgreSQL", "postgresql"))
}

/// nginx: `$KYC_NGINX`, else `/usr/sbin/nginx`.
pub fn nginx_bin() -> Result<PathBuf, String> {
    let path = std::env::var_os("KYC_NGINX")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/sbin/nginx"));
    if path.is_file() {
        Ok(path)
    } else {
        Err(missing("nginx", "nginx-light"))
    }
}

fn missing(what: &str, package: &str) -> String {
    format!(
        "{what} is not installed: run scripts/setup (or `apt-get install {package}`); the team hub's tests need the real one"
    )
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    id("-u", None).as_deref() == Some("0")
}

/// `id FLAG [USER]`'s answer, trimmed.
fn id(flag: &str, user: Option<&str>) -> Option<String> {
    let output = Command::new("id").arg(flag).args(user).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// A command that runs `program` as `user` when we are root (through `setpriv`, which execs it),
/// and as ourselves otherwise.
pub fn as_user(user: &str, program: &Path) -> Command {
    if !is_root() {
        return Command::new(program);
    }
    let mut command = Command::new("setpriv");
    command
        .arg(format!("--reuid={user}"))
        .arg(format!("--regid={}", primary_group(user)))
        .arg("--init-groups")
        .arg("--")
        .arg(program);
    command
}

fn primary_group(user: &str) -> String {
    id("-g", Some(user)).unwrap_or_else(|| user.to_owned())
}

/// Gives `dir` (recursively) to `user` when we are root, so that a server running as that user
/// can write there.
pub fn hand_over(dir: &Path, user: &str) -> Result<(), String> {
    if !is_root() {
        return Ok(());
    }
    let group = primary_group(user);
    let status = Command::new("chown")
        .arg("-R")
        .arg(format!("{user}:{group}"))
        .arg(dir)
        .status()
        .map_err(|e| format!("chown {}: {e}", dir.display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "chown -R {user} {} failed; does the user {user} exist?",
            dir.display()
        ))
    }
}

/// Runs a command to its end; the error carries its stderr.
pub fn run(command: &mut Command, what: &str) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|e| format!("{what}: could not start {:?}: {e}", command.get_program()))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        ))
    }
}
