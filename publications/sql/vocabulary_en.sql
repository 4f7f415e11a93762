-- vocabulary_en: German label and English label of every vocabulary category (English edition).
-- Parameters: none. Reads: pub.vocabulary.
SELECT DISTINCT label, label_en FROM pub.vocabulary ORDER BY label
