-- submission_archive_paths: invariant 4, every received file and where it was archived
-- (the caller checks that the file exists and carries the hash in its name).
-- Parameters: none. Reads: meta.submissions.
SELECT DISTINCT file_sha256, archive_path
FROM meta.submissions
ORDER BY 2
