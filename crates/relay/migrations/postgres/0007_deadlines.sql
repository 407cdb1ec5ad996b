-- The team's deadlines (state name → seconds, as JSON), set by a senior through
-- `PUT /v1/deadlines`; one row, absent until the first is set (the defaults apply until then).
-- `set_by` and `set_at` say who set the ones in force and when.
CREATE TABLE deadline_policy (
    id integer PRIMARY KEY CHECK (id = 1),
    policy text NOT NULL,
    set_by text NOT NULL,
    set_at bigint NOT NULL
);
