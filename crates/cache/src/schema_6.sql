-- Schema version 6: the team's own records (notes, and later claims and decisions), as the hub
-- numbered them in its feed beside Treezor's webhooks. Kept apart from `webhooks`: a colleague's
-- record is not something Treezor said, and never reaches a case's webhook timeline. `author` is
-- the officer the hub authenticated; `error` says why a record from a newer hub could not be read
-- (it is kept, so a later desk can read it without fetching the feed again).
CREATE TABLE team_records (
    seq INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    user_id INTEGER,
    author TEXT NOT NULL,
    written_at INTEGER NOT NULL,
    payload TEXT NOT NULL,
    error TEXT
);
CREATE INDEX team_records_by_user ON team_records (user_id, seq);
