"""DuckDB DDL of the warehouse, generated from the questionnaire declaration.

Every table built from a questionnaire sheet gets one column per declared field
(type from the field kind) and a COMMENT ON with the German label, the English
meaning, unit, allowed values, source sheet and first survey year. The same
information lands in meta.data_dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass

from mint_census.schemas import questionnaire as q
from mint_census.schemas import vocabularies as voc

from . import units
from .sqltext import quote_literal

SCHEMAS = {
    "raw": "Cells as read from the survey workbooks, with file hash and cell address (no personal data).",
    "core": "Validated, typed census data: one row per network and census year, plus detail tables.",
    "ref": "Official reference data: Länder and Kreise with population (Destatis, BKG); the questionnaire's "
           "vocabularies and former Kreis keys.",
    "pub": "Stable views for researchers and the overview publication.",
    "meta": "Runs, received files, findings and the data dictionary.",
    "private": "Personal data (coordinator contacts). Never exported, never in snapshots.",
}


@dataclass(frozen=True)
class Col:
    name: str
    sql_type: str
    comment: str
    label_de: str = ""
    unit: str | None = None
    allowed: str | None = None
    source: str | None = None
    first_year: int | None = None
    personal: bool = False
    not_null: bool = False


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    comment: str
    columns: tuple[Col, ...]
    primary_key: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def first_year(spec: q.FieldSpec) -> int:
    """First survey year the field was asked: its own `since`, or its sheet's when that is later."""
    return max(spec.since, q.SHEET_BY_NAME[spec.sheet].since)


def allowed_text(spec: q.FieldSpec, codes: bool = False) -> str | None:
    """Allowed values as stored: the Land as its two-digit key (with the name for reading)."""
    if spec.kind == "land":
        return "; ".join(f"{code} = {name}" for code, _, name in voc.LAENDER)
    allowed = spec.allowed_values()
    if codes and spec.key in voc.FIELD_VOCABULARY:  # core stores the code: "verein = Verein; …"
        return "; ".join(f"{voc.to_code(spec.key, a)} = {a}" for a in allowed)
    return "; ".join(allowed) if allowed else None


def field_comment(spec: q.FieldSpec, codes: bool = False) -> str:
    """The column comment; `codes`: the column stores the vocabulary code (core.*), else the German
    label (the pub views, which add <key>_code and <key>_label_en)."""
    parts = [f"{spec.label} — {spec.description}"]
    if spec.unit:
        parts.append(f"Unit: {spec.unit}.")
    allowed = spec.allowed_values()
    vocabulary = voc.FIELD_VOCABULARY.get(spec.key)
    if vocabulary and codes:
        parts.append(f"Stored as the code of ref.vocabulary '{vocabulary}' (code = German label): "
                     + allowed_text(spec, codes=True) + ".")
    elif vocabulary:
        parts.append(f"German label (allowed: {'; '.join(allowed)}); the code (ref.vocabulary '{vocabulary}') "
                     f"is in {spec.key}_code, the English label in {spec.key}_label_en.")
    elif allowed and spec.kind != "land":
        parts.append("Allowed: " + "; ".join(allowed) + ".")
    if spec.kind == "land":
        parts.append("Two-digit Land key 01..16.")
    parts.append(f"Source: Erhebungsbogen, sheet '{spec.sheet}', field '{spec.key}', asked since {first_year(spec)}"
                 + (f" until {spec.until}" if spec.until else "") + ".")
    return " ".join(parts)


def field_col(spec: q.FieldSpec, codes: bool = True) -> Col:
    """The column of a core table (codes) or, codes=False, the metadata of a pub view column."""
    return Col(spec.key, spec.sql_type, field_comment(spec, codes), spec.label, spec.unit,
               allowed_text(spec, codes), f"{spec.sheet}/{spec.key}", first_year(spec), spec.personal)


KEY_COLS = (
    Col("network_id", "VARCHAR", "Stable network identifier (register key).", "Netzwerk-ID", not_null=True),
    Col("census_year", "SMALLINT", "Census (survey) year the answers refer to.", "Erhebungsjahr", not_null=True),
)
ROW_NO = Col("row_no", "INTEGER", "Sheet row of the item in the workbook (unique per network and year).",
             "Zeile", not_null=True)
SOURCE_COLS = (
    Col("template_version", "VARCHAR", "Version of the questionnaire template the answers came from.",
        "Vorlagenversion"),
    Col("source_sha256", "VARCHAR", "SHA-256 of the archived workbook these values were loaded from.",
        "Quelldatei (Prüfsumme)"),
)


def sheet_tables() -> list[Table]:
    tables = []
    for sheet in q.SHEETS:
        schema, name = sheet.table.split(".")
        fields = [f for f in sheet.fields if f.key != "network_id"]
        extra = SOURCE_COLS if sheet.name == q.S_NET else ()
        if sheet.kind == "form":
            cols = (*KEY_COLS, *extra, *(field_col(f) for f in fields))
            pk = ("network_id", "census_year")
        else:
            cols = (*KEY_COLS, ROW_NO, *(field_col(f) for f in fields))
            pk = ("network_id", "census_year", "row_no")
        tables.append(Table(schema, name, sheet.description, tuple(cols), pk))
    return tables


def _c(name, typ, comment, label="", **kw) -> Col:
    return Col(name, typ, comment, label, **kw)


FIXED_TABLES = (
    Table("core", "register", "Register of networks (staff-maintained): one row per network ever counted.", (
        _c("network_id", "VARCHAR", "Stable network identifier.", "Netzwerk-ID", not_null=True),
        _c("network_name", "VARCHAR", "Current name of the network.", "Name"),
        _c("network_type", "VARCHAR", "Kind of regional network.", "Art des Netzwerks"),
        _c("land_code", "VARCHAR", "Land of the network (two-digit key).", "Bundesland"),
        _c("founded_year", "SMALLINT", "Year the network was founded.", "Gründungsjahr"),
        _c("first_census_year", "SMALLINT", "First census year in which the network was counted.",
           "Erstes Erhebungsjahr"),
        _c("end_year", "SMALLINT", "Year the network ended (dissolved or merged); counted up to end_year - 1.",
           "Endjahr"),
        _c("end_reason", "VARCHAR", "Why the network ended: aufgelöst (dissolved) or fusioniert (merged).",
           "Grund des Endes"),
        _c("successor_id", "VARCHAR", "Network that continued a merged network.", "Nachfolger"),
        _c("kreise", "VARCHAR[]", "Kreise (5-digit keys) the network covers according to the register.",
           "Kreise"),
    ), ("network_id",)),
    Table("core", "register_events",
          "One row per dated event of a network's history as staff keep it in the register (register_events): "
          "founded, admitted, renamed, area_changed, land_changed, paused, resumed, merged, dissolved. "
          "The counting rule (pub.network_years) and core.register_history are derived from these events.", (
        _c("network_id", "VARCHAR", "Stable network identifier.", "Netzwerk-ID", not_null=True),
        _c("event_no", "INTEGER", "Position of the event in the network's history (1 = first; by date, same date "
           "in the order recorded).", "Nr.", not_null=True),
        _c("event_date", "DATE", "Date of the event (a bare year is read as 1 January).", "Datum"),
        _c("census_year", "SMALLINT", "Census year in which the event takes effect: the year of event_date.",
           "Erhebungsjahr"),
        _c("event", "VARCHAR", "founded (gegründet), admitted (aufgenommen), renamed (umbenannt), area_changed "
           "(Gebiet geändert), land_changed (Land geändert), paused (pausiert), resumed (wieder aufgenommen), "
           "merged (fusioniert), dissolved (aufgelöst).", "Ereignis"),
        _c("previous", "VARCHAR", "For renamed, area_changed, land_changed: the name, Kreise (5-digit keys separated "
           "by ';') or Land before the change; empty otherwise.", "vorher"),
        _c("successor_id", "VARCHAR", "For merged: the network it merged into.", "Nachfolger"),
        _c("note", "VARCHAR", "Staff's note on the event (no personal data).", "Bemerkung"),
    ), ("network_id", "event_no")),
    Table("core", "register_history",
          "One row per version of a network's register entry: the register as it stood from a census year on "
          "(names, type, Land and Kreise over time; a rename is a new version of the same network_id), derived "
          "from core.register_events.", (
        _c("network_id", "VARCHAR", "Stable network identifier.", "Netzwerk-ID", not_null=True),
        _c("valid_from_year", "SMALLINT", "Census year from which this version applies: the year of the rename, "
           "area or Land change; the first version from the network's admission.", "Gültig ab Erhebungsjahr"),
        _c("recorded_at", "TIMESTAMP", "When this version was loaded (UTC).", "Erfasst am"),
        _c("network_name", "VARCHAR", "Name of the network in this version.", "Name"),
        _c("network_type", "VARCHAR", "Kind of regional network.", "Art des Netzwerks"),
        _c("land_code", "VARCHAR", "Land of the network (two-digit key).", "Bundesland"),
        _c("kreise", "VARCHAR[]", "Kreise (5-digit keys) the network covers according to this version.", "Kreise"),
        _c("founded_year", "SMALLINT", "Year the network was founded.", "Gründungsjahr"),
        _c("first_census_year", "SMALLINT", "First census year in which the network was counted.",
           "Erstes Erhebungsjahr"),
        _c("end_year", "SMALLINT", "First census year in which the network is no longer counted.", "Endjahr"),
        _c("end_reason", "VARCHAR", "aufgelöst (dissolved) or fusioniert (merged).", "Grund des Endes"),
        _c("successor_id", "VARCHAR", "Network that continued a merged network.", "Nachfolger"),
    )),
    Table("ref", "laender", "The 16 Länder.", (
        _c("land_code", "VARCHAR", "Two-digit official Land key.", "Land-Schlüssel", not_null=True),
        _c("land_kurz", "VARCHAR", "Abbreviation.", "Kürzel"),
        _c("land_name", "VARCHAR", "German name.", "Bundesland"),
    ), ("land_code",)),
    Table("ref", "kreise", "The 400 Kreise (Gebietsstand 31.12.2023) with area and population.", (
        _c("kreis_code", "VARCHAR", "Five-digit official Kreis key (AGS).", "Kreisschlüssel", not_null=True),
        _c("kreis_name", "VARCHAR", "Official name.", "Kreis"),
        _c("kreis_typ", "VARCHAR", "Landkreis, Kreisfreie Stadt, Kreis, Stadtkreis, Regionalverband.", "Kreistyp"),
        _c("land_code", "VARCHAR", "Two-digit Land key.", "Land-Schlüssel"),
        _c("area_km2", "DOUBLE", "Area in km².", "Fläche", unit="km²"),
        _c("population", "BIGINT", "Population on 31.12.2023 (Destatis update).", "Bevölkerung", unit="Personen"),
        _c("population_zensus_2022", "BIGINT", "Population at the Zensus 2022 (15.05.2022).",
           "Bevölkerung Zensus 2022", unit="Personen"),
    ), ("kreis_code",)),
    Table("ref", "vocabulary",
          "One row per category of a controlled vocabulary of the questionnaire (schemas/vocabularies.py): "
          "key (the code), German label, position in the questionnaire and English label.", (
        _c("vocabulary", "VARCHAR", "Name of the vocabulary (partner_types, funding_sources, host_types, "
           "legal_forms, offer_formats, target_groups, ...).", "Vokabular", not_null=True),
        _c("key", "VARCHAR", "Key of the category (its stable code): the column suffix for partner types "
           "(partners_<key>) and funding sources (funding_<key>_eur), else the code core.* stores for the answer "
           "(e.g. host_types 'verein' for 'Verein').", "Schlüssel", not_null=True),
        _c("label", "VARCHAR", "German label as in the questionnaire.", "Bezeichnung"),
        _c("position", "INTEGER", "Position of the category in the questionnaire (1 = first).", "Position"),
        _c("label_en", "VARCHAR", "English label.", "Bezeichnung (englisch)"),
    ), ("vocabulary", "key")),
    Table("ref", "kreis_successors",
          "One row per former Kreis key and the Kreis of today's Gebietsstand (31.12.2023) that replaced it; "
          "answers and register lists may still carry the former key.", (
        _c("old_kreis_code", "VARCHAR", "Former five-digit Kreis key.", "Früherer Kreisschlüssel", not_null=True),
        _c("kreis_code", "VARCHAR", "Five-digit key of the Kreis that replaced it.", "Kreisschlüssel"),
    ), ("old_kreis_code",)),
    Table("raw", "cells", "One row per cell read from an accepted or rejected workbook (personal fields excluded).", (
        _c("census_year", "SMALLINT", "Census year of the workbook."),
        _c("network_id", "VARCHAR", "Network the workbook was issued for."),
        _c("file_sha256", "VARCHAR", "SHA-256 of the archived file."),
        _c("sheet", "VARCHAR", "Sheet name."),
        _c("cell", "VARCHAR", "A1 address of the cell."),
        _c("field_key", "VARCHAR", "Questionnaire field the cell belongs to."),
        _c("value_text", "VARCHAR", "The cell's value as text, as read."),
    )),
    Table("meta", "runs", "One row per pipeline run, written last (a run without a row did not finish).", (
        _c("run_id", "VARCHAR", "Run identifier.", not_null=True),
        _c("command", "VARCHAR", "Command that started the run."),
        _c("census_year", "SMALLINT", "Census year processed."),
        _c("started_at", "TIMESTAMP", "Start (UTC)."),
        _c("finished_at", "TIMESTAMP", "End (UTC)."),
        _c("files_received", "INTEGER", "Files found in the inbox."),
        _c("accepted", "INTEGER", "Workbooks accepted (incl. with warnings)."),
        _c("rejected", "INTEGER", "Workbooks rejected."),
        _c("findings", "INTEGER", "Findings (errors and warnings)."),
    ), ("run_id",)),
    Table("meta", "submissions", "One row per received file per run: what happened to it.", (
        _c("run_id", "VARCHAR", "Run that processed the file.", not_null=True),
        _c("census_year", "SMALLINT", "Census year of the inbox."),
        _c("network_id", "VARCHAR", "Network the file claims to be from (meta sheet)."),
        _c("file_name", "VARCHAR", "File name as received (made safe)."),
        _c("file_sha256", "VARCHAR", "SHA-256 of the file; its archive key.", not_null=True),
        _c("file_size", "BIGINT", "Size in bytes."),
        _c("archive_path", "VARCHAR", "Key of the archived copy, relative to the archive directory (<home>/archive)."),
        _c("received_at", "TIMESTAMP", "Modification time of the file in the inbox (UTC)."),
        _c("template_version", "VARCHAR", "Template version from the meta sheet."),
        _c("status", "VARCHAR", "accepted, accepted_with_warnings, rejected or superseded."),
        _c("errors", "INTEGER", "Number of error findings."),
        _c("warnings", "INTEGER", "Number of warning findings."),
        _c("loaded", "BOOLEAN", "Whether this file's values are the ones in core for its network and year."),
    ), ("run_id", "file_sha256")),
    Table("meta", "findings", "One row per finding (problem) in a received file.", (
        _c("run_id", "VARCHAR", "Run that found it."),
        _c("census_year", "SMALLINT", "Census year."),
        _c("network_id", "VARCHAR", "Network of the file."),
        _c("file_sha256", "VARCHAR", "File the finding is about."),
        _c("severity", "VARCHAR", "error (blocks the load) or warning."),
        _c("code", "VARCHAR", "Stable finding code."),
        _c("sheet", "VARCHAR", "Sheet."),
        _c("cell", "VARCHAR", "A1 address."),
        _c("field_key", "VARCHAR", "Questionnaire field."),
        _c("field_label", "VARCHAR", "German field label."),
        _c("found", "VARCHAR", "Value found (personal values are never stored)."),
        _c("expected", "VARCHAR", "What is expected (German)."),
        _c("message_de", "VARCHAR", "Message for the coordinator (German)."),
        _c("message_en", "VARCHAR", "Message for staff logs (English)."),
    )),
    Table("meta", "assessments",
          "One row per received file of a census year: its last assessment, so that a re-ingest need not "
          "read a file whose content and inputs are unchanged (incremental re-ingest).", (
        _c("census_year", "SMALLINT", "Census year.", not_null=True),
        _c("file_sha256", "VARCHAR", "SHA-256 of the file's content.", not_null=True),
        _c("inputs_fingerprint", "VARCHAR",
           "SHA-256 of what the assessment depended on besides the file: the rule set (code version), the "
           "reference data, the register entry of the network, its previous-year answers."),
        _c("file_name", "VARCHAR", "File name as received (made safe)."),
        _c("network_id", "VARCHAR", "Network the file claims to be from."),
        _c("template_version", "VARCHAR", "Template version from the meta sheet."),
        _c("status", "VARCHAR", "Status the assessment gave the file."),
        _c("raw_cells", "INTEGER", "Rows the file has in raw.cells."),
        _c("findings_json", "VARCHAR", "The file's findings as JSON (never personal data)."),
        _c("run_id", "VARCHAR", "Run that assessed the file."),
    ), ("census_year", "file_sha256")),
    Table("meta", "schema_version", "One row: fingerprint of the DDL the warehouse was last built with "
          "(the schema is rebuilt only when the code's DDL differs).", (
        _c("fingerprint", "VARCHAR", "SHA-256 prefix of every CREATE and COMMENT statement.", not_null=True),
        _c("built_at", "TIMESTAMP", "When the schema was last (re)built (UTC)."),
    )),
    Table("meta", "register_loaded", "One row: digest of the register (entries and events, the code that derives "
          "its history, the census year) that core.register, core.register_events and core.register_history were "
          "last loaded from; an ingest that finds the same digest leaves the three tables as they are.", (
        _c("digest", "VARCHAR", "SHA-256 of the register as loaded (flows/incremental.py: register_digest).",
           not_null=True),
        _c("loaded_at", "TIMESTAMP", "When the register was loaded (UTC)."),
    )),
    Table("meta", "retention",
          "One row per archived file removed because its personal data passed the retention period "
          "(its statistics stay in raw.cells and core).", (
        _c("file_sha256", "VARCHAR", "SHA-256 of the removed archived file.", not_null=True),
        _c("archive_path", "VARCHAR", "Key of the archived copy, relative to the archive directory (<home>/archive)."),
        _c("census_year", "SMALLINT", "Census year of the file."),
        _c("network_id", "VARCHAR", "Network the file was from."),
        _c("removed_at", "TIMESTAMP", "When it was removed (UTC)."),
        _c("reason", "VARCHAR", "Why: the retention period in years."),
    )),
    Table("meta", "mailings",
          "One row per e-mail the census office sent (or tried to send) with `--send`: never the body, "
          "never the address.", (
        _c("message_id", "VARCHAR", "Message-ID header; the same message always gets the same ID.", not_null=True),
        _c("census_year", "SMALLINT", "Census year the message is about."),
        _c("network_id", "VARCHAR", "Network the message went to."),
        _c("kind", "VARCHAR", "send-out (workbook), remind (reminder) or answer (check report)."),
        _c("sent_at", "TIMESTAMP", "When it was handed to the SMTP server (UTC)."),
        _c("result", "VARCHAR", "sent, or failed with the SMTP code (no address)."),
    )),
    Table("meta", "data_dictionary",
          "One row per column of every table and view in the raw, core, ref, pub, meta and private schemas "
          "(generated from the catalog's COMMENT ON and the questionnaire declaration).", (
        _c("table_schema", "VARCHAR", "Schema."),
        _c("table_name", "VARCHAR", "Table or view."),
        _c("object_type", "VARCHAR", "table or view."),
        _c("table_comment", "VARCHAR", "Meaning of one row of the table or view (its comment)."),
        _c("column_index", "INTEGER", "Position of the column in the table or view (1 = first)."),
        _c("column_name", "VARCHAR", "Column."),
        _c("data_type", "VARCHAR", "DuckDB type."),
        _c("label_de", "VARCHAR", "German label."),
        _c("description", "VARCHAR", "Meaning (the column comment)."),
        _c("unit", "VARCHAR", "Unit."),
        _c("allowed_values", "VARCHAR", "Allowed values, separated by '; '."),
        _c("source_field", "VARCHAR", "Questionnaire sheet/field."),
        _c("first_year", "SMALLINT", "First survey year the field was asked."),
        _c("is_personal", "BOOLEAN", "Whether the column holds personal data."),
        _c("null_meaning", "VARCHAR", "What NULL means in this column (pub views; 'nie NULL' = never empty)."),
    )),
)


def all_tables() -> list[Table]:
    return [*FIXED_TABLES, *sheet_tables()]


def table_ddl(t: Table) -> list[str]:
    cols = ",\n  ".join(f"{c.name} {c.sql_type}" + (" NOT NULL" if c.not_null else "") for c in t.columns)
    pk = f",\n  PRIMARY KEY ({', '.join(t.primary_key)})" if t.primary_key else ""
    stmts = [f"CREATE TABLE IF NOT EXISTS {t.qualified} (\n  {cols}{pk}\n)",
             f"COMMENT ON TABLE {t.qualified} IS {quote_literal(t.comment)}"]
    stmts += [f"COMMENT ON COLUMN {t.qualified}.{c.name} IS {quote_literal(c.comment)}" for c in t.columns]
    return stmts


# The questionnaire's controlled vocabularies in ref.vocabulary: name -> labels, or (key, label) pairs.
VOCABULARIES = {
    "network_types": voc.NETWORK_TYPES,
    "host_types": voc.HOST_TYPES,
    "legal_forms": voc.LEGAL_FORMS,
    "land_programmes": voc.LAND_PROGRAMMES,
    "coverage": voc.COVERAGE,
    "offer_formats": voc.OFFER_FORMATS,
    "target_groups": voc.TARGET_GROUPS,
    "subjects": voc.SUBJECTS,
    "partner_types": voc.PARTNER_TYPES,
    "funding_sources": voc.FUNDING_SOURCES,
}
# the choice vocabularies become (code, label) pairs: core stores the code (voc.CODES)
VOCABULARIES = {name: tuple((voc.CODES[name][item], item) for item in items) if name in voc.CODES else items
                for name, items in VOCABULARIES.items()}


def code_reference_rows() -> dict[str, list[tuple]]:
    """Rows of the ref tables defined by the code (not by official files): the vocabularies and
    the Kreis successors."""
    vocabulary = []
    for name, items in VOCABULARIES.items():
        for position, item in enumerate(items, start=1):
            key, label = item if isinstance(item, tuple) else (item, item)
            vocabulary.append((name, key, label, position, voc.LABELS_EN[name][label]))
    return {"ref.vocabulary": vocabulary,
            "ref.kreis_successors": sorted(voc.KREIS_SUCCESSORS.items())}


def code_reference_ddl() -> list[str]:
    """Statements that (re)fill the code-defined ref tables. Part of ddl(), so the schema
    fingerprint changes, and the warehouse is rebuilt, when a vocabulary changes."""
    stmts = []
    for table, rows in code_reference_rows().items():
        stmts.append(f"DELETE FROM {table}")
        if rows:
            values = ", ".join("(" + ", ".join(quote_literal(v) if isinstance(v, str) else str(int(v)) for v in row)
                               + ")" for row in rows)
            stmts.append(f"INSERT INTO {table} VALUES {values}")
    return stmts


def ddl() -> list[str]:
    stmts = [f"CREATE SCHEMA IF NOT EXISTS {s}" for s in SCHEMAS]
    for t in all_tables():
        stmts += table_ddl(t)
    return stmts + code_reference_ddl()


DICTIONARY_SCHEMAS = ("core", "ref", "pub", "raw", "meta", "private")


def inherit_field_comments(con) -> list[str]:
    """COMMENT ON for view columns in pub that have none but are named like a questionnaire
    field: they carry that field's comment (meaning, unit, allowed values, source, first year).
    Returns the statements executed."""
    by_key = {f.key: field_comment(f) for f in q.FIELDS if not f.personal}
    stmts = []
    for schema, view, col in con.execute("""
            SELECT c.schema_name, c.table_name, c.column_name FROM duckdb_columns() c
            JOIN duckdb_views() v ON v.database_name = c.database_name AND v.schema_name = c.schema_name
                                 AND v.view_name = c.table_name
            WHERE c.database_name = current_database() AND c.schema_name = 'pub'
              AND (c.comment IS NULL OR c.comment = '')""").fetchall():
        if col in by_key:
            stmts.append(f"COMMENT ON COLUMN {schema}.{view}.{col} IS {quote_literal(by_key[col])}")
    for stmt in stmts:
        con.execute(stmt)
    return stmts


def dictionary_rows() -> list[tuple]:
    """Declared metadata of every column of every table (views: see catalog_dictionary_rows)."""
    return [(t.schema, t.name, "table", t.comment, i, c.name, c.sql_type, c.label_de or None, c.comment, c.unit,
             c.allowed, c.source, c.first_year, c.personal, None)
            for t in all_tables() for i, c in enumerate(t.columns, 1)]


SURVEY_VIEWS = ("network_answers", "offers")
REGISTER_FILE_COLUMNS = ("network_id", "network_name", "network_type", "land_code", "founded_year",
                         "first_census_year", "end_year", "end_reason", "successor_id", "kreise")


def catalog_dictionary_rows(con) -> list[tuple]:
    """One row per column of every table and view, read from the catalog (so the comments
    in the dictionary are exactly the COMMENT ON of the database), enriched with the
    questionnaire declaration: label, unit, allowed values, source field, first year.
    A view column named like a questionnaire field inherits that field's metadata."""
    declared = {(t.schema, t.name, c.name): c for t in all_tables() for c in t.columns}
    by_key = {f.key: field_col(f, codes=False) for f in q.FIELDS}
    schemas = ", ".join(quote_literal(s) for s in DICTIONARY_SCHEMAS)
    objs = con.execute(f"""
        SELECT schema_name, table_name, 'table', comment FROM duckdb_tables()
         WHERE database_name = current_database() AND schema_name IN ({schemas})
        UNION ALL
        SELECT schema_name, view_name, 'view', comment FROM duckdb_views()
         WHERE database_name = current_database() AND schema_name IN ({schemas}) AND NOT internal
    """).fetchall()
    kinds = {(s, t): (k, c) for s, t, k, c in objs}
    cols = con.execute(f"""
        SELECT schema_name, table_name, column_index, column_name, data_type, comment FROM duckdb_columns()
         WHERE database_name = current_database() AND schema_name IN ({schemas})
         ORDER BY schema_name, table_name, column_index
    """).fetchall()
    rows = []
    for schema, table, idx, name, dtype, comment in cols:
        if (schema, table) not in kinds:
            continue
        kind, tcomment = kinds[(schema, table)]
        # a view column inherits a questionnaire field's metadata only where it shows survey answers
        # (pub.network_answers, pub.offers); elsewhere e.g. land_code or kreis_name come from the
        # register or ref.kreise, not from the workbook
        meta = declared.get((schema, table, name)) or (
            by_key.get(name) if kind == "view" and table in SURVEY_VIEWS else None)
        unit = meta.unit if meta else None
        null = None
        if schema == "pub":  # every pub column: a unit (or kind of value) and what NULL means
            unit, null = units.unit(table, name, dtype, unit), units.null_meaning(table, name)
        source = meta.source if meta else None
        if schema == "core" and table in ("register", "register_history") and name in REGISTER_FILE_COLUMNS:
            source = f"Register (register.csv)/{name}"
        rows.append((schema, table, kind, tcomment, idx, name, dtype,
                     (meta.label_de or None) if meta else None, comment,
                     unit, meta.allowed if meta else None,
                     source, meta.first_year if meta else None,
                     bool(meta.personal) if meta else False, null))
    return rows
