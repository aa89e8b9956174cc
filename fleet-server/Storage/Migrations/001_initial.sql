-- The same script runs on SQLite and PostgreSQL: TEXT, BIGINT and INTEGER only, timestamps as
-- unix milliseconds, flags as 0/1, ids supplied by the application.

CREATE TABLE models (
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    sequence BIGINT NOT NULL,
    model_sha256 TEXT NOT NULL,
    bundle_sha256 TEXT NOT NULL,
    bundle_size BIGINT NOT NULL,
    pushed_at BIGINT NOT NULL,
    pushed_by TEXT NOT NULL,
    manifest_json TEXT NOT NULL,
    PRIMARY KEY (name, version),
    UNIQUE (name, sequence)
);

CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    tags TEXT NOT NULL,
    enrolled_at BIGINT NOT NULL,
    hostname TEXT NOT NULL,
    agent_version TEXT NOT NULL,
    last_seen_at BIGINT,
    active_model TEXT,
    reported_model TEXT,
    reported_state TEXT,
    reported_reason TEXT,
    reported_revision BIGINT NOT NULL DEFAULT 0,
    execution_provider TEXT,
    last_report_at BIGINT
);

CREATE TABLE enrolment_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    used_by TEXT
);

CREATE TABLE desired_states (
    device_id TEXT PRIMARY KEY,
    revision BIGINT NOT NULL,
    active_model TEXT,
    shadow_model TEXT,
    rollout_id TEXT,
    is_rollback INTEGER NOT NULL,
    hold_switch INTEGER NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Replicas poll for what changed since their last look.
CREATE INDEX desired_states_updated_at ON desired_states (updated_at);

CREATE TABLE rollouts (
    id TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    previous_model TEXT,
    selector TEXT NOT NULL,
    mode TEXT NOT NULL,
    waves TEXT NOT NULL,
    bake_seconds BIGINT NOT NULL,
    gates_json TEXT NOT NULL,
    state TEXT NOT NULL,
    current_wave INTEGER NOT NULL,
    wave_started_at BIGINT,
    reason TEXT,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX rollouts_state ON rollouts (state);

CREATE TABLE rollout_devices (
    rollout_id TEXT NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    wave INTEGER NOT NULL,
    previous_model TEXT,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (rollout_id, device_id)
);

CREATE TABLE rollout_waves (
    rollout_id TEXT NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
    wave_index INTEGER NOT NULL,
    size TEXT NOT NULL,
    started_at BIGINT,
    completed_at BIGINT,
    decision TEXT,
    gate_values_json TEXT,
    PRIMARY KEY (rollout_id, wave_index)
);

-- id is written by the store and sorts in insertion order, so equal timestamps keep their order.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);

CREATE INDEX audit_log_order ON audit_log (occurred_at, id);
