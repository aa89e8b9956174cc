-- Telemetry aggregates as devices published them (protos/telemetry.proto ModelAggregate), one row
-- per message id so a message delivered twice is stored once. The columns the queries filter and
-- sum on are copied out of the payload; the payload keeps the histograms, which merge exactly.

CREATE TABLE telemetry_aggregates (
    message_id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    role TEXT NOT NULL,
    model_name TEXT NOT NULL,
    model_version TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    window_end BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    frames BIGINT NOT NULL,
    errors BIGINT NOT NULL,
    escalations BIGINT NOT NULL,
    payload TEXT NOT NULL
);

CREATE INDEX telemetry_by_device ON telemetry_aggregates (device_id, window_end);
CREATE INDEX telemetry_by_version ON telemetry_aggregates (model_name, model_version, window_end);
CREATE INDEX telemetry_by_received ON telemetry_aggregates (received_at);
