"""The ``chart2fhir_dates_v1`` component: printed dates that a label gives a role.

A date matters to extraction only through its label: "Date of Service" dates the visit,
"Collected" dates a lab specimen, "DOB" is the patient's birth date and must never become
an observation's date. Unlabelled dates are left alone here; flowsheet rows read their own.
"""

from __future__ import annotations

import re
from typing import cast

from spacy.tokens import Doc

from pipeline.extract.data import DatesData
from pipeline.extract.dates import DATE, parse_date
from pipeline.extract.findings import DateMention, DateRole, add_span, findings
from pipeline.extract.text import HS, LabelSet

_TOP = ":top"
_WEEKDAY = rf"(?:(?i:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?{HS}+)?"
# "Date of Service: 03/14/2021", "DOS - 03/14/2021", "Collected 03/14/2021".
# OCR leaves stray marks between a label and its date ("Collected: (2024-06-20").
_SEP = rf"{HS}*(?:\([^)\n]{{0,20}}\))?(?:{HS}*[:;#=\-–—.,(\[|’'\"“”*_~]){{0,3}}{HS}*"


class DateLabeller:
    """Finds labelled dates and records them as ``DateMention`` with their role."""

    def __init__(self, data: DatesData, *, confusions: tuple[str, ...]) -> None:
        labels: list[tuple[str, str, bool]] = [
            (label, role, False) for role, items in data.roles.items() for label in items
        ]
        labels += [
            (label, role + _TOP, False) for role, items in data.top_only.items() for label in items
        ]
        self.labels = LabelSet.build(labels, confusions=confusions)
        self.top_lines = data.top_lines
        self.regex = re.compile(f"{self.labels.pattern}{_SEP}{_WEEKDAY}(?P<date>{DATE})")

    def __call__(self, doc: Doc) -> Doc:
        """Record each labelled date of ``doc`` and claim its text."""
        found = findings(doc)
        text = found.text
        for m in self.regex.finditer(text):
            iso = parse_date(m.group("date"))
            if iso is None:
                continue
            key = self.labels.key_of(m)
            top_only = key.endswith(_TOP)
            if top_only and not self._near_top(text, m.start(), found.page_starts):
                continue
            role = cast(DateRole, key.removesuffix(_TOP))
            found.dates.append(
                DateMention(start=m.start(), end=m.end(), iso=iso, role=role, top_only=top_only)
            )
            found.claim(m.start(), m.end())
            add_span(doc, m.start("date"), m.end("date"), "DATE")
        return doc

    def _near_top(self, text: str, offset: int, page_starts: list[int]) -> bool:
        page_start = max(s for s in page_starts if s <= offset)
        return text.count("\n", page_start, offset) < self.top_lines
