-- Officers of the team and their credentials. Only a SHA-256 of each credential is kept: the
-- credential itself is shown once, when it is issued.
CREATE TABLE officers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('officer', 'senior', 'auditor')),
    token_hash BLOB NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);
-- One active credential per name; a revoked officer can be issued a new one under the same name.
CREATE UNIQUE INDEX officers_active_name ON officers (name) WHERE revoked_at IS NULL;
