"""Formula neutralising for publication outputs: the one definition lives in schemas/formulas.py."""

from mint_census.schemas.formulas import FORMULA_PREFIXES, neutralise  # noqa: F401
