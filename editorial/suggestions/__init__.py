"""Suggested claims: who said what in a source's text, offered to editors as draft claims (issue #15).

* ``patterns`` — the words of attribution, one table per language;
* ``grammar`` — the attribution shapes as regular expressions, compiled from a table;
* ``spans`` — paragraphs, quotations and sentences of a text, as code-point spans;
* ``attribute`` — the attributor: ``attribute(text) -> [Suggestion]``, pure Python on a string;
* ``store`` — the rows (``SuggestedClaim``), the background task, and making a draft claim of one.

``docs/suggestions.md`` describes what is found and how to extend it.
"""

from editorial.suggestions.attribute import DIRECT, REPORTED, Suggestion, attribute

__all__ = ["DIRECT", "REPORTED", "Suggestion", "attribute"]
