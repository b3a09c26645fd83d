"""``mockserver diff OLD NEW``: the changes between two versions of an OpenAPI 3.0 spec, each classed
by a catalogue rule as breaking or not for a client and for a server."""

from mockserver.diff.compare import diff_documents
from mockserver.diff.model import Change, Level, Rule
from mockserver.diff.rules import RULES

__all__ = ["RULES", "Change", "Level", "Rule", "diff_documents"]
