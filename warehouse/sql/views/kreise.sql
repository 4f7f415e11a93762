-- kreise: the Kreise of the reference data (Gebietsstand 31.12.2023) with type, area and population.
-- Empty without reference data.
-- Parameters: none. Reads: ref.kreise.
SELECT kreis_code, kreis_name, kreis_typ, land_code, area_km2, population, population_zensus_2022
FROM ref.kreise
