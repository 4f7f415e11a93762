"""The counting rule exists twice, once per language: in Python (sources.register.counted)
and in SQL (the view pub.network_years). Both must agree on every year of the demo, and
both must give the published counts."""

from __future__ import annotations

from mint_census.flows.home import Home
from mint_census.flows.steps import open_warehouse, store_register
from mint_census.sources.demo import make_register
from mint_census.sources.register import counted

# Published figures (domain.md) and the demo's invented ones for the unpublished years.
PUBLISHED = {2013: 39, 2014: 56, 2015: 80, 2016: 92, 2017: 104, 2018: 116, 2019: 127, 2020: 130,
             2021: 131, 2022: 134, 2023: 138, 2024: 144, 2025: 150}


def test_python_and_sql_count_the_same_networks_in_every_demo_year(tmp_path, reference):
    register = make_register(2013, reference, last_year=2025)
    home = Home(tmp_path / "home")
    con = open_warehouse(home)
    try:
        store_register(con, register)
        sql = {}
        for year, nid in con.execute("SELECT census_year, network_id FROM pub.network_years").fetchall():
            sql.setdefault(year, set()).add(nid)
    finally:
        con.close()
    for year, expected in PUBLISHED.items():
        python = set(register.loc[counted(register, year), "network_id"])
        assert python == sql[year], year
        assert len(python) == expected, year
