-- Team records (notes, and later claims and decisions) share the log with Treezor's webhooks.
-- `officer` names the author the hub authenticated; it is NULL for every webhook, which is how a
-- reader tells a colleague's record from anything Treezor signed.
ALTER TABLE events ADD COLUMN officer text;

-- append_events as in 0001, with each record's author. The old signature goes: an instance that
-- has not been upgraded fails its appends loudly (503, the sender retries) rather than storing a
-- team record without its author.
DROP FUNCTION append_events(text[], text[], text[], text[], bigint[], text[]);

CREATE FUNCTION append_events(
    ids text[],
    webhooks text[],
    objects text[],
    object_ids text[],
    created_ats bigint[],
    payloads text[],
    officers text[]
) RETURNS TABLE (stored_id text, stored_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
    first_seq bigint;
    received bigint;
    stored bigint;
BEGIN
    -- The append lock, until commit (see 0001 for why numbers taken under it have no holes).
    PERFORM pg_advisory_xact_lock(4846191140421633);
    SELECT h.last_seq + 1,
           greatest(h.last_received, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
      INTO first_seq, received
      FROM log_head h;
    RETURN QUERY
    WITH fresh AS (
        SELECT u.id, u.webhook, u.object, u.object_id, u.created_at, u.payload, u.officer,
               row_number() OVER (ORDER BY u.ord) - 1 AS n
          FROM unnest(ids, webhooks, objects, object_ids, created_ats, payloads, officers)
               WITH ORDINALITY AS u(id, webhook, object, object_id, created_at, payload, officer, ord)
         WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.webhook_id = u.id)
    ), inserted AS (
        INSERT INTO events (seq, webhook_id, webhook, object, object_id, webhook_created_at,
                            received_at, payload, officer)
        SELECT first_seq + f.n, f.id, f.webhook, f.object, f.object_id, f.created_at, received,
               f.payload, f.officer
          FROM fresh f
        RETURNING events.webhook_id, events.seq
    )
    SELECT i.webhook_id, i.seq FROM inserted i;
    GET DIAGNOSTICS stored = ROW_COUNT;
    IF stored > 0 THEN
        UPDATE log_head SET last_seq = first_seq + stored - 1, last_received = received;
        PERFORM pg_notify('kyc_relay_log', (first_seq + stored - 1)::text);
    END IF;
END
$$;
