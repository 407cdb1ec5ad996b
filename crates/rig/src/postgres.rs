//! A real, throwaway PostgreSQL cluster: Debian's server binaries, `initdb -A trust` in a
//! temporary folder owned by the `postgres` user, `pg_ctl` on a free port of 127.0.0.1 with its
//! socket in that folder. Durability is PostgreSQL's default (`fsync` and `synchronous_commit`
//! on), so a commit the relay acknowledges is as durable here as in production.
//!
//! One cluster per test binary is the intended use ([`Cluster::shared`]), with a database per test
//! ([`Cluster::database`]): `CREATE DATABASE` copies a template in milliseconds, while `initdb`
//! takes a second or more.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use crate::programs::{as_user, hand_over, postgres_bin, run};
use crate::watchdog::Watchdog;

/// The operating-system user the server runs as when we are root.
const SERVER_USER: &str = "postgres";

pub struct Cluster {
    bin: PathBuf,
    /// Holds `data/` (the cluster), the socket and the server log; removed by the watchdog.
    dir: PathBuf,
    port: u16,
    databases: Mutex<u32>,
    _watchdog: Watchdog,
}

impl Cluster {
    /// The cluster of this test binary, started at the first call.
    pub fn shared() -> &'static Cluster {
        static SHARED: OnceLock<Cluster> = OnceLock::new();
        SHARED.get_or_init(|| Cluster::start().unwrap_or_else(|e| panic!("{e}")))
    }

    /// Creates and starts a new cluster.
    pub fn start() -> Result<Cluster, String> {
        let bin = postgres_bin()?;
        let dir = tempfile::Builder::new()
            .prefix("kyc-pg-")
            .tempdir()
            .map_err(|e| format!("creating the cluster's folder: {e}"))?
            .keep();
        let mut watchdog = Watchdog::start(&format!(
            "{stop}; rm -rf '{dir}'",
            stop = stop_command(&bin, &dir, "immediate"),
            dir = dir.display()
        ))?;
        hand_over(&dir, SERVER_USER)?;
        let initdb = run(
            as_user(SERVER_USER, &bin.join("initdb"))
                .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C"])
                .arg("--no-sync")
                .arg("-D")
                .arg(dir.join("data")),
            "initdb",
        );
        if let Err(error) = initdb {
            watchdog.fire();
            return Err(error);
        }
        let settings = format!(
            "listen_addresses = '127.0.0.1'\nunix_socket_directories = '{dir}'\nmax_connections = 300\nshared_buffers = 128MB\nsynchronous_commit = on\nfsync = on\nlogging_collector = off\n",
            dir = dir.display()
        );
        append(&dir.join("data/postgresql.conf"), &settings)?;
        let mut cluster = Cluster {
            bin,
            dir,
            port: 0,
            databases: Mutex::new(0),
            _watchdog: watchdog,
        };
        cluster.start_server()?;
        Ok(cluster)
    }

    /// Starts the server on a free port (another one if that port was taken meanwhile).
    fn start_server(&mut self) -> Result<(), String> {
        let mut last = String::new();
        for _ in 0..5 {
            self.port = crate::free_port();
            match self.pg_ctl_start() {
                Ok(()) => return Ok(()),
                Err(error) => last = error,
            }
        }
        Err(last)
    }

    fn pg_ctl_start(&self) -> Result<(), String> {
        run(
            as_user(SERVER_USER, &self.bin.join("pg_ctl"))
                .arg("-D")
                .arg(self.dir.join("data"))
                .arg("-l")
                .arg(self.dir.join("server.log"))
                .args(["-w", "-t", "60", "-o"])
                .arg(format!("-p {}", self.port))
                .arg("start")
                .current_dir(&self.dir),
            "starting PostgreSQL",
        )
        .map(drop)
        .map_err(|e| format!("{e}\nserver log:\n{}", self.log()))
    }

    /// Stops the server (fast shutdown: open connections are cut, as in an outage).
    pub fn stop(&self) -> Result<(), String> {
        run(
            Command::new("sh")
                .arg("-c")
                .arg(stop_command(&self.bin, &self.dir, "fast")),
            "stopping PostgreSQL",
        )
        .map(drop)
    }

    /// Starts the server again on the same port after [`Cluster::stop`].
    pub fn restart(&self) -> Result<(), String> {
        self.pg_ctl_start()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of the `postgres` database, as the superuser.
    pub fn admin_url(&self) -> String {
        self.url("postgres")
    }

    /// The URL of a database of this cluster.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a fresh database and gives its URL.
    pub fn database(&self, prefix: &str) -> String {
        let name = {
            let mut count = self.databases.lock().unwrap_or_else(|p| p.into_inner());
            *count += 1;
            format!("{prefix}_{}", *count)
        };
        self.psql("postgres", &format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("{e}"));
        self.url(&name)
    }

    /// Runs SQL through `psql` (as the superuser) and gives its unaligned output.
    pub fn psql(&self, database: &str, sql: &str) -> Result<String, String> {
        run(
            Command::new(self.bin.join("psql"))
                .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h"])
                .arg(&self.dir)
                .arg("-p")
                .arg(self.port.to_string())
                .args(["-U", "postgres", "-d", database, "-c", sql]),
            "psql",
        )
    }

    /// One of PostgreSQL's programs (`pgbench`, `psql`…).
    pub fn program(&self, name: &str) -> PathBuf {
        self.bin.join(name)
    }

    /// The folder of the server's socket (for `-h`).
    pub fn socket_dir(&self) -> &Path {
        &self.dir
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

fn stop_command(bin: &Path, dir: &Path, mode: &str) -> String {
    let pg_ctl = bin.join("pg_ctl");
    let data = dir.join("data");
    let command = format!(
        "'{}' -D '{}' -m {mode} -w stop",
        pg_ctl.display(),
        data.display()
    );
    if crate::programs::is_root() {
        format!("setpriv --reuid={SERVER_USER} --regid={SERVER_USER} --init-groups -- {command}")
    } else {
        command
    }
}

fn append(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()))
        .map_err(|e| format!("writing {}: {e}", path.display()))
}
