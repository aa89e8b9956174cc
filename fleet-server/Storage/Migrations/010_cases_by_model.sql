-- The rollout engine tallies one model version's cases since a rollout started on every step (the audited error gate).
CREATE INDEX cases_by_model ON cases (model_name, model_version, captured_at);
