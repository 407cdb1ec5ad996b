//! A Secret Service of a test's own: a private D-Bus session bus and a gnome-keyring-daemon in a
//! temporary home, so the officer's keyring is never touched, tests do not disturb each other,
//! and one may lock its keyring. Code under test reaches it from a process bound to that bus
//! (`kyc-desk-keychain`, or a test binary started again in a child role); `secret-tool`,
//! libsecret's own client, checks what landed.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const PROBE: &str = env!("CARGO_BIN_EXE_kyc-desk-keychain");

/// A private session bus with an unlocked login keyring.
pub struct SecretService {
    pub home: tempfile::TempDir,
    pub address: String,
    bus: Child,
    keyring: Child,
}

impl Drop for SecretService {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.bus.kill();
        let _ = self.keyring.wait();
        let _ = self.bus.wait();
    }
}

impl SecretService {
    pub fn start() -> SecretService {
        for program in [
            "dbus-daemon",
            "gnome-keyring-daemon",
            "secret-tool",
            "dbus-send",
        ] {
            let found = Command::new("sh")
                .args(["-c", &format!("command -v {program}")])
                .output()
                .is_ok_and(|o| o.status.success());
            assert!(
                found,
                "{program} is needed for the keychain tests: run scripts/setup (it installs dbus, gnome-keyring and libsecret-tools)"
            );
        }
        let home = tempfile::tempdir().unwrap();
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon starts");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        let address = address.trim().to_owned();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        let mut service = SecretService {
            address,
            keyring: Command::new("true").spawn().unwrap(),
            bus,
            home,
        };
        std::fs::create_dir_all(service.home.path().join("run")).unwrap();
        let mut keyring = service
            .command("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon starts");
        // With --unlock the daemon reads the login keyring's password from standard input and
        // creates the keyring, unlocked, with it.
        keyring
            .stdin
            .take()
            .unwrap()
            .write_all(b"keychain-test-password")
            .unwrap();
        service.keyring = keyring;
        service.wait_for_name();
        service
    }

    /// A command bound to this bus and home.
    pub fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .env("HOME", self.home.path())
            .env("XDG_DATA_HOME", self.home.path().join("data"))
            .env("XDG_RUNTIME_DIR", self.home.path().join("run"));
        command
    }

    pub fn wait_for_name(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let out = self.dbus_send(&[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ]);
            if String::from_utf8_lossy(&out.stdout).contains("boolean true") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not serve org.freedesktop.secrets within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn dbus_send(&self, args: &[&str]) -> Output {
        self.command("dbus-send")
            .args(["--session", "--print-reply"])
            .args(args)
            .output()
            .expect("dbus-send runs")
    }

    pub fn probe(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = self
            .command(PROBE)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kyc-desk-keychain runs");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
        drop(input);
        child.wait_with_output().unwrap()
    }

    /// What libsecret itself finds for an entry of ours.
    pub fn lookup(&self, entry: &str) -> Option<String> {
        let out = self
            .command("secret-tool")
            .args(["lookup", "service", "eu.kycdesk.app", "username", entry])
            .output()
            .expect("secret-tool runs");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Saves `value` under `entry` the way an earlier version did: bare, with the attributes
    /// `keyring` gives an entry (service and user name).
    pub fn store_as_before(&self, entry: &str, value: &str) {
        let mut child = self
            .command("secret-tool")
            .args([
                "store",
                "--label",
                "KYC Desk (earlier version)",
                "service",
                "eu.kycdesk.app",
                "username",
                entry,
            ])
            .stdin(Stdio::piped())
            .spawn()
            .expect("secret-tool runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(value.as_bytes())
            .unwrap();
        assert!(
            child.wait().unwrap().success(),
            "secret-tool stored {entry}"
        );
    }

    pub fn lock_login_keyring(&self) {
        let out = self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ]);
        assert!(
            out.status.success(),
            "locking the login keyring failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
