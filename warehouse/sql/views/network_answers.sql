-- network_answers: the survey answers of every counted network that sent an accepted workbook.
-- Choice answers as in the publication: the German label under the field's name (host_type = 'Verein'),
-- the code core stores in <field>_code ('verein') and the English label in <field>_label_en ('association').
-- Parameters: none. Reads: pub.network_years, core.networks, ref.vocabulary.
SELECT n.census_year, n.network_id, n.land_code AS register_land_code,
       c.* EXCLUDE (census_year, network_id, template_version, source_sha256)
           REPLACE (coalesce(nt.label, c.network_type) AS network_type, coalesce(ht.label, c.host_type) AS host_type,
                    coalesce(lf.label, c.host_legal_form) AS host_legal_form,
                    coalesce(lp.label, c.land_programme) AS land_programme),
       c.network_type AS network_type_code, nt.label_en AS network_type_label_en,
       c.host_type AS host_type_code, ht.label_en AS host_type_label_en,
       c.host_legal_form AS host_legal_form_code, lf.label_en AS host_legal_form_label_en,
       c.land_programme AS land_programme_code, lp.label_en AS land_programme_label_en
FROM pub.network_years n
JOIN core.networks c ON c.network_id = n.network_id AND c.census_year = n.census_year
LEFT JOIN ref.vocabulary nt ON nt.vocabulary = 'network_types' AND nt.key = c.network_type
LEFT JOIN ref.vocabulary ht ON ht.vocabulary = 'host_types' AND ht.key = c.host_type
LEFT JOIN ref.vocabulary lf ON lf.vocabulary = 'legal_forms' AND lf.key = c.host_legal_form
LEFT JOIN ref.vocabulary lp ON lp.vocabulary = 'land_programmes' AND lp.key = c.land_programme
