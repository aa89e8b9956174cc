-- The manifest fields each device's agent reads, so that a rollout is refused before a device is sent a package whose
-- manifest its agent would refuse. Devices of one agent build send the same list: it is kept once, under the SHA-256
-- of its JSON, and a device names it. NULL: the agent did not say (older than the list).
CREATE TABLE agent_manifest_fields (
    id TEXT PRIMARY KEY,
    fields TEXT NOT NULL
);

ALTER TABLE devices ADD COLUMN manifest_fields_id TEXT;
