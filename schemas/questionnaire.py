"""The questionnaire (Erhebungsbogen), every field declared once.

Everything else is generated from the declarations in this module: the pandera
schemas (schemas.validation), the DuckDB DDL with COMMENT ON (warehouse.ddl), the
workbook template (schemas.template), the data dictionary and the German wording
of check messages (schemas.messages).

Layouts of the workbook are *derived* from the declaration: within a sheet, fields
are ordered by the survey year they were introduced in, then by declaration order.
A field added later therefore always lands below the existing ones, and the layout
of a released template version never moves. RELEASED_LAYOUTS pins a fingerprint
of every released version; a test fails if a change to this module would move a
cell of a version that coordinators already have.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from openpyxl.utils import get_column_letter

from . import vocabularies as voc

FIRST_SURVEY_YEAR = 2023  # first year with the detailed workbook survey
FIRST_CENSUS_YEAR = 2013  # first census (Bestandsaufnahme), register-based before 2023

# Field kinds and what they become in pandas and DuckDB.
KINDS = {
    "text": ("string", "VARCHAR"),
    "int": ("Int64", "INTEGER"),
    "year": ("Int64", "SMALLINT"),
    "decimal": ("Float64", "DOUBLE"),
    "bool": ("boolean", "BOOLEAN"),
    "choice": ("string", "VARCHAR"),
    "multichoice": ("object", "VARCHAR[]"),
    "land": ("string", "VARCHAR"),
    "kreis": ("string", "VARCHAR"),
    "network_id": ("string", "VARCHAR"),
    "url": ("string", "VARCHAR"),
    "email": ("string", "VARCHAR"),
    "phone": ("string", "VARCHAR"),
}

NETWORK_ID_PATTERN = r"^MR-\d{3,6}$"  # 3–6 digits: real IDs have 3, generated test batches more
KREIS_PATTERN = r"^\d{5}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"
URL_PATTERN = r"^(https?://)?[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?$"
PHONE_PATTERN = r"^\+?[0-9 ()/-]{5,30}$"


@dataclass(frozen=True)
class FieldSpec:
    key: str                      # column name in the warehouse (English snake_case)
    label: str                    # German label as printed in the workbook (current)
    kind: str                     # one of KINDS
    sheet: str                    # sheet name in the workbook
    description: str              # English meaning, for COMMENT ON and the data dictionary
    help: str = ""                # German help text next to the input cell
    unit: str | None = None       # German unit (shown in workbook and tables)
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    required: bool = False
    since: int = FIRST_SURVEY_YEAR  # first survey year in which the field is asked
    until: int | None = None        # last survey year (None: still asked)
    labels: tuple[tuple[int, str], ...] = ()  # earlier labels: ((until_year, label), ...)
    personal: bool = False        # personal data: only ever stored in the private schema
    max_length: int | None = None
    approximate: bool = False     # the question asks for an approximate number: "ca. 20" is read as 20

    @property
    def pandas_dtype(self) -> str:
        return KINDS[self.kind][0]

    @property
    def sql_type(self) -> str:
        return KINDS[self.kind][1]

    def exists_in(self, year: int) -> bool:
        return self.since <= year and (self.until is None or year <= self.until)

    def label_in(self, year: int) -> str:
        """The label printed in the workbook of the given survey year."""
        for until_year, old in sorted(self.labels):
            if year <= until_year:
                return old
        return self.label

    def allowed_values(self) -> tuple[str, ...] | None:
        if self.kind == "land":
            return tuple(name for _, _, name in voc.LAENDER)
        if self.kind == "bool":
            return (voc.YES, voc.NO)
        return self.choices


@dataclass(frozen=True)
class SheetSpec:
    name: str                 # sheet name in the workbook
    kind: str                 # "form" (one value per field) or "table" (one row per item)
    table: str                # warehouse table (schema.table)
    title: str                # German title printed on the sheet
    intro: str                # German instruction printed under the title
    description: str          # English meaning of one row of the warehouse table
    since: int = FIRST_SURVEY_YEAR
    template_rows: int = 0    # table sheets: number of prepared input rows
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)

    def exists_in(self, year: int) -> bool:
        return self.since <= year

    def fields_in(self, year: int) -> tuple[FieldSpec, ...]:
        present = [f for f in self.fields if f.exists_in(year)]
        order = {f.key: i for i, f in enumerate(self.fields)}
        return tuple(sorted(present, key=lambda f: (f.since, order[f.key])))


# Rows and columns of the sheet layouts (same for every version so far).
TITLE_ROW, INTRO_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 4, 5
FORM_LABEL_COL, FORM_VALUE_COL, FORM_UNIT_COL, FORM_HELP_COL = 1, 2, 3, 4
META_SHEET = "_meta"
LISTS_SHEET = "_listen"
COVER_SHEET = "Hinweise"
REPORT_SHEET = "Prüfbericht"  # added in front of a returned workbook by the check report
MAX_TABLE_ROWS = 2000  # rows read per table sheet at most (a cap against bloated sheets)


def _f(key, label, kind, sheet, description, **kw) -> FieldSpec:
    return FieldSpec(key=key, label=label, kind=kind, sheet=sheet, description=description, **kw)


S_NET, S_AREA, S_PART, S_FUND, S_OFFER, S_CONTACT = (
    "Netzwerk", "Gebiet", "Partner", "Finanzierung", "Angebote", "Kontakt")

NETWORK_FIELDS = (
    _f("network_id", "Netzwerk-ID", "network_id", S_NET,
       "Stable identifier of the network across all census years (register key).",
       help="Vorausgefüllt; bitte nicht ändern.", required=True),
    _f("network_name", "Name des Netzwerks", "text", S_NET,
       "Name of the network as reported in this census year.",
       help="Vollständiger Name, wie er öffentlich verwendet wird.", required=True, max_length=200),
    _f("network_type", "Art des Netzwerks", "choice", S_NET,
       "Kind of regional network.", choices=voc.NETWORK_TYPES, required=True,
       help="zdi-Netzwerke und MINT-Cluster, die zugleich MINT-Region sind, wählen ihre Hauptform."),
    _f("land_code", "Bundesland", "land", S_NET,
       "Land (federal state) the network belongs to, two-digit official key.",
       help="Das Land, in dem die Koordinierungsstelle sitzt.", required=True),
    _f("founded_year", "Gründungsjahr", "year", S_NET,
       "Year the network was founded.", min=1990, max=2100, required=True,
       help="Jahr der Gründung (vierstellig), nicht später als das Erhebungsjahr."),
    _f("host_type", "Art des Trägers", "choice", S_NET,
       "Type of the host organisation (Träger) of the coordination.",
       choices=voc.HOST_TYPES, required=True),
    _f("host_legal_form", "Rechtsform des Trägers", "choice", S_NET,
       "Legal form of the host organisation.", choices=voc.LEGAL_FORMS, required=True),
    _f("has_coordination_office", "Koordinierungsstelle vorhanden", "bool", S_NET,
       "Whether the network has a central coordination office.", required=True),
    _f("paid_staff_fte", "Bezahltes Personal", "decimal", S_NET,
       "Paid staff of the network in full-time equivalents.", unit="Vollzeitäquivalente",
       min=0, max=100, required=True, labels=((2024, "Hauptamtliches Personal"),),
       help="Summe der bezahlten Stellenanteile, z. B. 1,5 für eine volle und eine halbe Stelle."),
    _f("volunteers", "Ehrenamtlich Mitwirkende", "int", S_NET,
       "Number of volunteers active in the network.", unit="Personen", min=0, max=10000, approximate=True,
       help="Ungefähre Zahl der regelmäßig ehrenamtlich Mitwirkenden; 0 wenn keine."),
    _f("budget_eur", "Jahresbudget", "decimal", S_NET,
       "Annual budget of the network in euros (all sources).", unit="EUR", min=0,
       max=10_000_000, required=True,
       help="Gesamtes Jahresbudget des Netzwerks in Euro, ohne Cent-Angaben genügt."),
    _f("land_programme", "Mitglied eines Landesprogramms", "choice", S_NET,
       "Land programme the network belongs to, if any.", choices=voc.LAND_PROGRAMMES,
       required=True),
    _f("has_written_goals", "Schriftlich festgelegte gemeinsame Ziele", "bool", S_NET,
       "Whether the partners have agreed on written common goals.", required=True),
    _f("has_cooperation_agreement", "Kooperationsvereinbarung", "bool", S_NET,
       "Whether a written cooperation agreement between the partners exists.", required=True),
    _f("meetings_per_year", "Netzwerktreffen pro Jahr", "int", S_NET,
       "Number of network meetings per year.", unit="Treffen", min=0, max=52, required=True),
    _f("website", "Internetseite", "url", S_NET,
       "Website of the network.", help="z. B. https://www.mint-region-beispiel.de",
       max_length=300),
    _f("is_mint_cluster", "Zugleich MINT-Cluster (BMBF)", "bool", S_NET,
       "Whether the network is also a federally funded MINT-Cluster (asked since 2025).",
       since=2025, required=True,
       help="Neu 2025: ja, wenn das Netzwerk zugleich ein vom BMBF geförderter MINT-Cluster ist."),
    _f("portrait_consent", "Angaben dürfen im Porträt veröffentlicht werden", "bool", S_NET,
       "Whether the network agrees that its survey answers (host, website, partners, offers) are "
       "shown in its portrait in the publication (asked since 2026; empty = no).",
       since=2026,
       help="Neu 2026: ja, wenn Träger, Internetseite, Partner und Angebote im Porträt Ihres "
            "Netzwerks in der Veröffentlichung erscheinen dürfen; sonst nur die Angaben des Registers."),
)

AREA_FIELDS = (
    _f("kreis_code", "Kreisschlüssel", "kreis", S_AREA,
       "Official 5-digit key of a Kreis the network covers (current Gebietsstand).",
       help="Fünfstelliger amtlicher Kreisschlüssel, z. B. 05315 für Köln.", required=True),
    _f("kreis_name", "Kreis", "text", S_AREA,
       "Name of the Kreis as written by the coordinator (informative).",
       help="Name des Kreises (zur Kontrolle).", max_length=120),
    _f("coverage", "Abdeckung", "choice", S_AREA,
       "Whether the network covers the whole Kreis or part of it.",
       choices=voc.COVERAGE, required=True),
)

PARTNER_FIELDS = tuple(
    _f(f"partners_{suffix}", label, "int", S_PART,
       f"Number of partner organisations of type '{label}'.", unit="Anzahl", min=0, max=5000,
       required=True, help="Anzahl der beteiligten Einrichtungen; 0 wenn keine.")
    for suffix, label in voc.PARTNER_TYPES
)

FUNDING_FIELDS = tuple(
    _f(f"funding_{suffix}_eur", label, "decimal", S_FUND,
       f"Funding from source '{label}' in the survey year, in euros.", unit="EUR", min=0,
       max=10_000_000, help="Betrag in Euro im Erhebungsjahr; leer oder 0 wenn keine.")
    for suffix, label in voc.FUNDING_SOURCES
)

OFFER_FIELDS = (
    _f("offer_title", "Titel des Angebots", "text", S_OFFER,
       "Title of the offer.", required=True, max_length=200),
    _f("offer_format", "Format", "choice", S_OFFER,
       "Format of the offer.", choices=voc.OFFER_FORMATS, required=True),
    _f("target_groups", "Zielgruppen", "multichoice", S_OFFER,
       "Target groups of the offer (one or more).", choices=voc.TARGET_GROUPS, required=True,
       help="Eine oder mehrere, durch Semikolon getrennt."),
    _f("subjects", "Fächer", "multichoice", S_OFFER,
       "Disciplines of the offer (one or more).", choices=voc.SUBJECTS, required=True,
       help="Eine oder mehrere, durch Semikolon getrennt."),
    _f("participants", "Teilnehmende pro Jahr", "int", S_OFFER,
       "Participants reached by the offer in the survey year.", unit="Personen", min=0,
       max=100_000),
    _f("is_regular", "Regelmäßiges Angebot", "bool", S_OFFER,
       "Whether the offer takes place regularly (not a one-off).", required=True),
    _f("offer_kreis_code", "Kreisschlüssel des Angebots", "kreis", S_OFFER,
       "Kreis where the offer takes place (5-digit key).", help="Wo das Angebot stattfindet."),
)

CONTACT_FIELDS = (
    _f("contact_name", "Name der Netzwerkkoordination", "text", S_CONTACT,
       "Name of the coordinator (personal data).", required=True, personal=True, max_length=120),
    _f("contact_email", "E-Mail", "email", S_CONTACT,
       "E-mail address of the coordinator (personal data).", required=True, personal=True,
       max_length=200),
    _f("contact_phone", "Telefon", "phone", S_CONTACT,
       "Phone number of the coordinator (personal data).", personal=True, max_length=40),
)

SHEETS = (
    SheetSpec(S_NET, "form", "core.networks", "Angaben zum Netzwerk",
              "Bitte füllen Sie die gelb markierten Zellen in Spalte B aus.",
              "One row per network and census year: the network's answers to the survey.",
              fields=NETWORK_FIELDS),
    SheetSpec(S_AREA, "table", "core.districts", "Gebiet des Netzwerks",
              "Eine Zeile je Kreis oder kreisfreier Stadt, in dem das Netzwerk aktiv ist.",
              "One row per network, census year and Kreis the network covers.",
              template_rows=40, fields=AREA_FIELDS),
    SheetSpec(S_PART, "form", "core.partners", "Partner des Netzwerks",
              "Anzahl der beteiligten Partner je Art (0, wenn keine).",
              "One row per network and census year: number of partners by type.",
              fields=PARTNER_FIELDS),
    SheetSpec(S_FUND, "form", "core.funding", "Finanzierung im Erhebungsjahr",
              "Beträge in Euro je Finanzierungsquelle; leer lassen oder 0, wenn keine.",
              "One row per network and census year: funding by source in euros.",
              fields=FUNDING_FIELDS),
    SheetSpec(S_OFFER, "table", "core.offers", "Angebote des Netzwerks",
              "Eine Zeile je Angebot. Mehrere Zielgruppen oder Fächer durch Semikolon trennen.",
              "One row per offer of a network in a census year.",
              since=2024, template_rows=60, fields=OFFER_FIELDS),
    SheetSpec(S_CONTACT, "form", "private.contacts", "Kontakt der Netzwerkkoordination",
              "Diese Angaben werden nur für Rückfragen genutzt und nie veröffentlicht.",
              "One row per network and census year: the coordinator's contact (personal data).",
              fields=CONTACT_FIELDS),
)

SHEET_BY_NAME = {s.name: s for s in SHEETS}
FIELDS = tuple(f for s in SHEETS for f in s.fields)
FIELD_BY_KEY = {f.key: f for f in FIELDS}
assert len(FIELD_BY_KEY) == len(FIELDS), "field keys must be unique"


# --- template versions and their layouts -----------------------------------------

@dataclass(frozen=True)
class Place:
    """Where a field lives in one template version."""
    field: FieldSpec
    sheet: str
    row: int | None      # form sheets: the row of the input cell
    col: int             # column of the input cell (form) or of the table column
    label: str           # label printed in this version

    @property
    def column_letter(self) -> str:
        return get_column_letter(self.col)

    def cell(self, data_row: int | None = None) -> str:
        row = self.row if data_row is None else data_row
        return f"{self.column_letter}{row}"


@dataclass(frozen=True)
class Layout:
    version: str
    year: int                                       # the survey year whose questions it holds
    sheets: tuple[str, ...]                         # input sheets in workbook order
    places: dict[str, Place]                        # field key -> place

    def fields_of(self, sheet: str) -> list[Place]:
        return [p for p in self.places.values() if p.sheet == sheet]


# Template versions: version string -> survey year whose questionnaire it carries.
TEMPLATE_VERSIONS = {"2023.1": 2023, "2024.1": 2024, "2025.1": 2025, "2026.1": 2026}
CURRENT_VERSION_BY_YEAR = {year: v for v, year in TEMPLATE_VERSIONS.items()}


@lru_cache(maxsize=None)
def layout(version: str) -> Layout:
    if version not in TEMPLATE_VERSIONS:
        raise KeyError(version)
    year = TEMPLATE_VERSIONS[version]
    places: dict[str, Place] = {}
    sheets = []
    for sheet in SHEETS:
        if not sheet.exists_in(year):
            continue
        sheets.append(sheet.name)
        for i, f in enumerate(sheet.fields_in(year)):
            if sheet.kind == "form":
                places[f.key] = Place(f, sheet.name, FIRST_DATA_ROW + i, FORM_VALUE_COL, f.label_in(year))
            else:
                places[f.key] = Place(f, sheet.name, None, 1 + i, f.label_in(year))
    return Layout(version, year, tuple(sheets), places)


def version_for_year(year: int) -> str:
    """The template version sent out for a survey year: its own version, else the newest version
    released before it (a year without new questions needs no developer). Before the first
    survey year there is none (KeyError)."""
    if year in CURRENT_VERSION_BY_YEAR:
        return CURRENT_VERSION_BY_YEAR[year]
    earlier = [y for y in CURRENT_VERSION_BY_YEAR if y <= year]
    if not earlier:
        raise KeyError(f"no template version for survey year {year}")
    return CURRENT_VERSION_BY_YEAR[max(earlier)]


def is_survey_year(year: int) -> bool:
    """Whether workbooks can be sent out and read for `year` (from the first survey year on)."""
    return year >= FIRST_SURVEY_YEAR


def layout_for_year(year: int) -> Layout:
    """The layout of the template sent out for a survey year (see `version_for_year`)."""
    return layout(version_for_year(year))


def layout_fingerprint(version: str) -> str:
    lay = layout(version)
    text = "|".join(f"{p.sheet}:{p.row}:{p.col}:{k}:{p.label}" for k, p in sorted(lay.places.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# Fingerprints of released template versions; see module docstring.
RELEASED_LAYOUTS = {
    "2023.1": "ccd2d0fafe9c388f",
    "2024.1": "2513fc83122e6ad0",
    "2025.1": "9ea2bb07ae2856a5",
    "2026.1": "5d563ffa2e490d8b",
}


def survey_years() -> list[int]:
    return sorted(set(TEMPLATE_VERSIONS.values()))
