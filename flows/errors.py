"""Exit codes and the errors that map onto them (DESIGN.md, "The command line").

Both the command line (cli.py) and the commands (commands.py) import from here, so
neither imports the other.
"""

from __future__ import annotations

EXIT_OK = 0        # success
EXIT_FAILURE = 1   # unexpected failure, broken invariant, warehouse held by another run
EXIT_USAGE = 2     # bad usage or configuration
EXIT_REJECTED = 3  # finished, but some workbooks were rejected


class UsageError(Exception):
    """Bad usage or configuration: exit code 2, one line on the console."""
