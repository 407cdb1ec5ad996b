//! `tauri-driver` as a child process of the test, and everything it starts.
//!
//! `tauri-driver` is a WebDriver intermediary: it starts `WebKitWebDriver`, which starts the app
//! binary named in the session's capabilities. Each [`Driver`] gives them a world of their own, so
//! that tests can run side by side:
//! - a private D-Bus session bus (`dbus-run-session`). GTK makes an application unique per bus:
//!   on a shared bus a second KYC Desk would hand its window to the first and exit, and the two
//!   tests would drive one app;
//! - a Secret Service on that bus (gnome-keyring, unlocked, with its files in the test's folder), so
//!   the app's keychain works as on a desktop and a test can look at what it saved;
//! - private XDG data, config and cache folders, a `KYC_DESK_HOME` and a `TMPDIR`, so no test
//!   sees another's files, the downloads land where the test can check them, and every file the
//!   app and WebKit write is in the test's folder;
//! - a process group of their own, so that dropping the [`Driver`] ends them all, even when a test
//!   panics halfway;
//! - one output file for all of them (the app's logs included), which a test can read and which is
//!   printed when the test fails.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// Where Debian's `webkit2gtk-driver` package puts the native driver.
const WEBKIT_WEBDRIVER: &str = "/usr/bin/WebKitWebDriver";

/// The file, in the test's folder, that gets every process's standard output and error.
const OUTPUT: &str = "output.log";

/// How long `tauri-driver` and `WebKitWebDriver` may take to listen.
const STARTUP: Duration = Duration::from_secs(20);

/// The files, in the test's folder, where the launcher writes the app's process id, and how the
/// app ended.
const APP_PID: &str = "app-pid";
const APP_ENDED: &str = "app-ended";

/// What WebKitWebDriver starts in place of the app: a shell that runs the app (`@APP@`), writes its
/// process id in `@PID@` and, when the app ends, says how (exit status or signal) in the output
/// and in `@ENDED@`. Without it, an
/// app that dies halfway leaves only a WebDriver error (a session lost), and not why. The shell
/// stays the app's parent, so a test can also tell a running app from a gone one.
const LAUNCHER: &str = r#"#!/bin/sh
@APP@ "$@" &
app=$!
printf '%s' "$app" > @PID@
wait "$app"
status=$?
if [ "$status" -gt 128 ]; then
  how="killed by signal $((status - 128))"
else
  how="exit status $status"
fi
printf '%s' "$how" > @ENDED@
echo "e2e: the app ended ($how)" >&2
exit "$status"
"#;

/// Runs inside the private bus before `tauri-driver`: starts gnome-keyring with a fresh login
/// keyring, unlocked (the password only opens this throwaway keyring), waits until it serves the
/// Secret Service (a bounded poll on the bus), writes the bus address where the test can read it,
/// then becomes `tauri-driver`. The daemon stays in the process group, so it ends with the others.
const SESSION: &str = r#"
set -eu
home="$1"; shift
mkdir -p -m 700 "$home/keyring/run"
printf 'kyc-desk-e2e' | XDG_RUNTIME_DIR="$home/keyring/run" XDG_DATA_HOME="$home/keyring/data" \
  gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
tries=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do
  tries=$((tries + 1))
  if [ "$tries" -gt 200 ]; then echo "gnome-keyring-daemon did not serve the Secret Service" >&2; exit 1; fi
  sleep 0.05
done
printf '%s' "$DBUS_SESSION_BUS_ADDRESS" > "$home/bus-address"
exec "$@"
"#;

/// A running `tauri-driver`, listening on loopback.
pub struct Driver {
    child: Child,
    port: u16,
    native_port: u16,
    /// The app's XDG folders; removed once the processes have ended.
    home: Option<TempDir>,
}

impl Driver {
    /// Starts `tauri-driver` with `env` added to its environment (the app inherits it), and waits
    /// until both it and `WebKitWebDriver` accept connections.
    pub fn start(env: &[(&str, &str)]) -> Driver {
        require_display();
        let native_driver = Path::new(WEBKIT_WEBDRIVER);
        assert!(
            native_driver.exists(),
            "{WEBKIT_WEBDRIVER} is missing: install Debian's webkit2gtk-driver (scripts/setup does)"
        );
        let home = tempfile::Builder::new()
            .prefix("kyc-desk-e2e-")
            .tempdir()
            .expect("a temporary folder for the app's files");
        let [port, native_port] = free_ports();
        let output = std::fs::File::create(home.path().join(OUTPUT))
            .expect("the output file can be created in the test's folder");
        std::fs::create_dir(home.path().join("tmp"))
            .expect("a temporary folder can be made in the test's folder");
        let mut command = Command::new("dbus-run-session");
        command
            .args(["--", "sh", "-c", SESSION, "sh"])
            .arg(home.path())
            .arg(tauri_driver())
            .arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .arg("--native-driver")
            .arg(native_driver)
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("KYC_DESK_HOME", home.path().join("desk"))
            // Temporary files too, so that a test sees everything the app and WebKit write.
            .env("TMPDIR", home.path().join("tmp"))
            // The demo's Treezor decides in milliseconds instead of seconds.
            .env("KYC_DESK_DEMO_PACE", "quick")
            // No accessibility bus: nothing reads it here, and it is one more process per test.
            .env("NO_AT_BRIDGE", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("the output file can be shared"))
            .stderr(output);
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let child = command.spawn().unwrap_or_else(|error| {
            panic!("dbus-run-session could not start tauri-driver: {error} (is Debian's dbus installed?)")
        });
        let mut driver = Driver {
            child,
            port,
            native_port,
            home: Some(home),
        };
        driver.wait_until_listening("tauri-driver", port);
        driver.wait_until_listening("WebKitWebDriver", native_port);
        driver
    }

    /// The WebDriver endpoint to open sessions on.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The program to name as the session's application: [`LAUNCHER`] for `app`, written into
    /// the test's folder.
    pub fn launcher(&self, app: &Path) -> PathBuf {
        let path = self.home().join("launch-app");
        let script = LAUNCHER
            .replace("@APP@", &shell_quoted(app))
            .replace("@PID@", &shell_quoted(&self.home().join(APP_PID)))
            .replace("@ENDED@", &shell_quoted(&self.home().join(APP_ENDED)));
        std::fs::write(&path, script).expect("the launcher can be written in the test's folder");
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .expect("the launcher can be made executable");
        path
    }

    /// The app's process id, once the launcher has started it.
    pub fn app_pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.home().join(APP_PID))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// How the app ended, once it has: `exit status N` or `killed by signal N`.
    pub fn app_ended(&self) -> Option<String> {
        std::fs::read_to_string(self.home().join(APP_ENDED)).ok()
    }

    /// What is still there of the session's processes, in words: for a WebDriver error, to tell
    /// a dead app from a dead driver from a page that did not answer.
    pub fn state(&self) -> String {
        let listens = |port: u16| TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok();
        let app = match self.app_ended() {
            Some(how) => format!("the app has ended ({how})"),
            None => "no end of the app recorded".to_owned(),
        };
        let say = |listening: bool| {
            if listening {
                "listens"
            } else {
                "does not listen"
            }
        };
        format!(
            "{app}; tauri-driver {} on port {}; WebKitWebDriver {} on port {}",
            say(listens(self.port)),
            self.port,
            say(listens(self.native_port)),
            self.native_port
        )
    }

    /// The app's `KYC_DESK_HOME`: its settings, cache, demo files and downloads.
    pub fn app_home(&self) -> PathBuf {
        self.home().join("desk")
    }

    /// Everything the drivers and the app wrote to their standard output and error so far: the
    /// app's logs among them.
    pub fn output(&self) -> String {
        std::fs::read(self.home().join(OUTPUT))
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    }

    /// The folder that holds everything the app and its session wrote: its XDG folders, its
    /// `KYC_DESK_HOME`, the keyring's files and the output file.
    pub fn home(&self) -> &Path {
        self.home
            .as_ref()
            .expect("the folder lives as long as the driver")
            .path()
    }

    /// What the app's keychain holds for one of its entries, as libsecret's own `secret-tool`
    /// finds it on the app's bus.
    pub fn keychain_entry(&self, service: &str, username: &str) -> Option<String> {
        let output = self
            .secret_tool(&["lookup", "service", service, "username", username])
            .stdin(Stdio::null())
            .output()
            .expect("secret-tool runs (scripts/setup installs libsecret-tools)");
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// Saves `secret` in the app's keychain under `username`, with libsecret's own `secret-tool`
    /// on the app's bus: what the settings screen would have saved, for a desk set up before its
    /// first start.
    pub fn save_keychain_entry(&self, service: &str, username: &str, secret: &str) {
        let mut child = self
            .secret_tool(&[
                "store", "--label", username, "service", service, "username", username,
            ])
            .stdin(Stdio::piped())
            .spawn()
            .expect("secret-tool runs (scripts/setup installs libsecret-tools)");
        // The secret goes in on standard input, never on a command line another process can read.
        std::io::Write::write_all(
            &mut child.stdin.take().expect("secret-tool's input is piped"),
            secret.as_bytes(),
        )
        .expect("secret-tool takes the secret");
        let status = child.wait().expect("secret-tool ends");
        assert!(status.success(), "secret-tool could not save {username}");
    }

    /// `secret-tool args` on the app's bus.
    fn secret_tool(&self, args: &[&str]) -> Command {
        let address = std::fs::read_to_string(self.home().join("bus-address"))
            .expect("the session wrote its bus address before starting tauri-driver");
        let mut command = Command::new("secret-tool");
        command.args(args).env("DBUS_SESSION_BUS_ADDRESS", address);
        command
    }

    fn wait_until_listening(&mut self, what: &str, port: u16) {
        let deadline = Instant::now() + STARTUP;
        loop {
            if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "tauri-driver exited before {what} listened ({status}); its output:\n{}",
                    self.output()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{what} did not listen on port {port} within {STARTUP:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Driver {
    /// Ends the bus, tauri-driver, WebKitWebDriver and the app: SIGTERM to the group first
    /// (tauri-driver then stops WebKitWebDriver itself), SIGKILL for whatever is left.
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        signal_group("-TERM", &group);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        signal_group("-KILL", &group);
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- output of tauri-driver, WebKitWebDriver and the app ---\n{}",
                self.output()
            );
        }
        if let Some(home) = self.home.take() {
            remove_folder(home);
        }
    }
}

/// Removes a test's folder. Processes the bus started on demand (dconf, portals) may still be
/// writing into it for a moment after the group was killed, so a failed attempt is retried.
fn remove_folder(home: TempDir) {
    let path = home.keep();
    for _ in 0..20 {
        if std::fs::remove_dir_all(&path).is_ok() || !path.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!("could not remove {}", path.display());
}

/// `path` as one shell word.
fn shell_quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

fn signal_group(signal: &str, group: &str) {
    // A group that has already exited is fine: kill(1) then fails, and there is nothing to do.
    let _ = Command::new("kill")
        .args([signal, "--", group])
        .stderr(Stdio::null())
        .status();
}

fn require_display() {
    assert!(
        std::env::var_os("DISPLAY").is_some_and(|display| !display.is_empty()),
        "the end-to-end tests need an X display: run them with scripts/test, or under \
         `xvfb-run -a -s '-screen 0 1920x1080x24'`"
    );
}

/// `tauri-driver` from `PATH` or cargo's bin folder.
fn tauri_driver() -> PathBuf {
    let mut folders: Vec<PathBuf> =
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()).collect();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        folders.push(PathBuf::from(home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        folders.push(PathBuf::from(home).join(".cargo/bin"));
    }
    folders
        .into_iter()
        .map(|folder| folder.join("tauri-driver"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "tauri-driver is not installed: `cargo install tauri-driver --locked` (scripts/setup does)"
            )
        })
}

/// Distinct loopback ports nobody listens on right now. Another process could take one before
/// tauri-driver binds it; tauri-driver then exits and the test says so.
fn free_ports<const N: usize>() -> [u16; N] {
    // Held open together, so the system cannot hand out the same port twice.
    let listeners = [(); N].map(|()| {
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("the system hands out a loopback port")
    });
    listeners.map(|listener| {
        listener
            .local_addr()
            .expect("a bound listener has an address")
            .port()
    })
}
