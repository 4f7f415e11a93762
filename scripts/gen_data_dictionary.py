"""Regenerate docs/data-dictionary.md from the warehouse's own comments.

    python scripts/gen_data_dictionary.py
"""

from __future__ import annotations

import sys
from pathlib import Path


from mint_census.warehouse.dictionary import write

if __name__ == "__main__":
    print(f"wrote {write()}")
