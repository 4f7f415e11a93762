-- laender: the 16 Länder (key, abbreviation, German name) for the publication and researchers.
-- Parameters: none. Reads: ref.laender.
SELECT land_code, land_kurz, land_name
FROM ref.laender
