-- When the rollout engine first saw each device run the rollout's model: probation time and the
-- silence timeout count from there, not from when the device was sent the new desired state
-- (a download can take a while, and is not silence).
ALTER TABLE rollout_devices ADD COLUMN switched_at BIGINT;
