-- Schema version 4: the audit log is keyed (see `audit/mod.rs` and `audit/anchor.rs`).

-- How each entry is chained to the one before: 1 = SHA-256 (the entries written before this
-- version), 2 = HMAC-SHA256 under the desk's key. The desk seals the first kind under the second
-- the first time it opens the file.
ALTER TABLE audit_log ADD COLUMN chain INTEGER NOT NULL DEFAULT 1;

-- Every new entry is keyed.
CREATE TRIGGER audit_log_keyed_only BEFORE INSERT ON audit_log WHEN NEW.chain IS NOT 2 BEGIN
    SELECT RAISE(ABORT, 'the audit log is keyed: an entry without its MAC cannot be added');
END;

-- An insert may not take an existing entry's place: `INSERT OR REPLACE` deletes the old row
-- without firing the delete guard unless `recursive_triggers` is on, which a connection other than
-- the desk's may leave off.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: an entry cannot be replaced');
END;

-- The head names the last entry and nothing else: it moves only with an append.
CREATE TRIGGER audit_head_no_update BEFORE UPDATE ON audit_head
WHEN NEW.id IS NOT OLD.id
    OR NEW.seq IS NOT (SELECT max(seq) FROM audit_log)
    OR NEW.hash IS NOT (SELECT hash FROM audit_log WHERE seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its head follows the last entry');
END;

CREATE TRIGGER audit_head_no_replace BEFORE INSERT ON audit_head
WHEN NEW.seq IS NOT (SELECT max(seq) FROM audit_log)
    OR NEW.hash IS NOT (SELECT hash FROM audit_log WHERE seq = NEW.seq) BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its head follows the last entry');
END;
