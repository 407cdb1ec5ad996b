//! The team's audit trail, kept at the hub: one hash-chained, keyed list of everything officers
//! did, whichever desk they did it on.
//!
//! Two ways in, both named by the hub from the credential that authenticated the request, never
//! from a body: every team record the hub accepts (a note today, claims and decisions later) gets
//! an entry in the transaction that stores it; and a desk sends each entry of its local audit
//! trail ([`TrailWrite`], `POST /v1/trail`) under an id of its own, stored once however often it
//! is sent again.
//!
//! Each entry carries the MAC of the one before and its own: `mac = HMAC-SHA256(key, prev_mac ‖
//! canonical form)` ([`mac`]), the first entry chaining to 32 zero bytes. The key stays with the
//! hub (a key file, never the database), so someone who can write the database can change, remove
//! or insert an entry, but not recompute a MAC that [`verify`] accepts. What a chain alone cannot
//! show is a tail cut off: the newest entries deleted together leave a valid, shorter chain (see
//! the relay's README and `SECURITY.md`).
//!
//! What goes into an entry is what the desk's own audit keeps: names, ids, codes and outcomes,
//! never a secret and never an AML-sensitive reason's text.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::officer::OfficerName;
use crate::time::Timestamp;

/// The first entry's previous MAC.
pub const GENESIS: [u8; 32] = [0; 32];

/// The longest detail the hub keeps, in characters.
pub const DETAIL_MAX_CHARS: usize = 2000;

/// What a desk sends to `POST /v1/trail`: one entry of its local audit trail, under an id of its
/// choosing (a retry after a lost answer is stored once). The author is not a field: the hub
/// names it from the credential, and refuses a body that carries any field beyond these.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrailWrite {
    /// 1 to 64 letters, digits, `-` or `_`.
    pub id: String,
    /// A machine name: 1 to 64 of `a-z`, `0-9`, `_`, `.` (e.g. `download_document`).
    pub action: String,
    /// `started`, `succeeded`, `failed`, `refused`, `cancelled` (the desk's outcomes), same shape
    /// as an action.
    pub outcome: String,
    pub user_id: Option<String>,
    pub document_id: Option<String>,
    /// What the desk's entry says: ids, codes, counts; at most [`DETAIL_MAX_CHARS`].
    pub detail: String,
    /// When the desk did it, by the desk's clock (the entry's `at` is the hub's).
    pub occurred_at: Timestamp,
}

impl TrailWrite {
    /// `Err` with what is wrong, for the 400 the hub answers.
    pub fn check(&self) -> Result<(), String> {
        if !id_shape(&self.id) {
            return Err("an entry's id is 1 to 64 letters, digits, '-' or '_'".into());
        }
        if !machine_name(&self.action) || !machine_name(&self.outcome) {
            return Err(
                "an action and an outcome are machine names: 1 to 64 of a-z, 0-9, '_' or '.'"
                    .into(),
            );
        }
        for id in [&self.user_id, &self.document_id].into_iter().flatten() {
            if !id_shape(id) {
                return Err("a user or document id is 1 to 64 letters, digits, '-' or '_'".into());
            }
        }
        if self.detail.chars().count() > DETAIL_MAX_CHARS {
            return Err(format!(
                "an entry's detail is at most {DETAIL_MAX_CHARS} characters"
            ));
        }
        if self.detail.chars().any(char::is_control) {
            return Err("an entry's detail cannot hold control characters".into());
        }
        Ok(())
    }
}

fn id_shape(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

fn machine_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.'))
}

/// The hub's answer to `POST /v1/trail`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailWritten {
    /// The entry's number in the trail; `None` when this officer had sent this id before.
    pub seq: Option<u64>,
}

/// One entry of the hub's trail, as stored and exported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailEntry {
    pub seq: u64,
    /// When the hub stored it.
    pub at: Timestamp,
    /// Who, as the hub authenticated them.
    pub officer: OfficerName,
    pub action: String,
    pub outcome: String,
    pub user_id: Option<String>,
    pub document_id: Option<String>,
    pub detail: String,
    /// The desk's time for an entry a desk sent; `None` for a team record (its `at` is when).
    pub occurred_at: Option<Timestamp>,
    /// The feed's number of the team record this entry records; `None` for a desk's entry.
    pub feed_seq: Option<u64>,
    /// Hex MAC of the entry before (64 zeros for the first).
    pub prev_mac: String,
    pub mac: String,
}

/// The bytes an entry's MAC covers after the previous MAC: every field but the MACs, in a fixed
/// order, the instants in microseconds. The sequence number is in it, so an entry moved to
/// another place fails.
fn canonical(entry: &TrailEntry) -> Vec<u8> {
    #[derive(Serialize)]
    struct Form<'a> {
        seq: u64,
        at: i64,
        officer: &'a str,
        action: &'a str,
        outcome: &'a str,
        user_id: Option<&'a str>,
        document_id: Option<&'a str>,
        detail: &'a str,
        occurred_at: Option<i64>,
        feed_seq: Option<u64>,
    }
    serde_json::to_vec(&Form {
        seq: entry.seq,
        at: entry.at.unix_micros(),
        officer: entry.officer.as_str(),
        action: &entry.action,
        outcome: &entry.outcome,
        user_id: entry.user_id.as_deref(),
        document_id: entry.document_id.as_deref(),
        detail: &entry.detail,
        occurred_at: entry.occurred_at.map(Timestamp::unix_micros),
        feed_seq: entry.feed_seq,
    })
    .expect("a trail entry serializes")
}

/// `HMAC-SHA256(key, prev ‖ canonical(entry))`.
pub fn mac(key: &[u8], prev: &[u8], entry: &TrailEntry) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(prev);
    mac.update(&canonical(entry));
    mac.finalize().into_bytes().into()
}

/// Fills in `prev_mac` and `mac` of an entry that follows an entry whose MAC is `prev`; returns
/// the new MAC, the next entry's `prev`.
pub fn seal(key: &[u8], prev: &[u8; 32], entry: &mut TrailEntry) -> [u8; 32] {
    let mac = mac(key, prev, entry);
    entry.prev_mac = hex(prev);
    entry.mac = hex(&mac);
    mac
}

/// What [`verify`] found: how many entries hold together, and where the chain breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailCheck {
    /// Entries checked before the first break (all of them when the trail is intact).
    pub entries: u64,
    pub broken: Option<TrailBreak>,
    /// The MAC of the last entry that holds: it stands for the whole chain up to it. Absent from
    /// an empty trail, and from the answers of hubs before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<String>,
    /// The MAC of the entry the asker named (`?seen=N`), when the chain holds up to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<String>,
}

impl TrailCheck {
    pub fn intact(&self) -> bool {
        self.broken.is_none()
    }
}

/// The first entry that does not hold, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailBreak {
    pub seq: u64,
    pub kind: BreakKind,
    /// For the officer: what is wrong, in words.
    pub reason: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "TrailBreakKind"))]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// Numbers are missing before this entry: entries were removed.
    Missing,
    /// Its previous MAC is not the MAC of the entry before: an entry was removed, inserted or
    /// replaced before it.
    Unchained,
    /// Its MAC does not match what it holds: it was altered (or the hub runs with another key
    /// than the one that wrote it).
    Altered,
    /// The trail ends before an entry a desk saw it hold: entries were cut from its end. What
    /// remains still chains, so only a witness of the longer trail can tell.
    CutShort,
    /// The entry a desk saw at this number is not the one there now: the trail was cut back to
    /// before it and grew again.
    Rewritten,
}

/// What a desk saw of a hub's trail: it held entry `seq` (the furthest number the hub gave one
/// of the desk's entries, or verified), and, at the desk's last intact verification, entry
/// `verified.0` had MAC `verified.1`, which stands for the whole chain up to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    pub seq: u64,
    pub verified: Option<(u64, String)>,
}

impl TrailCheck {
    /// This check, held against what a desk saw of the same trail (asked with `?seen=` the
    /// verified entry's number): an intact trail that now ends before the furthest entry seen lost
    /// its end; one whose verified entry has another MAC was cut back and written again.
    pub fn against_witness(self, witness: Option<&Witness>) -> TrailCheck {
        let Some(witness) = witness.filter(|_| self.intact()) else {
            return self;
        };
        let seen = witness.seq;
        let broken = if self.entries < seen {
            TrailBreak {
                seq: self.entries + 1,
                kind: BreakKind::CutShort,
                reason: format!(
                    "the trail ends at entry {}, but this desk saw it hold entry {seen}: entries {} to {seen} were cut from its end",
                    self.entries,
                    self.entries + 1
                ),
            }
        } else if let Some((at, _)) = witness
            .verified
            .as_ref()
            .filter(|(_, mac)| self.seen.as_ref() != Some(mac))
        {
            TrailBreak {
                seq: *at,
                kind: BreakKind::Rewritten,
                reason: format!(
                    "entry {at} is not the entry this desk verified there: the trail was cut back to before it and written again"
                ),
            }
        } else {
            return self;
        };
        TrailCheck {
            broken: Some(broken),
            ..self
        }
    }
}

/// Walks entries in order of `seq` and stops at the first that does not hold. Feed it in pages:
/// `state` carries where the previous page ended.
#[derive(Clone, Debug)]
pub struct Verifier {
    expected_seq: u64,
    prev: [u8; 32],
    checked: u64,
    broken: Option<TrailBreak>,
    /// The entry whose MAC the asker wants, and that MAC once the chain holds up to it.
    wanted: Option<u64>,
    seen: Option<String>,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            expected_seq: 1,
            prev: GENESIS,
            checked: 0,
            broken: None,
            wanted: None,
            seen: None,
        }
    }
}

impl Verifier {
    /// A verifier that also reports the MAC of entry `seq`, if the chain holds up to it.
    pub fn seeing(seq: Option<u64>) -> Verifier {
        Verifier {
            wanted: seq,
            ..Verifier::default()
        }
    }

    /// Checks the next entry; `false` once the chain is broken (the rest need not be read).
    pub fn check(&mut self, key: &[u8], entry: &TrailEntry) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let fail = |kind, reason: String| TrailBreak {
            seq: entry.seq,
            kind,
            reason,
        };
        let broken = if entry.seq != self.expected_seq {
            Some(fail(
                BreakKind::Missing,
                format!(
                    "entries {} to {} are missing: they were removed from the hub's database",
                    self.expected_seq,
                    entry.seq.saturating_sub(1)
                ),
            ))
        } else if entry.prev_mac != hex(&self.prev) {
            Some(fail(
                BreakKind::Unchained,
                format!(
                    "entry {} does not follow entry {}: an entry before it was removed, inserted or replaced",
                    entry.seq,
                    entry.seq - 1
                ),
            ))
        } else if entry.mac != hex(&mac(key, &self.prev, entry)) {
            Some(fail(
                BreakKind::Altered,
                format!(
                    "entry {} was altered after it was written (or the hub runs with another trail key than the one that wrote it)",
                    entry.seq
                ),
            ))
        } else {
            None
        };
        if broken.is_some() {
            self.broken = broken;
            return false;
        }
        self.expected_seq += 1;
        self.prev = mac(key, &self.prev, entry);
        self.checked += 1;
        if self.wanted == Some(entry.seq) {
            self.seen = Some(entry.mac.clone());
        }
        true
    }

    pub fn finish(self) -> TrailCheck {
        TrailCheck {
            entries: self.checked,
            broken: self.broken,
            head: (self.checked > 0).then(|| hex(&self.prev)),
            seen: self.seen,
        }
    }
}

/// Checks a whole trail held in memory.
pub fn verify<'a>(key: &[u8], entries: impl IntoIterator<Item = &'a TrailEntry>) -> TrailCheck {
    let mut verifier = Verifier::default();
    for entry in entries {
        if !verifier.check(key, entry) {
            break;
        }
    }
    verifier.finish()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a trail key of thirty-two bytes!";

    fn entry(seq: u64) -> TrailEntry {
        TrailEntry {
            seq,
            at: Timestamp::from_unix_micros(1_700_000_000_000_000 + seq as i64),
            officer: OfficerName::parse("Zoé Martin").unwrap(),
            action: "download_document".into(),
            outcome: "succeeded".into(),
            user_id: Some("42".into()),
            document_id: Some("7".into()),
            detail: "code 2304".into(),
            occurred_at: None,
            feed_seq: None,
            prev_mac: String::new(),
            mac: String::new(),
        }
    }

    fn chain(n: u64) -> Vec<TrailEntry> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let mut e = entry(seq);
                prev = seal(KEY, &prev, &mut e);
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_each_kind_of_tampering_is_named() {
        let trail = chain(5);
        let check = verify(KEY, &trail);
        assert_eq!((check.entries, check.broken), (5, None));

        let mut altered = trail.clone();
        altered[2].detail = "nothing happened".into();
        let check = verify(KEY, &altered);
        assert_eq!(check.entries, 2);
        assert_eq!(check.broken.as_ref().unwrap().seq, 3);
        assert_eq!(check.broken.unwrap().kind, BreakKind::Altered);

        let mut removed = trail.clone();
        removed.remove(1);
        let broken = verify(KEY, &removed).broken.unwrap();
        assert_eq!((broken.seq, broken.kind), (3, BreakKind::Missing));

        // Removed, then renumbered: the next entry no longer chains to the one before it.
        let mut renumbered = removed.clone();
        for (at, e) in renumbered.iter_mut().enumerate() {
            e.seq = at as u64 + 1;
        }
        let broken = verify(KEY, &renumbered).broken.unwrap();
        assert_eq!((broken.seq, broken.kind), (2, BreakKind::Unchained));

        // Forged with another key: the MAC does not hold under the hub's.
        let mut forged = trail.clone();
        let prev = hex_bytes(&forged[3].prev_mac);
        forged[3].officer = OfficerName::parse("Someone Else").unwrap();
        seal(b"another key entirely, not the hub", &prev, &mut forged[3]);
        let broken = verify(KEY, &forged).broken.unwrap();
        assert_eq!((broken.seq, broken.kind), (4, BreakKind::Altered));
    }

    #[test]
    fn an_intact_trail_that_ends_before_or_differs_from_what_a_desk_saw_is_broken() {
        let intact = TrailCheck {
            entries: 5,
            broken: None,
            head: Some("e5".into()),
            seen: Some("e4".into()),
        };
        let saw = |seq, mac: Option<&str>| Witness {
            seq,
            verified: mac.map(|mac| (4, mac.to_owned())),
        };

        let cut = intact.clone().against_witness(Some(&saw(7, None)));
        let broken = cut
            .broken
            .clone()
            .expect("a trail shorter than its witness is broken");
        assert_eq!((broken.seq, broken.kind), (6, BreakKind::CutShort));
        assert!(
            broken.reason.contains("entries 6 to 7"),
            "{}",
            broken.reason
        );
        assert_eq!(cut.entries, 5);

        // Long enough, but entry 4 is not the one the desk verified: cut back and grown again.
        let grown = intact.clone().against_witness(Some(&saw(4, Some("other"))));
        let broken = grown
            .broken
            .expect("another entry at the witnessed number is a break");
        assert_eq!((broken.seq, broken.kind), (4, BreakKind::Rewritten));

        // What was seen is there: nothing to say.
        for witness in [
            None,
            Some(saw(5, None)),
            Some(saw(3, None)),
            Some(saw(4, Some("e4"))),
        ] {
            assert_eq!(intact.clone().against_witness(witness.as_ref()), intact);
        }
        // A chain already broken keeps its own, earlier break.
        let altered = TrailCheck {
            entries: 2,
            broken: Some(TrailBreak {
                seq: 3,
                kind: BreakKind::Altered,
                reason: "entry 3 was altered".into(),
            }),
            head: Some("e2".into()),
            seen: None,
        };
        assert_eq!(
            altered.clone().against_witness(Some(&saw(9, None))),
            altered
        );
    }

    #[test]
    fn the_verifier_names_the_head_and_the_mac_of_the_entry_asked_for() {
        let entries = chain(3);
        let mut verifier = Verifier::seeing(Some(2));
        for entry in &entries {
            assert!(verifier.check(KEY, entry));
        }
        let check = verifier.finish();
        assert_eq!(check.head.as_deref(), Some(entries[2].mac.as_str()));
        assert_eq!(check.seen.as_deref(), Some(entries[1].mac.as_str()));
        assert_eq!(verify(KEY, &[]).head, None);
    }

    fn hex_bytes(text: &str) -> [u8; 32] {
        let mut out = [0; 32];
        for (at, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[at * 2..at * 2 + 2], 16).unwrap();
        }
        out
    }

    #[test]
    fn a_desk_entry_reads_its_own_shape_only_and_names_no_author() {
        let json = r#"{"id":"a-1","action":"download_document","outcome":"succeeded","user_id":"42","document_id":"7","detail":"doc 7","occurred_at":"2026-12-01T10:00:00Z"}"#;
        let write: TrailWrite = serde_json::from_str(json).unwrap();
        assert_eq!(write.check(), Ok(()));
        let with_author = json.replace(r#""id""#, r#""officer":"Zoé Martin","id""#);
        assert!(serde_json::from_str::<TrailWrite>(&with_author).is_err());
        for bad in [
            TrailWrite {
                action: "Download Document".into(),
                ..write.clone()
            },
            TrailWrite {
                id: "a/1".into(),
                ..write.clone()
            },
            TrailWrite {
                detail: "line\u{1b}[2J".into(),
                ..write.clone()
            },
            TrailWrite {
                detail: "x".repeat(DETAIL_MAX_CHARS + 1),
                ..write.clone()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
