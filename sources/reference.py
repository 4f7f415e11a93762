"""Official reference data (Destatis, BKG): Kreise, Länder, population, boundaries.

The project carries its own copy as package data (`sources/reference_data/`, with the
credits and the licence text), so a fresh clone or `pip install` runs the full pipeline.
The directory comes from `--reference DIR`, else $MINT_CENSUS_REFERENCE (newer official
files of the same layout, e.g. `../shared/reference/`), else the packaged copy.
`load_reference(None)` still runs without Kreise: Länder come from the built-in code list,
and every check or output that needs Kreise says that it was skipped.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mint_census.schemas import vocabularies as voc

if TYPE_CHECKING:  # pandas is imported where the tables are built: `publish` finds the reference
    import pandas as pd  # directory here and never needs pandas (0.2-0.3 s of its start-up)

log = logging.getLogger(__name__)

KREISE_FILE = "kreise_2023.csv"
KREISE_GEOJSON = Path("bkg") / "kreise_vg2500_2023.geojson"
LAENDER_GEOJSON = Path("bkg") / "laender_vg2500_2023.geojson"
GEBIETSSTAND = voc.GEBIETSSTAND
POPULATION_DATE = voc.POPULATION_DATE
CREDITS = voc.REFERENCE_CREDITS


@dataclass
class Reference:
    directory: Path | None
    laender: pd.DataFrame                 # land_code, land_kurz, land_name
    kreise: pd.DataFrame | None           # kreis_code, kreis_name, kreis_typ, land_code, area_km2, population, population_zensus_2022

    @property
    def available(self) -> bool:
        return self.kreise is not None

    def kreis_land(self) -> dict[str, str] | None:
        if self.kreise is None:
            return None
        return dict(zip(self.kreise["kreis_code"], self.kreise["land_code"]))

    def geojson(self, which: str = "kreise") -> Path | None:
        if self.directory is None:
            return None
        p = self.directory / (KREISE_GEOJSON if which == "kreise" else LAENDER_GEOJSON)
        return p if p.is_file() else None


PACKAGED_DIR = Path(__file__).resolve().parent / "reference_data"
LICENCE_FILE = "LICENSE-dl-de-by-2-0.txt"


def packaged_dir() -> Path:
    """The reference data shipped inside the package (package data of mint_census.sources)."""
    return PACKAGED_DIR


def resolve_reference_dir(explicit: str | os.PathLike | None = None) -> Path | None:
    """The reference directory to use, or None. An explicit one that does not exist is an error."""
    if explicit:
        p = Path(explicit)
        if not (p / KREISE_FILE).is_file():
            raise FileNotFoundError(f"reference directory {p} has no {KREISE_FILE}")
        return p
    env = os.environ.get("MINT_CENSUS_REFERENCE")
    if env:
        p = Path(env)
        if not (p / KREISE_FILE).is_file():
            raise FileNotFoundError(f"MINT_CENSUS_REFERENCE={env} has no {KREISE_FILE}")
        return p
    if (PACKAGED_DIR / KREISE_FILE).is_file():
        return PACKAGED_DIR
    return None  # pragma: no cover - only when the package data was stripped


def boundaries(directory: Path | None) -> dict[str, Path]:
    """The boundary files (GeoJSON, EPSG:4326) of a reference directory: {"kreise": …, "laender": …}."""
    if directory is None:
        return {}
    found = {"kreise": Path(directory) / KREISE_GEOJSON, "laender": Path(directory) / LAENDER_GEOJSON}
    return {k: p for k, p in found.items() if p.is_file()}


def builtin_laender() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(voc.LAENDER, columns=["land_code", "land_kurz", "land_name"])


def load_reference(directory: Path | None) -> Reference:
    if directory is None:
        log.warning("no reference data: Kreise are not checked, coverage and the map are skipped")
        return Reference(None, builtin_laender(), None)
    import pandas as pd

    raw = pd.read_csv(directory / KREISE_FILE, dtype={"ags": str, "land_code": str})
    kreise = pd.DataFrame({
        "kreis_code": raw["ags"].str.zfill(5),
        "kreis_name": raw["name"],
        "kreis_typ": raw["kreis_typ"],
        "land_code": raw["land_code"].str.zfill(2),
        "area_km2": raw["flaeche_km2"].astype(float),
        "population": raw["bevoelkerung_2023_12_31"].astype("int64"),
        "population_zensus_2022": raw["bevoelkerung_zensus_2022_05_15"].astype("int64"),
    })
    return Reference(directory, builtin_laender(), kreise)
