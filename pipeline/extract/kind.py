"""The ``chart2fhir_kind_v1`` component: what kind of document this is, from its title.

Only the first few non-empty lines of the first page are read: "progress note" in the body
of a discharge summary does not make it a progress note.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from pipeline.extract.data import KindsData
from pipeline.extract.findings import add_span, findings
from pipeline.extract.text import LabelSet
from pipeline.schema import PAGE_BREAK


class KindReader:
    """Sets ``findings(doc).kind`` to a kind key such as ``"lab-report"``, or leaves None."""

    def __init__(self, data: KindsData, *, confusions: tuple[str, ...]) -> None:
        self.labels = LabelSet.build(
            [(title, kind, False) for kind, titles in data.kinds.items() for title in titles],
            confusions=confusions,
        )
        self.regex = re.compile(self.labels.pattern)
        self.title_lines = data.title_lines

    def __call__(self, doc: Doc) -> Doc:
        """Find the first title line naming a kind."""
        found = findings(doc)
        first_page = found.text.split(PAGE_BREAK, 1)[0]
        seen = 0
        at = 0
        for line in first_page.split("\n"):
            if seen >= self.title_lines:
                break
            if line.strip():
                seen += 1
                m = self.regex.search(line)
                if m is not None:
                    found.kind = self.labels.key_of(m)
                    add_span(doc, at + m.start(), at + m.end(), "DOCUMENT_KIND")
                    break
            at += len(line) + 1
        return doc
