"""The map of Germany's 400 Kreise, coloured by the number of networks covering each.

The numbers come from the view ``pub.kreis_coverage`` (SQL); the shapes from the BKG
boundaries (VG2500) in the reference directory, drawn with matplotlib directly from the
GeoJSON polygons (no GIS library). Kreise without any network stay white ("weiße
Flecken"); Land borders are drawn on top. Each Kreis is one path whose SVG id is
``kreis-<AGS>``, so the SVG can be checked (and styled) per Kreis.

Without reference data (no GeoJSON, or ref.kreise empty) the map is skipped and
``map_data`` says why; ``render_map`` draws it (see ``publications.drawing``).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .figures import Figure, render
from .english import t
from .german import Edition
from .files import atomic_path
from .queries import QueryResult, fetch, parameters
from .sqlfiles import load

if TYPE_CHECKING:  # matplotlib is imported where the map is drawn (see publications.figures)
    from matplotlib.axes import Axes
    from matplotlib.path import Path as MplPath

KREISE_GEOJSON = Path("bkg") / "kreise_vg2500_2023.geojson"
LAENDER_GEOJSON = Path("bkg") / "laender_vg2500_2023.geojson"
BKG_CREDIT = "© GeoBasis-DE / BKG (2024) (Daten verändert)"
MAP_NAME = "karte_kreise"

# Colour classes: (lowest number of networks, colour, legend label).
CLASSES = (
    (0, "#FFFFFF", "keine MINT-Region (weißer Fleck)"),
    (1, "#BDD7EE", "1 MINT-Region"),
    (2, "#6FA8DC", "2 MINT-Regionen"),
    (3, "#1F5A96", "3 und mehr MINT-Regionen"),
)
KREIS_EDGE = "#9A9A9A"
LAND_EDGE = "#222222"

MAP_SQL = load("karte_kreise")
_KREIS_GROUP = re.compile(r'<g id="kreis-([^"]+)">')


@dataclass(frozen=True)
class Shape:
    code: str
    path: MplPath


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    raise ValueError(f"unexpected geometry type {geometry['type']!r}")


def _path(geometry: dict[str, Any]) -> MplPath:
    """One compound path for all rings of a (multi)polygon; holes are drawn by the even-odd
    rule of the renderer because rings are closed separately."""
    from matplotlib.path import Path as MplPath

    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for ring in _rings(geometry):
        points = [(float(x), float(y)) for x, y, *_ in ring]
        vertices += points + [points[0]]
        codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(points) - 1) + [MplPath.CLOSEPOLY]
    return MplPath(vertices, codes)


def read_shapes(path: Path, key: str = "ags") -> list[Shape]:
    """The polygons of a GeoJSON file, keyed by the property ``key``, sorted by key."""
    data = json.loads(path.read_text(encoding="utf-8"))
    shapes = [Shape(str(f["properties"][key]), _path(f["geometry"])) for f in data["features"]]
    return sorted(shapes, key=lambda s: s.code)


@dataclass(frozen=True)
class BaseMap:
    """What the map draws the same in every year: the Kreis and Land shapes of one version of the
    reference boundaries (identified by the SHA-256 of both GeoJSON files)."""
    version: str
    kreise: tuple[Shape, ...]
    laender: tuple[Shape, ...]


def boundaries_version(kreise_file: Path, laender_file: Path) -> str:
    """SHA-256 over both boundary files: a new official file gives a new base map."""
    h = hashlib.sha256()
    for path in (kreise_file, laender_file):
        h.update(Path(path).read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def _save_base(base: BaseMap, path: Path) -> None:
    """The base map as one compressed NumPy archive: vertices and codes of every shape."""
    import numpy as np

    arrays = {}
    for kind, shapes in (("k", base.kreise), ("l", base.laender)):
        arrays[f"{kind}_codes"] = np.array([s.code for s in shapes], dtype=str)
        arrays[f"{kind}_lengths"] = np.array([len(s.path.vertices) for s in shapes], dtype=np.int64)
        arrays[f"{kind}_vertices"] = (np.concatenate([s.path.vertices for s in shapes])
                                      if shapes else np.empty((0, 2)))
        arrays[f"{kind}_kinds"] = (np.concatenate([s.path.codes for s in shapes]).astype(np.uint8)
                                   if shapes else np.empty(0, dtype=np.uint8))
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            np.savez_compressed(fh, **arrays)


def _load_base(path: Path, version: str) -> BaseMap:
    import numpy as np
    from matplotlib.path import Path as MplPath

    with np.load(path, allow_pickle=False) as z:
        parts = []
        for kind in ("k", "l"):
            bounds = np.cumsum(np.concatenate([[0], z[f"{kind}_lengths"]]))
            vertices, kinds = z[f"{kind}_vertices"], z[f"{kind}_kinds"]
            parts.append(tuple(Shape(str(code), MplPath(vertices[a:b], kinds[a:b]))
                               for code, a, b in zip(z[f"{kind}_codes"], bounds[:-1], bounds[1:])))
    return BaseMap(version, *parts)


@lru_cache(maxsize=4)
def _base_in_memory(kreise_file: str, laender_file: str, version: str, cache_dir: str | None) -> BaseMap:
    cached = Path(cache_dir) / f"basemap-{version[:16]}.npz" if cache_dir else None
    if cached is not None and cached.is_file():
        try:
            return _load_base(cached, version)
        except Exception:  # noqa: BLE001 - a damaged cache file is drawn anew and replaced
            pass
    base = BaseMap(version, tuple(read_shapes(Path(kreise_file))), tuple(read_shapes(Path(laender_file))))
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            _save_base(base, cached)
        except OSError:
            pass  # no cache where it cannot be written: the map is drawn all the same
    return base


def base_map(kreise_file: Path, laender_file: Path, cache_dir: Path | None = None) -> BaseMap:
    """The base map of these boundary files: prepared once per version (their SHA-256), kept in
    memory and, with `cache_dir`, on disk for the next command; each year only colours it."""
    version = boundaries_version(kreise_file, laender_file)
    return _base_in_memory(str(kreise_file), str(laender_file), version,
                           str(cache_dir) if cache_dir is not None else None)


def colour(networks: int | None) -> str:
    chosen = CLASSES[0][1]
    for lowest, fill, _ in CLASSES:
        if (networks or 0) >= lowest:
            chosen = fill
    return chosen


def map_draw(kreise: list[Shape], laender: list[Shape], drawn: list[str]):
    """The draw function of the map figure; appends the code of every Kreis it draws to ``drawn``.
    Patches go in with `add_artist`: the axis limits are set from all vertices at once, so that
    matplotlib need not update them patch by patch (most of the map's cost before)."""

    def draw(ax: Axes, result: QueryResult) -> None:
        from matplotlib.patches import Patch, PathPatch

        networks = dict(zip(result.column("kreis_code"), result.column("networks")))
        for shape in kreise:
            patch = PathPatch(shape.path, facecolor=colour(networks.get(shape.code)), edgecolor=KREIS_EDGE,
                              linewidth=0.25)
            patch.set_gid(f"kreis-{shape.code}")
            ax.add_artist(patch)
            drawn.append(shape.code)
        for shape in laender:
            patch = PathPatch(shape.path, facecolor="none", edgecolor=LAND_EDGE, linewidth=0.8)
            patch.set_gid(f"land-{shape.code}")
            ax.add_artist(patch)
        xs = [float(s.path.vertices[:, 0].min()) for s in kreise] + [float(s.path.vertices[:, 0].max()) for s in kreise]
        ys = [float(s.path.vertices[:, 1].min()) for s in kreise] + [float(s.path.vertices[:, 1].max()) for s in kreise]
        ax.set_xlim(min(xs) - 0.1, max(xs) + 0.1)
        ax.set_ylim(min(ys) - 0.1, max(ys) + 0.1)
        # Longitude degrees are shorter than latitude degrees in Germany: scale by cos(latitude).
        ax.set_aspect(1 / math.cos(math.radians((min(ys) + max(ys)) / 2)))
        ax.set_axis_off()
        ax.legend(handles=[Patch(facecolor=fill, edgecolor=KREIS_EDGE, label=t(label))
                           for _, fill, label in CLASSES],
                  loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=2, fontsize=8, frameon=False)

    return draw


def map_files(reference_dir: Path | None) -> tuple[Path, Path] | None:
    if reference_dir is None:
        return None
    kreise, laender = Path(reference_dir) / KREISE_GEOJSON, Path(reference_dir) / LAENDER_GEOJSON
    return (kreise, laender) if kreise.is_file() and laender.is_file() else None


def map_data(con: duckdb.DuckDBPyConnection, edition: Edition,
             reference_dir: Path | None) -> tuple[QueryResult | None, tuple[Path, Path] | None, str | None]:
    """What the Kreis map of `edition` shows: (query result, boundary files, None), or (None, None,
    why the map is skipped)."""
    files = map_files(reference_dir)
    if files is None:
        return None, None, t("Karte übersprungen: keine Referenzdaten mit den BKG-Grenzen ({kreise}, {laender}) "
                             "gefunden.").format(kreise=KREISE_GEOJSON.as_posix(), laender=LAENDER_GEOJSON.as_posix())
    result = fetch(con, MAP_SQL, parameters(edition.year))
    if not result.rows:
        return None, None, t("Karte übersprungen: das Data Warehouse enthält keine Kreise (ref.kreise ist leer; "
                             "ingest mit Referenzdaten ausführen).")
    return result, files, None


def render_map(result: QueryResult, edition: Edition, outdir: Path, files: tuple[Path, Path],
               cache_dir: Path | None = None) -> tuple[list[Path], list[str]]:
    """Draw the map of `result` on the base map of `files` (cached in `cache_dir`). Returns (files
    written, Kreise drawn)."""
    base = base_map(files[0], files[1], cache_dir)
    kreise, laender = list(base.kreise), list(base.laender)
    drawn: list[str] = []
    figure = Figure(
        name=MAP_NAME,
        title="MINT-Regionen je Kreis {year}",
        sql=MAP_SQL,
        draw=map_draw(kreise, laender, drawn),
        size=(7.0, 9.0),
        left=0.02,
        notes=(t("Kartengrundlage: {credit}; Kreise: Gebietsstand 31.12.2023").format(credit=t(BKG_CREDIT)),),
    )
    paths = render(figure, result, edition, outdir)
    add_tooltips(paths[1], result)
    # draw() ran once per render; both files show the same Kreise.
    return paths, sorted(set(drawn))


def add_tooltips(svg_path: Path, result: QueryResult) -> None:
    """Give every Kreis of the SVG map a ``<title>`` (tooltip): its name and the networks covering it."""
    from xml.sax.saxutils import escape

    titles = {}
    for r in result.records():
        n = r["networks"] or 0
        who = f": {r['network_names']}" if r.get("network_names") else ""
        count = (t("keine MINT-Region (weißer Fleck)") if n == 0 else t("1 MINT-Region") if n == 1
                 else t("{n} MINT-Regionen").format(n=n))
        titles[r["kreis_code"]] = f"{r['kreis_name'] or r['kreis_code']}: {count}{who}"
    def with_title(match: re.Match) -> str:
        title = titles.get(match.group(1))
        return match.group(0) if title is None else f"{match.group(0)}\n   <title>{escape(title)}</title>"

    # One pass over the SVG (several MB), not one per Kreis.
    text = _KREIS_GROUP.sub(with_title, svg_path.read_text(encoding="utf-8"))
    with atomic_path(svg_path) as tmp:
        tmp.write_text(text, encoding="utf-8")
