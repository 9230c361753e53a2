"""Draw text line by line and record exactly what was drawn where.

A document is built as a list of ``Row`` objects (one printed line each, made of
``Segment`` objects at pixel x positions), flowed onto letter pages at 300 DPI, then
rendered. Rendering returns the page image together with the page text (one line per row,
segments in x order joined by a single space) and the PHI spans with their character
offsets and ink boxes, so the truth is what was drawn, not what was meant.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PAGE_W, PAGE_H, BASE_DPI = 2550, 3300, 300

PHI_LABELS = frozenset(
    {
        "PERSON",
        "DATE",
        "AGE",
        "PHONE_NUMBER",
        "EMAIL_ADDRESS",
        "URL",
        "US_SSN",
        "MRN",
        "ID",
        "STREET_ADDRESS",
        "CITY",
        "ZIP_CODE",
        "FACILITY",
    }
)

_FONT_ROOT = Path("/usr/share/fonts/truetype")

# Family -> (regular, bold), relative to _FONT_ROOT. Packages fonts-dejavu-core and
# fonts-liberation (both in the Makefile's APT_PACKAGES) provide them.
FAMILIES: dict[str, tuple[str, str]] = {
    "DejaVu Sans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "DejaVu Serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
    "DejaVu Sans Mono": ("dejavu/DejaVuSansMono.ttf", "dejavu/DejaVuSansMono-Bold.ttf"),
    "Liberation Sans": (
        "liberation/LiberationSans-Regular.ttf",
        "liberation/LiberationSans-Bold.ttf",
    ),
    "Liberation Serif": (
        "liberation/LiberationSerif-Regular.ttf",
        "liberation/LiberationSerif-Bold.ttf",
    ),
    "Liberation Mono": (
        "liberation/LiberationMono-Regular.ttf",
        "liberation/LiberationMono-Bold.ttf",
    ),
}

# A part of a segment: its text and its PHI label (None when not PHI).
Part = tuple[str, str | None]
PartLike = str | Part


def pt(points: float) -> int:
    """Pixels at 300 DPI for a size in typographic points."""
    return round(points * BASE_DPI / 72)


@functools.cache
def load_font(relpath: str, size: int) -> ImageFont.FreeTypeFont:
    """A TrueType font at ``size`` px; BASIC layout so output does not depend on libraqm."""
    return ImageFont.truetype(str(_FONT_ROOT / relpath), size, layout_engine=ImageFont.Layout.BASIC)


def phi(label: str, text: str) -> Part:
    """A PHI part; ``label`` must be one of ``PHI_LABELS``."""
    if label not in PHI_LABELS:
        raise ValueError(f"unknown PHI label {label!r}")
    return (text, label)


def as_parts(parts: PartLike | Iterable[PartLike]) -> tuple[Part, ...]:
    """Normalise a string, a part or a sequence of both into parts (empty strings dropped)."""
    if isinstance(parts, str):
        parts = [parts]
    elif isinstance(parts, tuple) and len(parts) == 2 and isinstance(parts[0], str):
        if parts[1] is None or parts[1] in PHI_LABELS:
            parts = [parts]  # type: ignore[list-item]
    out: list[Part] = []
    for p in parts:  # type: ignore[union-attr]
        part: Part = (p, None) if isinstance(p, str) else p  # type: ignore[assignment]
        if part[0]:
            out.append(part)
    return tuple(out)


@dataclass(frozen=True)
class Style:
    """The typography and margins of one document."""

    family: str
    size: int  # body text, px
    leading: float = 1.4  # line height / font size
    margin_l: int = 180
    margin_r: int = 180
    margin_t: int = 160
    margin_b: int = 200
    ink: int = 0

    def font(self, size: int | None = None, bold: bool = False) -> ImageFont.FreeTypeFont:
        """The family's regular or bold face at ``size`` px (body size by default)."""
        regular, heavy = FAMILIES[self.family]
        return load_font(heavy if bold else regular, size or self.size)

    @property
    def content_w(self) -> int:
        """Width between the margins."""
        return PAGE_W - self.margin_l - self.margin_r

    @property
    def right(self) -> int:
        """The x of the right margin."""
        return PAGE_W - self.margin_r

    def space(self, size: int | None = None) -> float:
        """Width of a space at ``size``."""
        return self.font(size).getlength(" ")


@dataclass
class Segment:
    """A run of text drawn with one font starting at ``x`` (px, on the baseline)."""

    x: int
    parts: tuple[Part, ...]
    font: ImageFont.FreeTypeFont

    @property
    def text(self) -> str:
        """The text drawn."""
        return "".join(t for t, _ in self.parts)

    @property
    def width(self) -> float:
        """The advance width of the text."""
        return self.font.getlength(self.text)


@dataclass
class Row:
    """One printed line: segments on a shared baseline, plus ruling drawn with it."""

    segments: list[Segment] = field(default_factory=list)
    height: int = 0  # advance to the next row
    baseline: int = 0  # from the row top
    space_before: int = 0  # dropped at the top of a page
    keep_with_next: bool = False
    # (x0, x1, dy, thickness): horizontal rules, dy from the row top.
    hrules: list[tuple[int, int, int, int]] = field(default_factory=list)
    # (x, thickness): vertical rules spanning the row's height.
    vrules: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Cell:
    """What a caller asks for: parts placed at ``x`` (left edge, right edge or centre)."""

    parts: PartLike | Sequence[PartLike]
    x: int | None = None
    bold: bool = False
    align: str = "left"  # left | right | center


class Writer:
    """Builds rows for one document with a given style."""

    def __init__(self, style: Style):
        self.style = style
        self.rows: list[Row] = []

    # ----------------------------------------------------------------- primitives
    def line(
        self,
        *cells: Cell,
        size: int | None = None,
        space_before: int = 0,
        keep: bool = False,
        leading: float | None = None,
    ) -> Row:
        """One row of cells at their x positions (all at the same font size)."""
        st = self.style
        size = size or st.size
        row = self._blank_row(size, space_before, keep, leading)
        for cell in cells:
            parts = as_parts(cell.parts)
            if not parts:
                continue
            font = st.font(size, cell.bold)
            seg = Segment(0, parts, font)
            x = st.margin_l if cell.x is None else cell.x
            if cell.align == "right":
                x = x - seg.width
            elif cell.align == "center":
                x = x - seg.width / 2
            seg.x = round(x)
            row.segments.append(seg)
        self.rows.append(row)
        return row

    def _blank_row(self, size: int, space_before: int, keep: bool, leading: float | None) -> Row:
        font = self.style.font(size)
        ascent, descent = font.getmetrics()
        height = round(size * (leading or self.style.leading))
        pad = max(0, (height - ascent - descent) // 2)
        return Row(
            height=height, baseline=pad + ascent, space_before=space_before, keep_with_next=keep
        )

    def text(
        self,
        parts: PartLike | Sequence[PartLike],
        *,
        x: int | None = None,
        bold: bool = False,
        size: int | None = None,
        space_before: int = 0,
        keep: bool = False,
        align: str = "left",
    ) -> Row:
        """A row with one cell."""
        return self.line(
            Cell(parts, x, bold, align), size=size, space_before=space_before, keep=keep
        )

    def rule(self, *, thickness: int = 3, space: int = 30, x0: int | None = None) -> Row:
        """A horizontal rule across the content width, in a row with no text."""
        st = self.style
        row = Row(height=space, space_before=0)
        row.hrules.append((x0 or st.margin_l, st.right, space // 2, thickness))
        self.rows.append(row)
        return row

    def gap(self, px: int) -> None:
        """Extra space before the next row."""
        row = Row(height=px)
        self.rows.append(row)

    # -------------------------------------------------------------- compositions
    def fields(
        self,
        pairs: Sequence[tuple[str, PartLike | Sequence[PartLike]]],
        *,
        cols: int = 2,
        tab: int | None = None,
        size: int | None = None,
        space_before: int = 0,
        bold_labels: bool = True,
    ) -> list[Row]:
        """Label/value pairs flowed into a grid of ``cols`` columns.

        A pair that does not fit its column pushes the next pair right; a pair that does
        not fit the line starts a new row.
        """
        st = self.style
        size = size or st.size
        col_w = st.content_w // cols
        gap = round(st.space(size) * 3)
        rows: list[Row] = []
        pending: list[Cell] = []
        cursor = st.margin_l  # next free x on the current row
        col = 0

        def flush() -> None:
            nonlocal pending, cursor, col
            if pending:
                rows.append(
                    self.line(
                        *pending,
                        size=size,
                        space_before=space_before if not rows else 0,
                    )
                )
            pending, cursor, col = [], st.margin_l, 0

        for label, value in pairs:
            value_parts = as_parts(value)
            lab_w = st.font(size, bold_labels).getlength(label)
            val_w = st.font(size).getlength("".join(t for t, _ in value_parts))
            val_dx = max(round(lab_w + st.space(size)), tab or 0)
            width = val_dx + val_w
            if pending:
                col = max(col, math.ceil((cursor - st.margin_l) / col_w))
                if col >= cols or st.margin_l + col * col_w + width > st.right:
                    flush()
            x = st.margin_l + col * col_w
            pending.append(Cell(label, x, bold_labels))
            if value_parts:
                pending.append(Cell(value_parts, x + val_dx))
            cursor = round(x + width + gap)
            col += 1
        flush()
        return rows

    def paragraph(
        self,
        parts: Sequence[PartLike],
        *,
        x: int | None = None,
        width: int | None = None,
        size: int | None = None,
        bold: bool = False,
        space_before: int = 0,
        indent: int = 0,
    ) -> list[Row]:
        """Word-wrapped prose; a PHI part is never split across lines."""
        st = self.style
        size = size or st.size
        x = st.margin_l if x is None else x
        width = width or (st.right - x)
        font = st.font(size, bold)
        words = _words(as_parts(parts))
        lines: list[list[list[tuple[str, str | None, int]]]] = []
        current: list[list[tuple[str, str | None, int]]] = []
        for word in words:
            trial = current + [word]
            text = " ".join("".join(c for c, _, _ in w) for w in trial)
            limit = width - (indent if lines else 0)
            if current and font.getlength(text) > limit:
                lines.append(current)
                current = [word]
            else:
                current = trial
        if current:
            lines.append(current)
        rows = []
        for i, ln in enumerate(lines):
            chars: list[tuple[str, str | None, int]] = []
            for j, w in enumerate(ln):
                if j:
                    chars.append((" ", None, -1))
                chars.extend(w)
            rows.append(
                self.line(
                    Cell(_merge(chars), x + (indent if i else 0), bold),
                    size=size,
                    space_before=space_before if i == 0 else 0,
                )
            )
        return rows

    def table(
        self,
        header: Sequence[str],
        body: Sequence[Sequence[PartLike | Sequence[PartLike]]],
        *,
        ruled: str = "none",  # none | lines | grid
        size: int | None = None,
        space_before: int = 0,
        min_gap: int | None = None,
        leading: float | None = None,
    ) -> list[Row]:
        """A table; returns the body rows (header first is kept with the first body row)."""
        st = self.style
        size = size or st.size
        ncol = len(header)
        cells_text = [[as_parts(c) for c in r] for r in body]
        min_gap = min_gap if min_gap is not None else round(size * 0.8)
        while True:
            # A table too wide for the page is set smaller, as a form designer would.
            hfont, bfont = st.font(size, True), st.font(size)
            widths = [hfont.getlength(h) for h in header]
            for r in cells_text:
                for j, c in enumerate(r):
                    widths[j] = max(widths[j], bfont.getlength("".join(t for t, _ in c)))
            natural = sum(widths)
            if natural + min_gap * (ncol - 1) <= st.content_w or size <= 24:
                break
            size -= 2
        gap = (st.content_w - natural) / max(1, ncol - 1) if ncol > 1 else 0
        gap = max(min(gap, size * 3.0), min_gap)
        pad = round(gap / 2)
        xs = [st.margin_l]
        for j in range(1, ncol):
            xs.append(round(xs[-1] + widths[j - 1] + gap))
        x_end = round(xs[-1] + widths[-1] + pad)
        x_start = st.margin_l - pad

        def add_rules(row: Row, top: bool, bottom: bool, thick: int) -> None:
            if ruled == "none":
                return
            if top:
                row.hrules.append((x_start, x_end, 0, thick))
            if bottom:
                row.hrules.append((x_start, x_end, row.height - thick, thick))
            if ruled == "grid":
                row.vrules.append((x_start, 2))
                for xv in xs[1:]:
                    row.vrules.append((round(xv - pad), 2))
                row.vrules.append((x_end, 2))

        lead = leading or (1.6 if ruled != "none" else st.leading)
        head = self.line(
            *[Cell(h, xs[j], True) for j, h in enumerate(header)],
            size=size,
            space_before=space_before,
            keep=True,
            leading=lead,
        )
        add_rules(head, True, True, 3)
        rows = []
        for i, r in enumerate(cells_text):
            row = self.line(
                *[Cell(c, xs[j]) for j, c in enumerate(r)],
                size=size,
                leading=lead,
            )
            last = i == len(cells_text) - 1
            add_rules(row, False, ruled == "grid" or last, 3 if last else 2)
            rows.append(row)
        return rows


def _words(parts: tuple[Part, ...]) -> list[list[tuple[str, str | None, int]]]:
    """Split parts into words at spaces outside PHI; each char keeps (label, part id)."""
    words: list[list[tuple[str, str | None, int]]] = []
    current: list[tuple[str, str | None, int]] = []
    for pid, (text, label) in enumerate(parts):
        for ch in text:
            if ch == " " and label is None:
                if current:
                    words.append(current)
                current = []
            else:
                current.append((ch, label, pid if label else -1))
    if current:
        words.append(current)
    return words


def _merge(chars: list[tuple[str, str | None, int]]) -> list[Part]:
    """Characters back into parts: runs of the same (label, part id)."""
    out: list[Part] = []
    key: tuple[str | None, int] | None = None
    buf = ""
    for ch, label, pid in chars:
        k = (label, pid)
        if k != key and buf:
            out.append((buf, key[0] if key else None))
            buf = ""
        key = k
        buf += ch
    if buf:
        out.append((buf, key[0] if key else None))
    return out


# ------------------------------------------------------------------------- flowing
Placed = list[tuple[int, Row]]


def flow(rows: Sequence[Row], *, top_first: int, top_rest: int, bottom: int) -> list[Placed]:
    """Place rows on pages; rows chained by ``keep_with_next`` stay on one page."""
    units: list[list[Row]] = []
    unit: list[Row] = []
    for row in rows:
        unit.append(row)
        if not row.keep_with_next:
            units.append(unit)
            unit = []
    if unit:
        units.append(unit)
    pages: list[Placed] = [[]]
    y = top_first
    for unit in units:
        height = sum(r.space_before + r.height for r in unit)
        if pages[-1] and y + height > bottom:
            pages.append([])
            y = top_rest
        for row in unit:
            if pages[-1]:
                y += row.space_before
            pages[-1].append((y, row))
            y += row.height
    # A page holding only empty rows (gaps, rules) is not a page.
    return [p for p in pages if any(r.segments for _, r in p)]


# ------------------------------------------------------------------------ rendering
@dataclass
class RenderedPage:
    """A drawn page at 300 DPI, with its text and PHI (boxes in this image's pixels)."""

    image: Image.Image
    text: str
    phi: list[dict]  # type, start, end, text, box (float x0, y0, x1, y1)


def render(placed: Placed, style: Style, *, background: int = 255) -> RenderedPage:
    """Draw placed rows; the page text and PHI offsets are built from the same segments."""
    img = Image.new("L", (PAGE_W, PAGE_H), background)
    draw = ImageDraw.Draw(img)
    lines: list[str] = []
    spans: list[dict] = []
    cursor = 0  # offset of the current line in the page text
    for y, row in sorted(placed, key=lambda p: p[0]):
        for x0, x1, dy, thick in row.hrules:
            draw.rectangle([x0, y + dy, x1, y + dy + thick - 1], fill=style.ink)
        for xv, thick in row.vrules:
            draw.rectangle([xv, y, xv + thick - 1, y + row.height - 1], fill=style.ink)
        if not row.segments:
            continue
        baseline = y + row.baseline
        line = ""
        prev_end = -1e9
        for seg in sorted(row.segments, key=lambda s: s.x):
            if seg.x < prev_end + seg.font.size * 0.25:
                raise ValueError(f"segments overlap on a line: {line!r} / {seg.text!r}")
            if line:
                line += " "
            draw.text((seg.x, baseline), seg.text, font=seg.font, fill=style.ink, anchor="ls")
            k = 0
            for text, label in seg.parts:
                if label:
                    pre = seg.font.getlength(seg.text[:k])
                    bx0, by0, bx1, by1 = seg.font.getbbox(text, anchor="ls")
                    spans.append(
                        {
                            "type": label,
                            "start": cursor + len(line) + k,
                            "end": cursor + len(line) + k + len(text),
                            "text": text,
                            "box": (
                                seg.x + pre + bx0,
                                baseline + by0,
                                seg.x + pre + bx1,
                                baseline + by1,
                            ),
                        }
                    )
                k += len(text)
            line += seg.text
            prev_end = seg.x + seg.width
        if line != line.strip() or "  " in line:
            raise ValueError(f"line has stray spaces: {line!r}")
        lines.append(line)
        cursor += len(line) + 1
    return RenderedPage(img, "\n".join(lines), spans)
