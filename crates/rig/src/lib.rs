//! Throwaway infrastructure for the team hub's tests and benchmarks: Debian's own PostgreSQL and
//! nginx, started in temporary folders on loopback, as unprivileged users.
//!
//! # Layout
//! - [`postgres`]: [`Cluster`], a real PostgreSQL cluster (`initdb -A trust` + `pg_ctl`) on a free
//!   port, one database per test ([`Cluster::database`]), stoppable and restartable for drills.
//! - [`nginx`]: [`Nginx`], a real nginx in front of several relay instances.
//! - [`watchdog`]: what removes both when the process that started them dies, even by SIGKILL.
//! - [`programs`]: finding the Debian binaries and running them as another user.
//!
//! # House rules
//! - Nothing here listens beyond 127.0.0.1, and nothing outlives the process that started it.
//! - A missing binary is an error that names the Debian package to install (`scripts/setup` does),
//!   never a skipped test.

pub mod nginx;
pub mod postgres;
pub mod programs;
pub mod watchdog;

pub use nginx::Nginx;
pub use postgres::Cluster;

/// A free TCP port on 127.0.0.1 at the time of asking. A server that then fails to bind it
/// (another process took it meanwhile) is started again on another one by its caller.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("binding 127.0.0.1:0 to find a free port")
}
