-- snapshot_table_hits: invariant 5, rows (as text) of the snapshot table {{snapshot_table}} that match
-- the pattern of personal values.
-- Parameters: ? regular expression. {{snapshot_table}} is an identifier filled in by
-- sqltext.with_identifiers. Reads: that table.
SELECT CAST(x AS VARCHAR) FROM {{snapshot_table}} x WHERE regexp_matches(CAST(x AS VARCHAR), ?)
