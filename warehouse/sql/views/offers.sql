-- offers: the offers (Angebote) reported by networks counted in that census year, one row per offer.
-- Parameters: none. Reads: pub.network_years, core.offers.
SELECT o.census_year, o.network_id, o.* EXCLUDE (census_year, network_id)
FROM core.offers o
JOIN pub.network_years n ON n.network_id = o.network_id AND n.census_year = o.census_year
