"""Coverage of the specs by traffic: which documented responses of which operations a contract run
or a running mock's clients reached, and which they never did (``mockserver coverage``,
``GET /__admin/coverage``, the end of ``mockserver contract``).

The counts come from the engine (``engine.coverage``: the running mock's) or from a HAR file
(:mod:`~mockserver.coverage.har`); :mod:`~mockserver.coverage.model` holds them against each
operation's documented responses; :mod:`~mockserver.coverage.text` and
:mod:`~mockserver.coverage.page` write the report for a terminal and as an HTML page. Nothing here
knows HTTP or a web framework.
"""

from mockserver.coverage.model import ApiCoverage, CoverageReport, OperationCoverage, Totals, api_coverage
from mockserver.coverage.page import html_report
from mockserver.coverage.text import text_report

__all__ = ["ApiCoverage", "CoverageReport", "OperationCoverage", "Totals", "api_coverage", "html_report", "text_report"]
