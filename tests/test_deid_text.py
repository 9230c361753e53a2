"""deidentify_text and merge_spans: tables plus properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.deid.spans import merge_spans
from pipeline.deid.text import deidentify_text
from pipeline.schema import PhiReport, Span
from pipeline.settings import configure_process

configure_process()


def report(*spans: tuple[int, int, str]) -> PhiReport:
    return PhiReport(spans=tuple(Span(start=s, end=e, label=lb) for s, e, lb in spans))


@pytest.mark.parametrize(
    ("text", "spans", "expected"),
    [
        # one span in a line
        ("Patient: HARRISON", [(9, 17, "PERSON")], "Patient: [PERSON]"),
        # no spans: the text is unchanged
        ("BP 120/80", [], "BP 120/80"),
        # two spans on two lines; the newline between them stays
        ("MRN 12345\nDOB 03/14/1948", [(4, 9, "MRN"), (14, 24, "DATE")], "MRN [MRN]\nDOB [DATE]"),
        # a span across a line break keeps the break: one tag per line
        ("HARRISON,\nMARGARET A", [(0, 18, "PERSON")], "[PERSON]\n[PERSON] A"),
        # a span across a page break keeps the form feed
        ("SMITH\fJOHN", [(0, 10, "PERSON")], "[PERSON]\f[PERSON]"),
        # a span that is only a line break leaves it
        ("a\nb", [(1, 2, "PERSON")], "a\nb"),
        # touching spans stay two tags
        ("JohnSmith", [(0, 4, "PERSON"), (4, 9, "PERSON")], "[PERSON][PERSON]"),
        # overlapping spans are merged first, labelled by the better span
        ("Springfield IL", [(0, 11, "CITY"), (5, 14, "PERSON")], "[CITY]"),
        # a span at the very start and one at the very end
        ("94 years 62704", [(0, 2, "AGE"), (9, 14, "ZIP_CODE")], "[AGE] years [ZIP_CODE]"),
    ],
)
def test_deidentify_text(text: str, spans: list[tuple[int, int, str]], expected: str) -> None:
    assert deidentify_text(text, report(*spans)) == expected


def test_span_outside_the_text_is_refused() -> None:
    with pytest.raises(ValueError, match="outside the text"):
        deidentify_text("short", report((2, 40, "PERSON")))


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        # disjoint spans come back sorted
        ([(5, 8, "B", 0.5), (0, 2, "A", 0.5)], [(0, 2, "A", 0.5), (5, 8, "B", 0.5)]),
        # overlap: the union, labelled by the higher score
        ([(0, 5, "A", 0.6), (3, 9, "B", 0.9)], [(0, 9, "B", 0.9)]),
        # equal scores: the longer span's label
        ([(0, 4, "A", 0.8), (2, 12, "B", 0.8)], [(0, 12, "B", 0.8)]),
        # a chain of overlaps becomes one span
        ([(0, 3, "A", 0.9), (2, 6, "B", 0.5), (5, 9, "C", 0.5)], [(0, 9, "A", 0.9)]),
        # touching is not overlapping
        ([(0, 3, "A", 0.5), (3, 6, "B", 0.5)], [(0, 3, "A", 0.5), (3, 6, "B", 0.5)]),
        # empty spans are dropped
        ([(4, 4, "A", 0.9)], []),
    ],
)
def test_merge_spans(
    spans: list[tuple[int, int, str, float]], expected: list[tuple[int, int, str, float]]
) -> None:
    merged = merge_spans(Span(start=s, end=e, label=lb, score=sc) for s, e, lb, sc in spans)
    assert [(s.start, s.end, s.label, s.score) for s in merged] == expected


LABELS = st.sampled_from(["PERSON", "DATE", "MRN", "PHONE_NUMBER"])


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[Span]]:
    # Lower-case letters mark text; tags are upper case and brackets, so a lower-case letter
    # in the output can only have come from outside every span.
    text = draw(st.text(alphabet="abcxyz \n\f", max_size=80))
    n = len(text)
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        if n == 0:
            break
        start = draw(st.integers(0, n - 1))
        end = draw(st.integers(start + 1, n))
        spans.append(Span(start=start, end=end, label=draw(LABELS), score=draw(st.floats(0, 1))))
    return text, spans


@given(text_and_spans())
def test_every_character_of_every_span_is_removed(case: tuple[str, list[Span]]) -> None:
    text, spans = case
    out = deidentify_text(text, PhiReport(spans=tuple(spans)))
    inside = [False] * len(text)
    for s in spans:
        for i in range(s.start, s.end):
            inside[i] = True
    kept = "".join(c for c, hidden in zip(text, inside, strict=True) if not hidden)
    assert "".join(c for c in out if c.islower()) == "".join(c for c in kept if c.islower())
    # Line and page structure survives.
    assert out.count("\n") == text.count("\n")
    assert out.count("\f") == text.count("\f")


@given(text_and_spans())
def test_merged_spans_are_disjoint_and_cover_the_same_characters(
    case: tuple[str, list[Span]],
) -> None:
    text, spans = case
    merged = merge_spans(spans)
    assert all(0 <= s.start < s.end <= len(text) for s in merged)
    assert all(a.end <= b.start for a, b in zip(merged, merged[1:], strict=False))
    covered = {i for s in spans for i in range(s.start, s.end)}
    assert {i for s in merged for i in range(s.start, s.end)} == covered
