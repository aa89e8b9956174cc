-- Cases (escalated or audited frames) with their verdicts, and the inspectors who give them.
-- Images stay in the data directory (<data>/cases), not here: they are large, and this script
-- keeps to the types that read the same on SQLite and PostgreSQL.

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    device_id TEXT NOT NULL,
    site TEXT NOT NULL,
    line TEXT NOT NULL,
    captured_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    model_name TEXT NOT NULL,
    model_version TEXT NOT NULL,
    automation_level TEXT NOT NULL,
    decision TEXT NOT NULL,
    model_call TEXT NOT NULL,
    probabilities TEXT NOT NULL,
    has_heatmap INTEGER NOT NULL,
    status TEXT NOT NULL,
    verdict TEXT,
    reviewed_by TEXT,
    reviewed_at BIGINT
);

CREATE INDEX cases_by_status ON cases (status, captured_at);

-- Every verdict an inspector gave, "unsure" included: an unsure case stays open for the others.
CREATE TABLE case_verdicts (
    case_id TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    inspector TEXT NOT NULL,
    verdict TEXT NOT NULL,
    decided_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, inspector)
);

CREATE TABLE inspectors (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE inspector_sessions (
    token_hash TEXT PRIMARY KEY,
    inspector TEXT NOT NULL REFERENCES inspectors (name) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
