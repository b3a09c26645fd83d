"""``mockserver lint``: OpenAPI structure plus the house rules, each with an id and a location."""

from mockserver.lint.rules import RULES, Finding, Rule
from mockserver.lint.runner import lint_file, lint_spec

__all__ = ["RULES", "Finding", "Rule", "lint_file", "lint_spec"]
