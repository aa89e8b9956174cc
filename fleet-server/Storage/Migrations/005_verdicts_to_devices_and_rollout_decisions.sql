-- A verdict is owed to the device that uploaded the case until the device acknowledges it
-- (CaseService.WatchVerdicts / AcknowledgeVerdicts).
ALTER TABLE cases ADD COLUMN verdict_acknowledged_at BIGINT;

CREATE INDEX cases_owed_verdicts ON cases (device_id, status, verdict_acknowledged_at);

-- A rollout's decision settings for the devices it moves (automation level, bands), as JSON; NULL keeps the devices' own.
ALTER TABLE rollouts ADD COLUMN decisions_json TEXT;
