-- Schema version 3: a signed payload is one event whatever its envelope, and a case's history is
-- dated by the payload's own times (see `replay.rs` and `redate.rs`, which fills these columns for
-- the webhooks stored before).

-- The digest of the webhook's signed payload (canonical form), the time it takes in a case's
-- timeline, and for a replay, the webhook (`webhooks.id`) that carried the payload first.
ALTER TABLE webhooks ADD COLUMN payload_key BLOB;
ALTER TABLE webhooks ADD COLUMN at INTEGER;
ALTER TABLE webhooks ADD COLUMN replay_of INTEGER;

-- One first carrier per payload; replays point to it.
CREATE UNIQUE INDEX webhooks_by_payload ON webhooks (payload_key) WHERE replay_of IS NULL;
