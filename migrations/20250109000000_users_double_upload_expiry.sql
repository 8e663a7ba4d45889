-- The promotion-expiry job of `swarmline-control serve` ends members' personal double upload every
-- second (UPDATE users ... WHERE double_upload_until <= now()). Without an index that is a scan of
-- every member each second; only a handful of members have such a promotion at any time, so a
-- partial index over them is small and keeps the job's cost independent of the site's size.
CREATE INDEX users_double_upload_until_idx ON users (double_upload_until) WHERE double_upload_until IS NOT NULL;
