"""The research release: a snapshot that describes itself, in `published/<release>/`.

`write_release(warehouse, published, year, ...)` builds, in a temporary directory that is
renamed into place when complete:

    <release>/                     release id <census year>.<edition>: 2025.1, 2025.2, …
      mint_census_<Y>.duckdb       the snapshot (warehouse/snapshot.py), no personal data
      mint_census_<Y>.manifest.json
      parquet/<schema>.<table>.parquet   every core, ref, pub table (descriptions in the metadata)
      csv/pub.<view>.csv           the pub views as CSV (UTF-8, comma, header)
      geo/kreise.geojson, geo/laender.geojson   boundaries (BKG VG2500) for the coverage map
      data_dictionary.csv, data_dictionary.md   every table and column
      questionnaire.csv            every field of every template version: label, help, values
      datapackage.json             Frictionless data package: every file, field types, units
      README.md                    German and English: what it is, how counted, how to open it
      LICENSE.md, CITATION.cff     data licence and citation
      CHANGELOG.md, changes.csv    values of earlier years that changed against the previous release
      release.json                 release id, previous release, content fingerprint
      method.md                    the counting and publication rules (docs/method.md)

A second release of the same census year is written only when the content differs from the
latest one (fingerprint of every core, ref and pub table); otherwise that one stays current.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc

from .dictionary import render as render_dictionary
from .snapshot import FICTITIOUS_NOTICE, READABLE_BY, Manifest, manifest_path, snapshot_path, write_snapshot
from .sqltext import quote_ident, quote_literal

RELEASE_RE = re.compile(r"^(\d{4})\.(\d+)$")
DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"
OLDEST_DUCKDB = "0.10.3"   # the oldest DuckDB the README promises (tests/test_release.py opens it)
DATA_LICENCE = "CC-BY-4.0"
PUBLISHER = "MINT-Regionen – Bestandsaufnahme (mint-census)"
TITLE_DE = "MINT-Regionen in Deutschland: Bestandsaufnahme"
TITLE_EN = "MINT-Regionen (regional STEM-education networks) in Germany: census"
LATEST_FILE = "LATEST"
DIFF_TABLES = {  # table -> key columns (unique per row) for the changelog
    "core.networks": ("census_year", "network_id"),
    "core.partners": ("census_year", "network_id"),
    "core.funding": ("census_year", "network_id"),
    "core.districts": ("census_year", "network_id", "kreis_code"),
    "core.offers": ("census_year", "network_id", "row_no"),
    "pub.growth": ("census_year",),
    "pub.network_years": ("census_year", "network_id"),
    "pub.networks_by_land": ("census_year", "land_code"),
    "pub.land_coverage": ("census_year", "land_code"),
    "pub.kreis_coverage": ("census_year", "kreis_code"),
    "pub.funding_long": ("census_year", "network_id", "key"),
    "pub.partners_long": ("census_year", "network_id", "key"),
}
NOT_VALUES = {"source_sha256", "run_id", "loaded_at"}  # which file or run, not a census value
UNITS = {  # unit of a numeric column by its name (Frictionless field property "unit")
    "_eur": "EUR", "population": "Personen", "area_km2": "km²", "_km2": "km²", "_pct": "Prozent",
    "share": "Prozent", "per_million": "je 1 Mio. Einwohner",
}


@dataclass
class Release:
    release_id: str
    directory: Path
    census_year: int
    fictitious: bool
    previous: str | None
    changes: int
    new: bool = True
    manifest: Manifest | None = None
    files: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.new:
            return [f"snapshot {self.census_year}: release {self.release_id} unchanged ({self.directory})"]
        head = (f"snapshot {self.census_year}: release {self.release_id} in {self.directory}"
                + (" (Beispieldaten — fiktiv)" if self.fictitious else ""))
        out = [head]
        if self.manifest is not None:
            m = self.manifest
            out.append(f"  {m.database} ({m.database_bytes / 1e6:.1f} MB, {len(m.tables)} tables, storage "
                       f"{m.storage_version}: {m.readable_by}), parquet/ ({sum(1 for t in m.tables if t.parquet)} "
                       f"files), csv/, geo/, README.md, datapackage.json")
        out.append(f"  changes against {self.previous}: {self.changes} (CHANGELOG.md)" if self.previous
                   else "  first release: no earlier release to compare with")
        return out


def releases(published: Path) -> list[tuple[int, int, Path]]:
    """Every release directory in `published`, oldest first: (census year, edition, path)."""
    out = []
    if Path(published).is_dir():
        for p in Path(published).iterdir():
            m = RELEASE_RE.match(p.name)
            if p.is_dir() and m and (p / "release.json").is_file():
                out.append((int(m.group(1)), int(m.group(2)), p))
    return sorted(out)


def latest_release(published: Path) -> Path | None:
    found = releases(published)
    return found[-1][2] if found else None


# --- content ---------------------------------------------------------------------------------

def _tables(con, db: str) -> list[tuple[str, str, str | None]]:
    return con.execute(
        "SELECT schema_name, table_name, comment FROM duckdb_tables() WHERE database_name = ? "
        "ORDER BY schema_name, table_name", [db]).fetchall()


def _columns(con, db: str, schema: str, table: str) -> list[tuple[str, str, str | None]]:
    return con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? "
        "AND table_name = ? ORDER BY column_index", [db, schema, table]).fetchall()


# When a row was recorded is not part of what it says: a re-run without any changed value
# must not make a new edition.
VOLATILE_COLUMNS = frozenset({"recorded_at", "loaded_at", "started_at", "finished_at"})


def fingerprint(con, db: str) -> str:
    """Order-independent hash of every core, ref and pub table of attached database `db`
    (volatile timestamp columns left out)."""
    parts = []
    for schema, table, _ in _tables(con, db):
        if schema not in ("core", "ref", "pub"):
            continue
        cols = [quote_ident((c,)) for c, _t, _c in _columns(con, db, schema, table) if c not in VOLATILE_COLUMNS]
        row = f"hash({', '.join(cols)})" if cols else "0"
        n, h = con.execute(f"SELECT count(*), coalesce(sum({row} % 1000000007), 0) "
                           f"FROM {db}.{schema}.{table} t").fetchone()
        parts.append(f"{schema}.{table}:{n}:{h}")
    import hashlib
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def diff_releases(con, old: str, new: str, until_year: int) -> list[dict]:
    """Values of census years <= `until_year` that differ between attached databases `old` and `new`:
    one dict per changed value (table, key, column, previous, current) or added/removed row."""
    out: list[dict] = []
    for table, keys in DIFF_TABLES.items():
        schema, name = table.split(".")
        old_cols = {c for c, _, _ in _columns(con, old, schema, name)}
        new_cols = [c for c, _, _ in _columns(con, new, schema, name)]
        if not old_cols or not new_cols or not set(keys) <= old_cols or not set(keys) <= set(new_cols):
            continue
        values = [c for c in new_cols if c in old_cols and c not in keys and c not in NOT_VALUES]
        k = ", ".join(quote_ident((c,)) for c in keys)
        keytext = " || ' ' || ".join(f"coalesce(CAST({quote_ident((c,))} AS VARCHAR), '')" for c in keys)

        def side(db: str) -> str:
            cols = ", ".join(f"coalesce(CAST({quote_ident((c,))} AS VARCHAR), 'NULL') AS {quote_ident((c,))}"
                             for c in values)
            return (f"SELECT {k}, {keytext} AS _key{', ' + cols if cols else ''} FROM {db}.{schema}.{name} "
                    f"WHERE census_year <= {int(until_year)}")

        for db, other, change in ((new, old, "neue Zeile"), (old, new, "Zeile entfernt")):
            rows = con.execute(f"SELECT _key FROM ({side(db)}) EXCEPT SELECT _key FROM ({side(other)}) "
                               f"ORDER BY 1").fetchall()
            out += [{"table": table, "key": r[0], "column": "", "previous": "", "current": "", "change": change}
                    for r in rows]
        if not values:
            continue
        unpivot = ", ".join(quote_ident((c,)) for c in values)
        rows = con.execute(f"""
            WITH a AS (UNPIVOT ({side(old)}) ON {unpivot} INTO NAME col VALUE val),
                 b AS (UNPIVOT ({side(new)}) ON {unpivot} INTO NAME col VALUE val)
            SELECT a._key, a.col, a.val, b.val FROM a JOIN b ON a._key = b._key AND a.col = b.col
            WHERE a.val IS DISTINCT FROM b.val ORDER BY 1, 2""").fetchall()
        out += [{"table": table, "key": r[0], "column": r[1], "previous": r[2], "current": r[3],
                 "change": "Wert geändert"} for r in rows]
    return out


# --- documents ---------------------------------------------------------------------------------

def questionnaire_rows(until_year: int | None = None) -> list[dict]:
    """Every field of every template version (of survey years up to `until_year`): where it is
    asked, its wording and allowed values."""
    rows = []
    for version, year in sorted(q.TEMPLATE_VERSIONS.items()):
        if until_year is not None and year > until_year:
            continue
        lay = q.layout(version)
        for key, place in lay.places.items():
            f = place.field
            allowed = f.allowed_values()
            rows.append({
                "survey_year": year, "template_version": version, "sheet": place.sheet,
                "cell_or_column": place.cell() if place.row is not None else place.column_letter,
                "field_key": key, "label_de": place.label, "help_de": f.help, "kind": f.kind,
                "unit": f.unit or "", "allowed_values": " | ".join(allowed) if allowed else "",
                "min": "" if f.min is None else f.min, "max": "" if f.max is None else f.max,
                "required": "ja" if f.required else "nein", "description_en": f.description,
                "personal": "ja" if f.personal else "nein"})
    return rows


def _write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["empty"])
        w.writeheader()
        w.writerows(rows)


FRICTIONLESS_TYPES = {"VARCHAR": "string", "BOOLEAN": "boolean", "DATE": "date", "DOUBLE": "number",
                      "FLOAT": "number", "DECIMAL": "number", "TIMESTAMP": "datetime",
                      "TIMESTAMP WITH TIME ZONE": "datetime"}


def _frictionless_type(duck: str) -> str:
    d = duck.upper()
    if d.endswith("[]") or d.startswith(("STRUCT", "MAP")):
        return "string"  # lists are written as text in CSV; read the Parquet file for the list
    if d in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
             "UBIGINT"):
        return "integer"
    if d.startswith("DECIMAL"):
        return "number"
    return FRICTIONLESS_TYPES.get(d, "string")


def unit_of(column: str, dictionary_unit: str | None) -> str:
    if dictionary_unit:
        return dictionary_unit
    for suffix, unit in UNITS.items():
        if column.endswith(suffix) or column == suffix:
            return unit
    return ""


def _schema(con, schema: str, table: str, units: dict[tuple[str, str, str], str]) -> dict:
    fields = []
    for c, t, cm in _columns(con, "snap", schema, table):
        fd = {"name": c, "type": _frictionless_type(t), "description": cm or ""}
        u = units.get((schema, table, c), "")
        if u:
            fd["unit"] = u
        fields.append(fd)
    return {"fields": fields, "missingValues": [""]}


def _datapackage(con, rid: str, year: int, fictitious: bool, files: dict[str, str],
                 csv_tables: list[tuple[str, str, str | None]], units: dict[tuple[str, str, str], str],
                 manifest: Manifest) -> dict:
    resources = []
    for schema, table, comment in csv_tables:
        resources.append({
            "name": f"{schema}-{table}".replace("_", "-"), "path": f"csv/{schema}.{table}.csv",
            "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "title": f"{schema}.{table}", "description": comment or "",
            "schema": _schema(con, schema, table, units)})
    parquet = {t.parquet: t for t in manifest.tables if t.parquet}
    for path, description in sorted(files.items()):
        fmt = path.rsplit(".", 1)[-1]
        res = {"name": re.sub(r"[^a-z0-9._-]", "-", path.lower()).replace("/", "-"), "type": "file",
               "path": path, "format": fmt, "description": description}
        if path in parquet:  # Parquet: read with DuckDB, pandas, polars, arrow; same fields as the table
            t = parquet[path]
            schema, table = t.name.split(".")
            res.update({"title": t.name, "mediatype": "application/vnd.apache.parquet",
                        "hash": f"sha256:{t.parquet_sha256}", "schema": _schema(con, schema, table, units)})
        resources.append(res)
    return {
        "profile": "data-package", "name": f"mint-census-{rid}".replace(".", "-"),
        "title": f"{TITLE_DE} {q.FIRST_CENSUS_YEAR}–{year} (Release {rid})"
                 + (f" — {FICTITIOUS_NOTICE}" if fictitious else ""),
        "description": ("Fiktive Beispieldaten der Demo, keine echten Erhebungsdaten. " if fictitious else "")
        + "Research release of the census of German MINT-Regionen: networks counted per year, survey answers, "
          "coverage of Kreise and Länder, with reference data. See README.md.",
        "version": rid, "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [{"name": DATA_LICENCE, "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0 (census data)"},
                     {"name": "dl-de-by-2.0", "path": "https://www.govdata.de/dl-de/by-2-0",
                      "title": "Datenlizenz Deutschland – Namensnennung – 2.0 (ref tables, geo/)"}],
        "sources": [{"title": c} for c in voc.REFERENCE_CREDITS],
        "keywords": ["MINT", "STEM", "education", "networks", "Germany", "Kreise"],
        "fictitious": fictitious,
        "resources": resources,
    }


def citation_text(rid: str, year: int, fictitious: bool, date: str) -> str:
    demo = f" [{FICTITIOUS_NOTICE}]" if fictitious else ""
    return (f"{PUBLISHER} ({date[:4]}): {TITLE_DE} {q.FIRST_CENSUS_YEAR}–{year}. Forschungsdatensatz, "
            f"Release {rid}{demo}. Lizenz: CC BY 4.0.")


def _citation_cff(rid: str, year: int, fictitious: bool, date: str) -> str:
    title = f"{TITLE_DE} {q.FIRST_CENSUS_YEAR}–{year} (Release {rid})" + (f" — {FICTITIOUS_NOTICE}" if fictitious else "")
    return "\n".join([
        "cff-version: 1.2.0",
        'message: "Bitte zitieren Sie diesen Datensatz wie folgt. / Please cite this dataset as below."',
        "type: dataset",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f'version: "{rid}"',
        f"date-released: {date}",
        f"license: {DATA_LICENCE}",
        "authors:",
        f"  - name: {json.dumps(PUBLISHER, ensure_ascii=False)}",
        "keywords:", "  - MINT-Regionen", "  - STEM education", "  - regional networks", "  - Germany",
        f"abstract: {json.dumps(('Fiktive Beispieldaten (Demo). ' if fictitious else '') + 'Yearly census of German MINT-Regionen: networks, survey answers, coverage of Kreise.', ensure_ascii=False)}",
        ""])


def _licence(fictitious: bool) -> str:
    demo = (f"\n> **{FICTITIOUS_NOTICE}.** Alle Netzwerke, Antworten und Zahlen dieses Release sind erfunden "
            "(Demo). / All networks, answers and figures in this release are invented (demo).\n" if fictitious else "")
    return f"""# Lizenz / Licence
{demo}
## Erhebungsdaten (core, pub, meta; Parquet, CSV, DuckDB)

Creative Commons Namensnennung 4.0 International (CC BY 4.0),
https://creativecommons.org/licenses/by/4.0/deed.de — Sie dürfen die Daten teilen und bearbeiten,
auch kommerziell, wenn Sie die Quelle nennen ({PUBLISHER}, Release, siehe CITATION.cff) und
Änderungen kenntlich machen. Die Daten enthalten keine personenbezogenen Angaben
(Kontaktpersonen der Netzwerke sind nicht enthalten).

Census data (schemas core, pub, meta): Creative Commons Attribution 4.0 International (CC BY 4.0),
https://creativecommons.org/licenses/by/4.0/ — share and adapt, also commercially, with attribution
(see CITATION.cff) and an indication of changes. No personal data is included.

Why CC BY 4.0: it is the common licence of open research data, compatible with the
dl-de/by-2-0 reference data below (both only ask for attribution), and lets the release be
mirrored in repositories such as Zenodo.

## Referenzdaten (ref.kreise, ref.laender, geo/*.geojson)

Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0), https://www.govdata.de/dl-de/by-2-0.
Quellenvermerke / credits:

""" + "\n".join(f"- {c}" for c in voc.REFERENCE_CREDITS) + """
- Länder-Codeliste: XRepository „Bundesland“ (Destatis), dl-de/zero-2-0

The full licence text (German and English) ships with mint-census in
`sources/reference_data/LICENSE-dl-de-by-2-0.txt`.
"""


def _readme(rid: str, year: int, fictitious: bool, manifest: Manifest, previous: str | None, changes: int,
            years: list[int], survey_years: list[int], flags: int, date: str) -> str:
    db = manifest.database
    banner = (f"> **{FICTITIOUS_NOTICE}.** Dieses Release stammt aus der Demo von mint-census: alle Netzwerke, "
              "Antworten und Zahlen sind erfunden. Nicht als echte Erhebungsdaten verwenden.\n>\n"
              f"> **Example data — fictitious.** This release comes from the mint-census demo: every network, "
              "answer and figure is invented. Do not use it as real census data.\n\n" if fictitious else "")
    change_de = (f"Gegenüber Release {previous} haben sich {changes} Werte oder Zeilen früherer Jahre geändert "
                 "(CHANGELOG.md, changes.csv)." if previous else "Erstes Release.")
    change_en = (f"Against release {previous}, {changes} values or rows of earlier years changed "
                 "(CHANGELOG.md, changes.csv)." if previous else "First release.")
    span = f"{min(years)}–{max(years)}" if years else str(year)
    surveys = ", ".join(map(str, survey_years)) or "keine"
    return f"""# {TITLE_DE} — Release {rid}

{banner}Forschungsdatensatz der Bestandsaufnahme der MINT-Regionen, Erhebungsjahre {span}, Stand {date}.
Research release of the census of German MINT-Regionen, census years {span}, as of {date}.

## Deutsch

**Was es ist.** Je Erhebungsjahr die gezählten Netzwerke (aus dem Register, 2013–{year}), für die Jahre
mit Erhebungsbogen ({surveys}) deren Antworten (Partner, Finanzierung, Angebote, abgedeckte Kreise),
die Abdeckung der Kreise und Länder („weiße Flecken“) und die Referenzdaten (400 Kreise,
Gebietsstand {voc.GEBIETSSTAND}; Bevölkerung {voc.POPULATION_DATE}). Keine personenbezogenen Daten.

**Wie gezählt wird.** Ein Netzwerk zählt im Jahr Y, wenn es im Register mit erstem Erhebungsjahr ≤ Y
steht und sein `end_year` (das erste Jahr, in dem es nicht mehr zählt) leer oder größer als Y ist
(`pub.network_years`). Die Jahre vor {q.FIRST_SURVEY_YEAR} beruhen nur
auf dem Register. Alle Regeln: `method.md`.

**Dateien.** `{db}` (DuckDB, Schemas `core`, `ref`, `pub`, `meta`), `parquet/` (jede Tabelle, mit
Tabellen- und Spaltenbeschreibung in den Metadaten), `csv/` (die `pub`-Sichten), `geo/` (Grenzen der
Kreise und Länder, GeoJSON, EPSG:4326), `data_dictionary.csv|md`, `questionnaire.csv` (jede Frage jedes
Erhebungsbogens: Beschriftung, Hilfetext, erlaubte Werte), `datapackage.json` (Frictionless),
`CHANGELOG.md`, `LICENSE.md`, `CITATION.cff`.

**Qualitätshinweise.** {flags} Werte wurden mit Hinweis angenommen (z. B. Finanzierung weicht vom Budget
ab); sie stehen in `pub.quality_flags` (Wert, Regel, deutscher Text):

```sql
SELECT rule, count(*) FROM pub.quality_flags GROUP BY rule;
-- Netzwerke ohne Hinweis zur Finanzierung:
SELECT * FROM pub.network_answers a WHERE NOT EXISTS (SELECT 1 FROM pub.quality_flags f
  WHERE f.network_id = a.network_id AND f.census_year = a.census_year AND f.rule = 'funding_vs_budget');
```

**Bekannte Grenzen.** Bevölkerung gibt es nur zum {voc.POPULATION_DATE} (und Zensus 15.05.2022): Quoten
je Einwohner für frühere Jahre sind Näherungen. Ein teilweise abgedeckter Kreis zählt als abgedeckt.
Bei einer Fusion geht das Gebiet nicht automatisch auf den Nachfolger über. Leere Finanzierungsangaben
zählen als 0 EUR. Frühere Jahre können in späteren Releases korrigiert werden: siehe CHANGELOG.md.

**Änderungen.** {change_de}

**Zitieren.** {citation_text(rid, year, fictitious, date)} (CITATION.cff)

**Lizenz.** Erhebungsdaten CC BY 4.0; Referenzdaten und Grenzen dl-de/by-2-0 mit Quellenvermerk (LICENSE.md).

## English

**What it is.** For every census year the networks counted (from the register, 2013–{year}); for the
survey years ({surveys}) their answers (partners, funding, offers, Kreise covered); the coverage of
Kreise and Länder ("weiße Flecken", districts without a network); and the reference data (400 Kreise,
territorial status {voc.GEBIETSSTAND}; population {voc.POPULATION_DATE}). No personal data.

**How networks are counted.** A network counts in year Y when the register lists it with first census
year ≤ Y and its `end_year` (the first year it is no longer counted) is empty or after Y
(`pub.network_years`). Years before {q.FIRST_SURVEY_YEAR} rest on the
register alone. Every rule: `method.md`. `core` stores category codes; the `pub` views show the German label
under the field's name and add `<field>_code` and `<field>_label_en`; `ref.vocabulary` lists code, labels, order.

**Opening it.** Needs DuckDB {OLDEST_DUCKDB} or newer ({READABLE_BY}).

```sh
duckdb -readonly {db} -c "SELECT * FROM pub.growth ORDER BY census_year"
```
```python
import duckdb, pandas as pd
con = duckdb.connect("{db}", read_only=True)
con.sql("SELECT * FROM pub.kreis_coverage WHERE census_year = {year}").df()
pd.read_parquet("parquet/pub.growth.parquet")      # or polars.read_parquet(...)
```
```r
library(duckdb)
con <- dbConnect(duckdb(), "{db}", read_only = TRUE)
dbGetQuery(con, "SELECT * FROM pub.growth")
arrow::read_parquet("parquet/pub.growth.parquet")
```

**Quality flags.** {flags} values were accepted with a warning; `pub.quality_flags` lists each (value,
rule, German text) so you can find or exclude them (queries above).

**Known limits.** Population exists for {voc.POPULATION_DATE} only (and the Zensus of 15.05.2022):
per-capita rates of earlier years are approximations. A partly covered Kreis counts as covered. A merger
does not pass the area on to the successor. Empty funding answers count as 0 EUR. Earlier years may be
corrected in later releases: see CHANGELOG.md.

**Changes.** {change_en}

**Citation.** {citation_text(rid, year, fictitious, date)} (CITATION.cff)

**Licence.** Census data CC BY 4.0; reference data and boundaries dl-de/by-2-0 with credits (LICENSE.md).
"""


def _changelog(rid: str, previous: str | None, until: int | None, changes: list[dict], date: str,
               earlier: str) -> str:
    out = [f"## {rid} ({date})", ""]
    if previous is None:
        out += ["Erstes Release. / First release.", ""]
    elif not changes:
        out += [f"Gegenüber {previous}: keine Änderung an Werten der Jahre bis {until}. / "
                f"Against {previous}: no value of the years up to {until} changed.", ""]
    else:
        out += [f"Gegenüber {previous} geänderte Werte der Jahre bis {until} ({len(changes)}; alle in "
                f"`changes.csv`). / Values of the years up to {until} changed against {previous}.", "",
                "| Tabelle | Schlüssel | Spalte | vorher | jetzt | Änderung |", "|---|---|---|---|---|---|"]
        for c in changes[:300]:
            out.append("| " + " | ".join(str(c[k]).replace("|", "\\|") for k in
                                         ("table", "key", "column", "previous", "current", "change")) + " |")
        if len(changes) > 300:
            out.append(f"| … | {len(changes) - 300} weitere in changes.csv | | | | |")
        out.append("")
    body = "\n".join(out)
    return "# Änderungen / Changelog\n\n" + body + ("\n" + earlier if earlier else "")


# --- the release -------------------------------------------------------------------------------

def write_release(warehouse: Path, published: Path, year: int, *, fictitious: bool = False,
                  lock_file: Path | None = None, geometries: dict[str, Path] | None = None,
                  docs_dir: Path | None = DOCS_DIR) -> Release:
    """Build the research release of census year `year` into `published/<year>.<n>/`."""
    published = Path(published)
    published.mkdir(parents=True, exist_ok=True)
    existing = releases(published)
    edition = max((n for y, n, _ in existing if y == year), default=0) + 1
    rid = f"{year}.{edition}"
    tmp = published / f".{rid}.{uuid.uuid4().hex}.tmp"
    try:
        manifest = write_snapshot(warehouse, tmp, year, lock_file=lock_file, release=rid, fictitious=fictitious)
        rel = _complete(tmp, rid, year, fictitious, manifest, existing, geometries, docs_dir)
        if not rel.new:
            shutil.rmtree(tmp, ignore_errors=True)
            return rel
        _make_read_only(tmp)
        final = published / rid
        os.replace(tmp, final)
    except BaseException:
        if tmp.exists():
            _make_writable(tmp)
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    latest = published / f".{LATEST_FILE}.{uuid.uuid4().hex}.tmp"
    latest.write_text(rid + "\n", encoding="utf-8")
    os.replace(latest, published / LATEST_FILE)
    rel.directory = final
    return rel


def _make_read_only(d: Path) -> None:
    for p in d.rglob("*"):
        if p.is_file():
            os.chmod(p, 0o444)


def _make_writable(d: Path) -> None:
    for p in d.rglob("*"):
        if p.is_file():
            os.chmod(p, 0o644)


def _complete(tmp: Path, rid: str, year: int, fictitious: bool, manifest: Manifest,
              existing: list[tuple[int, int, Path]], geometries: dict[str, Path] | None,
              docs_dir: Path | None) -> Release:
    db = snapshot_path(tmp, year)
    date = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH {quote_literal(db.as_posix())} AS snap (READ_ONLY)")
        fp = fingerprint(con, "snap")
        same_year = [(n, p) for y, n, p in existing if y == year]
        if same_year:
            last = same_year[-1][1]
            if json.loads((last / "release.json").read_text(encoding="utf-8")).get("fingerprint") == fp:
                return Release(last.name, last, year, fictitious, None, 0, new=False)
        prev = existing[-1] if existing else None
        previous, changes, until, earlier = None, [], None, ""
        if prev is not None:
            previous = prev[2].name
            until = min(prev[0], year)
            prev_db = snapshot_path(prev[2], prev[0])
            con.execute(f"ATTACH {quote_literal(prev_db.as_posix())} AS prev (READ_ONLY)")
            changes = diff_releases(con, "prev", "snap", until)
            earlier_file = prev[2] / "CHANGELOG.md"
            if earlier_file.is_file():
                earlier = earlier_file.read_text(encoding="utf-8").split("\n", 2)[-1].lstrip("\n")
        files: dict[str, str] = {}
        # CSV of the pub views
        (tmp / "csv").mkdir()
        csv_tables = [t for t in _tables(con, "snap") if t[0] == "pub"]
        for schema, table, _ in csv_tables:
            target = tmp / "csv" / f"{schema}.{table}.csv"
            con.execute(f"COPY snap.{schema}.{table} TO {quote_literal(target.as_posix())} (HEADER, DELIMITER ',')")
        # data dictionary
        dict_rows = con.execute(
            "SELECT table_schema, table_name, object_type, table_comment, column_index, column_name, data_type, "
            "label_de, description, unit, allowed_values, source_field, first_year, is_personal, null_meaning "
            "FROM snap.meta.data_dictionary").fetchall()
        names = ("table_schema", "table_name", "object_type", "table_comment", "column_index", "column_name",
                 "data_type", "label_de", "description", "unit", "allowed_values", "source_field", "first_year",
                 "is_personal", "null_meaning")
        _write_csv(tmp / "data_dictionary.csv", [dict(zip(names, r)) for r in dict_rows])
        (tmp / "data_dictionary.md").write_text(render_dictionary(dict_rows), encoding="utf-8")
        units = {(r[0], r[1], r[5]): unit_of(r[5], r[9]) for r in dict_rows}
        _write_csv(tmp / "questionnaire.csv", questionnaire_rows(until_year=year))
        _write_csv(tmp / "changes.csv", changes or [])
        # geometries
        if geometries:
            (tmp / "geo").mkdir()
            for name, src in geometries.items():
                if src is not None and Path(src).is_file():
                    shutil.copyfile(src, tmp / "geo" / f"{name}.geojson")
                    files[f"geo/{name}.geojson"] = (f"Boundaries of the {name.capitalize()} (BKG VG2500, "
                                                    f"{voc.GEBIETSSTAND}, EPSG:4326; property ags = key)")
        if docs_dir is not None and (Path(docs_dir) / "method.md").is_file():
            shutil.copyfile(Path(docs_dir) / "method.md", tmp / "method.md")
            files["method.md"] = "The rules behind the counts and the pub views (German/English)."
        flags = con.execute("SELECT count(*) FROM snap.pub.quality_flags").fetchone()[0] \
            if any(t[:2] == ("pub", "quality_flags") for t in _tables(con, "snap")) else 0
        years = [r[0] for r in con.execute("SELECT census_year FROM snap.pub.census_years ORDER BY 1").fetchall()]
        surveys = [r[0] for r in con.execute("SELECT DISTINCT census_year FROM snap.core.networks ORDER BY 1")
                   .fetchall()]
        (tmp / "README.md").write_text(_readme(rid, year, fictitious, manifest, previous, len(changes), years,
                                               surveys, flags, date), encoding="utf-8")
        (tmp / "LICENSE.md").write_text(_licence(fictitious), encoding="utf-8")
        (tmp / "CITATION.cff").write_text(_citation_cff(rid, year, fictitious, date), encoding="utf-8")
        (tmp / "CHANGELOG.md").write_text(_changelog(rid, previous, until, changes, date, earlier),
                                          encoding="utf-8")
        files.update({
            manifest.database: "The snapshot as a DuckDB database (schemas core, ref, pub, meta).",
            manifest_path(tmp, year).name: "Manifest: tables, row counts, checksums, versions.",
            "data_dictionary.csv": "Every table and column: type, meaning, unit, allowed values.",
            "data_dictionary.md": "The data dictionary as Markdown.",
            "questionnaire.csv": "Every field of every template version: label, help text, allowed values.",
            "changes.csv": "Values of earlier years changed against the previous release.",
            "README.md": "What the release is, how to open it (German and English).",
            "LICENSE.md": "Licences: CC BY 4.0 (census data), dl-de/by-2-0 (reference data).",
            "CITATION.cff": "How to cite this release.", "CHANGELOG.md": "Changes against earlier releases.",
            "release.json": "Release id, previous release, content fingerprint."})
        for t in manifest.tables:
            if t.parquet:
                files[t.parquet] = f"{t.name} as Parquet ({t.rows} rows; descriptions in the file metadata)."
        package = _datapackage(con, rid, year, fictitious, files, csv_tables, units, manifest)
        (tmp / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n",
                                              encoding="utf-8")
        (tmp / "release.json").write_text(json.dumps({
            "release": rid, "census_year": year, "previous": previous, "fingerprint": fp, "date": date,
            "fictitious": fictitious, "notice": FICTITIOUS_NOTICE if fictitious else "",
            "changes": len(changes)}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    finally:
        con.close()
    return Release(rid, tmp, year, fictitious, previous, len(changes), True, manifest,
                   sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file()))
