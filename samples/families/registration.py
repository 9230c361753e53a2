"""Synthetic scanned registration paperwork for the de-identification benchmark.

Four kinds of document, laid out the way different hospitals print them:

* ``face-sheet``: a registration face sheet, ruled cells with the label above the value;
* ``insurance-card``: an insurance verification sheet with coverage blocks, a coverage table
  and a copy of the patient's driver's licence;
* ``consent-form``: an authorization to release health information, prose naming the patient,
  check boxes and signature lines;
* ``referral-letter``: a letter to a specialist, letterhead, prose about the patient and a
  signature block.

Every page is drawn at 300 DPI, then saved clean or degraded like a scan or a fax.  The truth
JSON beside each document holds the exact text drawn (one line per printed row) and every PHI
span with its ink box on the saved image.

Run: ``python -m samples.families.registration --n 12 --seed 1 --out /tmp/reg``
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import re
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pikepdf
from faker import Faker
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FAMILY = "registration"
KINDS = ("face-sheet", "insurance-card", "consent-form", "referral-letter")
LEVELS = ("clean", "moderate", "heavy")
PAGE_W, PAGE_H = 2550, 3300
BASE_DPI = 300

Frag = str | tuple[str, dict]
Span = tuple[int, int, dict]


class LayoutOverflow(Exception):
    """The content did not fit the pages allowed; the document is drawn again."""


# ------------------------------------------------------------------------------ text helpers

_FOLD = str.maketrans(
    {
        "Đ": "D",
        "đ": "d",
        "Ł": "L",
        "ł": "l",
        "ß": "ss",
        "Ø": "O",
        "ø": "o",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "ı": "i",
        "Þ": "Th",
        "þ": "th",
        "Ð": "D",
        "ð": "d",
        "\u2019": "'",
        "\u2018": "'",
        "\u2013": "-",
        "\u2014": "-",
    }
)


def asc(s: str) -> str:
    """Fold a string to plain ASCII with single spaces.

    Args:
        s: Any text, typically from Faker.

    Returns:
        The text with accents removed, non-ASCII characters dropped and runs of
        whitespace collapsed.
    """
    s = unicodedata.normalize("NFKD", s.translate(_FOLD))
    s = "".join(ch for ch in s if ord(ch) < 128)
    return " ".join(s.split())


def ph(text: str, kind: str, **meta: Any) -> tuple[str, dict]:
    """One PHI fragment: the printed text and its annotation."""
    return (text, {"type": kind, **meta})


def build(frags: Sequence[Frag] | Frag) -> tuple[str, list[Span]]:
    """Join fragments into one string and the PHI spans inside it."""
    if isinstance(frags, (str, tuple)):
        frags = [frags]
    text = ""
    spans: list[Span] = []
    for f in frags:
        if isinstance(f, str):
            text += f
        else:
            start = len(text)
            text += f[0]
            spans.append((start, len(text), f[1]))
    return text, spans


def plain(frags: Sequence[Frag] | Frag) -> str:
    """The string that fragments print."""
    return build(frags)[0]


def upper_frags(frags: Sequence[Frag]) -> list[Frag]:
    """The same fragments in capitals (the annotations are kept)."""
    return [f.upper() if isinstance(f, str) else (f[0].upper(), f[1]) for f in frags]


def join_frags(parts: Sequence[Sequence[Frag]], sep: str = ", ", last: str = " and ") -> list[Frag]:
    """Join lists of fragments as an English enumeration."""
    out: list[Frag] = []
    for i, p in enumerate(parts):
        if i:
            out.append(last if i == len(parts) - 1 else sep)
        out.extend(p)
    return out


# ------------------------------------------------------------------------------ fonts

FONT_ROOT = Path("/usr/share/fonts/truetype")
FONT_FILES = {
    "Liberation Sans": (
        "liberation/LiberationSans-Regular.ttf",
        "liberation/LiberationSans-Bold.ttf",
    ),
    "Liberation Serif": (
        "liberation/LiberationSerif-Regular.ttf",
        "liberation/LiberationSerif-Bold.ttf",
    ),
    "Liberation Sans Narrow": (
        "liberation/LiberationSansNarrow-Regular.ttf",
        "liberation/LiberationSansNarrow-Bold.ttf",
    ),
    "Liberation Mono": (
        "liberation/LiberationMono-Regular.ttf",
        "liberation/LiberationMono-Bold.ttf",
    ),
    "DejaVu Sans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "DejaVu Serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
    "DejaVu Sans Condensed": (
        "dejavu/DejaVuSansCondensed.ttf",
        "dejavu/DejaVuSansCondensed-Bold.ttf",
    ),
}
KIND_FONTS = {
    "face-sheet": [
        "Liberation Sans",
        "DejaVu Sans",
        "Liberation Sans Narrow",
        "DejaVu Sans Condensed",
        "Liberation Mono",
        "Liberation Serif",
    ],
    "insurance-card": [
        "Liberation Sans",
        "DejaVu Sans",
        "DejaVu Sans Condensed",
        "Liberation Serif",
    ],
    "consent-form": ["Liberation Serif", "DejaVu Serif", "Liberation Sans", "DejaVu Sans"],
    "referral-letter": ["Liberation Serif", "DejaVu Serif", "Liberation Sans", "DejaVu Sans"],
}


@lru_cache(maxsize=512)
def get_font(family: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """A TrueType font at a pixel size (basic layout, so measures do not depend on raqm)."""
    path = FONT_ROOT / FONT_FILES[family][1 if bold else 0]
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


# ------------------------------------------------------------------------------ page model


@dataclass
class TextOp:
    """One piece of text drawn on a page, and the PHI spans inside it."""

    x: int
    y: int
    text: str
    font: ImageFont.FreeTypeFont
    spans: list[Span]
    row: int
    fill: int


class Page:
    """Drawing operations for one 300 DPI page, kept so that a block can be taken back."""

    def __init__(self) -> None:
        self.ops: list[tuple] = []

    def text(
        self,
        x: float,
        y: float,
        frags: Sequence[Frag] | Frag,
        fnt: ImageFont.FreeTypeFont,
        *,
        row: float | None = None,
        fill: int = 0,
    ) -> float:
        """Draw text with its top-left at (x, y); return the x where it ends."""
        s, spans = build(frags)
        return self.raw(x, y, s, spans, fnt, row=row, fill=fill)

    def raw(
        self,
        x: float,
        y: float,
        s: str,
        spans: list[Span],
        fnt: ImageFont.FreeTypeFont,
        *,
        row: float | None = None,
        fill: int = 0,
    ) -> float:
        """Draw an already built string; return the x where it ends."""
        if not s:
            return x
        if s != s.strip() or "  " in s or not s.isascii():
            raise ValueError(f"bad text piece {s!r}")
        xi, yi = round(x), round(y)
        self.ops.append(
            ("text", TextOp(xi, yi, s, fnt, spans, yi if row is None else round(row), fill))
        )
        return x + fnt.getlength(s)

    def text_right(self, x_right: float, y: float, frags, fnt, **kw: Any) -> float:
        """Draw text that ends at x_right; return where it starts."""
        x = x_right - fnt.getlength(plain(frags))
        self.text(x, y, frags, fnt, **kw)
        return x

    def text_center(self, cx: float, y: float, frags, fnt, **kw: Any) -> None:
        """Draw text centred on cx."""
        self.text(cx - fnt.getlength(plain(frags)) / 2, y, frags, fnt, **kw)

    def line(self, x0: float, y0: float, x1: float, y1: float, width: int = 3, fill: int = 0):
        """A straight rule."""
        self.ops.append(("line", (round(x0), round(y0), round(x1), round(y1)), width, fill))

    def rect(
        self,
        x0: float,
        y0: float,
        x1: float,
        y1: float,
        *,
        outline: int | None = 0,
        width: int = 3,
        fill: int | None = None,
        radius: int = 0,
    ) -> None:
        """A rectangle, outlined and/or filled."""
        box = (round(x0), round(y0), round(x1), round(y1))
        self.ops.append(("rect", box, outline, width, fill, radius))

    def poly(self, pts: list[tuple[float, float]], width: int, fill: int) -> None:
        """A polyline (signatures, photo outlines)."""
        self.ops.append(("poly", [(round(x), round(y)) for x, y in pts], width, fill))

    def ellipse(self, box: tuple[float, float, float, float], width: int, fill: int) -> None:
        """An outlined ellipse."""
        self.ops.append(("ellipse", tuple(round(v) for v in box), width, fill))

    def texts(self) -> list[TextOp]:
        """The text pieces drawn so far."""
        return [op[1] for op in self.ops if op[0] == "text"]


def rasterize(page: Page) -> Image.Image:
    """Draw a page's operations on white paper at 300 DPI."""
    im = Image.new("L", (PAGE_W, PAGE_H), 255)
    d = ImageDraw.Draw(im)
    for op in page.ops:
        kind = op[0]
        if kind == "text":
            t: TextOp = op[1]
            d.text((t.x, t.y), t.text, font=t.font, fill=t.fill)
        elif kind == "line":
            d.line(op[1], fill=op[3], width=op[2])
        elif kind == "rect":
            _, box, outline, width, fill, radius = op
            if radius:
                d.rounded_rectangle(box, radius=radius, outline=outline, width=width, fill=fill)
            else:
                d.rectangle(box, outline=outline, width=width, fill=fill)
        elif kind == "poly":
            d.line(op[1], fill=op[3], width=op[2], joint="curve")
        elif kind == "ellipse":
            d.ellipse(op[1], outline=op[3], width=op[2])
    return im


def span_box(t: TextOp, start: int, end: int) -> tuple[float, float, float, float]:
    """Ink box of text[start:end] of a piece, at 300 DPI."""
    pre = t.font.getlength(t.text[:start])
    left, top, right, bottom = t.font.getbbox(t.text[start:end])
    return (t.x + pre + left, t.y + top, t.x + pre + right, t.y + bottom)


def map_box(
    box: tuple[float, float, float, float], scale: float, skew: float, w: int, h: int
) -> list[int]:
    """Map a 300 DPI box through scaling and a counter-clockwise rotation about the centre."""
    x0, y0, x1, y1 = (v * scale for v in box)
    cx, cy = w / 2, h / 2
    th = math.radians(skew)
    c, s = math.cos(th), math.sin(th)
    xs, ys = [], []
    for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
        dx, dy = x - cx, y - cy
        xs.append(cx + dx * c + dy * s)
        ys.append(cy - dx * s + dy * c)
    bx0 = max(0, math.floor(min(xs)))
    by0 = max(0, math.floor(min(ys)))
    bx1 = min(w, math.ceil(max(xs)))
    by1 = min(h, math.ceil(max(ys)))
    return [bx0, by0, bx1, by1]


def assemble(page: Page, scale: float, skew: float, w: int, h: int) -> tuple[str, list[dict]]:
    """The page text (one line per printed row) and its PHI items with boxes."""
    rows: dict[int, list[TextOp]] = {}
    for t in page.texts():
        rows.setdefault(t.row, []).append(t)
    keys = sorted(rows)
    # Rows must not share a printed line: a reader would see one line where the truth has two.
    prev_bottom = None
    for k in keys:
        top = min(t.y for t in rows[k])
        bottom = max(t.y + sum(t.font.getmetrics()) for t in rows[k])
        if prev_bottom is not None and prev_bottom - top > 0.45 * (bottom - top):
            raise ValueError(f"rows overlap at y={k}: {[t.text for t in rows[k]]}")
        prev_bottom = bottom
    lines: list[str] = []
    items: list[dict] = []
    pos = 0
    for k in keys:
        segs = sorted(rows[k], key=lambda t: t.x)
        for a, b in zip(segs, segs[1:], strict=False):
            if a.x + a.font.getlength(a.text) > b.x + 2:
                raise ValueError(f"pieces overlap: {a.text!r} / {b.text!r}")
        line = ""
        for t in segs:
            if line:
                line += " "
            base = pos + len(line)
            for s, e, meta in t.spans:
                item = {"type": meta["type"]}
                item.update({k2: v for k2, v in meta.items() if k2 != "type"})
                item.update(
                    start=base + s,
                    end=base + e,
                    text=t.text[s:e],
                    box=map_box(span_box(t, s, e), scale, skew, w, h),
                )
                items.append(item)
            line += t.text
        lines.append(line)
        pos += len(line) + 1
    items.sort(key=lambda it: (it["start"], it["end"]))
    return "\n".join(lines), items


def paragraph(
    page: Page,
    x: float,
    y: float,
    width: float,
    frags: Sequence[Frag],
    fnt: ImageFont.FreeTypeFont,
    *,
    leading: float = 1.4,
    align: str = "left",
    fill: int = 0,
) -> int:
    """Wrap prose into lines (never inside a PHI span); return the y below it."""
    s, spans = build(frags)
    if not s:
        return round(y)
    breaks = [i for i, ch in enumerate(s) if ch == " " and not any(a < i < b for a, b, _ in spans)]
    words = []
    prev = 0
    for b in breaks:
        words.append((prev, b))
        prev = b + 1
    words.append((prev, len(s)))
    lines = []
    ls, le = words[0]
    for ws, we in words[1:]:
        if fnt.getlength(s[ls:we]) <= width:
            le = we
        else:
            lines.append((ls, le))
            ls, le = ws, we
    lines.append((ls, le))
    lh = round(fnt.size * leading)
    for ls, le in lines:
        sub = s[ls:le]
        sub_spans = [(a - ls, b - ls, m) for a, b, m in spans if a >= ls and b <= le]
        lx = x
        if align == "center":
            lx = x + (width - fnt.getlength(sub)) / 2
        elif align == "right":
            lx = x + width - fnt.getlength(sub)
        page.raw(lx, y, sub, sub_spans, fnt, fill=fill)
        y += lh
    return round(y)


# ------------------------------------------------------------------------------ world data

WORD_GIVEN_F = ["Hope", "Rose", "Faith", "Joy", "June", "Dawn", "Iris", "Ivy", "Summer", "Grace"]
WORD_GIVEN_F += ["Amber", "Holly", "Pearl", "Sunny", "April", "Violet", "Star", "Autumn"]
WORD_GIVEN_M = ["Will", "Bill", "Grant", "Jack", "Art", "Hunter", "Chase", "Guy", "Pat", "Frank"]
WORD_GIVEN_M += ["Mark", "Rich", "Wade", "Clay", "Sterling", "Miles", "Rusty", "Forrest"]
WORD_FAMILY = ["Young", "Sharp", "Hill", "Brown", "Green", "White", "Black", "Wood", "Stone"]
WORD_FAMILY += ["Rich", "Little", "Long", "Bell", "Bush", "Cook", "Baker", "Mason", "Fox", "King"]
WORD_FAMILY += ["Street", "Church", "Hall", "Price", "Love", "Strong", "Bishop", "Parks", "Frost"]
WORD_FAMILY += ["Rivers", "Lane", "Snow", "Moody", "Summers", "Goodman", "Sweet", "Golden", "May"]

PATIENT_LOCALES = [
    ("en_US", 16),
    ("en_GB", 5),
    ("en_IN", 6),
    ("en_NG", 4),
    ("yo_NG", 2),
    ("ig_NG", 2),
    ("en_IE", 3),
    ("en_AU", 2),
    ("es_MX", 9),
    ("fr_FR", 3),
    ("de_DE", 3),
    ("pl_PL", 4),
    ("it_IT", 3),
    ("pt_BR", 3),
    ("vi_VN", 4),
    ("ja_JP", 2),
    ("nl_NL", 1),
    ("ro_RO", 1),
    ("hu_HU", 1),
    ("cs_CZ", 1),
    ("tr_TR", 1),
    ("fi_FI", 1),
]
LANGUAGE = {
    "es_MX": "Spanish",
    "pl_PL": "Polish",
    "vi_VN": "Vietnamese",
    "ja_JP": "Japanese",
    "pt_BR": "Portuguese",
    "fr_FR": "French",
    "de_DE": "German",
    "it_IT": "Italian",
    "yo_NG": "Yoruba",
    "ig_NG": "Igbo",
    "ro_RO": "Romanian",
    "hu_HU": "Hungarian",
    "tr_TR": "Turkish",
}

CITIES = [
    ("Dayton", "OH", "454"),
    ("Toledo", "OH", "436"),
    ("Akron", "OH", "443"),
    ("Marion", "OH", "433"),
    ("Frederick", "MD", "217"),
    ("Hagerstown", "MD", "217"),
    ("Spokane", "WA", "992"),
    ("Tucson", "AZ", "857"),
    ("Duluth", "MN", "558"),
    ("Fresno", "CA", "937"),
    ("Albany", "NY", "122"),
    ("Troy", "NY", "121"),
    ("Trenton", "NJ", "086"),
    ("Wichita", "KS", "672"),
    ("Boise", "ID", "837"),
    ("Scranton", "PA", "185"),
    ("Reading", "PA", "196"),
    ("Chester", "PA", "190"),
    ("Macon", "GA", "312"),
    ("Savannah", "GA", "314"),
    ("Peoria", "IL", "616"),
    ("Normal", "IL", "617"),
    ("Laredo", "TX", "780"),
    ("Lubbock", "TX", "794"),
    ("Paris", "TX", "754"),
    ("Yonkers", "NY", "107"),
    ("Provo", "UT", "846"),
    ("Sandy", "UT", "840"),
    ("Bangor", "ME", "044"),
    ("Burlington", "VT", "054"),
    ("Florence", "AL", "356"),
    ("Mobile", "AL", "366"),
    ("Eugene", "OR", "974"),
    ("Bend", "OR", "977"),
    ("Independence", "MO", "640"),
    ("Lincoln", "NE", "685"),
    ("Jackson", "MS", "392"),
    ("Charlotte", "NC", "282"),
    ("Santa Fe", "NM", "875"),
    ("Hope", "AR", "718"),
    ("Warren", "MI", "480"),
    ("Orange", "CA", "928"),
    ("Kalamazoo", "MI", "490"),
    ("Chattanooga", "TN", "374"),
    ("Des Moines", "IA", "503"),
    ("Green Bay", "WI", "543"),
    ("Fort Wayne", "IN", "468"),
    ("Saint Cloud", "MN", "563"),
    ("Las Cruces", "NM", "880"),
    ("Pueblo", "CO", "810"),
    ("Billings", "MT", "591"),
    ("Sioux Falls", "SD", "571"),
    ("Fargo", "ND", "581"),
    ("Asheville", "NC", "288"),
    ("Roanoke", "VA", "240"),
    ("Lowell", "MA", "018"),
    ("Hartford", "CT", "061"),
    ("Providence", "RI", "029"),
    ("Wilmington", "DE", "198"),
]
STATE_NAMES = {
    "OH": "OHIO",
    "MD": "MARYLAND",
    "WA": "WASHINGTON",
    "AZ": "ARIZONA",
    "MN": "MINNESOTA",
    "CA": "CALIFORNIA",
    "NY": "NEW YORK",
    "NJ": "NEW JERSEY",
    "KS": "KANSAS",
    "ID": "IDAHO",
    "PA": "PENNSYLVANIA",
    "GA": "GEORGIA",
    "IL": "ILLINOIS",
    "TX": "TEXAS",
    "UT": "UTAH",
    "ME": "MAINE",
    "VT": "VERMONT",
    "AL": "ALABAMA",
    "OR": "OREGON",
    "MO": "MISSOURI",
    "NE": "NEBRASKA",
    "MS": "MISSISSIPPI",
    "NC": "NORTH CAROLINA",
    "NM": "NEW MEXICO",
    "AR": "ARKANSAS",
    "MI": "MICHIGAN",
    "TN": "TENNESSEE",
    "IA": "IOWA",
    "WI": "WISCONSIN",
    "IN": "INDIANA",
    "CO": "COLORADO",
    "MT": "MONTANA",
    "SD": "SOUTH DAKOTA",
    "ND": "NORTH DAKOTA",
    "VA": "VIRGINIA",
    "MA": "MASSACHUSETTS",
    "CT": "CONNECTICUT",
    "RI": "RHODE ISLAND",
    "DE": "DELAWARE",
}
AREA_CODES = [301, 410, 240, 937, 614, 216, 419, 330, 509, 520, 218, 559, 518, 609, 316, 208]
AREA_CODES += [570, 610, 478, 912, 309, 956, 806, 903, 914, 801, 207, 802, 256, 251, 541, 816]
AREA_CODES += [402, 601, 704, 505, 870, 586, 714, 269, 423, 515, 920, 260, 320, 575, 719, 406]
AREA_CODES += [605, 701, 828, 540, 978, 860, 401, 302, 313, 980]

STREET_WORDS = ["Maple", "Oak", "Cedar", "Elm", "Washington", "Lincoln", "Jefferson", "Park"]
STREET_WORDS += ["Lake", "Hill", "Church", "Main", "Market", "Ridge", "Meadow", "Willow"]
STREET_WORDS += ["Sycamore", "Walnut", "Chestnut", "Sunset", "Highland", "Cherry", "Orchard"]
STREET_WORDS += ["Forest", "River", "Mill", "Prospect", "Union", "Liberty", "Franklin", "Madison"]
STREET_WORDS += ["Quarry", "Harbor", "Falcon", "Heron", "Juniper", "Magnolia", "Sassafras"]
STREET_WORDS += ["Old Mill", "Martin Luther King Jr", "Blue Heron", "Fox Run", "Indian Creek"]
STREET_WORDS += ["Deer Path", "Pleasant Valley", "Stony Brook", "Canal", "Depot", "Railroad"]
STREET_SUFFIXES = ["St", "Street", "Ave", "Avenue", "Blvd", "Rd", "Road", "Dr", "Drive", "Ln"]
STREET_SUFFIXES += ["Lane", "Ct", "Court", "Pl", "Way", "Ter", "Pkwy", "Cir", "Hwy", "Ports"]
STREET_SUFFIXES += ["Squares", "Common", "Spring", "Crossing", "Heights", "Trace", "Row", "Pike"]
STREET_SUFFIXES += ["Gardens", "Run", "Pass", "Loop", "Walk", "Point", "Bend", "Glen", "Hollow"]
STREET_SUFFIXES += ["Landing", "Vista", "Mews", "Green", "Grove", "Square", "Trail", "Turnpike"]

EMPLOYERS = ["Tri-State Logistics", "Public School District 12", "Self-employed", "Retired"]
EMPLOYERS += ["U.S. Postal Service", "Amazon Fulfillment", "Home Depot", "Unemployed"]
EMPLOYERS += ["FedEx Ground", "Delta Air Lines", "Sysco Foods", "Allied Roofing Inc."]
EMPLOYERS += ["Summit Electric Supply", "Bright Horizons Child Care", "Keystone Staffing"]
EMPLOYERS += ["Blue Ribbon Bakery", "Northside Auto Body", "Metro Transit Authority"]
EMPLOYERS += ["Pinnacle Insurance Group", "Evergreen Landscaping", "Apex Tool & Die"]
OCCUPATIONS = ["Warehouse associate", "Teacher", "Truck driver", "Cashier", "Accountant"]
OCCUPATIONS += ["Electrician", "Homemaker", "Software developer", "Machinist", "Bus driver"]
OCCUPATIONS += ["Line cook", "Mail carrier", "Roofer", "Bookkeeper", "Child care worker"]

PAYERS = ["Aetna", "UnitedHealthcare", "Cigna", "Humana", "Anthem Blue Cross", "CareSource"]
PAYERS += ["Molina Healthcare", "Tricare East", "Ambetter", "Oscar Health", "WellCare"]
PAYERS += ["Medicare Part B", "Medicaid", "Highmark BCBS", "Blue Cross Blue Shield", "Amerigroup"]
PLANS = ["Choice POS II", "PPO 1500", "HMO Select", "Medicare Advantage PPO", "Gold 80 EPO"]
PLANS += ["Open Access Plus", "Silver 70 HMO", "Managed Medicaid", "Traditional", "Bronze HSA"]
PLANS += ["Dual Complete", "Select Plus", "Premier PPO"]

SAINTS = ["Agnes", "Luke's", "Joseph", "Mary's", "Vincent", "Francis", "Elizabeth", "Anne's"]
SAINTS += ["Jude", "Clare", "Benedict", "Catherine", "Anthony", "Raphael", "Bernadine"]
GEO = ["Lakeshore", "Riverside", "Blue Ridge", "Piedmont", "Summit", "Cedar Creek", "Northgate"]
GEO += ["Harbor View", "Prairie", "Mesa", "Bayside", "Three Rivers", "Allegheny", "Chesapeake"]
GEO += ["Sierra", "Great Lakes", "Fox Valley", "Tri-County", "Heartland", "Pine Ridge", "Coastal"]
GEO += ["Westside", "Valley", "Shenandoah", "Gateway", "Ozark", "Red River", "Maple Grove"]

# problem -> (referral specialty, medicines)
PROBLEMS: dict[str, tuple[str, list[str]]] = {
    "hypertension": ("Nephrology", ["lisinopril", "amlodipine", "hydrochlorothiazide", "losartan"]),
    "type 2 diabetes mellitus": (
        "Endocrinology",
        ["metformin", "insulin glargine", "empagliflozin", "glipizide"],
    ),
    "hyperlipidemia": ("Cardiology", ["atorvastatin", "rosuvastatin"]),
    "atrial fibrillation": ("Cardiology", ["apixaban", "metoprolol succinate", "diltiazem"]),
    "heart failure with reduced ejection fraction": (
        "Cardiology",
        ["furosemide", "carvedilol", "spironolactone"],
    ),
    "chronic kidney disease stage 3a": ("Nephrology", ["sodium bicarbonate"]),
    "COPD": ("Pulmonology", ["tiotropium", "albuterol inhaler"]),
    "obstructive sleep apnea": ("Pulmonology", []),
    "asthma": ("Pulmonology", ["albuterol inhaler", "budesonide-formoterol"]),
    "hypothyroidism": ("Endocrinology", ["levothyroxine"]),
    "gout": ("Rheumatology", ["allopurinol", "colchicine"]),
    "rheumatoid arthritis": ("Rheumatology", ["methotrexate", "folic acid", "hydroxychloroquine"]),
    "osteoarthritis of the right knee": ("Orthopaedics", ["acetaminophen", "meloxicam"]),
    "GERD": ("Gastroenterology", ["omeprazole", "pantoprazole"]),
    "iron deficiency anemia": ("Hematology", ["ferrous sulfate"]),
    "major depressive disorder": ("Psychiatry", ["sertraline", "escitalopram", "bupropion"]),
    "migraine": ("Neurology", ["sumatriptan", "topiramate"]),
    "Parkinson disease": ("Neurology", ["carbidopa-levodopa"]),
    "osteoporosis": ("Endocrinology", ["alendronate", "vitamin D3"]),
    "peripheral neuropathy": ("Neurology", ["gabapentin"]),
}
DOSES = {
    "lisinopril": ["10 mg daily", "20 mg once daily", "40 mg daily"],
    "amlodipine": ["5 mg daily", "10 mg daily"],
    "hydrochlorothiazide": ["25 mg every morning", "12.5 mg daily"],
    "losartan": ["50 mg daily", "100 mg daily"],
    "metformin": ["1000 mg twice daily", "500 mg twice daily", "850 mg BID"],
    "insulin glargine": ["22 units nightly", "34 units at bedtime", "18 units daily"],
    "empagliflozin": ["10 mg daily", "25 mg daily"],
    "glipizide": ["5 mg before breakfast", "10 mg BID"],
    "atorvastatin": ["40 mg at bedtime", "80 mg daily", "20 mg daily"],
    "rosuvastatin": ["10 mg daily", "20 mg nightly"],
    "apixaban": ["5 mg twice daily", "2.5 mg BID"],
    "metoprolol succinate": ["50 mg daily", "100 mg daily", "25 mg daily"],
    "diltiazem": ["120 mg ER daily", "240 mg daily"],
    "furosemide": ["40 mg daily", "20 mg twice daily"],
    "carvedilol": ["12.5 mg twice daily", "6.25 mg BID"],
    "spironolactone": ["25 mg daily"],
    "sodium bicarbonate": ["650 mg three times daily"],
    "tiotropium": ["18 mcg inhaled daily", "2.5 mcg two puffs daily"],
    "albuterol inhaler": ["90 mcg two puffs every 4 hours as needed"],
    "budesonide-formoterol": ["160/4.5 mcg two puffs twice daily"],
    "levothyroxine": ["75 mcg daily", "100 mcg every morning", "50 mcg daily"],
    "allopurinol": ["300 mg daily", "100 mg daily"],
    "colchicine": ["0.6 mg daily as needed"],
    "methotrexate": ["15 mg weekly", "20 mg once weekly"],
    "folic acid": ["1 mg daily"],
    "hydroxychloroquine": ["200 mg twice daily"],
    "acetaminophen": ["650 mg every 6 hours as needed", "1 g three times daily"],
    "meloxicam": ["7.5 mg daily", "15 mg daily"],
    "omeprazole": ["20 mg daily", "40 mg before breakfast"],
    "pantoprazole": ["40 mg daily"],
    "ferrous sulfate": ["325 mg every other day", "325 mg daily"],
    "sertraline": ["50 mg daily", "100 mg daily"],
    "escitalopram": ["10 mg daily", "20 mg daily"],
    "bupropion": ["150 mg XL daily", "300 mg XL daily"],
    "sumatriptan": ["50 mg as needed"],
    "topiramate": ["25 mg twice daily", "50 mg nightly"],
    "carbidopa-levodopa": ["25/100 mg three times daily"],
    "alendronate": ["70 mg weekly"],
    "vitamin D3": ["2000 units daily", "1000 IU daily"],
    "gabapentin": ["300 mg three times daily", "600 mg at bedtime"],
}
SYMPTOMS = {
    "Cardiology": [
        "exertional dyspnea",
        "intermittent palpitations",
        "ankle swelling",
        "chest tightness",
    ],
    "Nephrology": ["ankle swelling", "nocturia", "fatigue"],
    "Endocrinology": ["polyuria", "fatigue", "unintended weight gain", "heat intolerance"],
    "Pulmonology": ["exertional dyspnea", "nocturnal cough", "daytime somnolence", "wheezing"],
    "Rheumatology": ["morning stiffness", "swollen knuckles", "recurrent joint pain"],
    "Orthopaedics": ["knee pain on stairs", "locking of the knee", "night pain"],
    "Gastroenterology": ["epigastric pain", "dysphagia", "dark stools"],
    "Hematology": ["fatigue", "exertional dyspnea", "easy bruising"],
    "Psychiatry": ["low mood", "insomnia", "poor concentration"],
    "Neurology": ["tremor", "headaches", "numbness in both feet", "unsteady gait"],
    "Internal Medicine": ["fatigue", "dizziness"],
}
ICD10 = {
    "hypertension": "I10",
    "type 2 diabetes mellitus": "E11.9",
    "hyperlipidemia": "E78.5",
    "atrial fibrillation": "I48.91",
    "heart failure with reduced ejection fraction": "I50.22",
    "chronic kidney disease stage 3a": "N18.31",
    "COPD": "J44.9",
    "obstructive sleep apnea": "G47.33",
    "asthma": "J45.909",
    "hypothyroidism": "E03.9",
    "gout": "M10.9",
    "rheumatoid arthritis": "M06.9",
    "osteoarthritis of the right knee": "M17.11",
    "GERD": "K21.9",
    "iron deficiency anemia": "D50.9",
    "major depressive disorder": "F32.9",
    "migraine": "G43.909",
    "Parkinson disease": "G20",
    "osteoporosis": "M81.0",
    "peripheral neuropathy": "G62.9",
}
PROCEDURES = [
    ("MRI of the lumbar spine", "72148"),
    ("transthoracic echocardiogram", "93306"),
    ("polysomnography", "95810"),
    ("colonoscopy", "45378"),
    ("CT of the chest", "71250"),
    ("knee arthroscopy", "29881"),
    ("DEXA scan", "77080"),
    ("nuclear stress test", "78452"),
    ("upper endoscopy", "43239"),
    ("physical therapy evaluation", "97161"),
]
ALLERGENS = [
    ("penicillin", "hives"),
    ("sulfa drugs", "rash"),
    ("codeine", "nausea"),
    ("latex", "contact dermatitis"),
    ("shellfish", "throat swelling"),
    ("iodinated contrast", "hives"),
    ("peanuts", "anaphylaxis"),
    ("amoxicillin", "rash"),
    ("ibuprofen", "GI upset"),
    ("morphine", "itching"),
    ("bee stings", "anaphylaxis"),
    ("cephalexin", "rash"),
]
# name, unit, low, high, decimals
LABS = [
    ("HbA1c", "%", 5.6, 10.8, 1),
    ("creatinine", "mg/dL", 0.7, 2.1, 2),
    ("eGFR", "mL/min/1.73m2", 28, 95, 0),
    ("potassium", "mmol/L", 3.4, 5.6, 1),
    ("sodium", "mmol/L", 131, 144, 0),
    ("LDL cholesterol", "mg/dL", 62, 190, 0),
    ("TSH", "mIU/L", 0.3, 9.5, 2),
    ("hemoglobin", "g/dL", 8.9, 15.2, 1),
    ("BNP", "pg/mL", 40, 1400, 0),
    ("uric acid", "mg/dL", 4.1, 10.2, 1),
    ("ferritin", "ng/mL", 6, 240, 0),
    ("INR", "", 0.9, 3.4, 1),
]
ROI_ITEMS = [
    "Discharge summary",
    "History and physical",
    "Laboratory results",
    "Radiology reports",
    "Medication list",
    "Immunization record",
    "Operative reports",
    "Emergency department records",
    "Progress notes",
    "Pathology reports",
    "Billing records",
    "HIV/AIDS test results",
    "Mental health records",
    "Alcohol/drug treatment records",
    "Entire medical record",
]
ROI_PURPOSES = [
    "continuing medical care",
    "insurance claim review",
    "legal matter",
    "personal use",
    "disability determination",
    "transfer of care",
    "school or camp physical",
]
PAPER_TONES = [(250, 247, 238), (244, 241, 230), (247, 247, 244), (240, 236, 222), (236, 238, 236)]
DATE_STYLES_FORM = ["mdy", "mdy", "mdy", "dmy", "iso", "dmon", "DMON", "mdy_dash", "dmy_dot"]
DATE_STYLES_FORM += ["mdy_short", "mdy_dot", "mdy_np"]
DATE_STYLES_LONG = ["long", "long_ord", "long_eu", "long_eu_ord", "dmon_long"]
PHONE_STYLES = ["paren", "paren", "dash", "space", "dot", "plus1", "one_dash", "paren_tight"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 21st."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return str(n) + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def english_list(items: Sequence[str]) -> str:
    """Join words as English does: a, b and c."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fmt_date(d: date, style: str) -> str:
    """A date in one of many printed styles.

    Args:
        d: The date.
        style: One of the style names in DATE_STYLES_FORM / DATE_STYLES_LONG.

    Returns:
        The printed date.
    """
    mon = MONTHS[d.month - 1]
    table = {
        "mdy": f"{d.month:02d}/{d.day:02d}/{d.year}",
        "mdy_np": f"{d.month}/{d.day}/{d.year}",
        "dmy": f"{d.day:02d}/{d.month:02d}/{d.year}",
        "iso": d.isoformat(),
        "dmon": f"{d.day:02d}-{mon[:3]}-{d.year}",
        "DMON": f"{d.day:02d}-{mon[:3].upper()}-{d.year}",
        "mdy_dash": f"{d.month:02d}-{d.day:02d}-{d.year}",
        "dmy_dot": f"{d.day:02d}.{d.month:02d}.{d.year}",
        "mdy_short": f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}",
        "mdy_dot": f"{d.month}.{d.day}.{d.year % 100:02d}",
        "dmon_short": f"{d.day} {mon[:3]} {d.year % 100:02d}",
        "long": f"{mon} {d.day}, {d.year}",
        "long_ord": f"{mon} {ordinal(d.day)}, {d.year}",
        "long_eu": f"{d.day} {mon} {d.year}",
        "long_eu_ord": f"{ordinal(d.day)} {mon} {d.year}",
        "dmon_long": f"{d.day} {mon[:3]} {d.year}",
    }
    return table[style]


def fmt_partial(d: date, style: str) -> str:
    """A month and day without the year."""
    mon = MONTHS[d.month - 1]
    return {
        "long": f"{mon} {d.day}",
        "short": f"{d.month}/{d.day}",
        "eu": f"{d.day} {mon}",
        "abbr": f"{mon[:3]} {d.day}",
    }[style]


def fmt_phone(parts: tuple[int, int, int], style: str) -> str:
    """A North American number in one of many printed styles."""
    a, e, n = parts
    return {
        "paren": f"({a}) {e}-{n:04d}",
        "paren_tight": f"({a}){e}-{n:04d}",
        "dash": f"{a}-{e}-{n:04d}",
        "space": f"{a} {e}-{n:04d}",
        "dot": f"{a}.{e}.{n:04d}",
        "plus1": f"+1 {a}-{e}-{n:04d}",
        "one_dash": f"1-{a}-{e}-{n:04d}",
        "slash": f"{a}/{e}-{n:04d}",
    }[style]


def age_on(birth: date, on: date) -> int:
    """Whole years between birth and a day."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# ------------------------------------------------------------------------------ identities


@cache
def _faker(locale: str) -> Faker:
    return Faker(locale)


@dataclass
class Person:
    """A named person: patient, relative, clinician or other."""

    given: str
    middle: str
    family: str
    gender: str
    birth: date
    locale: str

    def name(self, fmt: str = "first last") -> str:
        """The name printed in one of several orders."""
        mi = self.middle[:1]
        if fmt == "first last":
            return f"{self.given} {self.family}"
        if fmt == "first mi last":
            return f"{self.given} {mi}. {self.family}" if mi else f"{self.given} {self.family}"
        if fmt == "first middle last":
            return " ".join(p for p in (self.given, self.middle, self.family) if p)
        if fmt == "last, first mi":
            return f"{self.family}, {self.given}" + (f" {mi}" if mi else "")
        if fmt == "LAST, FIRST MI":
            return self.name("last, first mi").upper()
        if fmt == "LAST,FIRST":
            return f"{self.family},{self.given}".upper()
        if fmt == "initial last":
            return f"{self.given[0]}. {self.family}"
        raise ValueError(fmt)


@dataclass
class Address:
    """A US postal address."""

    street: str
    city: str
    state: str
    zip: str


@dataclass
class Facility:
    """A hospital, clinic, laboratory or practice."""

    name: str
    abbr: str
    address: Address
    phone: tuple[int, int, int]
    fax: tuple[int, int, int]
    web: str
    host: str


@dataclass
class Clinician:
    """A clinician with credentials and identifiers."""

    person: Person
    creds: str
    specialty: str
    npi: str
    licence: str


@dataclass
class Coverage:
    """One insurance coverage."""

    payer: str
    plan: str
    member_id: str
    group: str
    subscriber: Person
    relationship: str
    phone: tuple[int, int, int]
    effective: date


class World:
    """Random identities, places and identifiers for one document."""

    def __init__(self, rng: random.Random, doc_date: date) -> None:
        self.rng = rng
        self.doc_date = doc_date

    def faker(self, locale: str) -> Faker:
        """A Faker for a locale, seeded from this document's random stream."""
        fk = _faker(locale)
        fk.seed_instance(self.rng.getrandbits(40))
        return fk

    def locale(self) -> str:
        """A locale, weighted towards the US population of a US hospital."""
        names, weights = zip(*PATIENT_LOCALES, strict=True)
        return self.rng.choices(names, weights)[0]

    def _given(self, fk: Faker, locale: str, gender: str) -> str:
        if locale == "ja_JP":
            g = (
                fk.first_romanized_name_female()
                if gender == "female"
                else fk.first_romanized_name_male()
            )
        else:
            g = fk.first_name_female() if gender == "female" else fk.first_name_male()
        return asc(g)

    def _family(self, fk: Faker, locale: str) -> str:
        return asc(fk.last_romanized_name() if locale == "ja_JP" else fk.last_name())

    def person(
        self,
        *,
        gender: str | None = None,
        locale: str | None = None,
        family: str | None = None,
        birth: date | None = None,
        words: bool = True,
    ) -> Person:
        """A person with a name from one of many locales."""
        r = self.rng
        locale = locale or self.locale()
        gender = gender or r.choice(["female", "male"])
        fk = self.faker(locale)
        given = self._given(fk, locale, gender)
        if words and r.random() < 0.12:
            given = r.choice(WORD_GIVEN_F if gender == "female" else WORD_GIVEN_M)
        middle = ""
        roll = r.random()
        if roll < 0.5:
            middle = self._given(fk, locale, gender)[:1] or "A"
        elif roll < 0.68:
            middle = self._given(fk, locale, gender)
        if family is None:
            family = self._family(fk, locale)
            if words and r.random() < 0.12:
                family = r.choice(WORD_FAMILY)
            elif locale == "es_MX" and r.random() < 0.4:
                family = f"{family} {self._family(fk, locale)}"
            elif r.random() < 0.07:
                second = self._family(fk, locale)
                if second != family and " " not in second:
                    family = f"{family}-{second}"
        if not given or not family or not given[0].isalpha():
            return self.person(gender=gender, locale="en_US", family=None, birth=birth)
        given = given.split()[0] if len(given) > 14 else given
        if birth is None:
            birth = self.doc_date - timedelta(days=r.randint(18 * 365, 88 * 365))
        return Person(given, middle, family, gender, birth, locale)

    def patient(self) -> Person:
        """The patient: sometimes older than 89 so that an age is PHI."""
        r = self.rng
        if r.random() < 0.14:
            days = r.randint(90 * 365 + 30, 101 * 365)
        else:
            days = r.randint(19 * 365, 88 * 365)
        return self.person(birth=self.doc_date - timedelta(days=days))

    def relative(self, patient: Person, relation: str) -> Person:
        """A relative of the patient who often shares the family name."""
        r = self.rng
        female = {"Wife", "Daughter", "Mother", "Sister", "Granddaughter", "Niece", "Aunt"}
        male = {"Husband", "Son", "Father", "Brother", "Grandson", "Nephew", "Uncle"}
        if relation in female:
            gender = "female"
        elif relation in male:
            gender = "male"
        else:
            gender = r.choice(["female", "male"])
        keep = relation not in {"Friend", "Neighbor", "Partner"} and r.random() < 0.65
        age_p = age_on(patient.birth, self.doc_date)
        if relation in {"Daughter", "Son", "Granddaughter", "Grandson", "Niece", "Nephew"}:
            years = max(18, age_p - r.randint(20, 35))
        elif relation in {"Mother", "Father", "Aunt", "Uncle"}:
            years = age_p + r.randint(20, 32)
        else:
            years = max(18, age_p + r.randint(-8, 8))
        birth = self.doc_date - timedelta(days=years * 365 + r.randint(0, 364))
        blood = relation not in {"Wife", "Husband", "Partner", "Friend", "Neighbor"}
        loc = patient.locale if keep or blood or r.random() < 0.6 else None
        return self.person(
            gender=gender, locale=loc, family=patient.family if keep else None, birth=birth
        )

    def clinician(self, specialty: str = "Internal Medicine", doctor: bool = False) -> Clinician:
        """A clinician with credentials, an NPI and a state licence."""
        r = self.rng
        p = self.person(words=r.random() < 0.5)
        creds = r.choice(
            ["MD", "MD", "DO", "MD, FACP", "MBBS", "MD, PhD"]
            + ([] if doctor else ["NP", "PA-C", "DO, FAAFP"])
        )
        return Clinician(p, creds, specialty, self.npi(), self.licence_no())

    def street(self) -> str:
        """A street line, sometimes with a unit or a PO box."""
        r = self.rng
        roll = r.random()
        if roll < 0.05:
            return f"PO Box {r.randint(10, 9999)}"
        if roll < 0.08:
            return f"RR {r.randint(1, 9)} Box {r.randint(10, 499)}"
        num = r.choice(
            [r.randint(1, 99), r.randint(100, 9999), r.randint(100, 9999), r.randint(10000, 39999)]
        )
        if r.random() < 0.25:
            word = self._family(self.faker("en_US"), "en_US")
        elif r.random() < 0.12:
            word = ordinal(r.randint(1, 120))
        else:
            word = r.choice(STREET_WORDS)
        pre = r.choice(["N ", "S ", "E ", "W ", "NE ", "SW "]) if r.random() < 0.15 else ""
        line = f"{num} {pre}{word} {r.choice(STREET_SUFFIXES)}"
        if r.random() < 0.3:
            unit = r.choice(["Apt", "Apt.", "Unit", "#", "Ste", "Lot", "Bldg"])
            val = r.choice(
                [
                    str(r.randint(1, 40)),
                    f"{r.randint(1, 9)}{r.choice('ABCDEF')}",
                    str(r.randint(100, 999)),
                ]
            )
            line += f" {unit} {val}" if unit != "#" else f" #{val}"
        return line

    def address(self) -> Address:
        """A US address; most cities real, some invented."""
        r = self.rng
        if r.random() < 0.75:
            city, st, z3 = r.choice(CITIES)
        else:
            city = asc(self.faker("en_US").city())
            _, st, z3 = r.choice(CITIES)
        zipc = f"{z3}{r.randint(0, 99):02d}"
        if r.random() < 0.2:
            zipc += f"-{r.randint(0, 9999):04d}"
        return Address(self.street(), city, st, zipc)

    def phone(self, toll_free: bool = False) -> tuple[int, int, int]:
        """A phone number's area code, exchange and line."""
        r = self.rng
        area = r.choice([800, 888, 877, 866, 855]) if toll_free else r.choice(AREA_CODES)
        exch = r.randint(201, 989)
        if exch % 100 == 11:
            exch += 1
        return (area, exch, r.randint(0, 9999))

    def email(self, p: Person) -> str:
        """An e-mail address built from a person's name."""
        r = self.rng
        g = re.sub(r"[^a-z]", "", p.given.lower())
        f = re.sub(r"[^a-z]", "", p.family.lower())
        yy = f"{p.birth.year % 100:02d}"
        local = r.choice(
            [f"{g}.{f}", f"{g[0]}{f}{yy}", f"{g}{f}{r.randint(1, 99)}", f"{f}.{g[0]}", f"{g}_{f}"]
        )
        dom = r.choice(
            ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com"]
        )
        dom = r.choice([dom, dom, "comcast.net", "att.net", "proton.me", "live.com", "yahoo.co.uk"])
        return f"{local}@{dom}"

    def ssn(self) -> str:
        """A US social security number in one of its printed forms."""
        r = self.rng
        area = r.choice([r.randint(1, 665), r.randint(667, 899)])
        grp, ser = r.randint(1, 99), r.randint(1, 9999)
        return r.choice(
            [
                f"{area:03d}-{grp:02d}-{ser:04d}",
                f"{area:03d}-{grp:02d}-{ser:04d}",
                f"{area:03d} {grp:02d} {ser:04d}",
                f"{area:03d}{grp:02d}{ser:04d}",
                f"XXX-XX-{ser:04d}",
            ]
        )

    def digits(self, n: int) -> str:
        """Random digits, n of them."""
        return "".join(str(self.rng.randint(0, 9)) for _ in range(n))

    def letters(self, n: int) -> str:
        """Random capital letters (no I or O), n of them."""
        return "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(n))

    def mrn(self) -> str:
        """A medical record number in one of several hospital formats."""
        r = self.rng
        return r.choice(
            [
                f"{self.letters(1)}{self.digits(9)}",
                f"00{self.digits(6)}",
                f"E{self.digits(7)}",
                f"{self.letters(2)}{self.digits(5)}",
                f"{self.digits(7)}-{self.digits(1)}",
                f"{self.doc_date.year}-{self.digits(7)}",
                f"MR{self.digits(6)}",
                self.digits(8),
            ]
        )

    def account(self) -> str:
        """A billing account number."""
        r = self.rng
        return r.choice(
            [
                self.digits(8),
                f"ACC-{self.digits(7)}",
                f"{self.doc_date.year}{self.digits(6)}",
                f"000{self.digits(7)}",
            ]
        )

    def visit(self) -> str:
        """A visit or encounter number."""
        r = self.rng
        return r.choice(
            [
                f"V{self.digits(8)}",
                f"E{self.digits(10)}",
                self.digits(10),
                f"{self.letters(2)}-{self.digits(6)}",
            ]
        )

    def member_id(self) -> str:
        """A health plan member id, some with a letter prefix or a suffix."""
        r = self.rng
        # Medicare beneficiary identifier shape: 1EG4-TE5-MK72
        mbi = (
            f"{r.randint(1, 9)}{self.letters(1)}{r.choice('ABCDEFGHJK')}{r.randint(0, 9)}-"
            f"{self.letters(1)}{self.letters(1)}{r.randint(0, 9)}-{self.letters(2)}{self.digits(2)}"
        )
        return r.choice(
            [
                f"{self.letters(3)}{self.digits(9)}",
                f"{self.digits(9)}-0{r.randint(1, 4)}",
                f"W{self.digits(9)}",
                f"{self.letters(1)}{self.digits(8)}{self.letters(1)}",
                f"ZG{self.letters(1)}{self.digits(7)}",
                f"{self.digits(11)}",
                f"{self.letters(2)}{self.digits(8)}",
                mbi,
            ]
        )

    def group(self) -> str:
        """A health plan group number."""
        r = self.rng
        return r.choice(
            [
                self.digits(6),
                f"GRP-{self.digits(5)}",
                f"{r.randint(0, 9)}{self.letters(1)}{self.digits(4)}",
                f"{self.digits(5)}-{self.digits(3)}",
                f"HMO{self.digits(4)}",
            ]
        )

    def npi(self) -> str:
        """A 10-digit NPI with a valid Luhn check digit."""
        body = str(self.rng.choice([1, 2])) + self.digits(8)
        digits = [int(c) for c in "80840" + body]
        total = 0
        for i, d in enumerate(reversed(digits)):
            if i % 2 == 0:
                d *= 2
                d = d - 9 if d > 9 else d
            total += d
        return body + str((10 - total % 10) % 10)

    def licence_no(self) -> str:
        """A state medical licence number."""
        r = self.rng
        return r.choice(
            [
                f"35.{self.digits(6)}",
                f"D{self.digits(7)}",
                f"MD{self.digits(5)}",
                f"A{self.digits(6)}",
                f"{self.digits(2)}MA{self.digits(5)}",
            ]
        )

    def dea(self, family: str) -> str:
        """A DEA registration number with its check digit."""
        r = self.rng
        d = [r.randint(0, 9) for _ in range(6)]
        chk = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
        return (
            r.choice("ABFM")
            + (family[:1].upper() if family[:1].isalpha() else "X")
            + "".join(map(str, d))
            + str(chk)
        )

    def driver_licence(self, state: str) -> str:
        """A driver's licence number in a state-like format."""
        r = self.rng
        return r.choice(
            [
                f"{self.letters(2)}{self.digits(6)}",
                f"{self.letters(1)}{self.digits(3)}-{self.digits(4)}-{self.digits(4)}",
                f"{self.letters(1)}{self.digits(7)}",
                f"{self.digits(3)} {self.digits(3)} {self.digits(3)}",
                f"{self.letters(1)}-{self.digits(3)}-{self.digits(3)}-{self.digits(3)}-{self.digits(3)}",
                self.digits(9),
            ]
        )

    def facility(self, kind: str = "any", city: str | None = None) -> Facility:
        """A facility with its address, phones and web host."""
        r = self.rng
        addr = self.address()
        city = city or addr.city
        fam = [self._family(self.faker(loc), loc) for loc in (self.locale(), "en_US")]
        fam = [f.split()[0].split("-")[0] for f in fam]
        geo = r.choice(GEO)
        hospital = [
            f"St. {r.choice(SAINTS)} Medical Center",
            f"Saint {r.choice(SAINTS)} Hospital",
            f"{city} Regional Medical Center",
            f"{city} Memorial Hospital",
            f"{geo} General Hospital",
            "Good Samaritan Hospital",
            f"Mercy Health - {city}",
            f"University Hospitals {city}",
            f"{geo} Health System",
        ]
        primary = [
            f"{fam[0]} & {fam[1]} Primary Care",
            f"{fam[0]}, {fam[1]} and Associates",
            f"{fam[0]} Family Medicine",
            f"{geo} Community Health Center",
            f"{city} Clinic",
            f"{fam[0]} Internal Medicine, LLC",
            f"{geo} Family Practice",
            f"{geo} Primary Care Partners",
        ]
        special = {
            "Cardiology": [f"{geo} Heart & Vascular Institute", f"{fam[0]} Cardiology Associates"],
            "Nephrology": [f"{geo} Kidney Associates", f"{city} Nephrology Group"],
            "Endocrinology": [
                f"{geo} Endocrinology Associates, P.C.",
                f"{geo} Diabetes & Thyroid Center",
            ],
            "Pulmonology": [f"{geo} Pulmonary & Sleep Medicine", f"{fam[0]} Lung Center"],
            "Rheumatology": [
                f"{geo} Arthritis & Rheumatology",
                f"{fam[0]} & {fam[1]} Rheumatology",
            ],
            "Orthopaedics": [f"{geo} Orthopaedic Group, P.A.", f"{fam[0]} Bone & Joint"],
            "Gastroenterology": [
                f"{geo} Digestive Health",
                f"{fam[0]} & {fam[1]} Gastroenterology",
            ],
            "Hematology": [f"{geo} Cancer & Blood Specialists", f"{city} Hematology Oncology"],
            "Psychiatry": [f"{geo} Behavioral Health", f"{fam[0]} Counseling & Psychiatry"],
            "Neurology": [f"{geo} Neurology Associates", f"{fam[0]} Neuroscience Institute"],
        }
        other = [
            f"Tri-County Pathology of {city}",
            f"{geo} Imaging Center",
            f"{geo} Diagnostic Laboratory",
        ]
        if kind == "hospital":
            pool = hospital
        elif kind == "primary":
            pool = primary
        elif kind in special:
            pool = special[kind] + hospital[:3]
        elif kind == "clinic":
            pool = primary + other + [v for vs in special.values() for v in vs]
        else:
            pool = hospital + primary + other
        name = r.choice(pool)
        words = [
            w
            for w in re.findall(r"[A-Za-z]+", name)
            if w.lower() not in {"of", "and", "the", "llc", "p", "a", "c", "s"}
        ]
        abbr = "".join(w[0].upper() for w in words if w[0].isupper())
        host_core = r.choice(
            [
                "".join(words[:2]).lower(),
                "".join(words).lower(),
                abbr.lower() + words[-1].lower(),
                "".join(words[:3]).lower(),
            ]
        )[:28]
        tld = r.choice([".com", ".com", ".org", ".net", ".health", ".us"])
        host = host_core + tld
        web = r.choice(
            [f"www.{host}", f"www.{host}", host, f"https://www.{host}", f"https://{host}"]
        )
        if city != addr.city:
            addr = Address(addr.street, city, addr.state, addr.zip)
        phone = self.phone()
        fax = (
            phone[0],
            phone[1],
            (phone[2] + r.choice([1, 2, 10, 100, r.randint(1, 9998)])) % 10000,
        )
        return Facility(name, abbr, addr, phone, fax, web, host)

    def coverage(self, patient: Person, spouse: Person | None, exclude: str = "") -> Coverage:
        """A health plan coverage, the subscriber being the patient or a relative."""
        r = self.rng
        payer = r.choice([x for x in PAYERS if x != exclude])
        rel = "Self"
        sub = patient
        if spouse is not None and r.random() < 0.35:
            rel, sub = "Spouse", spouse
        eff = date(self.doc_date.year - r.randint(0, 6), r.randint(1, 12), 1)
        return Coverage(
            payer,
            r.choice(PLANS),
            self.member_id(),
            self.group(),
            sub,
            rel,
            self.phone(toll_free=r.random() < 0.8),
            eff,
        )


# ------------------------------------------------------------------------------ clinical content


@dataclass
class Clinical:
    """Problems, medicines, allergies, vitals and labs of one patient."""

    problems: list[str]
    meds: list[tuple[str, str]]
    allergies: list[tuple[str, str]]
    vitals: dict[str, str]
    labs: list[tuple[str, str]]
    reason: str
    specialty: str


def make_clinical(rng: random.Random, gender: str) -> Clinical:
    """Hand-written problem, medicine, allergy, vital and lab lists."""
    probs = rng.sample(sorted(PROBLEMS), rng.randint(2, 4))
    meds: list[tuple[str, str]] = []
    for p in probs:
        for m in rng.sample(PROBLEMS[p][1], min(len(PROBLEMS[p][1]), rng.randint(1, 2))):
            if m not in [x for x, _ in meds]:
                meds.append((m, rng.choice(DOSES[m])))
    allergies = rng.sample(ALLERGENS, rng.choice([0, 1, 1, 2, 2, 3]))
    sbp, dbp = rng.randint(104, 172), rng.randint(58, 102)
    weight = rng.uniform(48, 128)
    height = rng.uniform(1.52, 1.92) if gender == "male" else rng.uniform(1.45, 1.78)
    vitals = {
        "blood pressure": f"{sbp}/{dbp} mmHg",
        "heart rate": f"{rng.randint(52, 112)} bpm",
        "SpO2": f"{rng.randint(89, 99)}%",
        "weight": f"{weight:.1f} kg",
        "BMI": f"{weight / height**2:.1f}",
        "temperature": f"{rng.uniform(36.1, 38.2):.1f} C",
    }
    labs = []
    for name, unit, lo, hi, dec in rng.sample(LABS, rng.randint(2, 4)):
        val = rng.uniform(lo, hi)
        num = f"{val:.{dec}f}"
        labs.append((name, f"{num}{unit}" if unit == "%" else f"{num} {unit}".strip()))
    reason = probs[0]
    return Clinical(probs, meds, allergies, vitals, labs, reason, PROBLEMS[reason][0])


# ------------------------------------------------------------------------------ document context

LABELS: dict[str, list[str]] = {
    "last": ["Last Name", "Surname", "Family Name", "Last", "Patient Last Name", "Name (Last)"],
    "first": ["First Name", "Given Name", "First", "Forename", "Name (First)"],
    "mi": ["MI", "M.I.", "Middle", "Middle Initial", "Mid. Init."],
    "fullname": ["Patient Name", "Name", "Patient", "Patient Full Name", "Legal Name"],
    "dob": ["Date of Birth", "DOB", "Birth Date", "Birthdate", "D.O.B."],
    "sex": ["Sex", "Gender", "Sex at Birth", "Legal Sex"],
    "age": ["Age", "Age (yrs)", "Pt Age"],
    "marital": ["Marital Status", "Marital", "M/S"],
    "language": ["Preferred Language", "Language", "Primary Lang."],
    "race": ["Race", "Race/Ethnicity"],
    "religion": ["Religion", "Faith Preference"],
    "street": [
        "Street Address",
        "Address",
        "Home Address",
        "Street",
        "Address Line 1",
        "Residence",
    ],
    "city": ["City", "City/Town", "Town"],
    "state": ["State", "ST"],
    "zip": ["ZIP", "Zip Code", "Postal Code", "ZIP+4"],
    "home": ["Home Phone", "Home", "Phone (H)", "Primary Phone", "Tel. Home"],
    "cell": ["Cell Phone", "Mobile", "Cell", "Phone (C)", "Mobile No."],
    "work": ["Work Phone", "Phone (W)", "Business Phone"],
    "email": ["E-mail", "Email Address", "Email", "Patient Email"],
    "ssn": ["SSN", "Social Security No.", "Soc. Sec. #", "Social Security"],
    "mrn": [
        "MRN",
        "Medical Record #",
        "Med Rec No",
        "Patient ID",
        "Patient Identifier",
        "Chart Number",
        "Hospital No.",
    ],
    "account": ["Account #", "Acct", "Account Number", "Acct No", "Billing Account", "FIN"],
    "visit": ["Visit Number", "Encounter", "Visit #", "CSN", "Encounter ID"],
    "employer": ["Employer", "Employer Name", "Place of Employment"],
    "occupation": ["Occupation", "Job Title"],
    "contact": ["Contact Name", "Name", "Emergency Contact", "Notify"],
    "relation": ["Relationship", "Relation", "Rel. to Patient"],
    "guarantor": ["Guarantor", "Responsible Party", "Guarantor Name"],
    "admit": ["Admit Date", "Admission Date", "Date of Service", "Reg. Date", "Visit Date"],
    "attending": ["Attending Physician", "Attending", "Attending MD"],
    "pcp": ["Primary Care Physician", "PCP", "Primary Care Provider"],
    "referring": ["Referring Physician", "Referred By", "Referring Provider"],
    "payer": ["Insurance", "Primary Insurance", "Payer", "Carrier", "Insurance Company"],
    "member": [
        "Member ID",
        "Policy Number",
        "Subscriber ID",
        "ID Number",
        "Policy #",
        "Member No.",
    ],
    "groupno": ["Group #", "Group Number", "Group No.", "Grp", "Group ID"],
    "subscriber": ["Subscriber", "Policy Holder", "Insured Name", "Subscriber Name"],
}


@dataclass
class Style:
    """Type sizes, rules and conventions of one document."""

    family: str
    body: int
    label: int
    value: int
    title: int
    small: int
    margin_x: int
    margin_top: int
    margin_bottom: int
    rule: int
    grid: str
    header: str
    label_upper: bool
    label_bold: bool
    value_upper: bool
    label_ink: int
    date_style: str
    long_date: str
    phone_style: str


@dataclass
class Doc:
    """Everything one document is drawn from."""

    name: str
    index: int
    kind: str
    level: str
    rng: random.Random
    world: World
    st: Style
    doc_date: date
    patient: Person
    mrn: str
    address: Address
    facility: Facility
    clinical: Clinical
    max_pages: int
    terms: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def F(self, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
        """The document's font at a size."""
        return get_font(self.st.family, size, bold)

    def lab(self, key: str) -> str:
        """A field label, worded once per document."""
        if key not in self.labels:
            self.labels[key] = self.rng.choice(LABELS[key])
        s = self.labels[key]
        return s.upper() if self.st.label_upper else s

    def L(self, s: str) -> str:
        """A literal label in the document's label case."""
        return s.upper() if self.st.label_upper else s

    def up(self, s: str) -> str:
        """A value in the document's value case."""
        return s.upper() if self.st.value_upper else s

    def date(self, d: date, style: str | None = None) -> tuple[str, dict]:
        """A DATE fragment."""
        return ph(fmt_date(d, style or self.st.date_style), "DATE")

    def partial(self, d: date) -> tuple[str, dict]:
        """A month/day DATE fragment without the year."""
        return ph(
            fmt_partial(d, self.rng.choice(["long", "short", "eu", "abbr"])), "DATE", partial=True
        )

    def phone(self, parts: tuple[int, int, int], style: str | None = None) -> tuple[str, dict]:
        """A PHONE_NUMBER fragment."""
        return ph(fmt_phone(parts, style or self.st.phone_style), "PHONE_NUMBER")

    def person(self, p: Person, fmt: str, role: str, upper: bool = False) -> tuple[str, dict]:
        """A PERSON fragment."""
        s = p.name(fmt)
        return ph(s.upper() if upper else s, "PERSON", role=role)

    def term(self, t: str) -> str:
        """Note a clinical word printed on the page."""
        if t not in self.terms:
            self.terms.append(t)
        return t

    def addr_frags(self, a: Address, upper: bool = False, sep: str = ", ") -> list[Frag]:
        """Street, city, state and ZIP in one line."""
        u = (lambda s: s.upper()) if upper else (lambda s: s)
        return [
            ph(u(a.street), "STREET_ADDRESS"),
            sep,
            ph(u(a.city), "CITY"),
            f", {a.state} ",
            ph(a.zip, "ZIP_CODE"),
        ]

    def city_line(self, a: Address, upper: bool = False) -> list[Frag]:
        """City, state and ZIP."""
        u = (lambda s: s.upper()) if upper else (lambda s: s)
        return [ph(u(a.city), "CITY"), f", {a.state} ", ph(a.zip, "ZIP_CODE")]

    def age_frags(self, years: int) -> Frag:
        """An age: PHI only over 89."""
        return ph(str(years), "AGE") if years > 89 else str(years)


class Flow:
    """Blocks placed down the pages, a block moving whole to the next page when it does not fit."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.pages = [Page()]
        self.top = doc.st.margin_top
        self.bottom = PAGE_H - doc.st.margin_bottom
        self.left = doc.st.margin_x
        self.right = PAGE_W - doc.st.margin_x
        self.y = self.top
        self.on_new_page: Callable[[Page, int], int] | None = None

    @property
    def page(self) -> Page:
        """The page being filled."""
        return self.pages[-1]

    @property
    def width(self) -> int:
        """The text column's width."""
        return self.right - self.left

    def add(self, fn: Callable[[Page, int], int], gap: int = 0, optional: bool = False) -> bool:
        """Place a block: fn draws it at y and returns the y below it.

        Args:
            fn: Draws the block on a page at a y and returns the y below it.
            gap: Space left below the block.
            optional: Leave the block out, rather than fail, when no page is left for it.

        Returns:
            Whether the block was placed.
        """
        mark = len(self.page.ops)
        y = fn(self.page, self.y)
        if y > self.bottom:
            del self.page.ops[mark:]
            if optional and len(self.pages) >= self.doc.max_pages:
                return False
            self.new_page()
            y = fn(self.page, self.y)
            if y > self.bottom:
                raise LayoutOverflow("block taller than a page")
        self.y = y + gap
        return True

    def space(self, dy: int) -> None:
        """Vertical space (dropped at the top of a page)."""
        if self.y > self.top + 5:
            self.y += dy

    def maybe_break(self, fill: float = 0.5) -> None:
        """Start a new page here when two are allowed and this one is already well filled."""
        if len(self.pages) < self.doc.max_pages and self.y > self.top + fill * (
            self.bottom - self.top
        ):
            self.new_page()

    def new_page(self) -> None:
        """Start the next page, with its continuation header."""
        if len(self.pages) >= self.doc.max_pages:
            raise LayoutOverflow("too many pages")
        self.pages.append(Page())
        self.y = self.top
        if self.on_new_page is not None:
            self.y = self.on_new_page(self.page, self.y)


# ------------------------------------------------------------------------------ drawing blocks


@dataclass
class Field:
    """A cell of a ruled grid: a small label above a value."""

    label: str
    value: list[Frag]
    min_w: int = 0


def grid(doc: Doc, page: Page, y: int, rows_in: Sequence[Sequence[Field]], x0: int, x1: int) -> int:
    """Ruled cells with the label above the value; a row too wide wraps onto another."""
    st = doc.st
    lf = doc.F(st.label, bold=st.label_bold)
    vf = doc.F(st.value)
    pad = 18
    lab_h = round(st.label * 1.25)
    val_h = round(st.value * 1.3)
    # Labels need clear space below the rule above them, or OCR engines drop them with it.
    top_pad = 24
    cell_h = top_pad + lab_h + 6 + val_h + 12
    width = x1 - x0
    rows: list[list[tuple[Field, float]]] = []
    for fields in rows_in:
        cur: list[tuple[Field, float]] = []
        cur_w = 0.0
        for f in fields:
            need = max(lf.getlength(f.label), vf.getlength(plain(f.value)), f.min_w) + 2 * pad + 24
            if need > width:
                raise LayoutOverflow(f"cell too wide: {f.label}")
            if cur and cur_w + need > width:
                rows.append(cur)
                cur, cur_w = [], 0.0
            cur.append((f, need))
            cur_w += need
        if cur:
            rows.append(cur)
    ink = st.label_ink
    for row in rows:
        total = sum(n for _, n in row)
        extra = width - total
        x = float(x0)
        if st.grid == "shaded":
            page.rect(x0, y, x1, y + top_pad + lab_h + 4, outline=None, fill=232)
        for i, (f, need) in enumerate(row):
            w = need + extra * need / total if i < len(row) - 1 else x1 - x
            if st.grid in ("full", "shaded"):
                page.rect(x, y, x + w, y + cell_h, outline=0, width=st.rule)
            elif st.grid == "open":
                page.line(x + 4, y + cell_h - 6, x + w - 16, y + cell_h - 6, width=2)
            page.text(x + pad, y + top_pad, f.label, lf, fill=ink)
            page.text(x + pad, y + top_pad + lab_h + 6, f.value, vf)
            x += w
        if st.grid == "hrules":
            page.line(x0, y, x1, y, width=st.rule)
            page.line(x0, y + cell_h, x1, y + cell_h, width=st.rule)
        y += cell_h + (14 if st.grid == "open" else 0)
    return y


def section_header(doc: Doc, page: Page, y: int, title: str, x0: int, x1: int) -> int:
    """A section heading in the document's style."""
    st = doc.st
    f = doc.F(st.small + 4, bold=True)
    h = f.size
    if st.header == "bar":
        page.rect(x0, y, x1, y + h + 44, outline=None, fill=222)
        page.text(x0 + 20, y + 22, title.upper(), f)
        return y + h + 56
    if st.header == "tab":
        # A shaded tab and a rule: a title boxed on all sides is dropped by OCR engines.
        page.rect(x0, y, x0 + f.getlength(title) + 60, y + h + 44, outline=None, fill=215)
        page.line(x0, y + h + 44, x1, y + h + 44, width=st.rule + 1)
        page.text(x0 + 30, y + 22, title, f)
        return y + h + 60
    if st.header == "underline":
        page.text(x0, y + 6, title.upper(), f)
        page.line(x0, y + h + 18, x1, y + h + 18, width=st.rule + 1)
        return y + h + 34
    page.text(x0, y + 6, title, f)
    return y + h + 22


def kv_rows(
    doc: Doc,
    page: Page,
    y: int,
    pairs: Sequence[tuple[str | None, list[Frag]]],
    x0: int,
    x1: int,
    *,
    cols: int = 2,
    size: int | None = None,
    bold_labels: bool = True,
    leading: float = 1.55,
) -> int:
    """Inline "Label: value" pairs in columns; a pair too wide takes several columns."""
    size = size or doc.st.body
    lf = doc.F(size, bold=bold_labels)
    vf = doc.F(size)
    col_w = (x1 - x0) / cols
    lh = round(size * leading)
    col = 0
    for label, value in pairs:
        lw = lf.getlength(label + " ") if label else 0.0
        need = lw + vf.getlength(plain(value)) + 50
        span = min(cols, max(1, math.ceil(need / col_w)))
        if need > x1 - x0:
            raise LayoutOverflow(f"pair too wide: {label}")
        if col + span > cols:
            y += lh
            col = 0
        x = x0 + col * col_w
        if label:
            page.text(x, y, label, lf)
        page.text(x + lw, y, value, vf)
        col += span
        if col >= cols:
            y += lh
            col = 0
    if col:
        y += lh
    return y


def fit_table(
    doc: Doc,
    page: Page,
    y: int,
    headers: list[str],
    rows: list[list[list[Frag]]],
    x0: int,
    x1: int,
    *,
    ruled: bool = True,
) -> int:
    """A table with column headers; smaller type, then split in two, when too wide."""
    for size in (doc.st.small + 2, doc.st.small, doc.st.small - 2):
        if _table_width(doc, headers, rows, size) <= x1 - x0:
            return table(doc, page, y, headers, rows, x0, x1, size=size, ruled=ruled)
    half = (len(headers) + 1) // 2
    left = list(range(half))
    right = [0] + list(range(half, len(headers)))
    y = fit_table(
        doc,
        page,
        y,
        [headers[i] for i in left],
        [[r[i] for i in left] for r in rows],
        x0,
        x1,
        ruled=ruled,
    )
    return fit_table(
        doc,
        page,
        y + 30,
        [headers[i] for i in right],
        [[r[i] for i in right] for r in rows],
        x0,
        x1,
        ruled=ruled,
    )


def _table_width(doc: Doc, headers: list[str], rows: list[list[list[Frag]]], size: int) -> float:
    hf, vf = doc.F(size, bold=True), doc.F(size)
    return sum(
        max([hf.getlength(h)] + [vf.getlength(plain(r[i])) for r in rows]) + 44
        for i, h in enumerate(headers)
    )


def table(
    doc: Doc,
    page: Page,
    y: int,
    headers: list[str],
    rows: list[list[list[Frag]]],
    x0: int,
    x1: int,
    *,
    size: int,
    ruled: bool = True,
) -> int:
    """Draw a table: a header row, then one row per record."""
    hf, vf = doc.F(size, bold=True), doc.F(size)
    widths = [
        max([hf.getlength(h)] + [vf.getlength(plain(r[i])) for r in rows]) + 44
        for i, h in enumerate(headers)
    ]
    extra = (x1 - x0 - sum(widths)) / len(widths)
    widths = [w + extra for w in widths]
    row_h = round(size * 1.9)
    n = len(rows) + 1
    # Horizontal rules only: closed cells make OCR engines drop a table as a picture.
    if ruled:
        page.rect(x0, y, x1, y + row_h, outline=None, fill=230)
        for i in range(n + 1):
            page.line(x0, y + row_h * i, x1, y + row_h * i, width=doc.st.rule if i in (0, n) else 2)
    else:
        page.line(x0, y + row_h - 4, x1, y + row_h - 4, width=doc.st.rule)
    pad_y = (row_h - size) // 2
    x = x0
    for h, w in zip(headers, widths, strict=True):
        page.text(x + 22, y + pad_y, h, hf)
        x += w
    for r_i, r in enumerate(rows, start=1):
        x = x0
        for cell, w in zip(r, widths, strict=True):
            page.text(x + 22, y + r_i * row_h + pad_y, cell, vf)
            x += w
    return y + row_h * n


def checkbox(page: Page, x: float, y: float, size: int, checked: bool) -> None:
    """An empty or ticked square."""
    page.rect(x, y, x + size, y + size, outline=0, width=3)
    if checked:
        page.line(x + 6, y + 6, x + size - 6, y + size - 6, width=4)
        page.line(x + 6, y + size - 6, x + size - 6, y + 6, width=4)


def scribble(page: Page, rng: random.Random, x: float, y: float, w: float, h: float) -> None:
    """A handwritten-looking signature (drawing, not text)."""
    pts = []
    k1, k2 = rng.uniform(3, 7), rng.uniform(5, 11)
    ph1, ph2 = rng.uniform(0, 6.28), rng.uniform(0, 6.28)
    for i in range(160):
        u = i / 159
        xx = x + w * u + 0.06 * w * math.sin(k1 * u * 6.28 + ph1)
        env = 0.35 + 0.65 * math.sin(math.pi * min(1.0, u * 1.3))
        yy = y + h / 2 + h / 2 * env * math.sin(k2 * u * 6.28 + ph2)
        pts.append((xx, yy))
    page.poly(pts, width=rng.choice([3, 4, 5]), fill=rng.choice([20, 40, 60]))


def fill_in(
    page: Page,
    x: float,
    y: float,
    label: str,
    value: list[Frag],
    x_end: float,
    lf: ImageFont.FreeTypeFont,
    vf: ImageFont.FreeTypeFont,
) -> None:
    """A typed-in form blank: label, value, and a rule under the value up to x_end."""
    lw = lf.getlength(label + " ")
    page.text(x, y, label, lf)
    page.text(x + lw, y, value, vf)
    base = y + sum(vf.getmetrics()) + 10
    page.line(x + lw - 8, base, x_end, base, width=2)


def signature_block(
    doc: Doc,
    page: Page,
    y: int,
    x0: int,
    x1: int,
    caption: str,
    date_value: tuple[str, dict] | None,
    signed: bool,
) -> int:
    """A signature line with its caption and a date blank beside it."""
    rng = doc.rng
    f = doc.F(doc.st.small)
    vf = doc.F(doc.st.body)
    sig_x1 = x0 + (x1 - x0) * 0.62
    line_y = y + 110
    if signed:
        scribble(page, rng, x0 + 30, y + 10, min(520, (sig_x1 - x0) * 0.7), 90)
    if date_value is not None:
        page.text(sig_x1 + 80, line_y - vf.size - 14, [date_value], vf)
    page.line(x0, line_y, sig_x1, line_y, width=3)
    page.line(sig_x1 + 60, line_y, x1, line_y, width=3)
    page.text(x0, line_y + 12, caption, f)
    page.text(sig_x1 + 60, line_y + 12, "Date", f)
    return line_y + 12 + round(f.size * 1.5)


def letterhead(doc: Doc, page: Page, y: int, fac: Facility, variant: str, x0: int, x1: int) -> int:
    """A facility heading: name, address, phones, fax and web."""
    st = doc.st
    big = doc.F(st.title, bold=True)
    sm = doc.F(st.small)
    a = fac.address
    tel = doc.rng.choice(["Tel", "Phone", "Tel.", "Ph", "T"])
    faxl = doc.rng.choice(["Fax", "Fax:", "F"])
    tel_frags: list[Frag] = [f"{tel} ", doc.phone(fac.phone)]
    fax_frags: list[Frag] = [f"{faxl} ", doc.phone(fac.fax)]
    web: list[Frag] = [ph(fac.web, "URL")]
    if variant == "center":
        cx = (x0 + x1) / 2
        page.text_center(cx, y, [ph(fac.name, "FACILITY")], big)
        y += round(st.title * 1.35)
        page.text_center(cx, y, doc.addr_frags(a), sm)
        y += round(st.small * 1.5)
        page.text_center(cx, y, tel_frags + [" | "] + fax_frags + [" | "] + web, sm)
        y += round(st.small * 1.5) + 10
        page.line(x0, y, x1, y, width=st.rule + 1)
        return y + 40
    if variant == "split":
        page.text(x0, y, [ph(fac.name, "FACILITY")], big)
        y += round(st.title * 1.35)
        page.text(x0, y, [ph(a.street, "STREET_ADDRESS")], sm)
        page.text_right(x1, y, tel_frags, sm)
        y += round(st.small * 1.45)
        page.text(x0, y, doc.city_line(a), sm)
        page.text_right(x1, y, fax_frags, sm)
        y += round(st.small * 1.45)
        page.text_right(x1, y, web, sm)
        y += round(st.small * 1.45) + 6
        page.line(x0, y, x1, y, width=st.rule)
        page.line(x0, y + 8, x1, y + 8, width=1)
        return y + 48
    # "left": name, then a stacked block, a thick rule
    page.line(x0, y, x1, y, width=st.rule + 6)
    y += 30
    page.text(x0, y, [ph(fac.name, "FACILITY")], big)
    y += round(st.title * 1.35)
    page.text(x0, y, doc.addr_frags(a, sep=" - "), sm)
    y += round(st.small * 1.45)
    page.text(x0, y, tel_frags + [" / "] + fax_frags, sm)
    y += round(st.small * 1.45)
    page.text(x0, y, web, sm)
    return y + round(st.small * 1.45) + 40


def add_footers(doc: Doc, pages: list[Page], form_id: str) -> None:
    """A form number and page numbers at the foot of every page."""
    f = doc.F(doc.st.small - 2)
    y = PAGE_H - doc.st.margin_bottom + 70
    for i, p in enumerate(pages):
        p.text(doc.st.margin_x, y, form_id, f)
        p.text_right(PAGE_W - doc.st.margin_x, y, f"Page {i + 1} of {len(pages)}", f)


def continuation_header(doc: Doc) -> Callable[[Page, int], int]:
    """The patient line that heads every page after the first."""

    def draw(page: Page, y: int) -> int:
        st = doc.st
        f = doc.F(st.small)
        fb = doc.F(st.small, bold=True)
        p = doc.patient
        x = st.margin_x
        x = page.text(x, y, "Patient:", fb)
        x = page.text(x + 14, y, [doc.person(p, "LAST, FIRST MI", "patient")], f)
        x = page.text(x + 44, y, "MRN:", fb)
        x = page.text(x + 14, y, [ph(doc.mrn, "MRN")], f)
        x = page.text(x + 44, y, "DOB:", fb)
        page.text(x + 14, y, [doc.date(p.birth)], f)
        y += round(st.small * 1.4)
        page.line(st.margin_x, y, PAGE_W - st.margin_x, y, width=2)
        return y + 40

    return draw


# ------------------------------------------------------------------------------ face sheet


def build_face_sheet(doc: Doc) -> list[Page]:
    """A registration face sheet: ruled cells, label above value."""
    r = doc.rng
    w = doc.world
    st = doc.st
    p = doc.patient
    fac = doc.facility
    a = doc.address
    flow = Flow(doc)
    x0, x1 = flow.left, flow.right
    U = doc.up
    L = doc.L
    title = r.choice(
        [
            "PATIENT FACE SHEET",
            "REGISTRATION FACE SHEET",
            "Admission Face Sheet",
            "PATIENT DEMOGRAPHIC SHEET",
            "Inpatient Face Sheet",
            "Outpatient Registration Record",
            "Patient Registration Summary",
        ]
    )
    admit_time = f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}"
    variant = r.choice(["center", "left_right", "band"])

    def header(page: Page, y: int) -> int:
        big = doc.F(st.title, bold=True)
        mid = doc.F(st.body + 6, bold=True)
        sm = doc.F(st.small)
        if variant == "center":
            page.text_center(PAGE_W / 2, y, [ph(fac.name, "FACILITY")], big)
            y += round(st.title * 1.3)
            page.text_center(PAGE_W / 2, y, doc.addr_frags(fac.address), sm)
            y += round(st.small * 1.5)
            page.text_center(PAGE_W / 2, y, title, mid)
            y += round(mid.size * 1.5)
        elif variant == "left_right":
            f2 = doc.F(st.body + 8, bold=True)
            page.text(x0, y, [ph(fac.name, "FACILITY")], f2)
            page.text_right(x1, y, title, f2)
            y += round(f2.size * 1.45)
            page.text(x0, y, ["Main ", doc.phone(fac.phone)], sm)
            page.text_right(x1, y, ["Printed ", doc.date(doc.doc_date), f" {admit_time}"], sm)
            y += round(st.small * 1.5)
        else:
            page.rect(x0, y, x1, y + st.title + 40, outline=None, fill=225)
            page.text(x0 + 24, y + 20, [ph(fac.name, "FACILITY")], big)
            y += st.title + 60
            page.text(x0, y, title, mid)
            y += round(mid.size * 1.5)
        page.line(x0, y, x1, y, width=st.rule + 2)
        return y + 30

    flow.add(header)
    flow.on_new_page = continuation_header(doc)

    def section(title_: str, rows: list[list[Field]], optional: bool = False) -> None:
        def draw(page: Page, y: int) -> int:
            y = section_header(doc, page, y, title_, x0, x1)
            return grid(doc, page, y, rows, x0, x1)

        flow.add(draw, gap=22, optional=optional)

    # visit
    attending = w.clinician()
    visit_row = [
        Field(doc.lab("admit"), [doc.date(doc.doc_date)]),
        Field(L("Time"), [admit_time]),
        Field(
            L(r.choice(["Patient Type", "Pt Class", "Visit Type"])),
            [U(r.choice(["Inpatient", "Outpatient", "Observation", "Emergency", "Day Surgery"]))],
        ),
        Field(
            L(r.choice(["Unit/Room", "Room-Bed", "Location"])),
            [f"{r.choice(['4W', '3E', '5N', 'ICU', 'MS2', 'OBS'])}-{r.randint(100, 699)}"],
        ),
    ]
    att_row = [
        Field(
            doc.lab("attending"),
            [doc.person(attending.person, "last, first mi", "provider", st.value_upper)],
        ),
        Field(
            L(r.choice(["Service", "Dept"])),
            [U(r.choice(["Medicine", "Surgery", "Cardiology", "Orthopedics", "Family Med."]))],
        ),
        Field(
            L("Financial Class"),
            [U(r.choice(["Commercial", "Medicare", "Medicaid", "Self Pay", "Managed Care"]))],
        ),
    ]
    ids = [
        Field(doc.lab("mrn"), [ph(doc.mrn, "MRN")]),
        Field(doc.lab("account"), [ph(w.account(), "ID", subtype="account")]),
    ]
    if r.random() < 0.6:
        ids.append(Field(doc.lab("visit"), [ph(w.visit(), "ID", subtype="account")]))
    r.shuffle(ids)
    ids_first = r.random() < 0.5
    visit_rows = [ids, visit_row, att_row] if ids_first else [visit_row, att_row]
    section(r.choice(["Visit Information", "Encounter", "Admission", "Registration"]), visit_rows)

    # patient
    years = age_on(p.birth, doc.doc_date)
    sex = r.choice([p.gender[0].upper(), p.gender.capitalize()])
    name_style = r.choice(["split", "split", "first_first", "one"])
    if name_style == "split":
        name_row = [
            Field(doc.lab("last"), [ph(U(p.family), "PERSON", role="patient")]),
            Field(doc.lab("first"), [ph(U(p.given), "PERSON", role="patient")]),
            Field(
                doc.lab("mi"),
                [ph(U(p.middle[:1]), "PERSON", role="patient")] if p.middle else [],
                min_w=60,
            ),
        ]
    elif name_style == "first_first":
        name_row = [
            Field(doc.lab("first"), [ph(U(p.given), "PERSON", role="patient")]),
            Field(L("Middle"), [ph(U(p.middle), "PERSON", role="patient")] if p.middle else []),
            Field(doc.lab("last"), [ph(U(p.family), "PERSON", role="patient")]),
        ]
    else:
        name_row = [Field(doc.lab("fullname"), [doc.person(p, "LAST, FIRST MI", "patient")])]
    born_row = [
        Field(doc.lab("dob"), [doc.date(p.birth)]),
        Field(doc.lab("age"), [doc.age_frags(years)]),
        Field(doc.lab("sex"), [U(sex)]),
    ]
    if r.random() < 0.5:
        name_row += born_row
        born_row = []
    street_row = [Field(doc.lab("street"), [ph(U(a.street), "STREET_ADDRESS")], min_w=560)]
    city_row = [
        Field(doc.lab("city"), [ph(U(a.city), "CITY")], min_w=300),
        Field(doc.lab("state"), [a.state]),
        Field(doc.lab("zip"), [ph(a.zip, "ZIP_CODE")]),
    ]
    addr_rows = [street_row + city_row] if r.random() < 0.4 else [street_row, city_row]
    home, cell = w.phone(), w.phone()
    phone_row = [
        Field(doc.lab("home"), [doc.phone(home)]),
        Field(doc.lab("cell"), [doc.phone(cell)]),
    ]
    if r.random() < 0.75:
        phone_row.append(Field(doc.lab("email"), [ph(w.email(p), "EMAIL_ADDRESS")]))
    ssn_row = [Field(doc.lab("ssn"), [ph(w.ssn(), "US_SSN")])] + ([] if ids_first else ids)
    demo_row = [
        Field(
            doc.lab("marital"),
            [U(r.choice(["Married", "Single", "Widowed", "Divorced", "Separated"]))],
        ),
        Field(doc.lab("language"), [U(LANGUAGE.get(p.locale, "English"))]),
        Field(
            doc.lab("race"),
            [U(r.choice(["White", "Black", "Asian", "Other", "Declined", "Multiracial"]))],
        ),
    ]
    if r.random() < 0.5:
        demo_row.append(
            Field(
                doc.lab("religion"),
                [U(r.choice(["Catholic", "None", "Baptist", "Muslim", "Jewish", "Declined"]))],
            )
        )
    prows = (
        [name_row] + ([born_row] if born_row else []) + addr_rows + [phone_row, ssn_row, demo_row]
    )
    section(r.choice(["Patient Information", "Patient Demographics", "Patient"]), prows)

    # employment
    if r.random() < 0.8:
        emp = r.choice(EMPLOYERS)
        ef = [
            Field(doc.lab("employer"), [U(emp)]),
            Field(doc.lab("occupation"), [U(r.choice(OCCUPATIONS))]),
        ]
        if emp not in ("Retired", "Unemployed", "Self-employed", "Disabled"):
            ef.append(Field(doc.lab("work"), [doc.phone(w.phone())]))
        section(r.choice(["Employment", "Employer Information"]), [ef], optional=True)

    # emergency contacts
    rels = [
        "Daughter",
        "Son",
        "Sister",
        "Brother",
        "Friend",
        "Neighbor",
        "Partner",
        "Mother",
        "Niece",
    ]
    spouse_rel = "Husband" if p.gender == "female" else "Wife"
    spouse = w.relative(p, spouse_rel)
    n_contacts = r.randint(1, 2)
    contacts = [(spouse_rel, spouse)] if r.random() < 0.5 else []
    while len(contacts) < n_contacts:
        rel = r.choice(rels)
        contacts.append((rel, w.relative(p, rel)))
    crows: list[list[Field]] = []
    phone_lab = L(r.choice(["Phone", "Contact Phone", "Best Number", "Tel."]))
    for rel, c in contacts:
        role = "other" if rel in ("Friend", "Neighbor") else "relative"
        crows.append(
            [
                Field(
                    doc.lab("contact"),
                    [
                        doc.person(
                            c, r.choice(["first last", "last, first mi"]), role, st.value_upper
                        )
                    ],
                    min_w=520,
                ),
                Field(doc.lab("relation"), [U(rel)]),
                Field(phone_lab, [doc.phone(w.phone())]),
            ]
        )
    section(
        r.choice(
            [
                "Emergency Contact",
                "In Case of Emergency Notify",
                "Next of Kin",
                "NOK / Emergency Contact",
            ]
        ),
        crows,
    )

    # guarantor
    if r.random() < 0.8:
        self_g = r.random() < 0.5
        g = p if self_g else spouse
        grel = "Self" if self_g else spouse_rel
        grows = [
            [
                Field(
                    doc.lab("guarantor"),
                    [
                        doc.person(
                            g,
                            "LAST, FIRST MI" if st.value_upper else "last, first mi",
                            "patient" if self_g else "relative",
                        )
                    ],
                ),
                Field(doc.lab("relation"), [U(grel)]),
                Field(doc.lab("dob"), [doc.date(g.birth)]),
            ]
        ]
        if r.random() < 0.5:
            grows.append(
                [
                    Field(doc.lab("street"), [ph(U(a.street), "STREET_ADDRESS")], min_w=500),
                    Field(doc.lab("city"), [ph(U(a.city), "CITY")]),
                    Field(doc.lab("state"), [a.state]),
                    Field(doc.lab("zip"), [ph(a.zip, "ZIP_CODE")]),
                ]
            )
        section(
            r.choice(["Guarantor", "Responsible Party", "Financial Responsibility"]),
            grows,
            optional=True,
        )

    # insurance
    cov = w.coverage(p, spouse)
    irows = [
        [
            Field(doc.lab("payer"), [U(cov.payer)]),
            Field(doc.lab("member"), [ph(cov.member_id, "ID", subtype="health_plan")]),
            Field(doc.lab("groupno"), [ph(cov.group, "ID", subtype="health_plan")]),
        ],
        [
            Field(
                doc.lab("subscriber"),
                [
                    doc.person(
                        cov.subscriber,
                        "last, first mi",
                        "patient" if cov.relationship == "Self" else "relative",
                        st.value_upper,
                    )
                ],
            ),
            Field(L("Relationship"), [U(cov.relationship)]),
            Field(L("Payer Phone"), [doc.phone(cov.phone)]),
        ],
    ]
    cov2 = w.coverage(p, spouse, exclude=cov.payer)
    if r.random() < 0.5:
        irows.append(
            [
                Field(L("Secondary Ins."), [U(cov2.payer)]),
                Field(doc.lab("member"), [ph(cov2.member_id, "ID", subtype="health_plan")]),
                Field(doc.lab("groupno"), [ph(cov2.group, "ID", subtype="health_plan")]),
            ]
        )
        cov2 = None
    section(r.choice(["Insurance", "Primary Insurance", "Coverage"]), irows)

    # clinical
    c = doc.clinical
    pcp = w.clinician()
    allergy = ", ".join(doc.term(x) for x, _ in c.allergies) if c.allergies else "NKDA"
    crow = [
        Field(
            L(r.choice(["Admitting Diagnosis", "Reason for Visit", "Chief Complaint"])),
            [U(doc.term(c.reason))],
        ),
        Field(L("Allergies"), [U(allergy)]),
    ]
    crow2 = [
        Field(doc.lab("pcp"), [doc.person(pcp.person, "first last", "provider", st.value_upper)])
    ]
    if r.random() < 0.5:
        crow2.append(
            Field(L("Code Status"), [U(r.choice(["Full Code", "DNR", "DNR/DNI", "Full"]))])
        )
    if r.random() < 0.5:
        crow2.append(
            Field(L("Advance Directive"), [U(r.choice(["Yes - on file", "No", "Requested"]))])
        )
    section(r.choice(["Clinical", "Clinical Information", "Medical"]), [crow, crow2], optional=True)

    # more when the document may run to two pages
    if doc.max_pages > 1:
        flow.maybe_break(0.6)
        if cov2 is not None:
            sec = [
                [
                    Field(doc.lab("payer"), [U(cov2.payer)]),
                    Field(L("Plan"), [U(cov2.plan)]),
                    Field(doc.lab("member"), [ph(cov2.member_id, "ID", subtype="health_plan")]),
                    Field(doc.lab("groupno"), [ph(cov2.group, "ID", subtype="health_plan")]),
                ],
                [
                    Field(
                        doc.lab("subscriber"),
                        [
                            doc.person(
                                cov2.subscriber,
                                "last, first mi",
                                "patient" if cov2.relationship == "Self" else "relative",
                                st.value_upper,
                            )
                        ],
                    ),
                    Field(L("Sub. DOB"), [doc.date(cov2.subscriber.birth)]),
                    Field(L("Payer Phone"), [doc.phone(cov2.phone)]),
                ],
            ]
            section("Secondary Insurance", sec)
        meds = [
            [
                Field(L("Medication"), [U(f"{doc.term(m)} {d}")]),
                Field(L("Last Dose"), [U(r.choice(["Today", "Yesterday", "Unknown", "This AM"]))]),
            ]
            for m, d in c.meds[:4]
        ]
        if meds:
            section("Home Medications (as reported)", meds)
        ref = w.clinician()
        section(
            "Referral",
            [
                [
                    Field(
                        doc.lab("referring"),
                        [doc.person(ref.person, "first last", "provider", st.value_upper)],
                    ),
                    Field(L("Referring NPI"), [ph(ref.npi, "ID", subtype="other")]),
                    Field(
                        L("Referral Date"),
                        [doc.date(doc.doc_date - timedelta(days=r.randint(2, 30)))],
                    ),
                ]
            ],
        )

        def ack(page: Page, y: int) -> int:
            f = doc.F(st.body)
            txt = [
                "I acknowledge that I received the Notice of Privacy Practices and that the "
                "information above is correct. I assign insurance benefits to ",
                ph(fac.name, "FACILITY"),
                " and accept financial responsibility for charges not paid by my insurance.",
            ]
            y = paragraph(page, x0, y, x1 - x0, txt, f)
            return signature_block(
                doc,
                page,
                y + 20,
                x0,
                x1,
                "Patient / Guarantor Signature",
                doc.date(doc.doc_date),
                r.random() < 0.7,
            )

        flow.add(ack, gap=20)

    clerk = w.person(words=False)

    def registered(page: Page, y: int) -> int:
        f = doc.F(st.small)
        page.text(x0, y, ["Registered by: ", doc.person(clerk, "initial last", "other")], f)
        page.text_right(x1, y, ["Reg. date: ", doc.date(doc.doc_date)], f)
        return y + round(st.small * 1.5)

    flow.add(registered, optional=True)
    add_footers(
        doc,
        flow.pages,
        r.choice(["Form REG-104 Rev. 06/2019", "ADT-FS 2.3", "HIM 0412 (rev 11/2020)", "PAS-001"]),
    )
    return flow.pages


# ------------------------------------------------------------------------------ insurance sheet


def build_insurance(doc: Doc) -> list[Page]:
    """An insurance verification sheet with coverage blocks, a table and a licence copy."""
    r = doc.rng
    w = doc.world
    st = doc.st
    p = doc.patient
    fac = doc.facility
    clin = doc.clinical
    flow = Flow(doc)
    x0, x1 = flow.left, flow.right
    title = r.choice(
        [
            "Insurance Verification",
            "ELIGIBILITY & BENEFITS VERIFICATION",
            "Coverage Verification Worksheet",
            "Insurance Information Sheet",
            "Pre-Registration Insurance Check",
        ]
    )
    spouse = w.relative(p, "Husband" if p.gender == "female" else "Wife")

    def header(page: Page, y: int) -> int:
        y = letterhead(doc, page, y, fac, r.choice(["center", "split", "left"]), x0, x1)
        f = doc.F(st.body + 8, bold=True)
        page.text(x0, y, title, f)
        return y + round(f.size * 1.6)

    flow.add(header)
    flow.on_new_page = continuation_header(doc)

    pat_pairs: list[tuple[str | None, list[Frag]]] = [
        (
            "Patient Name:",
            [
                doc.person(
                    p, r.choice(["last, first mi", "first mi last", "LAST, FIRST MI"]), "patient"
                )
            ],
        ),
        (doc.lab("dob") + ":", [doc.date(p.birth)]),
        (doc.lab("mrn") + ":", [ph(doc.mrn, "MRN")]),
        (doc.lab("account") + ":", [ph(w.account(), "ID", subtype="account")]),
        ("Phone:", [doc.phone(w.phone())]),
        (doc.lab("admit") + ":", [doc.date(doc.doc_date)]),
    ]
    if r.random() < 0.6:
        pat_pairs.append(("Address:", doc.addr_frags(doc.address)))
    r.shuffle(pat_pairs)

    def patient_block(page: Page, y: int) -> int:
        y = section_header(doc, page, y, "Patient", x0, x1)
        return kv_rows(doc, page, y + 6, pat_pairs, x0, x1, cols=2)

    flow.add(patient_block, gap=24)

    cov1 = w.coverage(p, spouse)
    covs = [cov1, w.coverage(p, spouse, exclude=cov1.payer)]
    layout = r.choice(
        ["blocks", "table", "mixed"] if doc.max_pages > 1 else ["table", "mixed", "mixed"]
    )
    for i, cov in enumerate(covs):
        if layout == "table" or (layout == "mixed" and i == 1):
            break
        label = "Primary Insurance" if i == 0 else "Secondary Insurance"
        role = "patient" if cov.relationship == "Self" else "relative"
        pairs: list[tuple[str | None, list[Frag]]] = [
            ("Payer:", [cov.payer]),
            ("Plan:", [cov.plan]),
            (doc.lab("member") + ":", [ph(cov.member_id, "ID", subtype="health_plan")]),
            (doc.lab("groupno") + ":", [ph(cov.group, "ID", subtype="health_plan")]),
            (doc.lab("subscriber") + ":", [doc.person(cov.subscriber, "first mi last", role)]),
            ("Relationship:", [cov.relationship]),
            ("Subscriber DOB:", [doc.date(cov.subscriber.birth)]),
            ("Payer Phone:", [doc.phone(cov.phone, r.choice(["one_dash", "paren", "dash"]))]),
            ("Effective:", [doc.date(cov.effective)]),
            ("Copay:", [f"${r.choice([0, 10, 20, 25, 30, 40, 50])}"]),
            (
                "Deductible:",
                [f"${r.choice([250, 500, 1000, 1500, 2500, 3000])} (met ${r.randint(0, 240)})"],
            ),
            ("Coinsurance:", [f"{r.choice([0, 10, 20, 30])}%"]),
        ]

        def block(page: Page, y: int, label: str = label, pairs=pairs) -> int:
            y = section_header(doc, page, y, label, x0, x1)
            return kv_rows(doc, page, y + 6, pairs, x0, x1, cols=2)

        flow.add(block, gap=24)

    if layout in ("table", "mixed"):
        rows = []
        for i, cov in enumerate(covs if layout == "table" else covs[1:]):
            role = "patient" if cov.relationship == "Self" else "relative"
            rows.append(
                [
                    ["Primary" if (layout == "table" and i == 0) else "Secondary"],
                    [cov.payer],
                    [ph(cov.member_id, "ID", subtype="health_plan")],
                    [ph(cov.group, "ID", subtype="health_plan")],
                    [doc.person(cov.subscriber, "last, first mi", role)],
                    [cov.relationship],
                    [doc.date(cov.subscriber.birth)],
                ]
            )
        headers = [
            "Coverage",
            "Payer",
            r.choice(["Member ID", "Policy #", "ID"]),
            "Group",
            "Subscriber",
            "Rel.",
            "Sub. DOB",
        ]

        def tbl(page: Page, y: int) -> int:
            y = section_header(doc, page, y, "Coverage Summary", x0, x1)
            return fit_table(doc, page, y + 6, headers, rows, x0, x1, ruled=r.random() < 0.7)

        flow.add(tbl, gap=30)

    # services needing authorization: the clinical part of the sheet
    ordering = w.clinician(clin.specialty, doctor=True)
    icd = ICD10.get(clin.reason, "R69")
    proc, cpt = r.choice(PROCEDURES)
    auth_start = doc.doc_date + timedelta(days=r.randint(0, 10))
    auth_pairs: list[tuple[str | None, list[Frag]]] = [
        ("Diagnosis:", [f"{doc.term(clin.reason)} ({icd})"]),
        ("Procedure:", [f"{doc.term(proc)} (CPT {cpt})"]),
        ("Ordering:", ["Dr. ", ph(ordering.person.name("first last"), "PERSON", role="provider")]),
        ("Ordering NPI:", [ph(ordering.npi, "ID", subtype="other")]),
        ("Auth #:", [ph(f"{w.letters(1)}{w.digits(9)}", "ID", subtype="other")]),
        (
            "Valid:",
            [
                doc.date(auth_start),
                " - ",
                doc.date(auth_start + timedelta(days=r.choice([30, 60, 90]))),
            ],
        ),
    ]

    def auth(page: Page, y: int) -> int:
        y = section_header(
            doc,
            page,
            y,
            r.choice(["Authorization", "Services Requested", "Precertification"]),
            x0,
            x1,
        )
        return kv_rows(doc, page, y + 6, auth_pairs, x0, x1, cols=2)

    flow.add(auth, gap=24, optional=True)

    rep = w.person(words=False)
    ref_no = f"{doc.doc_date.year}{w.digits(7)}"

    def verification(page: Page, y: int) -> int:
        f = doc.F(st.body)
        y = section_header(doc, page, y, "Verification", x0, x1)
        txt: list[Frag] = [
            "Eligibility confirmed by phone with ",
            doc.person(rep, "first last", "other"),
            " on ",
            doc.date(doc.doc_date),
            ", call reference ",
            ph(ref_no, "ID", subtype="other"),
            f". Prior authorization {'is' if r.random() < 0.5 else 'is not'} required "
            f"for the {proc}.",
        ]
        y = paragraph(page, x0, y + 6, x1 - x0, txt, f)
        clerk = w.person(words=False)
        page.text(x0, y + 10, ["Verified by: ", doc.person(clerk, "first last", "other")], f)
        return y + 10 + round(f.size * 1.6)

    flow.add(verification, gap=30, optional=True)

    a = doc.address
    state = a.state
    dl = w.driver_licence(state)
    exp = date(doc.doc_date.year + r.randint(1, 6), p.birth.month, min(p.birth.day, 28))
    iss = date(exp.year - r.choice([4, 5, 8]), exp.month, exp.day)
    dd = w.digits(r.choice([10, 12]))
    cf = r.choice(["Liberation Sans", "DejaVu Sans Condensed", "Liberation Sans Narrow"])

    def licence(page: Page, y: int) -> int:
        y = section_header(
            doc,
            page,
            y,
            r.choice(["Photo ID", "Copy of Driver License", "Driver's License / State ID"]),
            x0,
            x1,
        )
        y += 20
        cw, chh = 1400, 860
        cx0 = x0 + 20
        page.rect(cx0, y, cx0 + cw, y + chh, outline=0, width=4, radius=40)
        hb = get_font(cf, 46, True)
        f = get_font(cf, 38)
        fb = get_font(cf, 38, True)
        page.text(cx0 + 50, y + 36, STATE_NAMES.get(state, state), hb)
        page.text_right(
            cx0 + cw - 50,
            y + 36,
            r.choice(["DRIVER LICENSE", "DRIVER'S LICENSE", "USA DRIVER LICENSE"]),
            hb,
        )
        ph_x0, ph_y0 = cx0 + 50, y + 140
        page.rect(ph_x0, ph_y0, ph_x0 + 330, ph_y0 + 420, outline=90, width=3)
        page.ellipse((ph_x0 + 100, ph_y0 + 70, ph_x0 + 230, ph_y0 + 220), width=3, fill=110)
        page.poly(
            [
                (ph_x0 + 40, ph_y0 + 410),
                (ph_x0 + 80, ph_y0 + 280),
                (ph_x0 + 250, ph_y0 + 280),
                (ph_x0 + 290, ph_y0 + 410),
            ],
            3,
            110,
        )
        tx = ph_x0 + 380
        yy = ph_y0
        lh = 54
        page.text(tx, yy, ["DL ", ph(dl, "ID", subtype="license")], fb)
        yy += lh
        page.text(tx, yy, ["EXP ", doc.date(exp, "mdy")], f)
        page.text(tx + 460, yy, ["ISS ", doc.date(iss, "mdy")], f)
        yy += lh
        page.text(tx, yy, [ph(p.family.upper(), "PERSON", role="patient")], fb)
        yy += lh
        page.text(
            tx,
            yy,
            [ph(" ".join(x for x in (p.given, p.middle) if x).upper(), "PERSON", role="patient")],
            fb,
        )
        yy += lh
        page.text(tx, yy, [ph(a.street.upper(), "STREET_ADDRESS")], f)
        yy += lh
        page.text(tx, yy, doc.city_line(a, upper=True), f)
        yy += lh
        page.text(tx, yy, ["DOB ", doc.date(p.birth, "mdy")], fb)
        yy += lh
        ft = r.randint(4, 6)
        page.text(
            tx,
            yy,
            f"SEX {p.gender[0].upper()} HGT {ft}-{r.randint(0, 11):02d} "
            f"EYES {r.choice(['BRN', 'BLU', 'HAZ', 'GRN', 'BLK'])}",
            f,
        )
        yy += lh
        page.text(tx, yy, ["CLASS D DD ", ph(dd, "ID", subtype="other")], f)
        scribble(page, r, cx0 + 60, y + chh - 170, 360, 90)
        return y + chh + 30

    card_cov = covs[0]
    card_role = "patient" if card_cov.relationship == "Self" else "relative"

    def ins_card(page: Page, y: int) -> int:
        y = section_header(
            doc, page, y, r.choice(["Insurance Card (front)", "Copy of Insurance Card"]), x0, x1
        )
        y += 20
        cw, chh = 1400, 640
        cx0 = x0 + 20
        page.rect(cx0, y, cx0 + cw, y + chh, outline=0, width=4, radius=40)
        hb = get_font(cf, 50, True)
        f = get_font(cf, 38)
        fb = get_font(cf, 38, True)
        page.text(cx0 + 50, y + 40, card_cov.payer, hb)
        yy = y + 40 + 90
        lh = 56
        rows: list[list[Frag]] = [
            [
                "Member: ",
                ph(card_cov.subscriber.name("first mi last").upper(), "PERSON", role=card_role),
            ],
            ["ID: ", ph(card_cov.member_id, "ID", subtype="health_plan")],
            ["Group: ", ph(card_cov.group, "ID", subtype="health_plan")],
            [f"Plan: {card_cov.plan}"],
            [
                f"RxBIN {r.choice(['610014', '004336', '610502', '003858'])} "
                f"RxPCN {r.choice(['ADV', 'MEDDPRIME', 'CN', 'A4'])}"
            ],
            [
                f"PCP ${r.choice([10, 20, 25, 30])} / Specialist ${r.choice([35, 40, 50, 60])} "
                f"/ ER ${r.choice([100, 150, 250])}"
            ],
        ]
        for i, row in enumerate(rows):
            page.text(cx0 + 50, yy, row, fb if i < 2 else f)
            yy += lh
        page.text(cx0 + 50, yy + 10, ["Member Services ", doc.phone(card_cov.phone, "one_dash")], f)
        return y + chh + 30

    flow.maybe_break(0.6)
    flow.add(licence, gap=20)
    if doc.max_pages > 1 or r.random() < 0.4:
        flow.add(ins_card, gap=20, optional=True)

    def notes(page: Page, y: int) -> int:
        f = doc.F(st.small)
        txt = [
            "Copies of the front and back of all insurance cards and a photo ID must be kept "
            "with the registration. Patient informed of estimated out-of-pocket cost of "
            f"${r.randint(40, 2400)}.",
        ]
        return paragraph(page, x0, y, x1 - x0, txt, f)

    flow.add(notes, optional=True)
    add_footers(
        doc,
        flow.pages,
        r.choice(["PFS-INS-07", "Form 311 (rev. 02/2022)", "Patient Access - Verification"]),
    )
    return flow.pages


# ------------------------------------------------------------------------------ consent form


def build_consent(doc: Doc) -> list[Page]:
    """An authorization to release health information."""
    r = doc.rng
    w = doc.world
    st = doc.st
    p = doc.patient
    fac = doc.facility
    flow = Flow(doc)
    x0, x1 = flow.left, flow.right
    body = doc.F(st.body)
    bold = doc.F(st.body, bold=True)
    recipient = w.facility("clinic")
    attn = w.clinician(doc.clinical.specialty)
    numbered = r.random() < 0.5
    sec_no = [0]

    def heading(page: Page, y: int, text: str) -> int:
        sec_no[0] += 1
        t = f"{sec_no[0]}. {text}" if numbered else text
        page.text(x0, y, t, bold)
        return y + round(st.body * 1.6)

    def header(page: Page, y: int) -> int:
        y = letterhead(doc, page, y, fac, r.choice(["center", "split", "left"]), x0, x1)
        title = r.choice(
            [
                "AUTHORIZATION FOR RELEASE OF PROTECTED HEALTH INFORMATION",
                "Authorization to Use or Disclose Health Information",
                "CONSENT FOR RELEASE OF MEDICAL RECORDS",
                "Authorization for Disclosure of Health Records",
            ]
        )
        tf = doc.F(st.body + 8, bold=True)
        return paragraph(page, x0, y, x1 - x0, [title], tf, align="center", leading=1.3) + 20

    flow.add(header)
    flow.on_new_page = continuation_header(doc)

    lf = doc.F(st.body, bold=r.random() < 0.5)

    def patient_fields(page: Page, y: int) -> int:
        mid = x0 + (x1 - x0) * 0.6
        fill_in(
            page,
            x0,
            y,
            "Patient Name:",
            [doc.person(p, r.choice(["first mi last", "last, first mi"]), "patient")],
            mid - 50,
            lf,
            body,
        )
        fill_in(page, mid, y, "Date of Birth:", [doc.date(p.birth)], x1, lf, body)
        y += round(st.body * 2.0)
        fill_in(page, x0, y, doc.lab("mrn") + ":", [ph(doc.mrn, "MRN")], mid - 50, lf, body)
        fill_in(page, mid, y, "Phone:", [doc.phone(w.phone())], x1, lf, body)
        y += round(st.body * 2.0)
        fill_in(page, x0, y, "Address:", doc.addr_frags(doc.address), x1, lf, body)
        return y + round(st.body * 2.0)

    flow.add(patient_fields, gap=16)

    exp_date = doc.doc_date + timedelta(days=r.choice([90, 180, 365, 365, 730]))
    long_style = st.long_date
    name_fmt = r.choice(["first mi last", "first middle last", "first last"])
    purposes = r.sample(ROI_PURPOSES, r.randint(1, 2))
    fac_ref: Frag = (
        ph(fac.abbr, "FACILITY")
        if len(fac.abbr) >= 3 and r.random() < 0.4
        else ph(fac.name, "FACILITY")
    )

    def intro(page: Page, y: int) -> int:
        y = heading(page, y, "Authorization")
        txt: list[Frag] = [
            "I, ",
            doc.person(p, name_fmt, "patient"),
            ", born on ",
            doc.date(p.birth, long_style),
            ", authorize ",
            ph(fac.name, "FACILITY"),
            r.choice(
                [
                    " and its medical staff",
                    "",
                    " (the Hospital)",
                    ", including its affiliated clinics,",
                ]
            ),
            " to release the health information described below to ",
            ph(recipient.name, "FACILITY"),
            ", ",
            *doc.addr_frags(recipient.address),
            ", attention ",
            ph(attn.person.name("first last"), "PERSON", role="provider"),
            ", fax ",
            doc.phone(recipient.fax),
            ".",
        ]
        y = paragraph(page, x0, y, x1 - x0, txt, body)
        txt2: list[Frag] = [
            "The information is released for the following purpose(s): ",
            " and ".join(purposes),
            ". Records of treatment received from ",
            doc.date(doc.doc_date - timedelta(days=r.randint(200, 900)), long_style),
            " through ",
            doc.date(doc.doc_date, long_style),
            " are included.",
        ]
        return paragraph(page, x0, y + 20, x1 - x0, txt2, body)

    flow.add(intro, gap=26)

    chosen = set(r.sample(range(len(ROI_ITEMS)), r.randint(2, 6)))

    def items(page: Page, y: int) -> int:
        y = heading(page, y, "Information to be released")
        half = (len(ROI_ITEMS) + 1) // 2
        colx = [x0 + 20, x0 + (x1 - x0) // 2 + 20]
        lh = round(st.body * 1.55)
        box = round(st.body * 0.8)
        for i in range(half):
            for c in range(2):
                k = i + c * half
                if k >= len(ROI_ITEMS):
                    continue
                checkbox(page, colx[c], y + 4, box, k in chosen)
                page.text(colx[c] + box + 40, y, ROI_ITEMS[k], body)
            y += lh
        return y

    flow.add(items, gap=20)

    clin = doc.clinical
    sensitive = r.random() < 0.6

    def specific(page: Page, y: int) -> int:
        if not sensitive:
            return y
        txt: list[Frag] = [
            "Specific records requested: notes and results related to ",
            doc.term(clin.problems[0]),
            " and ",
            doc.term(clin.problems[1]),
            ", including the visit of ",
            doc.partial(doc.doc_date - timedelta(days=r.randint(5, 60))),
            " and the current medication list (",
            ", ".join(f"{doc.term(m)} {d}" for m, d in clin.meds[:2]),
            ").",
        ]
        return paragraph(page, x0, y, x1 - x0, txt, body)

    flow.add(specific, gap=20, optional=True)

    def rights(page: Page, y: int) -> int:
        y = heading(page, y, "Expiration and revocation")
        txt: list[Frag] = [
            "This authorization expires on ",
            doc.date(exp_date, long_style),
            ". I may revoke it at any time by writing to the Health Information Management "
            "department of ",
            fac_ref,
            ", except to the extent that action has already been taken in reliance on it. "
            "Treatment, payment, enrollment or eligibility for benefits will not be conditioned "
            "on my signing. Information disclosed under this authorization may be re-disclosed "
            "by the recipient and may no longer be protected by federal privacy law.",
        ]
        return paragraph(page, x0, y, x1 - x0, txt, body)

    if doc.max_pages > 1:
        flow.maybe_break(0.5)
    flow.add(rights, gap=30)

    def special(page: Page, y: int) -> int:
        y = heading(page, y, "Specially protected information")
        txt: list[Frag] = [
            "I understand that the records released may include information about HIV "
            "testing, sexually transmitted infections, mental health care, genetic testing or "
            "treatment for alcohol or drug use. Records of substance use treatment are "
            "protected by 42 CFR Part 2 and will be released only if I initial here: ",
            ph(
                "".join(x[0] for x in (p.given, p.middle, p.family) if x).upper(),
                "PERSON",
                role="patient",
            ),
            ". A copy of this authorization is as valid as the original.",
        ]
        return paragraph(page, x0, y, x1 - x0, txt, body)

    if doc.max_pages > 1 or r.random() < 0.3:
        flow.add(special, gap=30, optional=True)

    rep_rel = r.choice(["Daughter", "Son", "Wife", "Husband", "Niece", "Grandson"])
    rep = w.relative(p, rep_rel) if r.random() < 0.4 else None
    witness = w.person(words=False)

    def signatures(page: Page, y: int) -> int:
        y = signature_block(
            doc,
            page,
            y,
            x0,
            x1,
            "Signature of Patient or Legally Authorized Representative",
            doc.date(doc.doc_date),
            True,
        )
        y += 16
        fill_in(
            page,
            x0,
            y,
            "Printed Name:",
            [doc.person(rep or p, "first last", "relative" if rep else "patient")],
            x1,
            lf,
            body,
        )
        y += round(st.body * 2.0)
        if rep is not None:
            mid = x0 + (x1 - x0) * 0.5
            fill_in(page, x0, y, "Relationship:", [rep_rel], mid - 50, lf, body)
            fill_in(
                page,
                mid,
                y,
                "Authority:",
                [r.choice(["Health care POA", "Legal guardian", "Next of kin"])],
                x1,
                lf,
                body,
            )
            y += round(st.body * 2.0)
        y += 30
        mid = x0 + (x1 - x0) * 0.62
        fill_in(
            page,
            x0,
            y,
            "Witness:",
            [doc.person(witness, r.choice(["first last", "initial last"]), "other")],
            mid - 50,
            lf,
            body,
        )
        fill_in(page, mid, y, "Date:", [doc.date(doc.doc_date)], x1, lf, body)
        return y + round(st.body * 2.0)

    flow.add(signatures, gap=30)

    def office(page: Page, y: int) -> int:
        f = doc.F(st.small)
        page.rect(x0, y, x1, y + round(st.small * 3.6), outline=0, width=2)
        page.text(x0 + 20, y + 18, "FOR OFFICE USE ONLY", doc.F(st.small, bold=True))
        y2 = y + 18 + round(st.small * 1.5)
        page.text(
            x0 + 20,
            y2,
            ["Request #: ", ph(f"ROI-{doc.doc_date.year}-{w.digits(5)}", "ID", subtype="other")],
            f,
        )
        page.text(
            x0 + (x1 - x0) // 2,
            y2,
            ["Processed: ", doc.date(doc.doc_date + timedelta(days=r.randint(1, 9)))],
            f,
        )
        return y + round(st.small * 3.6)

    if r.random() < 0.7:
        flow.add(office, optional=True)
    add_footers(
        doc,
        flow.pages,
        r.choice(["HIM-ROI-02 (03/2021)", "Form 1020 Release of Information", "ROI Rev. 4"]),
    )
    return flow.pages


# ------------------------------------------------------------------------------ referral letter


def build_referral(doc: Doc) -> list[Page]:
    """A referral letter from a clinic to a specialist."""
    r = doc.rng
    w = doc.world
    st = doc.st
    p = doc.patient
    fac = doc.facility
    clin = doc.clinical
    flow = Flow(doc)
    x0, x1 = flow.left, flow.right
    body = doc.F(st.body)
    bold = doc.F(st.body, bold=True)
    lh = round(st.body * 1.45)
    author = w.clinician("Internal Medicine")
    spec_fac = w.facility(clin.specialty)
    specialist = w.clinician(clin.specialty, doctor=True)
    female = p.gender == "female"
    he, his = ("she", "her") if female else ("he", "his")
    him = "her" if female else "him"
    He = he.capitalize()
    His = his.capitalize()
    title = r.choice(["Mrs.", "Ms."]) if female else "Mr."
    years = age_on(p.birth, doc.doc_date)

    def head(page: Page, y: int) -> int:
        y = letterhead(doc, page, y, fac, r.choice(["center", "split", "left"]), x0, x1)
        page.text(x0, y, [doc.date(doc.doc_date, st.long_date)], body)
        y += lh * 2
        lines: list[list[Frag]] = [
            [
                "Dr. ",
                ph(
                    specialist.person.name(r.choice(["first last", "first mi last"])),
                    "PERSON",
                    role="provider",
                ),
            ],
            [f"Department of {clin.specialty}"],
            [ph(spec_fac.name, "FACILITY")],
            [ph(spec_fac.address.street, "STREET_ADDRESS")],
            doc.city_line(spec_fac.address),
        ]
        for ln in lines:
            page.text(x0, y, ln, body)
            y += lh
        y += lh // 2
        re_line: list[Frag] = [
            "Re: ",
            doc.person(p, r.choice(["first mi last", "first last", "last, first mi"]), "patient"),
            ", DOB ",
            doc.date(p.birth),
        ]
        if r.random() < 0.5:
            re_line += [", MRN ", ph(doc.mrn, "MRN")]
        page.text(x0, y, re_line, bold)
        y += lh * 2
        page.text(
            x0, y, ["Dear Dr. ", ph(specialist.person.family, "PERSON", role="provider"), ","], body
        )
        return y + lh + 10

    flow.add(head)
    flow.on_new_page = continuation_header(doc)

    probs = [doc.term(x) for x in clin.problems]
    age_frag = doc.age_frags(years)
    pname = doc.person(p, "first last", "patient")
    intro = r.choice(
        [
            [
                "Thank you for seeing ",
                pname,
                ", a ",
                age_frag,
                f"-year-old {'woman' if female else 'man'} with ",
                english_list(probs[1:]),
                ", whom I am referring for evaluation and management of ",
                probs[0],
                ".",
            ],
            [
                "I am writing to refer my patient ",
                f"{title} ",
                ph(p.family, "PERSON", role="patient"),
                " (date of birth ",
                doc.date(p.birth, st.long_date),
                f") to your {clin.specialty.lower()} clinic regarding {probs[0]}.",
                f" {He} is ",
                age_frag,
                " years old and has been under my care since "
                f"{doc.doc_date.year - r.randint(2, 15)}.",
            ],
            [
                "I would be grateful if you could see ",
                ph(p.given, "PERSON", role="patient"),
                " ",
                ph(p.family, "PERSON", role="patient"),
                ", aged ",
                age_frag,
                f", for further assessment of {probs[0]}.",
            ],
        ]
    )
    last_visit = doc.doc_date - timedelta(days=r.randint(3, 40))
    lab_day = last_visit - timedelta(days=r.randint(0, 20))
    v = clin.vitals
    hist: list[Frag] = [
        f"{title} ",
        ph(p.family, "PERSON", role="patient"),
        f" has a history of {english_list(probs)}. {He} was last seen in our office on ",
        doc.partial(last_visit) if r.random() < 0.5 else doc.date(last_visit, st.long_date),
        f", when {his} {doc.term('blood pressure')} was {v['blood pressure']}, "
        f"{doc.term('heart rate')} {v['heart rate']}, {doc.term('SpO2')} {v['SpO2']} on room air "
        f"and weight {v['weight']} "
        f"({doc.term('BMI')} {v['BMI']}).",
    ]
    labs_txt = ", ".join(f"{doc.term(n)} {val}" for n, val in clin.labs)
    labs: list[Frag] = ["Laboratory results from ", doc.date(lab_day), f" showed {labs_txt}."]
    if r.random() < 0.3:
        labs += [
            " Pathology from the same visit (accession ",
            ph(f"S{lab_day.year % 100}-{w.digits(5)}", "ID", subtype="accession"),
            ") is enclosed.",
        ]
    if r.random() < 0.2:
        labs += [
            " " + He + " has a pacemaker, serial number ",
            ph(f"{w.letters(3)}{w.digits(6)}", "ID", subtype="device_serial"),
            ".",
        ]
    rel1 = r.choice(["Daughter", "Son", "Husband" if female else "Wife", "Granddaughter"])
    relative = w.relative(p, rel1)
    social: list[Frag] = [
        f"{He} lives {r.choice(['with', 'near'])} {his} {rel1.lower()}, ",
        ph(relative.given, "PERSON", role="relative"),
        ", in ",
        ph(doc.address.city, "CITY"),
        ", who "
        + r.choice(
            [
                f"drives {him} to appointments",
                "helps with medications",
                f"attends visits with {him}",
            ]
        ),
        " and can be reached at ",
        doc.phone(w.phone()),
        ".",
    ]
    if r.random() < 0.5:
        rel2 = r.choice(["Sister", "Brother", "Son", "Daughter"])
        other = w.relative(p, rel2)
        social += [
            f" {His} {rel2.lower()} ",
            ph(other.given, "PERSON", role="relative"),
            " is the alternate contact.",
        ]
    if clin.allergies:
        allergy = (
            f"{He} is allergic to "
            + " and ".join(f"{doc.term(a)} ({rx})" for a, rx in clin.allergies)
            + "."
        )
    else:
        allergy = f"{He} has no known drug allergies."
    ask: list[Frag] = [
        f"I would appreciate your opinion on further management of {probs[0]}. Please send your "
        "report to my office by fax at ",
        doc.phone(fac.fax),
        " or by e-mail to ",
        ph(
            r.choice(
                [
                    "referrals",
                    "office",
                    "frontdesk",
                    re.sub(r"[^a-z]", "", author.person.family.lower()),
                ]
            )
            + f"@{fac.host}",
            "EMAIL_ADDRESS",
        ),
        ".",
    ]
    med_style = r.choice(["list", "prose"])
    meds = [f"{doc.term(m)} {d}" for m, d in clin.meds]

    def para(frags: list[Frag], gap: int = 26) -> None:
        flow.add(
            lambda page, y: paragraph(page, x0, y, x1 - x0, frags, body, leading=1.45), gap=gap
        )

    def line(text: str, fnt: ImageFont.FreeTypeFont, indent: int = 0) -> None:
        def draw(page: Page, y: int) -> int:
            page.text(x0 + indent, y, text, fnt)
            return y + lh

        flow.add(draw)

    symptom = doc.term(r.choice(SYMPTOMS.get(clin.specialty, SYMPTOMS["Internal Medicine"])))
    months = r.randint(2, 14)
    assess: list[Frag] = [
        f"Despite {doc.term(clin.meds[0][0]) if clin.meds else 'lifestyle measures'}, "
        f"{his} {probs[0]} has been difficult to control over the past {months} months and "
        f"{he} now reports {symptom}. ",
        f"{title} ",
        ph(p.family, "PERSON", role="patient"),
        r.choice(
            [
                " is keen to avoid a hospital admission and prefers morning appointments.",
                " understands the reason for this referral and agrees with the plan.",
                " would like to discuss the risks and benefits of further treatment.",
                f" is hard of hearing; please speak to {him} on the left side.",
            ]
        ),
    ]

    para(intro)
    para(hist)
    if r.random() < 0.4:
        line(r.choice(["Problem list:", "Active problems:", "Past medical history:"]), bold)
        for k, pr in enumerate(probs, start=1):
            line(f"{k}. {pr} ({ICD10.get(pr, 'R69')})", body, 60)
        flow.space(20)
    if med_style == "prose":
        para([f"{His} current medications are {english_list(meds)}. {allergy}"])
    else:
        line(r.choice(["Current medications:", "Medications:", "Medication list:"]), bold)
        for m in meds:
            line(f"- {m}", body, 60)
        flow.space(20)
        para([allergy])
    para(labs)
    if doc.max_pages > 1:
        flow.maybe_break(0.6)
    para(assess)
    para(social)
    para(ask)

    def signature(page: Page, y: int) -> int:
        page.text(
            x0,
            y,
            r.choice(["Sincerely,", "Yours sincerely,", "Kind regards,", "With thanks,"]),
            body,
        )
        y += lh
        scribble(page, r, x0 + 10, y + 10, 480, 100)
        y += 140
        page.text(
            x0,
            y,
            [
                ph(
                    author.person.name(r.choice(["first last", "first mi last"])),
                    "PERSON",
                    role="provider",
                ),
                f", {author.creds}",
            ],
            body,
        )
        y += lh
        page.text(x0, y, author.specialty, body)
        y += lh
        ident: list[Frag] = ["NPI ", ph(author.npi, "ID", subtype="other")]
        if r.random() < 0.6:
            ident += [" | Lic. ", ph(author.licence, "ID", subtype="license")]
        if r.random() < 0.3:
            ident += [" | DEA ", ph(w.dea(author.person.family), "ID", subtype="license")]
        page.text(x0, y, ident, doc.F(st.small))
        y += lh + 20
        cc = w.clinician()
        page.text(
            x0,
            y,
            ["cc: ", ph(cc.person.name("first last"), "PERSON", role="provider"), f", {cc.creds}"],
            doc.F(st.small),
        )
        return y + lh

    flow.add(signature)
    add_footers(
        doc,
        flow.pages,
        r.choice(["Confidential patient information", "REF-LTR", "Dictated, not read"]),
    )
    return flow.pages


BUILDERS: dict[str, Callable[[Doc], list[Page]]] = {
    "face-sheet": build_face_sheet,
    "insurance-card": build_insurance,
    "consent-form": build_consent,
    "referral-letter": build_referral,
}


# ------------------------------------------------------------------------------ degradation


def smooth_field(
    nrng: np.random.Generator, h: int, w: int, cells: int, lo: float, hi: float
) -> np.ndarray:
    """A low-frequency random field in [lo, hi] (toner density, paper shading)."""
    small = nrng.uniform(lo, hi, size=(cells + 1, cells + 1)).astype(np.float32)
    im = Image.fromarray(small, mode="F").resize((w, h), Image.Resampling.BICUBIC)
    return np.clip(np.asarray(im, dtype=np.float32), lo, hi)


def degrade_page(
    img: Image.Image,
    level: str,
    dpi: int,
    skew: float,
    rnd: random.Random,
    nrng: np.random.Generator,
) -> Image.Image:
    """Scale, skew and degrade a 300 DPI page like a scanner or a fax would."""
    s = dpi / BASE_DPI
    w, h = round(PAGE_W * s), round(PAGE_H * s)
    im = img if s == 1 else img.resize((w, h), Image.Resampling.LANCZOS)
    if level == "clean":
        return im
    if level == "moderate":
        im = im.filter(ImageFilter.GaussianBlur(rnd.uniform(0.4, 0.8)))
        im = im.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
        a = np.asarray(im, dtype=np.float32) / 255.0
        paper = np.array(rnd.choice(PAPER_TONES), dtype=np.float32)
        shade = smooth_field(nrng, h, w, 3, 0.93, 1.0)
        ink = rnd.uniform(18, 45)
        rgb = a[..., None] * paper[None, None, :] * shade[..., None] + (1 - a[..., None]) * ink
        rgb += nrng.normal(0, rnd.uniform(4, 9), rgb.shape).astype(np.float32)
        return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    # heavy: faded toner, binarised like a fax, speckled
    im = im.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    a = np.asarray(im, dtype=np.float32)
    fade = smooth_field(nrng, h, w, 4, 0.72, 1.0)
    if rnd.random() < 0.5:
        bx = rnd.randint(0, w - w // 5)
        fade[:, bx : bx + w // rnd.randint(6, 12)] *= 0.85
    a = 255 - (255 - a) * fade
    a += nrng.normal(0, 10, a.shape).astype(np.float32)
    ink = a < rnd.uniform(165, 185)
    ink &= ~(nrng.random(a.shape) < rnd.uniform(0.01, 0.035))
    ink |= nrng.random(a.shape) < rnd.uniform(0.0003, 0.0012)
    for _ in range(rnd.randint(20, 80)):
        y, x = rnd.randrange(h - 4), rnd.randrange(w - 4)
        ink[y : y + rnd.randint(2, 4), x : x + rnd.randint(2, 4)] = True
    for _ in range(rnd.randint(0, 3)):
        y = rnd.randrange(h)
        x = rnd.randrange(w // 2)
        ink[y, x : x + rnd.randint(w // 8, w // 2)] = False
    return Image.fromarray(np.where(ink, 0, 255).astype(np.uint8), "L").convert(
        "1", dither=Image.Dither.NONE
    )


def save_pdf(path: Path, images: list[Image.Image], level: str) -> None:
    """Write the page images as a PDF, one full-page image per US letter page, deterministically."""
    pdf = pikepdf.new()
    for im in images:
        w, h = im.size
        if im.mode == "1":
            data = zlib.compress(im.tobytes(), 9)
            img = pikepdf.Stream(pdf, data)
            img.Filter = pikepdf.Name.FlateDecode
            img.ColorSpace = pikepdf.Name.DeviceGray
            img.BitsPerComponent = 1
        elif level == "moderate":
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=60)
            img = pikepdf.Stream(pdf, buf.getvalue())
            img.Filter = pikepdf.Name.DCTDecode
            img.ColorSpace = pikepdf.Name.DeviceRGB if im.mode == "RGB" else pikepdf.Name.DeviceGray
            img.BitsPerComponent = 8
        else:
            data = zlib.compress(im.tobytes(), 6)
            img = pikepdf.Stream(pdf, data)
            img.Filter = pikepdf.Name.FlateDecode
            img.ColorSpace = pikepdf.Name.DeviceGray
            img.BitsPerComponent = 8
        img.Type = pikepdf.Name.XObject
        img.Subtype = pikepdf.Name.Image
        img.Width = w
        img.Height = h
        content = pikepdf.Stream(pdf, b"q 612 0 0 792 0 0 cm /Im0 Do Q")
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=pikepdf.Array([0, 0, 612, 792]),
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=img)),
            Contents=content,
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path, deterministic_id=True)


def save_scan(path: Path, images: list[Image.Image], fmt: str, dpi: int, level: str) -> None:
    """Write the degraded pages in their file format."""
    if fmt == "pdf":
        save_pdf(path, images, level)
    elif fmt == "png":
        images[0].save(path, "PNG", dpi=(dpi, dpi))
    elif fmt == "jpeg":
        images[0].save(path, "JPEG", quality=60, dpi=(dpi, dpi))
    elif fmt == "tiff":
        images[0].save(
            path,
            "TIFF",
            compression="group4",
            dpi=(dpi, dpi),
            save_all=len(images) > 1,
            append_images=images[1:],
        )
    else:
        raise ValueError(fmt)


EXT = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "tiff": "tif"}


# ------------------------------------------------------------------------------ documents


def make_style(rng: random.Random, kind: str) -> Style:
    """Type sizes, rules and conventions for one document."""
    family = rng.choice(KIND_FONTS[kind])
    narrow = family in ("Liberation Sans Narrow", "DejaVu Sans Condensed")
    wide = family in ("Liberation Mono", "DejaVu Sans", "DejaVu Serif")
    body = (
        rng.randint(40, 46) if kind in ("referral-letter", "consent-form") else rng.randint(38, 42)
    )
    if wide:
        body -= 2
    return Style(
        family=family,
        body=body,
        label=rng.randint(28, 32) + (2 if narrow else 0),
        value=rng.randint(38, 44) - (4 if family == "Liberation Mono" else 0),
        title=rng.randint(58, 72),
        small=rng.randint(32, 35),
        margin_x=rng.randint(180, 250),
        margin_top=rng.randint(160, 230),
        margin_bottom=rng.randint(200, 250),
        rule=rng.choice([2, 3, 3, 4]),
        grid=rng.choice(["full", "full", "hrules", "shaded", "open"]),
        header=rng.choice(["bar", "underline", "plain", "tab"]),
        label_upper=rng.random() < 0.45,
        label_bold=rng.random() < 0.3,
        value_upper=rng.random() < 0.35,
        label_ink=rng.choice([0, 0, 40, 70]),
        date_style=rng.choice(DATE_STYLES_FORM),
        long_date=rng.choice(DATE_STYLES_LONG),
        phone_style=rng.choice(PHONE_STYLES),
    )


def assign_levels(n: int, seed: int) -> list[str]:
    """About 40 % clean, 35 % moderate and 25 % heavy, shuffled by the seed."""
    counts = [0.40 * n, 0.35 * n, 0.25 * n]
    base = [int(c) for c in counts]
    order = sorted(range(3), key=lambda i: counts[i] - base[i], reverse=True)
    for i in order[: n - sum(base)]:
        base[i] += 1
    levels = [lv for lv, c in zip(LEVELS, base, strict=True) for _ in range(c)]
    random.Random(f"{FAMILY}-levels-{seed}").shuffle(levels)
    return levels


def make_document(out: Path, seed: int, index: int, level: str) -> str:
    """Draw, degrade and save one document and its truth; return its name."""
    kind = KINDS[index % len(KINDS)]
    for attempt in range(12):
        rng = random.Random(f"{FAMILY}:{seed}:{index}:{attempt}")
        doc_date = date(2021, 1, 1) + timedelta(days=rng.randint(0, 4 * 365))
        world = World(rng, doc_date)
        st = make_style(rng, kind)
        patient = world.patient()
        max_pages = 2 if rng.random() < (0.45 if level != "clean" else 0.35) else 1
        name = f"reg{index:03d}-{kind}-{level}"
        doc = Doc(
            name=name,
            index=index,
            kind=kind,
            level=level,
            rng=rng,
            world=world,
            st=st,
            doc_date=doc_date,
            patient=patient,
            mrn=world.mrn(),
            address=world.address(),
            facility=world.facility("hospital" if kind != "referral-letter" else "primary"),
            clinical=make_clinical(rng, patient.gender),
            max_pages=max_pages,
        )
        try:
            pages = BUILDERS[kind](doc)
        except LayoutOverflow:
            continue
        break
    else:
        raise RuntimeError(f"could not lay out {kind} {index}")
    return save_document(out, doc, pages, seed)


def save_document(out: Path, doc: Doc, pages: list[Page], seed: int) -> str:
    """Degrade and write the pages, then the truth JSON."""
    rng = doc.rng
    nrng = np.random.default_rng([seed, doc.index, 20240])
    level = doc.level
    if level == "clean":
        dpi = 300
        fmt = rng.choice(["png", "pdf"]) if len(pages) == 1 else "pdf"
    elif level == "moderate":
        dpi = 200
        fmt = rng.choice(["jpeg", "pdf"]) if len(pages) == 1 else "pdf"
    else:
        dpi = rng.choice([150, 200])
        fmt = rng.choice(["tiff", "pdf"])
    scale = dpi / BASE_DPI
    images = []
    page_truth = []
    for i, page in enumerate(pages):
        if level == "clean":
            skew = 0.0
        else:
            mag = rng.uniform(0.5, 2.0) if level == "moderate" else rng.uniform(0.4, 3.0)
            skew = round(mag * rng.choice([-1, 1]), 2)
        img = rasterize(page)
        deg = degrade_page(img, level, dpi, skew, rng, nrng)
        images.append(deg)
        text, phi = assemble(page, scale, skew, deg.size[0], deg.size[1])
        for it in phi:
            if text[it["start"] : it["end"]] != it["text"]:
                raise AssertionError(f"offset mismatch in {doc.name}: {it}")
        page_truth.append(
            {
                "index": i,
                "width": deg.size[0],
                "height": deg.size[1],
                "rotation": 0,
                "skew": skew,
                "text": text,
                "phi": phi,
            }
        )
    rel = f"scans/{doc.name}.{EXT[fmt]}"
    (out / "scans").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    save_scan(out / rel, images, fmt, dpi, level)
    all_text = "\n".join(pt["text"] for pt in page_truth).lower()
    p = doc.patient
    truth = {
        "name": doc.name,
        "file": rel,
        "family": FAMILY,
        "kind": doc.kind,
        "degradation": level,
        "dpi": dpi,
        "format": fmt,
        "font": doc.st.family,
        "patient": {
            "family": p.family,
            "given": [x for x in (p.given, p.middle) if x],
            "mrn": doc.mrn,
            "birth_date": p.birth.isoformat(),
            "gender": p.gender,
        },
        "document_date": doc.doc_date.isoformat(),
        "pages": page_truth,
        "observations": [],
        "clinical_terms": [t for t in doc.terms if t.lower() in all_text],
    }
    (out / "truth" / f"{doc.name}.json").write_text(json.dumps(truth, indent=2) + "\n")
    return doc.name


def generate(out: Path, n: int, seed: int) -> list[str]:
    """Write n registration documents and their truth under out.

    Args:
        out: Output folder; ``scans/`` and ``truth/`` are created inside it.
        n: Number of documents.
        seed: Seed; the same seed writes byte-identical files.

    Returns:
        The document names, in order.
    """
    out = Path(out)
    levels = assign_levels(n, seed)
    return [make_document(out, seed, i, levels[i]) for i in range(n)]


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: ``--n N --seed S --out DIR``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    for name in generate(args.out, args.n, args.seed):
        print(name)


if __name__ == "__main__":
    main()
