"""The ``chart2fhir_vitals_v1`` component: vital signs in flowsheets, label/value blocks and prose.

Flowsheets are read first: a header line made only of column labels, then one row per
date/time whose cells are matched to the header's columns. Their lines are claimed, so the
label/value reader that runs next ("BP: 132/84 mmHg", "heart rate 88") never reads a cell
twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

from spacy.tokens import Doc

from pipeline import ucum
from pipeline.extract.data import AnalyteSpec, OcrData, VitalsData
from pipeline.extract.dates import DATE, MONTHS, parse_date
from pipeline.extract.findings import Findings, add_span, findings
from pipeline.extract.measure import Category, Reading, observe
from pipeline.extract.text import HS, NUMBER, WRAP, LabelSet, Number, UnitTable, parse_number
from pipeline.schema import Observation

CATEGORY: Category = "vital-signs"
_DATE_COL, _TIME_COL, _IGNORED_COL = "@date", "@time", "@ignore"

# Between a label and its value: "BP: 132/84", "heart rate of 88", "Temp (oral) - 98.6".
_QUALIFIER = rf"(?:{HS}*\([^)\n]{{0,25}}\))?"
# OCR sprinkles stray marks between a label and its value ("Temp:.98.6", "BP; 159/67").
_SEP = rf"(?:{WRAP}(?:[:;=#\-–.,’'\"“”‘*_~]|(?i:is|was|of)(?![A-Za-z]))){{0,4}}{WRAP}"
_FEET = r"(?:['’′]|(?i:ft\.?|feet|foot)(?![A-Za-z]))"
_INCHES = r"(?:\"|”|″|''|’’|(?i:in\.?|inches)(?![A-Za-z]))"
_VALUE = {
    "number": rf"(?P<v>{NUMBER})",
    "ratio": rf"(?P<v>{NUMBER}){HS}*/{HS}*(?P<v2>{NUMBER})(?![/0-9])",
    "height": (
        rf"(?:(?P<ft>[0-9]){HS}*{_FEET}{HS}*(?:(?P<inch>[0-9]{{1,2}}(?:\.[0-9]+)?){HS}*{_INCHES}?)?"
        rf"|(?P<v>{NUMBER}))"
    ),
}
_LINE = re.compile(r"[^\n\f]*")
# Marks a faxed scan scatters around cells: quotes, degree signs, stray punctuation.
_NOISE = r"[.,;:'’‘\"“”°*~_=]"
_NOISE_TOKEN = re.compile(rf"{_NOISE}+|\|,")
_NOISY_NUMBER = re.compile(rf"{_NOISE}*(?P<core>[^\s|]*?[0-9][^\s|]*?){_NOISE}*")
# A time whose colon OCR read as another mark ("07.19", "07,14", "15'10", "19°18").
_LOOSE_TIME = re.compile(r"(?:[01]?[0-9]|2[0-3])[:.,'’°!](?:[0-5][0-9])(?![0-9])")
_GARBLED_TIME = re.compile(r"[0-9A-Za-z]{1,2}[:'’°!][0-9A-Za-z]{2}[\"'”]?(?=[\s|]|$)")
# A month OCR damaged in one letter ("Fep 19, 2023", "Feo 20, 2023."); read only when the
# date it gives is the previous row's.
_LOOSE_DATE = re.compile(
    rf"(?P<mon>[A-Za-z]{{3}})\.?{HS}*(?P<day>[0-9]{{1,2}}){HS}*[.,;]{{0,2}}{HS}*(?P<year>[0-9]{{4}})\.?"
    r"(?=[\s|]|$)"
)
_CELL = re.compile(
    rf"(?P<ratio>{NUMBER}{HS}*/{HS}*{NUMBER})(?![/0-9]){_NOISE}*(?=[\s|]|$)"
    rf"|(?P<height>[0-9]{HS}*['’′]{HS}*[0-9]{{1,2}}(?:\.[0-9]+)?{HS}*(?:\"|”|″|''|’’)?)"
    r"|[^\s|]+"
)
_COLON_DECIMAL = re.compile(r"([0-9]{2,3}):([0-9])")
_CELL_NUMBER = re.compile(rf"(?P<v>{NUMBER})(?P<rest>.*)", re.S)
_FT_IN = re.compile(rf"(?P<ft>[0-9]){HS}*['’′]{HS}*(?P<inch>[0-9]{{1,2}}(?:\.[0-9]+)?)")
_DATE_AT = re.compile(DATE)
_TIME = re.compile(rf"[0-2]?[0-9]:[0-5][0-9](?::[0-5][0-9])?(?:{HS}*(?i:[ap]\.?m\.?))?(?![0-9])")
_MILITARY = re.compile(r"[0-2][0-9][0-5][0-9](?![0-9./])")
_SPACE_OR_BAR = re.compile(r"[\s|]*")
_WORD = re.compile(r"[^\s|]+")
# A flowsheet goes on after a page break when a row follows within this many lines
# (the page footer, the next page's running header).
CONTINUATION_LINES = 8


@dataclass(frozen=True)
class Column:
    """One flowsheet column: a vital's key (or ``@date``, ``@time``, ``@ignore``) and unit."""

    key: str
    ucum: str | None = None


_UNKNOWN = Column("@unknown")


@dataclass(frozen=True)
class Cell:
    """One value cell of a flowsheet row; ``start``/``end`` are document offsets."""

    start: int
    end: int
    shape: str  # "number", "ratio", "height", "missing" or "text"
    numbers: tuple[Number, ...] = ()
    ucum: str | None = None
    unit_unknown: bool = False
    factor: float = 1.0  # confidence factor of a cell that needed repair


# The date of a row whose printed date could not be read: its values are not emitted.
_UNREAD = ""


class VitalsRecognizer:
    """Finds vital signs and records them as observations."""

    def __init__(self, data: VitalsData, *, units: UnitTable, ocr: OcrData) -> None:
        self.specs = {spec.key: spec for spec in data.analytes}
        self.units = units
        self.penalties = ocr.penalties
        self.repairs = ocr.digit_repairs
        confusions = ocr.label_confusions
        self.labels: dict[str, LabelSet] = {}
        self.patterns: dict[str, re.Pattern[str]] = {}
        for spec in data.analytes:
            labels = LabelSet.build(_spec_labels(spec), confusions=confusions)
            self.labels[spec.key] = labels
            unit = rf"(?:{WRAP}(?P<u>{units.regex(spec.units)}))?"
            self.patterns[spec.key] = re.compile(
                rf"(?P<label>{labels.pattern}){_QUALIFIER}{_SEP}{_VALUE[spec.shape]}{unit}"
            )
        sheet = data.flowsheet
        columns = [t for spec in data.analytes for t in _spec_labels(spec)]
        columns += [(x, _DATE_COL, False) for x in sheet.date_columns]
        columns += [(x, _TIME_COL, False) for x in sheet.time_columns]
        columns += [(x, _IGNORED_COL, False) for x in sheet.ignored_columns]
        self.header_labels = LabelSet.build(columns, confusions=confusions)
        self.header_cell = re.compile(
            rf"{self.header_labels.pattern}(?:{HS}*[(\[{{](?P<hu>[^)\]}}\n]{{1,15}})[)\]}}])?[.:]?"
            r"(?=[\s|]|$)"
        )
        # Single-word column labels, for header words OCR damaged ("Tithe", "Ternp").
        self.header_words = {
            x.lower(): key for x, key, exact in columns if not exact and x.isalpha() and len(x) >= 4
        }
        self.split_confusions = ocr.split_confusions
        # A digit in a unit is a letter misread ("wt (1b)"): the first letter of its group.
        self.unit_letters = str.maketrans(
            {c: g[0].lower() for g in confusions for c in g if c.isdigit() and g[0].isalpha()}
        )
        self.missing = frozenset(x.lower() for x in sheet.missing_cells)
        self.max_extra = sheet.max_extra_cells

    def __call__(self, doc: Doc) -> Doc:
        """Add the vital signs of ``doc`` to its findings."""
        found = findings(doc)
        for obs in [*self._flowsheets(found), *self._labelled(found)]:
            found.observations.append(obs)
            found.claim(obs.start, obs.end)
            add_span(doc, obs.start, obs.end, "VITAL_SIGN")
        return doc

    # Label/value blocks and prose.

    def _labelled(self, found: Findings) -> list[Observation]:
        candidates: list[Observation] = []
        for key, pattern in self.patterns.items():
            spec = self.specs[key]
            for m in pattern.finditer(found.text):
                if found.is_claimed(m.start(), m.end()):
                    continue
                obs = self._from_match(spec, m, found.text)
                if obs is not None:
                    candidates.append(obs)
        # Where two readings overlap ("Pulse ox 97%" is no pulse), keep the longer.
        candidates.sort(key=lambda o: (o.start, -(o.end - o.start)))
        kept: list[Observation] = []
        for obs in candidates:
            if not kept or obs.start >= kept[-1].end:
                kept.append(obs)
        return kept

    def _from_match(self, spec: AnalyteSpec, m: re.Match[str], text: str) -> Observation | None:
        confidence = 1.0
        if self.labels[spec.key].is_variant(m.group("label")):
            confidence *= self.penalties.label_variant
        unit_text = m.group("u")
        if unit_text is None and m.end() < len(text) and re.match(r"[A-Za-z0-9/:]", text[m.end()]):
            return None  # the number runs on into a word, a date or a time: not this value
        ucum = self.units.ucum(unit_text) if unit_text else None
        if spec.shape == "height" and m.group("ft") is not None:
            numbers = _feet_inches(m.group("ft"), m.group("inch"))
            if numbers is None:
                return None
            reading = Reading(numbers=numbers, ucum="[in_i]")
        else:
            parsed = [parse_number(m.group(g), self.repairs) for g in ("v", "v2") if _has(m, g)]
            if any(p is None for p in parsed):
                return None
            reading = Reading(numbers=tuple(p for p in parsed if p is not None), ucum=ucum)
        return observe(
            spec,
            reading,
            category=CATEGORY,
            start=m.start(),
            end=m.end(),
            penalties=self.penalties,
            confidence=confidence,
        )

    # Flowsheets.

    def _flowsheets(self, found: Findings) -> Iterator[Observation]:
        lines = [(m.start(), m.group(0)) for m in _LINE.finditer(found.text) if m.start() < m.end()]
        i = 0
        while i < len(lines):
            header = self._header(lines[i][1])
            if header is None:
                i += 1
                continue
            columns, interleaved = header
            j, rows, last_date = i + 1, 0, None
            while j < len(lines):
                start, line = lines[j]
                if not line.strip():
                    j += 1
                    continue
                row = self._row(found, start, line, columns, last_date)
                if row is not None and interleaved and not rows and not row[2]:
                    row = None  # a header read through values needs a clean first row
                if row is None:
                    resumed = self._resume(found, lines, j, columns) if rows else None
                    if resumed is None:
                        break
                    j = resumed
                    continue
                last_date, observations, _aligned = row
                rows += 1
                found.claim(start, start + len(line))
                yield from observations
                j += 1
            if rows:
                found.claim(lines[i][0], lines[i][0] + len(lines[i][1]))
            i = j if rows else i + 1

    def _resume(
        self, found: Findings, lines: list[tuple[int, str]], j: int, columns: list[Column]
    ) -> int | None:
        """Where a table broken by a page footer and header goes on, on the next page."""
        page = found.page_of(lines[j][0])
        for k in range(j, min(j + CONTINUATION_LINES, len(lines))):
            start, line = lines[k]
            if found.page_of(start) > page and self._row(found, start, line, columns, None):
                return k
        return None

    def _header(self, line: str) -> tuple[list[Column], bool] | None:
        """The columns of ``line`` when it is a flowsheet header, else None.

        The flag is set when the line also held values: on a skewed scan, OCR can merge the
        header with the first row ("2020-08-05 Date 08:12 Time BP 145/84 (mmHg) 84 HR").
        The labels still give the columns; that row's values, interleaved, are not read.
        """
        columns: list[Column] = []
        unknown = values = 0
        pos = _skip(line, 0)
        while pos < len(line):
            m = self.header_cell.match(line, pos)
            if m is not None:
                hu = m.group("hu")
                columns.append(Column(self.header_labels.key_of(m), self._unit(hu) if hu else None))
                pos = m.end()
            else:
                word = _WORD.match(line, pos)
                if word is None:
                    return None
                fuzzy = self._header_word(word.group(0))
                if _NOISE_TOKEN.fullmatch(word.group(0)):
                    pass  # a stray mark, no column
                elif fuzzy is not None:
                    columns.append(fuzzy)
                elif any(c.isdigit() for c in word.group(0)):
                    values += 1
                else:
                    unknown += 1
                    columns.append(_UNKNOWN)
                pos = word.end()
            pos = _skip(line, pos)
        vitals = [c for c in columns if not c.key.startswith("@")]
        # Unknown words are a heading OCR merged into the header line ("VITAL Date SIGNS:
        # Time BP ...") rather than columns: they are dropped, and a real column we do not
        # know shows up as an extra cell that the row alignment places.
        if len(vitals) < 2 or unknown > min(3, len(columns) - unknown - 1):
            return None
        if values and (len(vitals) < 3 or values > len(columns)):
            return None
        return [c for c in columns if c is not _UNKNOWN], bool(values)

    def _unit(self, printed: str) -> str | None:
        return self.units.ucum(printed) or self.units.ucum(printed.translate(self.unit_letters))

    def _header_word(self, word: str) -> Column | None:
        """The column a header word names one OCR slip away ("Tithe" is "Time"), or None.

        A slip is one letter changed, added or dropped, or one letter read as two
        (``split_confusions``); the word must name a single column that way.
        """
        text = word.lower()
        if not text.isalpha() or len(text) < 4:
            return None
        variants = {text} | {
            text[:i] + one + text[i + len(two) :]
            for one, twos in self.split_confusions.items()
            for two in twos
            for i in range(len(text))
            if text.startswith(two, i)
        }
        keys = {
            key
            for label, key in self.header_words.items()
            if label in variants or (label != text and _one_edit(label, text))
        }
        if len(keys) != 1:
            return None
        return Column(keys.pop())

    def _row(
        self,
        found: Findings,
        line_start: int,
        line: str,
        columns: list[Column],
        last_date: str | None,
    ) -> tuple[str | None, list[Observation], bool] | None:
        """Read one row; None when the line is no row.

        Returns the row's date, its cells' observations, and whether every column had
        exactly one cell.
        """
        has_time = any(c.key == _TIME_COL for c in columns)
        pos = _skip(line, 0)
        row_date: str | None = None
        m = _DATE_AT.match(line, pos)
        loose = _LOOSE_DATE.match(line, pos) if m is None else None
        if m is not None and (iso := parse_date(m.group(0))) is not None:
            row_date, pos = iso, m.end()
        elif loose is not None:
            row_date, pos = self._loose_date(loose, last_date), loose.end()
        pos = _skip_noise(line, pos)
        t = _TIME.match(line, pos) or (_MILITARY.match(line, pos) if has_time else None)
        if t is None and row_date is not None and has_time:
            # A time OCR garbled ("93:18", "45°15") is still the time cell, never a value.
            t = _LOOSE_TIME.match(line, pos) or _GARBLED_TIME.match(line, pos)
        if t is not None:
            pos = t.end()
        if row_date is None and t is None:
            if last_date is None or not self._unreadable_row(line, pos, line_start):
                return None
            row_date = _UNREAD  # a row, but its date is lost: the table goes on without it
        effective = row_date if row_date is not None else last_date
        cells = self._cells(line, pos, line_start)
        if all(c.shape == "text" for c in cells):
            return None  # a dated line of prose after the table, not a row
        value_columns = [c for c in columns if c.key not in (_DATE_COL, _TIME_COL)]
        cells = self._split_decimal(cells, value_columns)
        pairs, factor = self._align(cells, value_columns)
        observations = []
        for cell_i, col_i in pairs:
            column, cell = value_columns[col_i], cells[cell_i]
            if (
                effective == _UNREAD
                or column.key.startswith("@")
                or cell.shape in ("missing", "text")
            ):
                continue
            obs = self._cell_observation(cell, column, effective, factor)
            if obs is not None and not found.is_claimed(obs.start, obs.end):
                observations.append(obs)
        return effective, observations, factor == 1.0 and bool(pairs)

    def _loose_date(self, m: re.Match[str], last_date: str | None) -> str | None:
        """A damaged-month row date, when it is the previous row's; else ``_UNREAD``."""
        month = m.group("mon").lower()
        if month in MONTHS:
            candidates = {MONTHS[month]}
        else:
            candidates = {
                n for name, n in MONTHS.items() if len(name) == 3 and _one_edit(name, month)
            }
        # One damaged letter can give several months ("Fep" is "Feb" or "Sep"): only the
        # date the rows before carried confirms a reading.
        dates = {parse_date(f"{n}/{m.group('day')}/{m.group('year')}") for n in candidates}
        return last_date if last_date is not None and last_date in dates else _UNREAD

    def _unreadable_row(self, line: str, pos: int, line_start: int) -> bool:
        """Whether ``line`` is a row whose date and time OCR garbled ("Feb 418, 2023 11:05 ...").

        Up to four unreadable words, then a blood pressure and at least two more numbers.
        """
        cells = self._cells(line, pos, line_start)
        first = next((i for i, c in enumerate(cells) if c.shape == "ratio"), None)
        if first is None or first > 4:
            return False
        return sum(c.shape == "number" for c in cells[first + 1 :]) >= 2

    def _split_decimal(self, cells: list[Cell], columns: list[Column]) -> list[Cell]:
        """Join a temperature whose decimal point OCR read as a space ("99 3" is 99.3).

        Only where the row has exactly one cell too many, the pair sits at the temperature
        column, and the joined value is a typical temperature while the second part is a
        lone digit; the value keeps a low confidence, as the digit after the lost point is
        often misread too.
        """
        for k, column in enumerate(columns[: len(cells) - 1]):
            if column.key != "temp" or "temp" not in self.specs:
                continue
            a, b = cells[k], cells[k + 1]
            if a.shape != "number" or b.shape != "number" or a.ucum or b.ucum:
                continue
            whole, tenth = a.numbers[0], b.numbers[0]
            if (
                whole.decimals
                or tenth.decimals
                or not 0 <= tenth.value <= 9
                or b.end - b.start != 1
            ):
                continue
            after = columns[k + 1] if k + 1 < len(columns) else None
            if len(cells) != len(columns) + 1 and (
                after is None or self._fit(b, after) is not None
            ):
                continue  # the digit reads as the next column's value: two cells, not one
            value = whole.value + tenth.value / 10
            bounds = self.specs["temp"].units.get(column.ucum or "[degF]")
            if bounds is None or not bounds.usual(value):
                continue
            joined = Number(value=round(value, 1), repaired=whole.repaired, decimals=1)
            merged = Cell(a.start, b.end, "number", (joined,), factor=self.penalties.point_restored)
            return [*cells[:k], merged, *cells[k + 2 :]]
        return cells

    def _cells(self, line: str, pos: int, line_start: int) -> list[Cell]:
        cells: list[Cell] = []
        for m in _CELL.finditer(line, pos):
            text = m.group(0)
            if _NOISE_TOKEN.fullmatch(text) and text.lower() not in self.missing:
                continue  # a stray mark between cells
            start, end = line_start + m.start(), line_start + m.end()
            unit = self.units.ucum(text) if not any(c.isdigit() for c in text) else None
            previous = cells[-1] if cells else None
            if (
                unit is not None
                and previous is not None
                and previous.shape not in ("missing", "text")
                and previous.ucum is None
            ):
                cells[-1] = Cell(previous.start, end, previous.shape, previous.numbers, unit)
                continue
            cells.append(self._cell(m, start, end))
        return cells

    def _cell(self, m: re.Match[str], start: int, end: int) -> Cell:
        text = m.group(0)
        if text.strip().lower() in self.missing:
            return Cell(start, end, "missing")
        if m.group("ratio") is not None:
            a, b = (parse_number(x, self.repairs) for x in re.split(r"\s*/\s*", text))
            if a is None or b is None:
                return Cell(start, end, "text")
            return Cell(start, end, "ratio", (a, b))
        if m.group("height") is not None:
            ft_in = _FT_IN.match(text)
            numbers = _feet_inches(ft_in.group("ft"), ft_in.group("inch")) if ft_in else None
            if numbers is None:
                return Cell(start, end, "text")
            return Cell(start, end, "height", numbers, "[in_i]")
        colon = _COLON_DECIMAL.fullmatch(text)
        if colon is not None:
            # "99:3" in a value column is 99.3 with the point read as a colon; a time has
            # two digits after the colon.
            number = parse_number(colon.group(1) + "." + colon.group(2), self.repairs)
            if number is not None:
                number = Number(number.value, repaired=True, decimals=1)
                return Cell(start, end, "number", (number,))
        n = _CELL_NUMBER.fullmatch(text)
        factor = 1.0
        if (
            n is None
            or n.group("rest").strip().rstrip("*")
            and not self.units.ucum(n.group("rest").strip().rstrip("*"))
        ):
            # Quotes or marks glued to a number ("98.0, 97", "14,"): read without them,
            # a little less sure.
            noisy = _NOISY_NUMBER.fullmatch(text)
            core = _CELL_NUMBER.fullmatch(noisy.group("core")) if noisy else None
            if core is not None and not core.group("rest") and noisy is not None:
                n, factor = core, self.penalties.label_variant
        number = parse_number(n.group("v"), self.repairs) if n else None
        if n is None or number is None:
            return Cell(start, end, "text")
        rest = n.group("rest").strip().rstrip("*")
        ucum = self.units.ucum(rest) if rest else None
        return Cell(
            start,
            end,
            "number",
            (number,),
            ucum,
            unit_unknown=bool(rest) and ucum is None,
            factor=factor,
        )

    def _fit(self, cell: Cell, column: Column) -> float | None:
        """How well ``cell`` fits ``column`` (its reading's confidence); None if it cannot."""
        if column.key.startswith("@") or cell.shape == "missing":
            return 0.0
        if cell.shape == "text":
            return None
        spec = self.specs[column.key]
        if not spec.fractional and spec.unit_optional and any(n.decimals for n in cell.numbers):
            return None  # pulse, respiration, SpO2 and BP are whole numbers
        obs = self._cell_observation(cell, column, None, 1.0)
        return None if obs is None else obs.confidence

    def _align(
        self, cells: list[Cell], columns: list[Column]
    ) -> tuple[list[tuple[int, int]], float]:
        """Pair cells with columns, in order; a missing or extra cell is placed by plausibility.

        With as many cells as columns the pairing is positional. Otherwise every
        order-preserving pairing in which all cells fit is scored by how well they fit
        (a pulse of 70 fits the pulse column better than the respiration column); a single
        best pairing is taken with a penalty, and among tied ones only the pairs they all
        agree on are kept, with a larger penalty.
        """
        n, m = len(cells), len(columns)
        if n == m:
            # Positional, up to a cell that cannot be its column's value: past it the
            # cells may have shifted (a lost cell, a split one), so they are not read.
            for i in range(n):
                if (
                    cells[i].shape in ("number", "ratio", "height")
                    and self._fit(cells[i], columns[i]) is None
                ):
                    # The cell just before is kept only where its value is typical: "90 7"
                    # under Temp, SpO2 is more likely 99.7 misread than 90 and 7.
                    keep = i - 1 if i and (self._fit(cells[i - 1], columns[i - 1]) or 0) < 1 else i
                    return [(k, k) for k in range(keep)], 1.0
            return list(zip(range(n), range(m), strict=True)), 1.0
        if abs(n - m) > self.max_extra or not n:
            return [], 1.0
        if n < m:
            candidates = (list(zip(range(n), ks, strict=True)) for ks in combinations(range(m), n))
        else:
            candidates = (list(zip(cs, range(m), strict=True)) for cs in combinations(range(n), m))
        scored: list[tuple[float, list[tuple[int, int]]]] = []
        for pairs in candidates:
            fits = [self._fit(cells[c], columns[k]) for c, k in pairs]
            if all(f is not None for f in fits):
                scored.append((round(sum(f or 0.0 for f in fits), 6), pairs))
        if not scored:
            return [], 1.0
        best = max(score for score, _pairs in scored)
        options = [pairs for score, pairs in scored if score == best]
        if len(options) == 1:
            return options[0], self.penalties.column_inferred
        agreed = set(options[0]).intersection(*options[1:])
        return sorted(agreed), self.penalties.column_ambiguous

    def _cell_observation(
        self, cell: Cell, column: Column, effective: str | None, confidence: float
    ) -> Observation | None:
        spec = self.specs[column.key]
        wanted = {"ratio": ("ratio",), "number": ("number",), "height": ("number", "height")}
        if cell.shape not in wanted[spec.shape]:
            return None
        reading = Reading(
            numbers=cell.numbers,
            ucum=cell.ucum or column.ucum,
            unit_unknown=cell.unit_unknown,
        )
        return observe(
            spec,
            reading,
            category=CATEGORY,
            start=cell.start,
            end=cell.end,
            penalties=self.penalties,
            confidence=confidence * cell.factor,
            effective=effective,
        )


def _one_edit(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one letter changed, added or dropped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _skip_noise(line: str, pos: int) -> int:
    """Past whitespace, table rules and stray marks ("Feb 18, 2023 ° 07.19")."""
    pos = _skip(line, pos)
    while (m := _NOISE_TOKEN.match(line, pos)) is not None and (
        m.end() == len(line) or line[m.end()] in " \t|"
    ):
        pos = _skip(line, m.end())
    return pos


def _skip(line: str, pos: int) -> int:
    """Past the whitespace and table rules ("|") at ``pos``."""
    m = _SPACE_OR_BAR.match(line, pos)
    return m.end() if m else pos


def _spec_labels(spec: AnalyteSpec) -> list[tuple[str, str, bool]]:
    return [(x, spec.key, False) for x in spec.labels] + [
        (x, spec.key, True) for x in spec.exact_labels
    ]


def _has(m: re.Match[str], group: str) -> bool:
    return group in m.re.groupindex and m.group(group) is not None


def _feet_inches(feet: str, inches: str | None) -> tuple[Number, ...] | None:
    """``5'10"`` as 70 inches; None when the inches are not under a foot."""
    extra = float(inches) if inches else 0.0
    whole = ucum.convert(int(feet), "[ft_i]", "[in_i]")
    if extra >= ucum.convert(1, "[ft_i]", "[in_i]"):
        return None
    # Rounded: the library converts through the metre, and 5 ft must be 60 in exactly.
    return (Number(value=round(whole + extra, 6), repaired=False),)
