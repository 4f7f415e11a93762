-- parquet_hits: invariant 5, rows (as text) of a Parquet file that match the pattern of personal values.
-- Parameters: ? path of the Parquet file, ? regular expression. Reads: that file.
SELECT CAST(x AS VARCHAR) FROM read_parquet(?) x WHERE regexp_matches(CAST(x AS VARCHAR), ?)
