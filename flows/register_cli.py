"""The command line of `mint-census register` (its actions and options).

Apart from flows/register_commands.py, which carries them out, so that building the parser of
every command (`mint-census --help`, the first console line of a flow command) imports neither
pandas nor the register's checks.
"""

from __future__ import annotations

import argparse

from mint_census.schemas import vocabularies as voc

ACTIONS = ("export", "import", "add", "rename", "merge", "end", "pause", "resume")


def add_parser(sub, common: argparse.ArgumentParser, examples: list[str]) -> None:
    """The `register` command and its actions (called by cli.build_parser with its examples)."""
    text = "the register of networks and its dated history (register.xlsx, events)"
    r = sub.add_parser("register", help=text, description=text,
                       epilog="examples:\n" + "\n".join(f"  {e}" for e in examples),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    acts = r.add_subparsers(dest="action", required=True, metavar="ACTION",
                            help="what to do with the register (each action has its own --help)")
    e = acts.add_parser("export", parents=[common], help="write register.xlsx (networks, events, dropdowns) to edit in Excel")
    e.add_argument("--out", default=None, help="file to write (default <home>/register.xlsx)")
    i = acts.add_parser("import", parents=[common], help="check a register.xlsx or CSV and make it the home's register")
    i.add_argument("--file", required=True, help="register.xlsx, or a register CSV (UTF-8, UTF-16 or "
                   "Windows-1252; ';' or ',')")
    i.add_argument("--events", default=None, help="the events CSV of a register CSV (default: "
                   "<name>_events.csv beside it; without one the first format's columns are used)")

    def one(name: str, text: str) -> argparse.ArgumentParser:
        a = acts.add_parser(name, parents=[common], help=text)
        a.add_argument("--id", required=True, help="network ID, e.g. MR-012")
        a.add_argument("--date", required=True, help="date of the event, YYYY-MM-DD or DD.MM.YYYY (it takes "
                       "effect in the census year of that date)")
        a.add_argument("--note", default=None, help="a note on the event (no personal data)")
        return a

    a = one("add", "admit a new network (counted from the year of --date)")
    a.add_argument("--from-file", default=None, metavar="XLSX",
                   help="take name, type, Land, founding year and Kreise from the workbook a new network "
                        "filled in (a blank template); the options below override it")
    a.add_argument("--name", default=None, help="name of the network (required without --from-file)")
    a.add_argument("--type", default=None, choices=voc.NETWORK_TYPES, help="kind of network (default MINT-Region)")
    a.add_argument("--land", default=None, help="Land: name, abbreviation (NW) or key (05) "
                   "(required without --from-file)")
    a.add_argument("--kreise", default=None, help="Kreis keys separated by ';', e.g. '05315;05316'")
    a.add_argument("--founded", type=int, default=None, help="founding year")
    one("rename", "record a new name (the old one stays in the history)").add_argument(
        "--name", required=True, help="the new name")
    one("merge", "end a network by merging it into another").add_argument(
        "--into", required=True, metavar="ID", help="ID of the network it merges into")
    one("end", "end a network (dissolved)")
    one("pause", "a network pauses: not counted until it resumes, keeps its ID")
    one("resume", "a paused network is counted again")
