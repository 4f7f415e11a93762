-- networks_archive_paths: invariant 1, where the source file of each core.networks row was archived
-- (the caller checks that the file exists).
-- Parameters: none. Reads: core.networks, meta.submissions.
SELECT n.network_id, n.census_year, n.source_sha256, min(s.archive_path)
FROM core.networks n
JOIN meta.submissions s ON s.file_sha256 = n.source_sha256
GROUP BY ALL
ORDER BY 1, 2
