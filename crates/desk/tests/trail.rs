//! The audit trail's key and anchor in a real Secret Service: created on first use, read at each
//! start, and what they let the desk find when someone with write access to the cache file (but
//! not to the keychain) rewrites, replaces, empties or deletes the trail.
//!
//! Run beside the Secret Service of `scripts/with-secret-service` (the session bus of the test
//! process). Each test has its own cache file, and the keychain entries are named after it, so the
//! tests run side by side without meeting.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::World;
use desk::desk::Desk;
use desk::secrets::SecretStore;
use kyc::{Action, UserId};
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

const USER: u64 = 4242;

fn user() -> UserId {
    UserId::new(USER).unwrap()
}

/// A desk on `world` whose secrets, and so its audit trail, are in the OS keychain.
async fn desk_on_keychain(world: &World) -> Desk {
    world.desk_with(SecretStore::Keychain).await
}

fn cache_file(world: &World) -> PathBuf {
    world.desk_home().join("cache.sqlite")
}

/// What libsecret finds under one of the desk's entries.
fn lookup(entry: &str) -> Option<String> {
    let out = Command::new("secret-tool")
        .args(["lookup", "service", "eu.kycdesk.app", "username", entry])
        .output()
        .expect("secret-tool runs (scripts/setup installs libsecret-tools)");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn anchor_in_keychain(cache: &Path) -> serde_json::Value {
    let text = lookup(&format!("audit-anchor {}", cache.display()))
        .expect("the anchor is in the keychain");
    serde_json::from_str(&text).unwrap()
}

/// `n` officer actions in the trail (the officer declines to confirm each).
async fn record(desk: &Desk, n: usize) {
    for _ in 0..n {
        desk.cancel(Action::StartVerification, user())
            .await
            .unwrap();
    }
}

/// A desk on the keychain records `n` actions and stops; `tamper` works on the file as an
/// attacker does, after dropping its guards; a desk starts again on it. Returns that desk and
/// what verifying the trail says.
async fn checked_after(
    world: &World,
    n: usize,
    tamper: impl FnOnce(&Path),
) -> (Desk, desk::audit::AuditCheck) {
    let cache = cache_file(world);
    let desk = desk_on_keychain(world).await;
    record(&desk, n).await;
    desk.shutdown().await;
    drop(desk);
    let raw = Connection::open(&cache).unwrap();
    raw.execute_batch(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
         DROP TRIGGER audit_log_no_replace; DROP TRIGGER audit_log_keyed_only;
         DROP TRIGGER audit_head_no_update; DROP TRIGGER audit_head_no_delete;
         DROP TRIGGER audit_head_no_replace;",
    )
    .unwrap();
    drop(raw);
    tamper(&cache);
    let desk = desk_on_keychain(world).await;
    let check = desk.verify_audit().await.unwrap();
    (desk, check)
}

fn run_sql(sql: &'static str) -> impl FnOnce(&Path) {
    move |cache| Connection::open(cache).unwrap().execute_batch(sql).unwrap()
}

/// `SHA-256(prev ‖ canonical form)`: how entries were chained before the chain was keyed, and all
/// that someone without the key can compute (the canonical form is `cache::audit`'s).
fn unkeyed_hash(prev: &[u8], at: i64, action: &str, outcome: &str, detail: &str) -> Vec<u8> {
    let text = |s: &str| serde_json::to_string(s).unwrap();
    let canonical = format!(
        r#"{{"at":{at},"officer":"officer.test","action":{},"user_id":{USER},"document_id":null,"outcome":{},"detail":{}}}"#,
        text(action),
        text(outcome),
        text(detail)
    );
    Sha256::new()
        .chain_update(prev)
        .chain_update(canonical.as_bytes())
        .finalize()
        .to_vec()
}

/// Rewrites the details of entries `seqs` and recomputes their hashes the unkeyed way; with
/// `move_head`, moves the head to the last one rewritten.
fn rewrite(cache: &Path, seqs: std::ops::RangeInclusive<i64>, move_head: bool) {
    let raw = Connection::open(cache).unwrap();
    let mut prev: Vec<u8> = raw
        .query_row(
            "SELECT hash FROM audit_log WHERE seq = ?1",
            [seqs.start() - 1],
            |r| r.get(0),
        )
        .unwrap();
    for seq in seqs.clone() {
        let (at, action, outcome): (i64, String, String) = raw
            .query_row(
                "SELECT at, action, outcome FROM audit_log WHERE seq = ?1",
                [seq],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        let detail = "nothing happened";
        let hash = unkeyed_hash(&prev, at, &action, &outcome, detail);
        raw.execute(
            "UPDATE audit_log SET detail = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
            params![seq, detail, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    if move_head {
        raw.execute(
            "UPDATE audit_head SET seq = ?1, hash = ?2",
            params![seqs.end(), prev],
        )
        .unwrap();
    }
}

fn last_seq(cache: &Path) -> i64 {
    Connection::open(cache)
        .unwrap()
        .query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn the_key_and_the_anchor_are_made_in_the_keychain_and_vouch_for_the_trail() {
    let world = World::start().await;
    let cache = cache_file(&world);
    let desk = desk_on_keychain(&world).await;
    record(&desk, 3).await;

    let key = lookup(&format!("audit-key {}", cache.display())).expect("the key is made");
    assert_eq!(key.trim().len(), 64, "32 random bytes, hex");
    assert_eq!(anchor_in_keychain(&cache)["entries"], 3);
    let check = desk.verify_audit().await.unwrap();
    assert!(check.intact && check.entries == 3, "{check:?}");

    // The next start reads them back: same key, the anchor follows every append.
    desk.shutdown().await;
    drop(desk);
    let desk = desk_on_keychain(&world).await;
    record(&desk, 1).await;
    assert_eq!(
        lookup(&format!("audit-key {}", cache.display())),
        Some(key),
        "the key is made once"
    );
    assert_eq!(anchor_in_keychain(&cache)["entries"], 4);
    let check = desk.verify_audit().await.unwrap();
    assert!(check.intact && check.entries == 4, "{check:?}");
    desk.shutdown().await;
}

#[tokio::test]
async fn a_rewritten_tail_and_head_are_found() {
    let world = World::start().await;
    let (desk, check) =
        checked_after(&world, 5, |cache| rewrite(cache, 3..=last_seq(cache), true)).await;
    assert!(!check.intact, "{check:?}");
    assert_eq!(check.broken_at, Some(3));
    let problem = check.problem.unwrap();
    assert!(problem.contains("Audit entry 3 was changed"), "{problem}");
    let advice = check.advice.unwrap();
    assert!(
        advice.contains(&cache_file(&world).display().to_string())
            && advice.contains("Export the trail"),
        "{advice}"
    );
    desk.shutdown().await;
}

#[tokio::test]
async fn a_middle_entry_replaced_is_found() {
    let world = World::start().await;
    let (desk, check) = checked_after(
        &world,
        4,
        run_sql(
            "INSERT OR REPLACE INTO audit_log (seq, at, officer, action, user_id, document_id,
                 outcome, detail, prev_hash, hash, chain)
             SELECT seq, at, officer, action, user_id, document_id, 'succeeded', detail,
                 prev_hash, hash, chain
             FROM audit_log WHERE seq = 2;",
        ),
    )
    .await;
    assert_eq!(
        (check.intact, check.broken_at),
        (false, Some(2)),
        "{check:?}"
    );
    desk.shutdown().await;
}

#[tokio::test]
async fn an_emptied_trail_is_found_and_stays_reported() {
    let world = World::start().await;
    let (desk, check) = checked_after(
        &world,
        3,
        run_sql("DELETE FROM audit_log; DELETE FROM audit_head;"),
    )
    .await;
    assert_eq!(
        (check.intact, check.broken_at),
        (false, Some(1)),
        "{check:?}"
    );
    assert!(
        check.problem.as_deref().unwrap().contains("emptied"),
        "{check:?}"
    );
    // The desk goes on recording, and the break stays reported, in the keychain's anchor too.
    record(&desk, 1).await;
    assert!(!desk.verify_audit().await.unwrap().intact);
    assert_eq!(
        anchor_in_keychain(&cache_file(&world))["known_break"]["at_seq"],
        1
    );
    desk.shutdown().await;
}

#[tokio::test]
async fn a_deleted_cache_file_is_found_while_its_anchor_remains() {
    let world = World::start().await;
    let cache = cache_file(&world);
    let desk = desk_on_keychain(&world).await;
    record(&desk, 3).await;
    desk.shutdown().await;
    drop(desk);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", cache.display()));
    }

    let desk = desk_on_keychain(&world).await;
    let check = desk.verify_audit().await.unwrap();
    assert_eq!(
        (check.intact, check.broken_at),
        (false, Some(1)),
        "{check:?}"
    );
    desk.shutdown().await;
}

#[tokio::test]
async fn a_trail_from_before_the_keyed_chain_is_sealed_at_the_first_start() {
    let world = World::start().await;
    let cache = cache_file(&world);
    schema_3_file_with_unkeyed_entries(&cache, 3);

    let desk = desk_on_keychain(&world).await;
    let check = desk.verify_audit().await.unwrap();
    assert!(check.intact && check.entries == 4, "{check:?}");
    let anchor = anchor_in_keychain(&cache);
    assert_eq!(
        (
            anchor["entries"].as_u64(),
            anchor["legacy_entries"].as_u64()
        ),
        (Some(4), Some(3))
    );
    let seal = desk.audit_entries(None, 3, 1).await.unwrap();
    assert_eq!(seal[0].entry.action, cache::SEAL_ACTION);
    assert_eq!(seal[0].entry.outcome, cache::Outcome::Succeeded);
    desk.shutdown().await;
    drop(desk);

    // An old entry rewritten with its unkeyed hashes recomputed breaks the keyed chain at once.
    let raw = Connection::open(&cache).unwrap();
    raw.execute_batch("DROP TRIGGER audit_log_no_update;")
        .unwrap();
    drop(raw);
    rewrite(&cache, 2..=3, false);
    let desk = desk_on_keychain(&world).await;
    let check = desk.verify_audit().await.unwrap();
    assert_eq!(
        (check.intact, check.broken_at),
        (false, Some(3)),
        "{check:?}"
    );
    desk.shutdown().await;
}

/// A cache file as a desk from before the keyed chain left it: schema 3, `n` entries chained by
/// plain SHA-256.
fn schema_3_file_with_unkeyed_entries(cache: &Path, n: i64) {
    std::fs::create_dir_all(cache.parent().unwrap()).unwrap();
    let raw = Connection::open(cache).unwrap();
    for sql in [
        include_str!("../../cache/src/schema.sql"),
        include_str!("../../cache/src/schema_2.sql"),
        include_str!("../../cache/src/schema_3.sql"),
    ] {
        raw.execute_batch(sql).unwrap();
    }
    raw.pragma_update(None, "user_version", 3).unwrap();
    let mut prev = vec![0u8; 32];
    for seq in 1..=n {
        let (at, detail) = (1_700_000_000_000_000 + seq, format!("entry {seq}"));
        let hash = unkeyed_hash(&prev, at, "start_verification", "cancelled", &detail);
        raw.execute(
            "INSERT INTO audit_log (at, officer, action, user_id, outcome, detail, prev_hash, hash)
             VALUES (?1, 'officer.test', 'start_verification', ?2, 'cancelled', ?3, ?4, ?5)",
            params![at, USER as i64, detail, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
}
