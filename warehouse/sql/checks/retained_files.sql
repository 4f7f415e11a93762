-- retained_files: archived files removed by retention (their absence is no breach).
-- Parameters: none. Reads: meta.retention.
SELECT file_sha256 FROM meta.retention
