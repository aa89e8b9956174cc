-- Admins log in on the same form as inspectors and get the same kind of session, so one table holds
-- every person who logs in on the HTTP port; it keeps its first name. Existing rows are inspectors.

ALTER TABLE inspectors ADD COLUMN role TEXT NOT NULL DEFAULT 'inspector';
