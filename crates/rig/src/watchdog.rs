//! Cleans up a server when the process that started it dies, however it dies.
//!
//! A test binary has no teardown that runs at exit, and a test killed by a timeout or a panic in
//! another thread skips destructors. So each server gets a watchdog: a small shell, in a session
//! of its own (a Ctrl-C to the test's process group does not reach it), that reads its standard
//! input until end of file and then runs the cleanup. We hold the write end of that pipe; the
//! kernel closes it when our process ends, by any means, and the shell cleans up.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};

pub struct Watchdog {
    pipe: Option<ChildStdin>,
    child: Child,
}

impl Watchdog {
    /// Starts a watchdog that runs the shell command `cleanup` once we are gone (or dropped).
    pub fn start(cleanup: &str) -> Result<Watchdog, String> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"cat >/dev/null; eval "$0""#)
            .arg(cleanup)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("could not start the cleanup watchdog: {e}"))?;
        let pipe = child.stdin.take();
        Ok(Watchdog { pipe, child })
    }

    /// Cleans up now and waits for it.
    pub fn fire(&mut self) {
        if let Some(mut pipe) = self.pipe.take() {
            let _ = pipe.flush();
        }
        let _ = self.child.wait();
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.fire();
    }
}
