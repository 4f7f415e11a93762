-- snapshot_tables: invariant 5, the tables of a snapshot attached as database s.
-- Parameters: none. Reads: duckdb_tables().
SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 's'
