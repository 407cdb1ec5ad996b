-- The log: every verified webhook, numbered from 1 without gaps in the order of the commits that
-- stored them, shared by every relay instance on this database.
--
-- Why the numbers cannot have a hole a reader could see (see src/store/postgres/mod.rs for the
-- proof): append_events takes one transaction-scoped advisory lock before it reads the head and
-- gives out numbers, and holds it until its transaction commits. PostgreSQL makes a committed
-- transaction visible before it releases its locks, so the next append (on any instance) starts
-- numbering only once every lower number is visible to everyone.

CREATE TABLE log_head (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    -- The highest number ever given; never goes down, even when retention deletes every row.
    last_seq bigint NOT NULL,
    -- The `received_at` of that number: the next one is never earlier, so that retention always
    -- deletes a prefix of the log.
    last_received bigint NOT NULL
);
INSERT INTO log_head (last_seq, last_received) VALUES (0, 0);

CREATE TABLE events (
    seq bigint PRIMARY KEY,
    -- A webhook delivered twice, to the same instance or to two, is stored once: the database
    -- refuses a second row with the same id.
    webhook_id text NOT NULL CONSTRAINT events_webhook_id_unique UNIQUE,
    webhook text NOT NULL,
    object text NOT NULL,
    object_id text,
    webhook_created_at bigint,
    received_at bigint NOT NULL,
    payload text NOT NULL
);

-- Appends one group of webhooks in the caller's transaction (one statement, so one round trip):
-- ids already stored are skipped, the rest get consecutive numbers after the head. Returns the
-- stored ids with their numbers. The caller removes duplicates inside its group beforehand.
CREATE FUNCTION append_events(
    ids text[],
    webhooks text[],
    objects text[],
    object_ids text[],
    created_ats bigint[],
    payloads text[]
) RETURNS TABLE (stored_id text, stored_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
    first_seq bigint;
    received bigint;
    stored bigint;
BEGIN
    -- The append lock, until commit. Every statement below runs after it is granted, so each
    -- sees every append that committed before (a function's statements take fresh snapshots).
    PERFORM pg_advisory_xact_lock(4846191140421633);
    SELECT h.last_seq + 1,
           greatest(h.last_received, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
      INTO first_seq, received
      FROM log_head h;
    RETURN QUERY
    WITH fresh AS (
        SELECT u.id, u.webhook, u.object, u.object_id, u.created_at, u.payload,
               row_number() OVER (ORDER BY u.ord) - 1 AS n
          FROM unnest(ids, webhooks, objects, object_ids, created_ats, payloads) WITH ORDINALITY
               AS u(id, webhook, object, object_id, created_at, payload, ord)
         WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.webhook_id = u.id)
    ), inserted AS (
        INSERT INTO events (seq, webhook_id, webhook, object, object_id, webhook_created_at,
                            received_at, payload)
        SELECT first_seq + f.n, f.id, f.webhook, f.object, f.object_id, f.created_at, received,
               f.payload
          FROM fresh f
        RETURNING events.webhook_id, events.seq
    )
    SELECT i.webhook_id, i.seq FROM inserted i;
    GET DIAGNOSTICS stored = ROW_COUNT;
    IF stored > 0 THEN
        UPDATE log_head SET last_seq = first_seq + stored - 1, last_received = received;
        -- Delivered to every listening instance when (and only if) this transaction commits.
        PERFORM pg_notify('kyc_relay_log', (first_seq + stored - 1)::text);
    END IF;
END
$$;
