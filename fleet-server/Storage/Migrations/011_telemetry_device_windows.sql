-- Aggregates arrive in no order of device, so the (device_id, window_end) index cost SQLite a random page for each
-- one, most of ingestion's time. Each device's windows are listed here instead: by SQLite's one ingestion writer in
-- bulk, in device order, about once a second (what it received after telemetry_indexed.received_to is not listed
-- yet, and readers find it by device among those newest rows); on PostgreSQL in the aggregate's own transaction.
CREATE TABLE telemetry_device_windows (
    device_id TEXT NOT NULL,
    window_end BIGINT NOT NULL,
    message_id TEXT NOT NULL,
    PRIMARY KEY (device_id, window_end, message_id)
);

INSERT INTO telemetry_device_windows (device_id, window_end, message_id)
SELECT device_id, window_end, message_id FROM telemetry_aggregates;

CREATE TABLE telemetry_indexed (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    received_to BIGINT NOT NULL
);

INSERT INTO telemetry_indexed (id, received_to) SELECT 1, COALESCE(MAX(received_at), 0) FROM telemetry_aggregates;

DROP INDEX telemetry_by_device;
