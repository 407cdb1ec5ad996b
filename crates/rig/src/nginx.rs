//! A real nginx in front of several relay instances: Debian's binary, a generated configuration
//! in a temporary folder, listening on a free port of 127.0.0.1 only, in the foreground
//! (`daemon off`), run as `nobody` when we are root.
//!
//! The configuration is the one the relay's README gives for a team (see `crates/relay/README.md`),
//! so the drills test what an operator deploys: a webhook or a long poll whose instance is down is
//! passed to the next one, including POSTs, which is safe because a webhook stored twice is stored
//! once (its `webhook_id` is unique in the log).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Stdio};

use crate::programs::{as_user, hand_over, nginx_bin, run};
use crate::watchdog::Watchdog;

const WORKER_USER: &str = "nobody";

pub struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
    _watchdog: Watchdog,
}

/// The `http` block's body for upstreams `servers` on `port`; also what the README shows.
pub fn site(servers: &[SocketAddr], port: u16) -> String {
    let upstreams: String = servers
        .iter()
        .map(|addr| format!("        server {addr} max_fails=1 fail_timeout=2s;\n"))
        .collect();
    format!(
        r#"    upstream kyc_relays {{
{upstreams}        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 1m;
        location / {{
            proxy_pass http://kyc_relays;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 75s;
            proxy_buffering off;
            proxy_request_buffering on;
        }}
    }}
"#
    )
}

impl Nginx {
    /// Starts nginx balancing over `servers` and waits until it accepts connections.
    pub fn start(servers: &[SocketAddr]) -> Result<Nginx, String> {
        let bin = nginx_bin()?;
        let dir = tempfile::Builder::new()
            .prefix("kyc-nginx-")
            .tempdir()
            .map_err(|e| format!("creating nginx's folder: {e}"))?
            .keep();
        let mut watchdog = Watchdog::start(&format!(
            "kill -QUIT $(cat '{dir}/nginx.pid' 2>/dev/null) 2>/dev/null; rm -rf '{dir}'",
            dir = dir.display()
        ))?;
        let port = crate::free_port();
        let config = format!(
            r#"daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
{site}}}
"#,
            dir = dir.display(),
            site = site(servers, port)
        );
        let conf = dir.join("nginx.conf");
        let started = std::fs::write(&conf, config)
            .map_err(|e| format!("writing {}: {e}", conf.display()))
            .and_then(|()| hand_over(&dir, WORKER_USER))
            .and_then(|()| {
                run(
                    as_user(WORKER_USER, &bin)
                        .arg("-t")
                        .arg("-p")
                        .arg(&dir)
                        .arg("-c")
                        .arg(&conf)
                        .current_dir(&dir),
                    "checking nginx's configuration",
                )
            })
            .and_then(|_| {
                as_user(WORKER_USER, &bin)
                    .arg("-p")
                    .arg(&dir)
                    .arg("-c")
                    .arg(&conf)
                    .current_dir(&dir)
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .map_err(|e| format!("starting nginx: {e}"))
            });
        let child = match started {
            Ok(child) => child,
            Err(error) => {
                watchdog.fire();
                return Err(error);
            }
        };
        let mut nginx = Nginx {
            child,
            port,
            dir,
            _watchdog: watchdog,
        };
        nginx.wait_until_listening()?;
        Ok(nginx)
    }

    /// Polls the port (bounded) until nginx accepts, or reports its error log.
    fn wait_until_listening(&mut self) -> Result<(), String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("nginx exited ({status}): {}", self.error_log()));
            }
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        Err(format!(
            "nginx did not listen within 20 s: {}",
            self.error_log()
        ))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // TERM to the master: it stops its worker too (SIGKILL would orphan the worker).
        let _ = std::process::Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}
