-- loaded_files_twice: invariant 2, networks with more than one different loaded file in a census year.
-- Parameters: none. Reads: meta.submissions.
SELECT census_year, network_id, count(DISTINCT file_sha256)
FROM meta.submissions
WHERE loaded
GROUP BY ALL
HAVING count(DISTINCT file_sha256) > 1
ORDER BY 1, 2
