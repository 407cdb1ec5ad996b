//! The audit log: append-only in SQLite itself, chained by a MAC under a key the file does not
//! hold, and anchored outside the file, so that an entry edited, removed, replaced or moved, a tail
//! cut with its head moved back, an emptied log or a fresh file is found; exported whole or per
//! user.

mod common;

use cache::{
    AuditAnchor, AuditBreak, AuditEntry, AuditKey, AuditScope, BreakKind, Cache, Chain, Outcome,
};
use common::*;
use kyc::{DocumentId, UserId};
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

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

/// The desk's key (in the app it lives in the keychain).
fn key() -> AuditKey {
    AuditKey::from_bytes([0x5a; 32])
}

/// A cache with six entries, the anchor the desk keeps after them, and a raw connection to the
/// same file: the attacker's, who can write the file but not read the keychain.
fn logged() -> (tempfile::TempDir, Cache, Connection, AuditAnchor) {
    let (dir, mut cache) = fresh_cache();
    let mut anchor = cache
        .audit_open(&key(), None, at(0), "Claire Dubois")
        .unwrap()
        .anchor;
    for i in 1..=6 {
        let (_, next) = cache
            .audit_append(
                &key(),
                &anchor,
                &entry(i, Some(if i % 3 == 0 { 7 } else { 8 })),
            )
            .unwrap();
        anchor = next;
    }
    let raw = Connection::open(cache.path()).unwrap();
    (dir, cache, raw, anchor)
}

fn verify(cache: &Cache, anchor: &AuditAnchor) -> Result<u64, AuditBreak> {
    cache.audit_verify(&key(), Some(anchor)).unwrap()
}

fn broken(at_seq: u64, kind: BreakKind) -> Result<u64, AuditBreak> {
    Err(AuditBreak { at_seq, kind })
}

/// What someone with write access to the file does first.
fn drop_guards(raw: &Connection) {
    raw.execute_batch(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
         DROP TRIGGER audit_log_no_replace; DROP TRIGGER audit_log_keyed_only;
         DROP TRIGGER audit_head_no_update; DROP TRIGGER audit_head_no_delete;
         DROP TRIGGER audit_head_no_replace;",
    )
    .unwrap();
}

/// The canonical form the chain covers, as the cache's documentation defines it.
fn canonical(e: &AuditEntry) -> String {
    let text = |s: &str| serde_json::to_string(s).unwrap();
    let number = |n: Option<u64>| n.map_or("null".to_owned(), |n| n.to_string());
    format!(
        r#"{{"at":{},"officer":{},"action":{},"user_id":{},"document_id":{},"outcome":{},"detail":{}}}"#,
        e.at.unix_micros(),
        text(&e.officer),
        text(&e.action),
        number(e.user_id.map(UserId::get)),
        number(e.document_id.map(DocumentId::get)),
        text(e.outcome.as_str()),
        text(&e.detail),
    )
}

/// Rewrites entries `from..=6` with new details, each "hash" recomputed as the unkeyed chain
/// would (SHA-256 of the previous hash and the entry), and moves the head to the new last one:
/// everything an attacker without the key can do.
fn rewrite_from(raw: &Connection, from: i64) {
    let mut prev: Vec<u8> = raw
        .query_row(
            "SELECT hash FROM audit_log WHERE seq = ?1",
            [from - 1],
            |r| r.get(0),
        )
        .unwrap();
    for seq in from..=6 {
        let forged = AuditEntry {
            detail: format!("nothing happened ({seq})"),
            ..entry(seq, Some(if seq % 3 == 0 { 7 } else { 8 }))
        };
        let mut hasher = Sha256::new();
        hasher.update(&prev);
        hasher.update(canonical(&forged).as_bytes());
        let hash = hasher.finalize().to_vec();
        raw.execute(
            "UPDATE audit_log SET detail = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
            params![seq, forged.detail, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
    raw.execute("UPDATE audit_head SET seq = 6, hash = ?1", [prev])
        .unwrap();
}

#[test]
fn an_untouched_log_verifies_and_chains_each_entry_to_the_one_before() {
    let (_dir, cache, _raw, anchor) = logged();
    assert_eq!(verify(&cache, &anchor), Ok(6));
    assert_eq!((anchor.entries, anchor.legacy_entries), (6, 0));
    let entries = cache.audit_entries(AuditScope::All, 0, 100).unwrap();
    assert_eq!(entries.len(), 6);
    assert_eq!(entries[0].prev_hash, "0".repeat(64));
    assert_eq!(anchor.mac, entries[5].hash);
    for pair in entries.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert_eq!(pair[1].seq, pair[0].seq + 1);
        assert_eq!(pair[1].chain, Chain::Keyed);
    }
    assert_eq!(entries[2].entry, entry(3, Some(7)));
    let page = cache.audit_entries(AuditScope::All, 4, 1).unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].seq, 5);
}

#[test]
fn the_database_itself_refuses_to_change_remove_or_replace_an_entry_or_move_the_head() {
    let (_dir, cache, raw, anchor) = logged();
    let refused = |sql: &str| {
        let error = raw.execute(sql, []).unwrap_err().to_string();
        assert!(
            error.contains("append-only") || error.contains("keyed"),
            "{sql}: {error}"
        );
    };
    refused("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 2");
    refused("DELETE FROM audit_log WHERE seq = 2");
    // REPLACE deletes the old row without firing delete triggers on a connection that leaves
    // recursive_triggers off, as this one does.
    refused(
        "INSERT OR REPLACE INTO audit_log (seq, at, officer, action, outcome, detail, prev_hash,
             hash, chain)
         SELECT seq, at, officer, action, outcome, 'nothing happened', prev_hash, hash, chain
         FROM audit_log WHERE seq = 3",
    );
    refused(
        "INSERT INTO audit_log (at, officer, action, outcome, detail, prev_hash, hash)
         VALUES (0, 'x', 'x', 'succeeded', 'an unkeyed entry', x'00', x'00')",
    );
    refused("UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)");
    refused(
        "INSERT OR REPLACE INTO audit_head (id, seq, hash)
         SELECT 1, seq, hash FROM audit_log WHERE seq = 4",
    );
    refused("DELETE FROM audit_head");

    assert_eq!(verify(&cache, &anchor), Ok(6));
}

#[test]
fn an_edited_entry_is_found() {
    let (_dir, cache, raw, anchor) = logged();
    drop_guards(&raw);
    raw.execute(
        "UPDATE audit_log SET outcome = 'succeeded' WHERE seq = 3",
        [],
    )
    .unwrap();
    assert_eq!(verify(&cache, &anchor), broken(3, BreakKind::Edited));
}

#[test]
fn an_edit_whose_mac_was_recomputed_with_another_key_still_breaks_the_chain() {
    let (_dir, cache, raw, anchor) = logged();
    drop_guards(&raw);
    // Rewrite entry 2 with a MAC of its new content under a key of the attacker's own.
    let forged = AuditEntry {
        detail: "nothing happened".into(),
        ..entry(2, Some(8))
    };
    let scratch_dir = tempfile::tempdir().unwrap();
    let mut scratch = Cache::open(scratch_dir.path().join("scratch.sqlite")).unwrap();
    let theirs = AuditKey::from_bytes([0x11; 32]);
    let empty = AuditAnchor::empty();
    let (first, after) = scratch
        .audit_append(&theirs, &empty, &entry(1, Some(8)))
        .unwrap();
    let (mac_of, _) = scratch.audit_append(&theirs, &after, &forged).unwrap();
    raw.execute(
        "UPDATE audit_log SET detail = ?1, prev_hash = ?2, hash = ?3 WHERE seq = 2",
        params![
            forged.detail,
            hex::decode(&first.hash).unwrap(),
            hex::decode(&mac_of.hash).unwrap()
        ],
    )
    .unwrap();
    assert_eq!(verify(&cache, &anchor), broken(2, BreakKind::Edited));
}

#[test]
fn a_rewritten_tail_and_head_are_found() {
    let (_dir, cache, raw, anchor) = logged();
    drop_guards(&raw);
    rewrite_from(&raw, 4);
    assert_eq!(verify(&cache, &anchor), broken(4, BreakKind::Edited));
    assert_eq!(
        cache.audit_verify(&key(), None).unwrap(),
        broken(4, BreakKind::Edited),
        "the MACs alone find it"
    );
}

#[test]
fn a_middle_entry_replaced_is_found() {
    let (_dir, cache, raw, anchor) = logged();
    drop_guards(&raw);
    raw.execute(
        "INSERT OR REPLACE INTO audit_log (seq, at, officer, action, user_id, document_id, outcome,
             detail, prev_hash, hash, chain)
         SELECT seq, at, officer, action, user_id, document_id, 'succeeded', detail, prev_hash,
             hash, chain
         FROM audit_log WHERE seq = 3",
        [],
    )
    .unwrap();
    assert_eq!(verify(&cache, &anchor), broken(3, BreakKind::Edited));
}

#[test]
fn a_cut_tail_whose_head_was_moved_back_is_found_through_the_anchor() {
    let (_dir, cache, raw, anchor) = logged();
    drop_guards(&raw);
    raw.execute_batch(
        "DELETE FROM audit_log WHERE seq > 4;
         UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4);",
    )
    .unwrap();
    assert_eq!(
        cache.audit_verify(&key(), None).unwrap(),
        Ok(4),
        "the file alone is a valid, shorter chain"
    );
    assert_eq!(verify(&cache, &anchor), broken(5, BreakKind::Removed));
}

#[test]
fn emptied_tables_are_a_break_once_anything_was_recorded() {
    let (_dir, cache, raw, anchor) = logged();
    drop_guards(&raw);
    raw.execute_batch("DELETE FROM audit_log; DELETE FROM audit_head;")
        .unwrap();
    assert_eq!(verify(&cache, &anchor), broken(1, BreakKind::Removed));
    let (_fresh_dir, fresh) = fresh_cache();
    assert_eq!(
        fresh
            .audit_verify(&key(), Some(&AuditAnchor::empty()))
            .unwrap(),
        Ok(0),
        "a trail that never recorded anything is intact"
    );
}

#[test]
fn a_fresh_file_in_place_of_the_trail_is_found_through_the_anchor() {
    let (dir, cache, raw, anchor) = logged();
    let path = cache.path().to_path_buf();
    drop((cache, raw));
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{}{suffix}", path.display());
        let _ = std::fs::remove_file(file);
    }
    let fresh = Cache::open(&path).unwrap();
    assert_eq!(
        fresh.audit_verify(&key(), Some(&anchor)).unwrap(),
        broken(1, BreakKind::Removed)
    );
    drop(dir);
}

#[test]
fn a_cut_made_behind_the_desks_back_stays_reported_after_the_next_append() {
    let (_dir, mut cache, raw, anchor) = logged();
    drop_guards(&raw);
    raw.execute_batch(
        "DELETE FROM audit_log WHERE seq > 4;
         UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4);",
    )
    .unwrap();
    // The desk appends with the anchor it holds; the new entry would make a valid chain of five.
    let (record, anchor) = cache
        .audit_append(&key(), &anchor, &entry(7, None))
        .unwrap();
    assert_eq!(record.seq, 5);
    assert_eq!(
        anchor.known_break,
        Some(AuditBreak {
            at_seq: 5,
            kind: BreakKind::Removed
        })
    );
    assert_eq!(verify(&cache, &anchor), broken(5, BreakKind::Removed));
}

#[test]
fn an_entry_forged_without_the_key_is_found() {
    let (_dir, cache, raw, anchor) = logged();
    drop_guards(&raw);
    let prev: Vec<u8> = raw
        .query_row("SELECT hash FROM audit_log WHERE seq = 6", [], |r| r.get(0))
        .unwrap();
    let forged = entry(7, Some(8));
    let hash = Sha256::new()
        .chain_update(&prev)
        .chain_update(canonical(&forged).as_bytes())
        .finalize()
        .to_vec();
    raw.execute(
        "INSERT INTO audit_log (at, officer, action, user_id, document_id, outcome, detail,
             prev_hash, hash, chain)
         VALUES (?1, ?2, ?3, 8, ?4, 'succeeded', ?5, ?6, ?7, 2)",
        params![
            forged.at.unix_micros(),
            forged.officer,
            forged.action,
            forged.document_id.map(|d| d.get() as i64),
            forged.detail,
            prev,
            hash
        ],
    )
    .unwrap();
    raw.execute(
        "UPDATE audit_head SET seq = 7, hash = (SELECT hash FROM audit_log WHERE seq = 7)",
        [],
    )
    .unwrap();
    assert_eq!(verify(&cache, &anchor), broken(7, BreakKind::Edited));
}

#[test]
fn opening_a_keyed_trail_without_its_anchor_reports_it_unanchored() {
    let (_dir, mut cache, _raw, _anchor) = logged();
    let opened = cache
        .audit_open(&key(), None, at(1000), "Claire Dubois")
        .unwrap();
    assert_eq!(
        opened.anchor.known_break,
        Some(AuditBreak {
            at_seq: 6,
            kind: BreakKind::Unanchored
        })
    );
    assert!(opened.sealed.is_none());
    assert_eq!(
        verify(&cache, &opened.anchor),
        broken(6, BreakKind::Unanchored)
    );
}

#[test]
fn opening_catches_a_lagging_anchor_up_and_keeps_a_break() {
    let (_dir, mut cache, raw, anchor) = logged();
    // The desk stopped after committing entry 7 and before writing its anchor.
    let (_, _) = cache
        .audit_append(&key(), &anchor, &entry(7, None))
        .unwrap();
    let opened = cache
        .audit_open(&key(), Some(anchor.clone()), at(1000), "Claire Dubois")
        .unwrap();
    assert_eq!(opened.anchor.entries, 7);
    assert_eq!(opened.anchor.known_break, None);
    assert_eq!(verify(&cache, &opened.anchor), Ok(7));

    drop_guards(&raw);
    raw.execute("UPDATE audit_log SET detail = 'x' WHERE seq = 2", [])
        .unwrap();
    let reopened = cache
        .audit_open(&key(), Some(opened.anchor), at(1000), "Claire Dubois")
        .unwrap();
    assert_eq!(
        reopened.anchor.known_break,
        Some(AuditBreak {
            at_seq: 2,
            kind: BreakKind::Edited
        })
    );
}

#[test]
fn a_removed_entry_is_found() {
    let (_dir, cache, raw, anchor) = logged();
    drop_guards(&raw);
    raw.execute("DELETE FROM audit_log WHERE seq = 4", [])
        .unwrap();
    assert_eq!(verify(&cache, &anchor), broken(4, BreakKind::Removed));
}

#[test]
fn a_removed_last_entry_is_found_through_the_head() {
    let (_dir, cache, raw, _anchor) = logged();
    drop_guards(&raw);
    raw.execute("DELETE FROM audit_log WHERE seq = 6", [])
        .unwrap();
    assert_eq!(
        cache.audit_verify(&key(), None).unwrap(),
        broken(6, BreakKind::Removed)
    );
}

#[test]
fn reordered_entries_are_found() {
    let (_dir, cache, raw, anchor) = logged();
    drop_guards(&raw);
    // Swap entries 2 and 5 whole (content and hashes): each still hashes right, the chain does not.
    raw.execute_batch(
        "UPDATE audit_log SET seq = 100 WHERE seq = 2;
         UPDATE audit_log SET seq = 2 WHERE seq = 5;
         UPDATE audit_log SET seq = 5 WHERE seq = 100;",
    )
    .unwrap();
    assert_eq!(verify(&cache, &anchor), broken(2, BreakKind::Reordered));
}

#[test]
fn the_csv_export_holds_every_field_quoted_where_needed() {
    let (_dir, cache, _raw, _anchor) = logged();
    let mut out = Vec::new();
    assert_eq!(
        cache.audit_export_csv(AuditScope::All, &mut out).unwrap(),
        6
    );
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with(
        "seq,at,at_unix_micros,officer,action,user_id,document_id,outcome,detail,prev_hash,hash,chain\n"
    ));
    let entries = cache.audit_entries(AuditScope::All, 0, 100).unwrap();
    let third = &entries[2];
    let line = format!(
        "3,{},{},Claire Dubois,download_document,7,903,failed,\"entry 3, with \"\"quotes\"\", commas and\na line break\",{},{},hmac-sha256\n",
        third.entry.at.to_rfc3339(),
        third.entry.at.unix_micros(),
        third.prev_hash,
        third.hash
    );
    assert!(text.contains(&line), "{text}");
}

#[test]
fn the_json_export_starts_with_the_head_and_one_users_trail_holds_only_theirs() {
    let (_dir, cache, _raw, _anchor) = logged();
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
    assert_eq!(all["format"], "kyc-desk-audit/2");
    assert_eq!(entries[0]["officer"], "Claire Dubois");
    assert_eq!(entries[0]["chain"], "hmac-sha256");
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
    let (_dir, cache, _raw, anchor) = logged();
    let reader = cache.reader().unwrap();
    assert_eq!(reader.audit_verify(&key(), Some(&anchor)).unwrap(), Ok(6));
    let mut out = Vec::new();
    assert_eq!(
        reader.audit_export_csv(AuditScope::All, &mut out).unwrap(),
        6
    );
}
