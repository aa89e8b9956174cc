-- The manifest fields each device's agent reads (a JSON array of dotted paths), so that a rollout is refused before a
-- device is sent a package whose manifest its agent would refuse. NULL: the agent did not say (older than the list).
ALTER TABLE devices ADD COLUMN manifest_fields TEXT;
