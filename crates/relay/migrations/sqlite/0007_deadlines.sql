-- The team's deadlines (state name → seconds, as JSON), set by a senior through
-- `PUT /v1/deadlines`; one row, absent until the first is set (the defaults apply until then).
-- `set_by` and `set_at` say who set the ones in force and when.
CREATE TABLE deadline_policy (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    policy TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at INTEGER NOT NULL
);
