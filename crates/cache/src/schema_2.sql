-- Schema version 2: retention. Users whose personal data was pruned after their case had been
-- closed for the configured number of days (see `retention.rs`): who, in which closed state,
-- since when, and when the data went. Nothing personal is kept here; the audit log keeps the
-- officers' actions on them.
CREATE TABLE pruned_users (
    user_id INTEGER PRIMARY KEY,
    state INTEGER NOT NULL,
    closed_since INTEGER NOT NULL,
    pruned_at INTEGER NOT NULL
);
