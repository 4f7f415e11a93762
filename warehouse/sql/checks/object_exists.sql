-- object_exists: whether a table or view exists (older warehouses lack some).
-- Parameters: ? schema name, ? table or view name. Reads: duckdb_tables(), duckdb_views().
SELECT count(*)
FROM (SELECT schema_name, table_name FROM duckdb_tables()
      UNION ALL
      SELECT schema_name, view_name FROM duckdb_views())
WHERE schema_name = ? AND table_name = ?
