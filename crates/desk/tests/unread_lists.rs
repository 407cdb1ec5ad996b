//! Treezor failing every reading of the lists of documents (out of reach, not configured): the
//! desk says so in its log once, then at most once a minute with the count, not once per waiting
//! case and reading (60,000 lines in 15 s with a large queue offline).

mod common;

use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{World, until, verification_finished};
use desk::awaited::{DocumentsWatch, UNREAD_SAID_EVERY};
use kyc::CaseState;
use sandbox::{Fault, FaultRule, Outcome, WebhookFaults};
use tracing_subscriber::fmt::MakeWriter;

/// What the desk wrote to its log, one line per event.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Log {
    type Writer = Log;

    fn make_writer(&'a self) -> Log {
        self.clone()
    }
}

impl Log {
    /// The lines at `level` that contain `text`.
    fn count(&self, level: &str, text: &str) -> usize {
        let bytes = self.0.lock().unwrap();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter(|line| line.contains(level) && line.contains(text))
            .count()
    }
}

const FAILED_READING: &str = "Treezor's list of documents could not be read";
const SAID: &str = "Treezor's lists of documents could not be read";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_treezor_fails_to_give_are_said_once_a_minute_not_once_a_reading() {
    let log = Log::default();
    tracing_subscriber::fmt()
        .with_writer(log.clone())
        .with_ansi(false)
        .with_env_filter("warn,desk::awaited=debug")
        .init();
    let world = World::start().await;
    let desk = world
        .desk_reading_documents(DocumentsWatch {
            first: Duration::from_millis(20),
            max: Duration::from_millis(100),
            grace: Duration::from_secs(3600),
        })
        .await;
    // Treezor sends no document.create and refuses every list: the cases keep waiting, and
    // every reading of their list fails.
    world.control().set_webhook_faults(WebhookFaults {
        drop: [("document.create".to_owned(), 100)].into(),
        ..WebhookFaults::default()
    });
    world.control().inject(
        FaultRule::new(
            "/v1/documents",
            Fault::Status {
                status: 400,
                after_handling: false,
            },
        )
        .method("GET"),
    );
    let began = Instant::now();
    for (first, last) in [("Ana", "Souza"), ("Bea", "Lima"), ("Caio", "Reis")] {
        let user = world.person(first, last);
        verification_finished(
            &world,
            &desk,
            user,
            Outcome::Validated,
            CaseState::Validated,
        )
        .await;
        desk.retrieve_documents(user).await.unwrap();
    }

    // Every failed reading is in the log at some level (at the debug level, with the fix).
    until(&desk, "twelve failed readings in the log", || async {
        (log.count("", FAILED_READING) >= 12).then_some(())
    })
    .await;
    let said = log.count("WARN", SAID);
    let minutes = began.elapsed().as_secs() / UNREAD_SAID_EVERY.as_secs();
    assert!(
        (1..=1 + minutes as usize).contains(&said),
        "{said} warnings for {} failed readings in {:?}",
        log.count("", FAILED_READING),
        began.elapsed()
    );
    assert_eq!(log.count("WARN", FAILED_READING), 0);
}
