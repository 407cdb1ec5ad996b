-- Officers of the team and their credentials. Only a SHA-256 of each credential is kept: the
-- credential itself is shown once, when it is issued.
CREATE TABLE officers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('officer', 'senior', 'auditor')),
    token_hash bytea NOT NULL CONSTRAINT officers_token_hash_unique UNIQUE,
    created_at bigint NOT NULL,
    revoked_at bigint
);
-- One active credential per name; a revoked officer can be issued a new one under the same name.
CREATE UNIQUE INDEX officers_active_name ON officers (name) WHERE revoked_at IS NULL;
