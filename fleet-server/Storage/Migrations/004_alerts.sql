-- Alerts (drift, escalation, latency, offline, stale desired state, outbox near full) and the drift baseline
-- each camera forms from its first windows on a model version. Types as in 002: read the same on SQLite and PostgreSQL.

-- open_key names the condition (kind, device, model, version) while the alert is open and is NULL once it is
-- cleared: the unique index lets one open alert exist per condition, so every replica raises it once.
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    open_key TEXT,
    kind TEXT NOT NULL,
    device_id TEXT,
    model_name TEXT,
    model_version TEXT,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    cleared_at BIGINT
);

CREATE UNIQUE INDEX alerts_open ON alerts (open_key);
CREATE INDEX alerts_by_raised ON alerts (raised_at);

-- The merged histograms (a ModelAggregate payload, base64) of a camera's first windows on a version.
CREATE TABLE drift_baselines (
    device_id TEXT NOT NULL,
    model_name TEXT NOT NULL,
    model_version TEXT NOT NULL,
    formed_at BIGINT NOT NULL,
    frames BIGINT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (device_id, model_name, model_version)
);
