-- Team records (notes, and later claims and decisions) share the log with Treezor's webhooks.
-- `officer` names the author the hub authenticated; it is NULL for every webhook, which is how a
-- reader tells a colleague's record from anything Treezor signed.
ALTER TABLE events ADD COLUMN officer TEXT;
