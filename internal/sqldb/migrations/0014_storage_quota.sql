-- Per-company storage quota (issue 4, SECURITY.md 16). Same SQL on both
-- engines.
--
-- storage_used_bytes is the sum of the company's files.size, kept by the
-- store in the same transaction as each insert and delete of a file row,
-- so a conditional UPDATE can refuse a file that would not fit without a
-- race. The default quota, 10 GiB (10737418240 bytes), is
-- sqldb.DefaultStorageQuota; an operator changes a company's with
-- `lintel company quota`.
ALTER TABLE companies ADD COLUMN storage_quota_bytes BIGINT NOT NULL DEFAULT 10737418240;
ALTER TABLE companies ADD COLUMN storage_used_bytes BIGINT NOT NULL DEFAULT 0;
UPDATE companies SET storage_used_bytes = (SELECT COALESCE(SUM(f.size), 0) FROM files f WHERE f.company_id = companies.id);
