-- networks_without_submission: invariant 1, core.networks rows whose source file is not a loaded
-- submission of that network and year.
-- Parameters: none. Reads: core.networks, meta.submissions.
SELECT n.network_id, n.census_year, n.source_sha256
FROM core.networks n
WHERE NOT EXISTS (SELECT 1 FROM meta.submissions s
                  WHERE s.file_sha256 = n.source_sha256 AND s.network_id = n.network_id
                    AND s.census_year = n.census_year AND s.loaded)
ORDER BY 1, 2
