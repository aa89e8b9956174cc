-- What the agent owes the fleet, oldest first; a row leaves only when its receiver acknowledged it.
CREATE TABLE messages (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL,
    payload    BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

-- Eviction looks for the oldest telemetry.
CREATE INDEX messages_kind_seq ON messages (kind, seq);

-- Survive restarts, so a drop is never forgotten before it was reported.
CREATE TABLE counters (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
);
