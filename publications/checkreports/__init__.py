"""What coordinators and staff get back from an ingest: check reports and the overview.

- reports.py: `write_check_reports` — per rejected or warned file, the marked copy of the
  coordinator's workbook (report_workbook.py) and the e-mail text (mail.py);
- overview.py: `write_overview` — the staff overview of the year (uebersicht.xlsx);
- together.py: `write_reports_and_overview` — both for an ingest, side by side;
- redact.py: `redact_reports` — personal values out of report copies (retention).
"""

from .overview import OVERVIEW_FILE, overview_rows, write_overview
from .redact import redact_reports
from .reports import write_check_reports
from .together import write_reports_and_overview

__all__ = ["OVERVIEW_FILE", "overview_rows", "write_overview", "redact_reports", "write_check_reports",
           "write_reports_and_overview"]
