-- The rollout leader reads only the devices that reported since its last step, not the whole fleet.
CREATE INDEX devices_last_report_at ON devices (last_report_at);
