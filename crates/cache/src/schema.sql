-- Schema version 1 of the dashboard's cache. Times are microseconds since the Unix epoch (UTC).

-- The relay feed's cursor: the highest sequence number applied. One row, written in the same
-- transaction as the events it covers.
CREATE TABLE feed_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT INTO feed_cursor (id, seq) VALUES (1, 0);

-- Every feed event ever applied, whatever its kind: the applied-webhook set (by webhook_id) and
-- the source of each case's timeline. `error` is set when the payload could not be read: the
-- event is kept, shown to the officer, and never blocks the sync.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    webhook_id TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL,
    object TEXT NOT NULL,
    object_id TEXT,
    created_at INTEGER,
    received_at INTEGER NOT NULL,
    applied_at INTEGER NOT NULL,
    payload TEXT NOT NULL,
    error TEXT
);
CREATE INDEX webhooks_unreadable ON webhooks (id) WHERE error IS NOT NULL;

-- Which users a webhook concerns (a payload may list several). No foreign key: only the apply
-- path writes here, right after the webhook, and the check would cost a lookup per row.
CREATE TABLE webhook_users (
    user_id INTEGER NOT NULL,
    webhook INTEGER NOT NULL,
    PRIMARY KEY (user_id, webhook)
) WITHOUT ROWID;

-- Each user's case events, once each: `key` is a digest of the event's canonical form, so a
-- webhook delivered twice (or two webhooks saying the same) adds one event.
CREATE TABLE case_events (
    user_id INTEGER NOT NULL,
    key BLOB NOT NULL,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;

-- Users' profiles, merged field by field from every observation (webhook objects, REST
-- answers): `fields` is a JSON object {"field": [at, key, value]} keeping, for each field, the
-- value of the newest observation that had it, with that observation's instant and digest.
CREATE TABLE profiles (
    user_id INTEGER PRIMARY KEY,
    fields TEXT NOT NULL
);

-- One row per user, what the queue reads: the profile's columns and the case projection, and the
-- four columns the queue sorts and shows that derive from both (display_name, name_key,
-- created_at, last_change; see `row.rs`). The case columns are rewritten from the user's full
-- event set whenever it grows, the profile columns from the merged profile whenever it changes,
-- so arrival order never matters. No trigger and no generated column here: both cost more per
-- write than all the indexes together (measured), and every applied batch rewrites the rows it
-- touches.
CREATE TABLE users (
    user_id INTEGER PRIMARY KEY,
    profile_at INTEGER,
    user_type INTEGER,
    parent_user_id INTEGER,
    profile_created INTEGER,
    profile_modified INTEGER,
    full_name TEXT,
    search_text TEXT,
    state INTEGER NOT NULL,
    score INTEGER,
    aml_flagged INTEGER NOT NULL,
    reasons TEXT NOT NULL,
    review INTEGER NOT NULL,
    first_event_at INTEGER,
    case_last_change INTEGER,
    identification TEXT,
    link_expires_at INTEGER,
    attempts_key BLOB,
    display_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_change INTEGER NOT NULL
);

-- Each sort the queue offers, alone and within one state (the rowid, user_id, ends every index
-- entry, so (key, user_id) is the keyset order).
CREATE INDEX users_by_created ON users (created_at);
CREATE INDEX users_by_last_change ON users (last_change);
CREATE INDEX users_by_name ON users (name_key);
CREATE INDEX users_by_state_created ON users (state, created_at);
CREATE INDEX users_by_state_last_change ON users (state, last_change);
CREATE INDEX users_by_state_name ON users (state, name_key);
-- Links still counted as issued: the queue shows them expired once their time has passed.
CREATE INDEX users_live_links ON users (link_expires_at) WHERE state = 1;
CREATE INDEX users_by_parent ON users (parent_user_id) WHERE parent_user_id IS NOT NULL;

-- Searches: words of three characters or more anywhere in the folded "first last email", through
-- its trigrams. Without positions (detail = none) the index is a third of the size and cheaper to
-- write; it returns candidates, and the queue checks each against `users.search_text`.
CREATE VIRTUAL TABLE users_search USING fts5 (
    text,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'trigram'
);

-- How many users per (state, type, AML flag, score, review): the per-state counts without a scan.
-- Kept in the transaction that changes a user, by the code that writes `users`. -9 stands for
-- "no score", 0 for "no user type".
CREATE TABLE queue_counts (
    state INTEGER NOT NULL,
    user_type INTEGER NOT NULL,
    aml_flagged INTEGER NOT NULL,
    score INTEGER NOT NULL,
    review INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (state, user_type, aml_flagged, score, review)
) WITHOUT ROWID;

-- Every verification attempt of a user, oldest first, rewritten with the case projection.
CREATE TABLE identifications (
    user_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    identification TEXT,
    url TEXT,
    liveness_type TEXT,
    started_at INTEGER NOT NULL,
    expires_at INTEGER,
    status TEXT,
    score INTEGER,
    comment TEXT,
    reasons TEXT NOT NULL,
    decided_at INTEGER,
    PRIMARY KEY (user_id, position)
) WITHOUT ROWID;
CREATE INDEX identifications_by_id ON identifications (identification)
    WHERE identification IS NOT NULL;

-- Treezor documents, the newest observation of each.
CREATE TABLE documents (
    document_id INTEGER PRIMARY KEY,
    user_id INTEGER,
    document_type INTEGER,
    status TEXT,
    file_name TEXT,
    created_at INTEGER,
    observed_at INTEGER NOT NULL,
    observed_key BLOB NOT NULL,
    object TEXT NOT NULL
);
CREATE INDEX documents_by_user ON documents (user_id);

-- Documents downloaded to this machine.
CREATE TABLE document_downloads (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents (document_id),
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    downloaded_at INTEGER NOT NULL
);
CREATE INDEX document_downloads_by_document ON document_downloads (document_id);

-- The officers' audit log: append-only, each entry chained to the one before by SHA-256.
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    officer TEXT NOT NULL,
    action TEXT NOT NULL,
    user_id INTEGER,
    document_id INTEGER,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE INDEX audit_by_user ON audit_log (user_id) WHERE user_id IS NOT NULL;

-- The last entry, kept beside the chain: a removed tail shows as a head that points past the end.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash BLOB NOT NULL
);

CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_log BEGIN
    INSERT INTO audit_head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash)
    ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash;
END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: an entry cannot be changed');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: an entry cannot be removed');
END;

CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its head cannot be removed');
END;
