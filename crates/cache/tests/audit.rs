//! The audit log: append-only in SQLite itself, hash-chained so that an entry edited, removed or
//! moved behind the cache's back is found, and exported whole or per user.

mod common;

use cache::{AuditBreak, AuditEntry, AuditScope, BreakKind, Cache, Outcome};
use common::*;
use kyc::{DocumentId, UserId};
use rusqlite::Connection;

fn entry(i: i64, user: Option<u64>) -> AuditEntry {
    AuditEntry {
        at: at(i * 60),
        officer: "Claire Dubois".into(),
        action: if i % 2 == 0 {
            "start_verification"
        } else {
            "download_document"
        }
        .into(),
        user_id: user.map(|u| UserId::new(u).unwrap()),
        document_id: (i % 2 == 1).then(|| DocumentId::new(900 + i as u64).unwrap()),
        outcome: if i == 3 {
            Outcome::Failed
        } else {
            Outcome::Succeeded
        },
        detail: format!("entry {i}, with \"quotes\", commas and\na line break"),
    }
}

/// A cache with six entries, and a raw connection to the same file.
fn logged() -> (tempfile::TempDir, Cache, Connection) {
    let (dir, mut cache) = fresh_cache();
    for i in 1..=6 {
        cache
            .audit_append(&entry(i, Some(if i % 3 == 0 { 7 } else { 8 })))
            .unwrap();
    }
    let raw = Connection::open(cache.path()).unwrap();
    (dir, cache, raw)
}

fn drop_guards(raw: &Connection) {
    raw.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
}

#[test]
fn an_untouched_log_verifies_and_chains_each_entry_to_the_one_before() {
    let (_dir, cache, _raw) = logged();
    assert_eq!(cache.audit_verify().unwrap(), Ok(6));
    let entries = cache.audit_entries(AuditScope::All, 0, 100).unwrap();
    assert_eq!(entries.len(), 6);
    assert_eq!(entries[0].prev_hash, "0".repeat(64));
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert_eq!(pair[1].seq, pair[0].seq + 1);
    }
    assert_eq!(entries[2].entry, entry(3, Some(7)));
    let page = cache.audit_entries(AuditScope::All, 4, 1).unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].seq, 5);
}

#[test]
fn the_database_itself_refuses_to_change_or_remove_an_entry() {
    let (_dir, _cache, raw) = logged();
    let update = raw.execute(
        "UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 2",
        [],
    );
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = raw.execute("DELETE FROM audit_log WHERE seq = 2", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

#[test]
fn an_edited_entry_is_found() {
    let (_dir, cache, raw) = logged();
    drop_guards(&raw);
    raw.execute(
        "UPDATE audit_log SET outcome = 'succeeded' WHERE seq = 3",
        [],
    )
    .unwrap();
    assert_eq!(
        cache.audit_verify().unwrap(),
        Err(AuditBreak {
            at_seq: 3,
            kind: BreakKind::Edited
        })
    );
}

#[test]
fn an_edit_whose_hash_was_recomputed_still_breaks_the_chain() {
    let (_dir, cache, raw) = logged();
    drop_guards(&raw);
    // Rewrite entry 2 with a correct hash of its new content: entry 3 no longer chains to it.
    let forged = AuditEntry {
        detail: "nothing happened".into(),
        ..entry(2, Some(8))
    };
    let prev: Vec<u8> = raw
        .query_row("SELECT prev_hash FROM audit_log WHERE seq = 2", [], |r| {
            r.get(0)
        })
        .unwrap();
    let scratch_dir = tempfile::tempdir().unwrap();
    let mut scratch = Cache::open(scratch_dir.path().join("scratch.sqlite")).unwrap();
    scratch.audit_append(&entry(1, Some(8))).unwrap();
    let hash_of = scratch.audit_append(&forged).unwrap();
    assert_eq!(
        hex::encode(&prev),
        scratch.audit_entries(AuditScope::All, 0, 1).unwrap()[0].hash
    );
    raw.execute(
        "UPDATE audit_log SET detail = ?1, hash = ?2 WHERE seq = 2",
        rusqlite::params![forged.detail, hex::decode(&hash_of.hash).unwrap()],
    )
    .unwrap();
    assert_eq!(
        cache.audit_verify().unwrap(),
        Err(AuditBreak {
            at_seq: 2,
            kind: BreakKind::Edited
        })
    );
}

#[test]
fn a_removed_entry_is_found() {
    let (_dir, cache, raw) = logged();
    drop_guards(&raw);
    raw.execute("DELETE FROM audit_log WHERE seq = 4", [])
        .unwrap();
    assert_eq!(
        cache.audit_verify().unwrap(),
        Err(AuditBreak {
            at_seq: 4,
            kind: BreakKind::Removed
        })
    );
}

#[test]
fn a_removed_last_entry_is_found_through_the_head() {
    let (_dir, cache, raw) = logged();
    drop_guards(&raw);
    raw.execute("DELETE FROM audit_log WHERE seq = 6", [])
        .unwrap();
    assert_eq!(
        cache.audit_verify().unwrap(),
        Err(AuditBreak {
            at_seq: 6,
            kind: BreakKind::Removed
        })
    );
}

#[test]
fn reordered_entries_are_found() {
    let (_dir, cache, raw) = logged();
    drop_guards(&raw);
    // Swap entries 2 and 5 whole (content and hashes): each still hashes right, the chain does not.
    raw.execute_batch(
        "UPDATE audit_log SET seq = 100 WHERE seq = 2;
         UPDATE audit_log SET seq = 2 WHERE seq = 5;
         UPDATE audit_log SET seq = 5 WHERE seq = 100;",
    )
    .unwrap();
    assert_eq!(
        cache.audit_verify().unwrap(),
        Err(AuditBreak {
            at_seq: 2,
            kind: BreakKind::Reordered
        })
    );
}

#[test]
fn the_csv_export_holds_every_field_quoted_where_needed() {
    let (_dir, cache, _raw) = logged();
    let mut out = Vec::new();
    assert_eq!(
        cache.audit_export_csv(AuditScope::All, &mut out).unwrap(),
        6
    );
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with(
        "seq,at,at_unix_micros,officer,action,user_id,document_id,outcome,detail,prev_hash,hash\n"
    ));
    let entries = cache.audit_entries(AuditScope::All, 0, 100).unwrap();
    let third = &entries[2];
    let line = format!(
        "3,{},{},Claire Dubois,download_document,7,903,failed,\"entry 3, with \"\"quotes\"\", commas and\na line break\",{},{}\n",
        third.entry.at.to_rfc3339(),
        third.entry.at.unix_micros(),
        third.prev_hash,
        third.hash
    );
    assert!(text.contains(&line), "{text}");
}

#[test]
fn the_json_export_starts_with_the_head_and_one_users_trail_holds_only_theirs() {
    let (_dir, cache, _raw) = logged();
    let mut out = Vec::new();
    assert_eq!(
        cache.audit_export_json(AuditScope::All, &mut out).unwrap(),
        6
    );
    let all: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let entries = all["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 6);
    assert_eq!(all["head"]["seq"], 6);
    assert_eq!(all["head"]["hash"], entries[5]["hash"]);
    assert_eq!(entries[0]["officer"], "Claire Dubois");
    assert_eq!(entries[0]["at_unix_micros"], at(60).unix_micros());

    let mut mine = Vec::new();
    let user = UserId::new(7).unwrap();
    assert_eq!(
        cache
            .audit_export_json(AuditScope::User(user), &mut mine)
            .unwrap(),
        2
    );
    let mine: serde_json::Value = serde_json::from_slice(&mine).unwrap();
    let seqs: Vec<u64> = mine["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, [3, 6]);
    let mut csv = Vec::new();
    assert_eq!(
        cache
            .audit_export_csv(AuditScope::User(user), &mut csv)
            .unwrap(),
        2
    );
}

#[test]
fn a_reader_verifies_and_exports_too() {
    let (_dir, cache, _raw) = logged();
    let reader = cache.reader().unwrap();
    assert_eq!(reader.audit_verify().unwrap(), Ok(6));
    let mut out = Vec::new();
    assert_eq!(
        reader.audit_export_csv(AuditScope::All, &mut out).unwrap(),
        6
    );
}
