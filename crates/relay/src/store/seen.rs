//! The webhook ids already stored, kept in memory by the writer: how a duplicate is recognised.
//!
//! Why not a UNIQUE index on `webhook_id`: Treezor's ids are random UUIDs, so each insert lands
//! on a random page of such an index. A group of N webhooks then dirties about N index pages,
//! which the commit writes to the WAL and the checkpoint writes again: measured on the relay's
//! benchmark, that doubled the writer's CPU per webhook and halved durable throughput. The log
//! itself is append-only in `seq` order, so without that index a group dirties only the last
//! few pages of the table.
//!
//! Instead the writer, the only process that inserts (the data file is locked to it), keeps a
//! map from a keyed 64-bit hash of each stored id to the row's `seq`, loaded from the table at
//! start. A hash match is confirmed by reading that row's id by primary key, so a hash collision
//! can never turn a new webhook into a "duplicate"; the hash is keyed per process, so nobody can
//! aim for collisions. Memory is about 20 bytes per retained webhook (20 MB per million).
//!
//! What must stay true: every row in `events` has an entry (rows deleted by retention may lose
//! theirs), and an entry added for a transaction that fails is taken back.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

pub struct Seen {
    keys: RandomState,
    /// hash → seq of the first stored id with that hash.
    first: HashMap<u64, u64>,
    /// hash → seqs of further ids with the same hash (almost always empty).
    more: HashMap<u64, Vec<u64>>,
}

impl Seen {
    /// Reads the ids of every stored webhook.
    pub fn load(conn: &Connection) -> Result<Seen> {
        let count: i64 = conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
        let mut seen = Seen {
            keys: RandomState::new(),
            first: HashMap::with_capacity(count as usize),
            more: HashMap::new(),
        };
        let mut stmt = conn.prepare("SELECT seq, webhook_id FROM events")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: String = row.get(1)?;
            seen.insert(&id, row.get::<_, i64>(0)? as u64);
        }
        Ok(seen)
    }

    /// The `seq` of the stored (or staged, inside the current transaction) webhook with this id.
    pub fn find(&self, conn: &Connection, id: &str) -> rusqlite::Result<Option<u64>> {
        let key = self.keys.hash_one(id);
        let Some(&first) = self.first.get(&key) else {
            return Ok(None);
        };
        let others = self.more.get(&key).map(Vec::as_slice).unwrap_or(&[]);
        let mut read = conn.prepare_cached("SELECT webhook_id FROM events WHERE seq = ?1")?;
        for &seq in std::iter::once(&first).chain(others) {
            let stored: Option<String> = read.query_row([seq as i64], |r| r.get(0)).optional()?;
            if stored.as_deref() == Some(id) {
                return Ok(Some(seq));
            }
        }
        Ok(None)
    }

    pub fn insert(&mut self, id: &str, seq: u64) {
        let key = self.keys.hash_one(id);
        if let Some(&existing) = self.first.get(&key) {
            if existing != seq {
                self.more.entry(key).or_default().push(seq);
            }
        } else {
            self.first.insert(key, seq);
        }
    }

    /// Takes back the entry [`Seen::insert`] made for `id` at `seq`.
    pub fn remove(&mut self, id: &str, seq: u64) {
        let key = self.keys.hash_one(id);
        if let Some(others) = self.more.get_mut(&key)
            && let Some(at) = others.iter().position(|&s| s == seq)
        {
            others.swap_remove(at);
            if others.is_empty() {
                self.more.remove(&key);
            }
            return;
        }
        if self.first.get(&key) == Some(&seq) {
            match self.more.get_mut(&key).and_then(Vec::pop) {
                Some(next) => {
                    self.first.insert(key, next);
                    if self.more.get(&key).is_some_and(Vec::is_empty) {
                        self.more.remove(&key);
                    }
                }
                None => {
                    self.first.remove(&key);
                }
            }
        }
    }

    /// Forgets every entry with `seq <= up_to` (after retention deleted those rows).
    pub fn forget_up_to(&mut self, up_to: u64) {
        self.first.retain(|_, seq| *seq > up_to);
        self.more.retain(|_, seqs| {
            seqs.retain(|seq| *seq > up_to);
            !seqs.is_empty()
        });
        // A hash whose first entry went but whose others stayed keeps one of them as first.
        let orphans: Vec<u64> = self
            .more
            .keys()
            .filter(|key| !self.first.contains_key(key))
            .copied()
            .collect();
        for key in orphans {
            if let Some(mut seqs) = self.more.remove(&key)
                && let Some(next) = seqs.pop()
            {
                self.first.insert(key, next);
                if !seqs.is_empty() {
                    self.more.insert(key, seqs);
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.first.len() + self.more.values().map(Vec::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }

    #[cfg(test)]
    fn with_colliding_keys(keys: RandomState) -> Seen {
        Seen {
            keys,
            first: HashMap::new(),
            more: HashMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::open_for_writing;

    fn store_row(conn: &Connection, seq: u64, id: &str) {
        conn.execute(
            "INSERT INTO events (seq, webhook_id, webhook, object, received_at, payload) \
             VALUES (?1, ?2, 'user.update', 'user', 0, '{}')",
            rusqlite::params![seq as i64, id],
        )
        .unwrap();
    }

    #[test]
    fn finds_stored_ids_after_a_reload_and_forgets_pruned_ones() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_for_writing(&dir.path().join("e.sqlite3")).unwrap();
        for (seq, id) in [(1, "a"), (2, "b"), (3, "c")] {
            store_row(&conn, seq, id);
        }
        let mut seen = Seen::load(&conn).unwrap();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen.find(&conn, "b").unwrap(), Some(2));
        assert_eq!(seen.find(&conn, "d").unwrap(), None);
        seen.forget_up_to(2);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen.find(&conn, "a").unwrap(), None);
        assert_eq!(seen.find(&conn, "c").unwrap(), Some(3));
    }

    #[test]
    fn a_hash_match_with_another_id_is_not_a_duplicate() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_for_writing(&dir.path().join("e.sqlite3")).unwrap();
        store_row(&conn, 1, "first");
        store_row(&conn, 2, "second");
        // Force a collision: file both ids under one hash, as if their hashes were equal.
        let mut seen = Seen::with_colliding_keys(RandomState::new());
        let key = seen.keys.hash_one("first");
        seen.first.insert(key, 1);
        seen.more.insert(key, vec![2]);
        assert_eq!(seen.find(&conn, "first").unwrap(), Some(1));
        // "second" hashes elsewhere, so it is only found through its own key...
        assert_eq!(seen.find(&conn, "second").unwrap(), None);
        // ...and an id whose key matches but whose row says otherwise is new.
        let mut lying = Seen::with_colliding_keys(seen.keys.clone());
        lying.first.insert(lying.keys.hash_one("third"), 1);
        assert_eq!(lying.find(&conn, "third").unwrap(), None);
        // Taking back the first entry promotes the next one.
        seen.remove("first", 1);
        assert_eq!(seen.first.get(&key), Some(&2));
        assert!(seen.more.is_empty());
        seen.forget_up_to(2);
        assert!(seen.is_empty());
    }
}
