-- quality_flags: one row per value accepted with a warning (hint) in the loaded workbook of a
-- network and census year: which value, which rule, the German text. Researchers filter on it.
-- Parameters: none. Reads: meta.findings, meta.submissions (the file whose values are in core).
SELECT f.census_year, f.network_id, f.field_key, f.field_label, f.sheet, f.cell,
       f.found AS value_found, f.code AS rule, f.message_de, f.expected AS expected_de
FROM meta.findings f
JOIN meta.submissions s ON s.run_id = f.run_id AND s.file_sha256 = f.file_sha256
WHERE s.loaded AND s.status = 'accepted_with_warnings' AND f.severity = 'warning'
