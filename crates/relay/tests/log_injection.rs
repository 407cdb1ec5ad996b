//! Proves that what a request carries cannot forge, hide or colour a line of the relay's log, in
//! either log format: the real `kyc-relay` process is sent forged webhooks whose event, object,
//! object id and field names hold newlines, carriage returns and terminal escape sequences, and
//! its real stderr is read back.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::process::command_with_log_format;
use common::*;

/// What a forger writes in the envelope's text fields (as JSON string escapes).
const FORGED_LINE: &str =
    r"2030-01-01T00:00:00.000000Z  INFO relay::relay: relay listening addr=6.6.6.6:443";

fn forged_bodies() -> Vec<String> {
    let payload = liveness_payload(1);
    let signed = envelope(&new_id(), &payload);
    let forged = signed
        .replace(
            r#""webhook":"kycliveness.update""#,
            &format!(r#""webhook":"kycliveness.update\n{FORGED_LINE}""#),
        )
        .replace(
            r#""object":"kycliveness""#,
            r#""object":"kycliveness\r\u001b[2J\u001b[1;31mALL CLEAR\u001b[0m""#,
        )
        .replace(
            r#""object_id":"123""#,
            &format!(r#""object_id":"{}""#, "A".repeat(500)),
        )
        .replace(r#""user_id":"1""#, r#""user_id":"2""#);
    vec![
        forged,
        format!(r#"{{"x\n{FORGED_LINE}":1,"x\n{FORGED_LINE}":2}}"#),
    ]
}

/// Runs the relay with `format`, posts the forged bodies, stops it and returns its whole log.
async fn log_of_forgeries(format: &str) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command_with_log_format(dir.path().join("events.sqlite3"), format)
        .env("KYC_RELAY_WEBHOOK_SECRET", SECRET)
        .env("KYC_RELAY_FEED_TOKEN", TOKEN)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut log = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match stderr.read(&mut chunk) {
                Ok(0) | Err(_) => return log,
                Ok(n) => {
                    log.extend_from_slice(&chunk[..n]);
                    let _ = tx.send(log.clone());
                }
            }
        }
    });
    let addr = loop {
        let log = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the relay logs that it listens");
        let text = String::from_utf8_lossy(&log);
        let listening = text
            .split_inclusive('\n')
            .find(|line| line.ends_with('\n') && line.contains("relay listening"));
        if let Some(line) = listening {
            let at = line.find("127.0.0.1:").unwrap();
            let port: String = line[at + "127.0.0.1:".len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            break format!("127.0.0.1:{port}");
        }
    };
    let http = reqwest::Client::new();
    for body in forged_bodies() {
        let status = http
            .post(format!("http://{addr}/webhooks/treezor"))
            .body(body)
            .send()
            .await
            .unwrap()
            .status();
        assert!(status == 503 || status == 400, "{status}");
    }
    // SIGTERM: the relay stops gracefully and closes its stderr.
    Command::new("kill")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    reader.join().unwrap()
}

/// The most characters of one logged value (the relay cuts at 80 and marks how much it left out).
const SHORT: usize = 100;

/// A character that can break, hide or reorder a line on a terminal or in a log viewer.
fn disruptive(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}')
}

fn assert_no_raw_control_bytes(log: &[u8]) {
    for (i, byte) in log.iter().enumerate() {
        assert!(
            *byte == b'\n' || !(byte.is_ascii_control()),
            "raw control byte {byte:#04x} at {i} in:\n{}",
            String::from_utf8_lossy(log)
        );
    }
}

#[tokio::test]
async fn a_forged_body_cannot_write_a_line_in_the_text_log() {
    let log = log_of_forgeries("text").await;
    assert_no_raw_control_bytes(&log);
    let text = String::from_utf8(log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for line in &lines {
        assert!(
            line.len() > 20 && line.as_bytes()[4] == b'-' && line.as_bytes()[10] == b'T',
            "every line is one of the relay's own, starting with its time: {line:?}"
        );
    }
    let own = lines
        .iter()
        .filter(|l| l.contains("relay listening") && !l.contains("refused"))
        .count();
    assert_eq!(own, 1, "one line says the relay listens, its own:\n{text}");
    let refused = lines
        .iter()
        .find(|l| l.contains("webhook refused") && l.contains("does not match"))
        .unwrap();
    assert!(
        refused.contains(r"kycliveness.update\\n2030-01-01"),
        "{refused}"
    );
    assert!(refused.contains(r"kycliveness\\r\\u{1b}[2J"), "{refused}");
    assert!(!refused.contains(&"A".repeat(100)), "{refused}");
    assert!(refused.contains("more bytes]"), "{refused}");
    let duplicate = lines
        .iter()
        .find(|l| l.contains("not an envelope"))
        .unwrap();
    assert!(duplicate.contains(r"x\\n2030-01-01"), "{duplicate}");
}

#[tokio::test]
async fn a_forged_body_cannot_write_a_line_in_the_json_log() {
    let log = log_of_forgeries("json").await;
    assert_no_raw_control_bytes(&log);
    let lines: Vec<serde_json::Value> = String::from_utf8(log)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("every line is one JSON object"))
        .collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l["message"] == "relay listening")
            .count(),
        1
    );
    let refused = lines
        .iter()
        .find(|l| l["message"] == "webhook refused")
        .unwrap();
    for field in ["event", "object", "object_id"] {
        let value = refused[field].as_str().unwrap();
        assert!(
            !value.chars().any(disruptive),
            "{field} holds no control character once decoded: {value:?}"
        );
        assert!(value.chars().count() <= SHORT, "{field}: {value}");
    }
    assert!(refused["event"].as_str().unwrap().contains(r"\n2030-01-01"));
    assert!(refused["object"].as_str().unwrap().contains(r"\u{1b}[2J"));
    let duplicate = lines
        .iter()
        .find(|l| l["message"] == "webhook refused: not an envelope")
        .unwrap();
    let reason = duplicate["reason"].as_str().unwrap();
    assert!(!reason.chars().any(disruptive), "{reason:?}");
}
