-- vergleich_vorjahr: every published cell that differs between this edition and the previous
-- year's (changed, new or dropped), matched by table, row key and column.
-- Parameters: none. Reads: current_cells, previous_cells (the two editions' published cells,
-- loaded by publications/compare.py into an in-memory DuckDB).
WITH joined AS (
    SELECT coalesce(c.table_name, p.table_name) AS table_name,
           coalesce(c.table_title, p.table_title) AS table_title,
           coalesce(c.row_key, p.row_key) AS row_key,
           coalesce(c.column_key, p.column_key) AS column_key,
           coalesce(c.column_header, p.column_header) AS column_header,
           coalesce(c.position, p.position) AS position,
           coalesce(c.row_no, p.row_no + 100000) AS row_no,
           coalesce(c.column_no, p.column_no) AS column_no,
           p.text AS previous, c.text AS current, p.number AS previous_number, c.number AS current_number,
           CASE WHEN p.row_key IS NULL THEN 'neu' WHEN c.row_key IS NULL THEN 'entfallen'
                ELSE 'geändert' END AS status
    FROM current_cells AS c
    FULL OUTER JOIN previous_cells AS p
      ON p.table_name = c.table_name AND p.row_key = c.row_key AND p.column_key = c.column_key
)
SELECT table_name, table_title, row_key, column_key, column_header, previous, current,
       ROUND(current_number - previous_number, 2) AS change,
       ROUND(100.0 * (current_number - previous_number) / NULLIF(abs(previous_number), 0), 1) AS change_percent,
       status
FROM joined
WHERE previous IS DISTINCT FROM current
ORDER BY position, row_no, column_no
