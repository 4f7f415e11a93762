"""The log file that fails quietly.

When the log file cannot be opened (read-only home) or a record cannot be written (disk
full), the console gets one line that says so, and the run goes on with the console only;
never a `--- Logging error ---` traceback per record.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path


class QuietFileHandler(logging.FileHandler):
    """A FileHandler whose first failure prints one console line and switches it off."""

    def __init__(self, path: Path):
        self.failed = False
        super().__init__(path, encoding="utf-8", delay=True)

    def emit(self, record: logging.LogRecord) -> None:
        if self.failed:
            return
        try:
            if self.stream is None:
                self.stream = self._open()
            logging.StreamHandler.emit(self, record)  # calls handleError on a failed write
        except OSError:
            self.handleError(record)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        if self.failed:
            return
        self.failed = True
        cause = sys.exc_info()[1]
        print(f"note: cannot write the log file {self.baseFilename} ({type(cause).__name__}: {cause}); "
              "going on without it (console only)", file=sys.stderr)
        try:
            if self.stream is not None:
                self.stream.close()
        except OSError:
            pass
        self.stream = None

    def flush(self) -> None:
        if self.failed:
            return
        try:
            super().flush()
        except OSError:
            self.handleError(None)

    def close(self) -> None:
        try:
            super().close()
        except OSError:
            pass


def open_log_file(path: Path) -> QuietFileHandler:
    """The handler for `path`; when the file cannot be created, say so once (now) and go on."""
    handler = QuietFileHandler(path)
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handler.stream = handler._open()
    except OSError:
        handler.handleError(None)
    return handler
