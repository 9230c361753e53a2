"""Dictation family: physician and ancillary dictated or typed prose, scanned.

Discharge summaries, operative / procedure notes, radiology and pathology reports, ED provider
notes and faxed outside-records letters, drawn at 300 DPI on US letter and then saved clean or
degraded. Every identifier printed is recorded in the truth with its character offsets into the
page text and its pixel box on the saved image. See samples/families/README.md (## dictation).

Run: ``python -m samples.families.dictation --n 12 --seed 1 --out /tmp/dic``.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pikepdf
from faker import Faker
from PIL import Image, ImageDraw, ImageFont

FAMILY = "dictation"
PREFIX = "dic"
KINDS = (
    "discharge-summary",
    "operative-note",
    "radiology-or-pathology-report",
    "ed-note",
    "outside-records-letter",
)
DPI = 300
PAGE_W, PAGE_H = 8 * DPI + DPI // 2, 11 * DPI
MAX_PAGES = 3
# Segments drawn side by side on one visual line (two-column header rows) are joined with
# this in the page text.
COL_SEP = "   "

FONT_ROOT = Path("/usr/share/fonts/truetype")
FONT_FILES = {
    "Liberation Serif": (
        "liberation/LiberationSerif-Regular.ttf",
        "liberation/LiberationSerif-Bold.ttf",
    ),
    "Liberation Sans": (
        "liberation/LiberationSans-Regular.ttf",
        "liberation/LiberationSans-Bold.ttf",
    ),
    "Liberation Mono": (
        "liberation/LiberationMono-Regular.ttf",
        "liberation/LiberationMono-Bold.ttf",
    ),
    "Liberation Sans Narrow": (
        "liberation/LiberationSansNarrow-Regular.ttf",
        "liberation/LiberationSansNarrow-Bold.ttf",
    ),
    "DejaVu Sans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "DejaVu Serif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
    "DejaVu Sans Mono": ("dejavu/DejaVuSansMono.ttf", "dejavu/DejaVuSansMono-Bold.ttf"),
    "DejaVu Sans Condensed": (
        "dejavu/DejaVuSansCondensed.ttf",
        "dejavu/DejaVuSansCondensed-Bold.ttf",
    ),
}
MONO_FONTS = ("Liberation Mono", "DejaVu Sans Mono")


def available_fonts() -> list[str]:
    """Font families from FONT_FILES whose files are installed, in a fixed order."""
    return [
        k
        for k, (r, b) in FONT_FILES.items()
        if (FONT_ROOT / r).exists() and (FONT_ROOT / b).exists()
    ]


@lru_cache(maxsize=256)
def _font(family: str, bold: bool, px: int) -> ImageFont.FreeTypeFont:
    regular, heavy = FONT_FILES[family]
    return ImageFont.truetype(str(FONT_ROOT / (heavy if bold else regular)), px)


# ---------------------------------------------------------------------------------------------
# Names

_FOLD = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
        "æ": "ae",
        "Æ": "Ae",
        "œ": "oe",
        "Œ": "Oe",
        "ı": "i",
        "ð": "d",
        "þ": "th",
        "ə": "e",
        "ʼ": "'",
        "’": "'",
    }
)


def fold(s: str) -> str:
    """Fold a name to plain ASCII the way registration systems without Unicode store it."""
    s = unicodedata.normalize("NFKD", s.translate(_FOLD))
    return "".join(c for c in s if ord(c) < 128 and not unicodedata.combining(c)).strip()


# Faker locales and their weights; zh_CN and ja_JP through Faker's romanised names.
LOCALES = (
    ("en_US", 26),
    ("en_GB", 4),
    ("en_IE", 2),
    ("en_IN", 6),
    ("es_MX", 8),
    ("fr_FR", 3),
    ("de_DE", 3),
    ("pl_PL", 4),
    ("it_IT", 3),
    ("pt_BR", 3),
    ("tr_TR", 2),
    ("yo_NG", 3),
    ("ig_NG", 2),
    ("en_NG", 2),
    ("en_PH", 2),
    ("hu_HU", 1),
    ("ro_RO", 1),
    ("cs_CZ", 1),
    ("zh_CN", 4),
    ("ja_JP", 1),
    ("en_KE", 1),
    ("en_PK", 2),
    ("nl_NL", 1),
    ("sv_SE", 1),
    ("fi_FI", 1),
    ("*ko", 3),
    ("*ar", 4),
    ("*el", 2),
    ("*vi", 3),
    ("*word", 5),
)
KO_GIVEN_M = [
    "Min-jun",
    "Ji-hoon",
    "Seung-woo",
    "Jae-won",
    "Dong-hyun",
    "Sung-min",
    "Hyun-woo",
    "Joon-young",
    "Tae-yang",
    "Young-ho",
]
KO_GIVEN_F = [
    "Seo-yeon",
    "Ji-woo",
    "Hye-jin",
    "Eun-ji",
    "Soo-ah",
    "Ha-eun",
    "Min-seo",
    "Yoon-ah",
    "Ji-yeon",
    "Kyung-hee",
]
KO_FAMILY = [
    "Kim",
    "Lee",
    "Park",
    "Choi",
    "Jung",
    "Kang",
    "Cho",
    "Yoon",
    "Jang",
    "Lim",
    "Han",
    "Shin",
    "Seo",
    "Kwon",
    "Hwang",
    "Ahn",
    "Song",
    "Yoo",
    "Hong",
    "Baek",
]
AR_GIVEN_M = [
    "Mohammed",
    "Ahmad",
    "Omar",
    "Khaled",
    "Youssef",
    "Tariq",
    "Samir",
    "Hassan",
    "Bilal",
    "Faisal",
    "Abdulrahman",
    "Mahmoud",
    "Karim",
    "Nabil",
]
AR_GIVEN_F = [
    "Fatima",
    "Aisha",
    "Layla",
    "Noor",
    "Mariam",
    "Huda",
    "Rania",
    "Salma",
    "Yasmin",
    "Zainab",
    "Amal",
    "Hanan",
    "Dalia",
]
AR_FAMILY = [
    "Al-Masri",
    "Haddad",
    "Khoury",
    "Mansour",
    "Nasser",
    "Saleh",
    "Abdullah",
    "Hamdan",
    "El-Sayed",
    "Qureshi",
    "Darwish",
    "Farouk",
    "Al-Amin",
    "Abboud",
    "Shalabi",
    "Ibrahim",
]
EL_GIVEN_M = [
    "Dimitrios",
    "Georgios",
    "Konstantinos",
    "Nikolaos",
    "Panagiotis",
    "Ioannis",
    "Christos",
    "Vasileios",
    "Spyridon",
    "Evangelos",
]
EL_GIVEN_F = [
    "Eleni",
    "Aikaterini",
    "Sofia",
    "Georgia",
    "Dimitra",
    "Angeliki",
    "Vasiliki",
    "Panagiota",
    "Despina",
    "Chrysoula",
]
EL_FAMILY = [
    "Papadopoulos",
    "Georgiou",
    "Nikolaidis",
    "Karagiannis",
    "Oikonomou",
    "Christodoulou",
    "Vlachos",
    "Makris",
    "Pappas",
    "Kontos",
    "Alexiou",
    "Theodorou",
]
VI_GIVEN_M = ["Minh", "Tuan", "Quoc", "Duc", "Khanh", "Bao", "Hai", "Thanh", "Long", "Vinh", "Hung"]
VI_GIVEN_F = [
    "Linh",
    "Huong",
    "Anh",
    "Thuy",
    "Lan",
    "Mai",
    "Ngoc",
    "Trang",
    "Hoa",
    "Phuong",
    "Thao",
]
VI_FAMILY = [
    "Nguyen",
    "Tran",
    "Le",
    "Pham",
    "Hoang",
    "Phan",
    "Vu",
    "Dang",
    "Bui",
    "Do",
    "Ho",
    "Ngo",
    "Duong",
    "Ly",
    "Truong",
]
# Names that are also ordinary English words.
WORD_GIVEN_M = [
    "Will",
    "Grant",
    "Rusty",
    "Sterling",
    "Bill",
    "Art",
    "Mark",
    "Jack",
    "Chase",
    "Hunter",
    "Miles",
    "Guy",
]
WORD_GIVEN_F = [
    "Hope",
    "Rose",
    "Faith",
    "June",
    "Joy",
    "Grace",
    "Dawn",
    "Ivy",
    "Holly",
    "Robin",
    "Summer",
    "Iris",
    "Pearl",
    "Ruby",
]
WORD_FAMILY = [
    "Young",
    "Hill",
    "Bishop",
    "Fox",
    "Moody",
    "Love",
    "Sterling",
    "Grant",
    "Stone",
    "Rivers",
    "Small",
    "Strong",
    "Frost",
    "Wise",
    "Swift",
    "Golden",
    "King",
    "Page",
    "Hale",
    "Church",
    "Best",
    "Price",
    "Bell",
    "Brown",
    "Park",
]

_FAKERS: dict[str, Faker] = {}


def _faker(locale: str, rng: random.Random) -> Faker:
    fk = _FAKERS.get(locale)
    if fk is None:
        fk = _FAKERS[locale] = Faker(locale)
    # Re-seeded before every use so the draw depends only on the document's generator.
    fk.seed_instance(rng.getrandbits(32))
    return fk


def _faker_name(locale: str, gender: str, rng: random.Random) -> tuple[str, str]:
    fk = _faker(locale, rng)
    if locale in ("zh_CN", "ja_JP"):
        return fk.first_romanized_name(), fk.last_romanized_name()
    try:
        given = fk.first_name_male() if gender == "male" else fk.first_name_female()
    except AttributeError:
        given = fk.first_name()
    family = fk.last_name()
    if locale == "es_MX" and rng.random() < 0.35:
        family = f"{family} {fk.last_name()}"
    return given, family


@dataclass
class Person:
    """A person on the chart with the pieces clinicians write their name from."""

    given: str
    family: str
    middle: str
    gender: str
    cred: str = ""

    @property
    def mi(self) -> str:
        return self.middle[:1]


def draw_person(rng: random.Random, gender: str | None = None, cred: str = "") -> Person:
    """A person from a weighted mix of locales, folded to ASCII."""
    gender = gender or rng.choice(("male", "female"))
    loc = rng.choices([x[0] for x in LOCALES], [x[1] for x in LOCALES])[0]
    m = gender == "male"
    for _ in range(6):
        if loc == "*ko":
            given, family = rng.choice(KO_GIVEN_M if m else KO_GIVEN_F), rng.choice(KO_FAMILY)
        elif loc == "*ar":
            given, family = rng.choice(AR_GIVEN_M if m else AR_GIVEN_F), rng.choice(AR_FAMILY)
        elif loc == "*el":
            given, family = rng.choice(EL_GIVEN_M if m else EL_GIVEN_F), rng.choice(EL_FAMILY)
            if not m and family.endswith("os"):
                family = family[:-2] + "ou"
        elif loc == "*vi":
            given, family = rng.choice(VI_GIVEN_M if m else VI_GIVEN_F), rng.choice(VI_FAMILY)
        elif loc == "*word":
            given = rng.choice(WORD_GIVEN_M if m else WORD_GIVEN_F)
            family = (
                rng.choice(WORD_FAMILY)
                if rng.random() < 0.6
                else _faker_name("en_US", gender, rng)[1]
            )
        else:
            given, family = _faker_name(loc, gender, rng)
        given, family = fold(given), fold(family)
        if given and family and given.replace("-", "").replace("'", "").replace(" ", "").isalpha():
            break
    if rng.random() < 0.05 and " " not in family:
        family = f"{family}-{fold(_faker_name('en_US', gender, rng)[1])}"
    middle = fold(_faker_name(rng.choice(("en_US", "en_GB", "es_MX")), gender, rng)[0])
    return Person(given, family, middle, gender, cred)


# ---------------------------------------------------------------------------------------------
# Text with spans


@dataclass
class Span:
    """An identifier inside a Run: character range, truth type and extra truth keys."""

    start: int
    end: int
    type: str
    extra: dict[str, Any]


@dataclass
class Run:
    """A piece of text being composed, with its identifier spans and clinical terms."""

    text: str = ""
    spans: list[Span] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)

    def t(self, s: str) -> Run:
        self.text += s
        return self

    def p(self, kind: str, s: str, **extra: Any) -> Run:
        self.spans.append(Span(len(self.text), len(self.text) + len(s), kind, extra))
        self.text += s
        return self

    def c(self, s: str) -> Run:
        self.terms.append(s)
        self.text += s
        return self

    def extend(self, other: Run) -> Run:
        off = len(self.text)
        self.spans += [Span(s.start + off, s.end + off, s.type, s.extra) for s in other.spans]
        self.terms += other.terms
        self.text += other.text
        return self


@dataclass
class Para:
    """A block: one Run (wrapped), or two Runs side by side (left and right column)."""

    run: Run
    right: Run | None = None
    style: str = "body"  # body | rule | scribble
    bold: bool = False
    scale: float = 1.0
    indent: int = 0
    hang: int = 0
    gap: float = 0.0  # blank space before, in lines
    underline: bool = False
    align: str = "left"
    mono: bool = False


def title_case(label: str) -> str:
    """'HISTORY OF PRESENT ILLNESS' -> 'History of Present Illness'; ED, CT and the like stay."""
    small = {"of", "and", "at", "the", "to", "with", "or", "for", "a"}
    keep = {"ED", "CT", "MRI", "US", "XR", "PA", "CTA", "OR", "PCP", "IV", "II", "GI"}
    words = []
    for i, w in enumerate(label.split(" ")):
        if w.upper() in keep:
            words.append(w.upper())
        elif i and w.lower() in small:
            words.append(w.lower())
        else:
            words.append(w[:1].upper() + w[1:].lower())
    return " ".join(words)


def name(run: Run, p: Person, form: str, role: str) -> Run:
    """Write a person's name in one of the ways clinicians write it; titles stay outside."""
    g, f = p.given, p.family
    title = {"male": "Mr.", "female": rng_free_title(p)}[p.gender]
    if form == "full":
        return run.p("PERSON", f"{g} {f}", role=role)
    if form == "full_mi":
        return run.p("PERSON", f"{g} {p.mi}. {f}", role=role)
    if form == "inv":
        return run.p("PERSON", f"{f}, {g}", role=role)
    if form == "INV":
        return run.p("PERSON", f"{f}, {g} {p.mi}".upper(), role=role)
    if form == "INV2":
        return run.p("PERSON", f"{f},{g}".upper(), role=role)
    if form == "CAPS":
        return run.p("PERSON", f"{g} {f}".upper(), role=role)
    if form == "title":
        return run.t(f"{title} ").p("PERSON", f, role=role)
    if form == "dr":
        return run.t("Dr. ").p("PERSON", f, role=role)
    if form == "drfull":
        return run.t("Dr. ").p("PERSON", f"{g} {f}", role=role)
    if form == "sur":
        return run.p("PERSON", f, role=role)
    if form == "given":
        return run.p("PERSON", g, role=role)
    if form == "lower":
        return run.p("PERSON", g.lower(), role=role)
    if form == "initial":
        return run.p("PERSON", f"{g[0]}. {f}", role=role)
    raise ValueError(form)


def rng_free_title(p: Person) -> str:
    """Ms. or Mrs., fixed per person so a note does not switch between them."""
    return "Mrs." if (len(p.given) + len(p.family)) % 3 == 0 else "Ms."


# ---------------------------------------------------------------------------------------------
# Dates, phones, identifiers

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
FULL_DATE_STYLES = (
    "mdY",
    "mdy",
    "mdY1",
    "dMonY",
    "dMONY",
    "long",
    "abbr",
    "iso",
    "dmy_long",
    "ord_of",
)
PARTIAL_STYLES = ("md", "month_day", "month_ord", "the_ord", "ord_of_month")


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 22nd."""
    suf = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suf}"


def fmt_date(d: date, style: str) -> str:
    """Format a date in one of the styles found on charts."""
    mon = MONTHS[d.month - 1]
    return {
        "mdY": f"{d.month:02d}/{d.day:02d}/{d.year}",
        "mdy": f"{d.month}/{d.day}/{d.year % 100:02d}",
        "mdY1": f"{d.month}/{d.day}/{d.year}",
        "dMonY": f"{d.day:02d}-{mon[:3]}-{d.year}",
        "dMONY": f"{d.day:02d}-{mon[:3].upper()}-{d.year}",
        "long": f"{mon} {d.day}, {d.year}",
        "abbr": f"{mon[:3]} {d.day}, {d.year}",
        "iso": d.isoformat(),
        "dmy_long": f"{d.day} {mon} {d.year}",
        "ord_of": f"{ordinal(d.day)} of {mon}, {d.year}",
        "md": f"{d.month}/{d.day}",
        "month_day": f"{mon} {d.day}",
        "month_ord": f"{mon} {ordinal(d.day)}",
        "the_ord": ordinal(d.day),
        "ord_of_month": f"{ordinal(d.day)} of {mon}",
        "month_year": f"{mon} {d.year}",
    }[style]


def fmt_phone(area: str, exch: str, line: str, style: str) -> str:
    """Format a phone number the ways people write them."""
    return {
        "paren": f"({area}) {exch}-{line}",
        "dot": f"{area}.{exch}.{line}",
        "dash": f"{area}-{exch}-{line}",
        "space": f"{area} {exch} {line}",
        "one": f"1-{area}-{exch}-{line}",
        "plain": f"{area}{exch}{line}",
        "plus": f"+1 {area} {exch} {line}",
    }[style]


def luhn_npi(rng: random.Random) -> str:
    """A 10-digit NPI with a valid check digit (Luhn over the 80840 prefix)."""
    base = str(rng.choice((1, 2))) + "".join(str(rng.randrange(10)) for _ in range(8))
    digits = [int(c) for c in "80840" + base]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return base + str((10 - total % 10) % 10)


def dea_number(rng: random.Random, surname: str) -> str:
    """A DEA registration number with a valid check digit."""
    d = [rng.randrange(10) for _ in range(6)]
    check = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return rng.choice("ABFM") + surname[0].upper() + "".join(map(str, d)) + str(check)


def digits(rng: random.Random, n: int) -> str:
    """N random digits."""
    return "".join(str(rng.randrange(10)) for _ in range(n))


def letters(rng: random.Random, n: int) -> str:
    """N random capital letters."""
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))


def draw_mrn(rng: random.Random) -> str:
    """An MRN in one of several hospital shapes."""
    return rng.choice(
        [
            lambda: digits(rng, 8),
            lambda: "E" + digits(rng, 7),
            lambda: "M" + digits(rng, 9),
            lambda: f"{digits(rng, 4)}-{digits(rng, 3)}",
            lambda: f"{digits(rng, 3)}-{digits(rng, 2)}-{digits(rng, 2)}",
            lambda: digits(rng, 6),
            lambda: f"MR{digits(rng, 7)}",
        ]
    )()


def draw_account(rng: random.Random, year: int) -> str:
    """An encounter / account / billing number."""
    return rng.choice(
        [
            lambda: digits(rng, 10),
            lambda: f"V{digits(rng, 11)}",
            lambda: f"A{year % 100}{digits(rng, 9)}",
            lambda: f"{year}-{digits(rng, 7)}",
            lambda: f"{digits(rng, 3)}{digits(rng, 6)}",
        ]
    )()


def draw_accession(rng: random.Random, year: int, path: bool = False) -> str:
    """A radiology or pathology accession number in one of several shapes."""
    y = year % 100
    if path:
        return rng.choice(
            [
                lambda: f"S{y}-{rng.randrange(100, 29999)}",
                lambda: f"SP-{y}-{digits(rng, 6)}",
                lambda: f"SP{y}-{digits(rng, 5)}",
                lambda: f"GS{y}-{rng.randrange(100, 9999)}",
                lambda: f"NS-{y}-{digits(rng, 5)}",
            ]
        )()
    return rng.choice(
        [
            lambda: f"RAD-{y}-{digits(rng, 7)}",
            lambda: f"{rng.choice(('CT', 'MR', 'XR', 'US', 'CR'))}{year}{digits(rng, 6)}",
            lambda: digits(rng, 8),
            lambda: f"E{digits(rng, 7)}-{rng.randrange(1, 4)}",
            lambda: f"{y}-{rng.choice(('XR', 'CT', 'MR', 'US'))}-{digits(rng, 6)}",
            lambda: f"ACC{digits(rng, 9)}",
        ]
    )()


def draw_job(rng: random.Random) -> str:
    """A transcription job / dictation number."""
    return rng.choice(
        [
            lambda: digits(rng, 7),
            lambda: f"{digits(rng, 4)}-{digits(rng, 4)}",
            lambda: f"{digits(rng, 8)}",
            lambda: f"{digits(rng, 6)}-TX",
        ]
    )()


def draw_ssn(rng: random.Random) -> str:
    """An SSN outside the never-issued ranges (000, 666, 9xx)."""
    area = rng.randrange(1, 900)
    area = 665 if area == 666 else area
    return f"{area:03d}-{rng.randrange(1, 100):02d}-{rng.randrange(1, 10000):04d}"


def draw_member_id(rng: random.Random) -> str:
    """A health-plan member id (commercial, Medicaid or a Medicare MBI)."""
    return rng.choice(
        [
            lambda: letters(rng, 3) + digits(rng, 9),
            lambda: "W" + digits(rng, 9),
            lambda: (
                f"{rng.randrange(1, 10)}{letters(rng, 1)}{letters(rng, 1)}{rng.randrange(10)}-"
                f"{letters(rng, 1)}{letters(rng, 1)}{rng.randrange(10)}-"
                f"{letters(rng, 2)}{digits(rng, 2)}"
            ),
            lambda: digits(rng, 11),
        ]
    )()


def draw_serial(rng: random.Random) -> tuple[str, str]:
    """(lot number, serial number) for an implant."""
    lot = rng.choice(
        [
            lambda: digits(rng, 7) + letters(rng, 1),
            lambda: f"L-{digits(rng, 5)}-{digits(rng, 2)}",
            lambda: digits(rng, 6) + letters(rng, 1) + digits(rng, 4),
            lambda: letters(rng, 2) + digits(rng, 6),
        ]
    )()
    sn = rng.choice(
        [
            lambda: letters(rng, 3) + digits(rng, 6) + letters(rng, 1),
            lambda: digits(rng, 1) + letters(rng, 2) + digits(rng, 6),
            lambda: f"{digits(rng, 7)}-{digits(rng, 3)}",
            lambda: digits(rng, 9),
        ]
    )()
    return lot, sn


# ---------------------------------------------------------------------------------------------
# Places

# (city, state, ZIP prefix, area codes); several are also words or given names.
CITIES = [
    ("Ellicott City", "MD", "210", "410 443"),
    ("Towson", "MD", "212", "410 443"),
    ("Baltimore", "MD", "212", "410 443 667"),
    ("Columbia", "MD", "210", "410 443"),
    ("Frederick", "MD", "217", "301 240"),
    ("Glen Burnie", "MD", "210", "410"),
    ("Bel Air", "MD", "210", "410"),
    ("Laurel", "MD", "207", "301 240"),
    ("Catonsville", "MD", "212", "410"),
    ("Essex", "MD", "212", "410"),
    ("Hope", "AR", "718", "870"),
    ("Normal", "IL", "617", "309"),
    ("Mobile", "AL", "366", "251"),
    ("Reading", "PA", "196", "610 484"),
    ("Eugene", "OR", "974", "541"),
    ("Florence", "SC", "295", "843"),
    ("Marion", "OH", "433", "740"),
    ("Independence", "MO", "640", "816"),
    ("Liberty", "MO", "640", "816"),
    ("Paradise", "CA", "959", "530"),
    ("Bath", "ME", "045", "207"),
    ("Orange", "NJ", "070", "973"),
    ("Athens", "GA", "306", "706"),
    ("Jackson", "MS", "392", "601"),
    ("Chester", "PA", "190", "610"),
    ("Salem", "OR", "973", "503"),
    ("Paterson", "NJ", "075", "973"),
    ("Dearborn", "MI", "481", "313"),
    ("Lowell", "MA", "018", "978"),
    ("Worcester", "MA", "016", "508 774"),
    ("Boston", "MA", "021", "617 857"),
    ("Hartford", "CT", "061", "860"),
    ("Allentown", "PA", "181", "610"),
    ("Scranton", "PA", "185", "570"),
    ("Dayton", "OH", "454", "937"),
    ("Toledo", "OH", "436", "419"),
    ("Flint", "MI", "485", "810"),
    ("Gary", "IN", "464", "219"),
    ("Tyler", "TX", "757", "903"),
    ("Laredo", "TX", "780", "956"),
    ("El Paso", "TX", "799", "915"),
    ("Albuquerque", "NM", "871", "505"),
    ("Tucson", "AZ", "857", "520"),
    ("Fresno", "CA", "937", "559"),
    ("Stockton", "CA", "952", "209"),
    ("Tacoma", "WA", "984", "253"),
    ("Spokane", "WA", "992", "509"),
    ("Boise", "ID", "837", "208"),
    ("Duluth", "MN", "558", "218"),
    ("Madison", "WI", "537", "608"),
    ("Savannah", "GA", "314", "912"),
    ("Asheville", "NC", "288", "828"),
    ("Roanoke", "VA", "240", "540"),
    ("Norfolk", "VA", "235", "757"),
    ("Lexington", "KY", "405", "859"),
    ("Troy", "NY", "121", "518"),
    ("Utica", "NY", "135", "315"),
    ("Camden", "NJ", "081", "856"),
    ("Lafayette", "LA", "705", "337"),
    ("Shreveport", "LA", "711", "318"),
    ("Beaumont", "TX", "777", "409"),
    ("Victoria", "TX", "779", "361"),
    ("Springfield", "IL", "627", "217"),
    ("Commerce", "TX", "754", "903"),
    ("Temple", "TX", "765", "254"),
    ("Warren", "MI", "480", "586"),
    ("Aurora", "CO", "800", "303 720"),
    ("Mesa", "AZ", "852", "480"),
    ("Augusta", "GA", "309", "706"),
]
STREET_NAMES = [
    "Harford",
    "York",
    "Liberty",
    "Frederick",
    "Reisterstown",
    "Old Court",
    "Mill",
    "Church",
    "Park Heights",
    "Oak",
    "Maple",
    "Elm",
    "Cedar",
    "Walnut",
    "Chestnut",
    "Highland",
    "Ridge",
    "Lake",
    "River",
    "Spring",
    "Hillside",
    "Valley",
    "Washington",
    "Jefferson",
    "Lincoln",
    "Franklin",
    "Martin Luther King Jr",
    "Greenwood",
    "Belair",
    "Edmondson",
    "Caton",
    "Wilkens",
    "Orchard",
    "Sunset",
    "Fairview",
    "Quarry",
    "Cold Spring",
    "Loch Raven",
    "Falls",
    "Dogwood",
    "Magnolia",
    "Kenwood",
    "Rolling",
    "Joppa",
    "Main",
    "Market",
    "Union",
    "Water",
    "Pine",
]
STREET_SUFFIX = [
    "Rd",
    "Road",
    "St",
    "Street",
    "Ave",
    "Avenue",
    "Ln",
    "Lane",
    "Ct",
    "Dr",
    "Drive",
    "Blvd",
    "Pike",
    "Way",
    "Pl",
    "Terrace",
    "Circle",
]
REGIONS = [
    "Chesapeake",
    "Upper Valley",
    "Tri-County",
    "Blue Ridge",
    "Piedmont",
    "Lakeshore",
    "Riverside",
    "Harbor",
    "Northwest",
    "Bayview",
    "Summit",
    "Cedar Ridge",
    "Mountain View",
    "Susquehanna",
    "Patapsco",
    "Greenspring",
    "Westshore",
    "Brandywine",
    "Seneca",
    "Allegheny",
]
NH_WORDS = [
    "Brightwater",
    "Autumn Lake",
    "Heartland",
    "Oak Crest",
    "Willow Glen",
    "Meadowbrook",
    "Fairhaven",
    "Stoneybrook",
]
NH_KINDS = ["Nursing Home", "Senior Living", "Care Center", "Assisted Living"]
SAINTS = [
    "Agnes",
    "Joseph",
    "Luke",
    "Mary",
    "Vincent",
    "Francis",
    "Elizabeth",
    "Jude",
    "Anne",
    "Catherine",
    "Clare",
    "Raphael",
    "Bernardine",
    "Alphonsus",
    "Dominic",
    "Margaret",
]
COUNTIES = [
    "Howard",
    "Baltimore",
    "Anne Arundel",
    "Harford",
    "Carroll",
    "Montgomery",
    "Prince George's",
    "Cecil",
    "Kent",
    "Washington",
    "Jefferson",
    "Franklin",
    "Orange",
    "Berks",
    "Lehigh",
    "Lane",
    "Polk",
    "Hamilton",
]
GENERIC_FACILITY_WORDS = {
    "st",
    "saint",
    "hospital",
    "medical",
    "center",
    "centre",
    "health",
    "healthcare",
    "regional",
    "general",
    "memorial",
    "community",
    "of",
    "the",
    "and",
    "at",
    "clinic",
    "associates",
    "group",
    "pharmacy",
    "county",
    "ems",
    "fire",
    "department",
    "medic",
    "rehabilitation",
    "nursing",
    "imaging",
    "radiology",
    "pathology",
    "university",
    "system",
    "campus",
    "pavilion",
    "tower",
    "north",
    "south",
    "east",
    "west",
    "manor",
    "care",
    "practice",
    "primary",
    "family",
    "internal",
    "medicine",
    "cardiology",
    "surgery",
    "specialists",
    "pa",
    "p",
    "a",
    "llc",
    "pc",
    "inc",
}


@dataclass
class Place:
    """A street address with city, state and ZIP."""

    street: str
    city: str
    state: str
    zip: str
    areas: list[str]


@dataclass
class Facility:
    """A hospital, practice or other named place, with its abbreviation and contacts."""

    name: str
    abbr: str
    place: Place
    phone: tuple[str, str, str]
    fax: tuple[str, str, str]
    web: str
    email_domain: str


def draw_place(
    rng: random.Random, city: tuple[str, str, str, str] | None = None, suite: float = 0.3
) -> Place:
    """A street address in a city from CITIES."""
    c = city or rng.choice(CITIES)
    num = rng.choice(
        [str(rng.randrange(10, 99)), str(rng.randrange(100, 999)), str(rng.randrange(1000, 19999))]
    )
    street = f"{num} {rng.choice(STREET_NAMES)} {rng.choice(STREET_SUFFIX)}"
    if rng.random() < 0.12:
        street = f"{num} {rng.choice(('N', 'S', 'E', 'W'))}. {street.split(' ', 1)[1]}"
    if rng.random() < suite:
        street += rng.choice(
            [
                f", Suite {rng.randrange(100, 699)}",
                f", Apt {rng.randrange(1, 30)}{rng.choice('ABCD')}",
                f" Unit {rng.randrange(1, 40)}",
                f", Ste {rng.randrange(1, 40)}0",
            ]
        )
    z = c[2] + digits(rng, 2)
    if rng.random() < 0.15:
        z += "-" + digits(rng, 4)
    return Place(street, c[0], c[1], z, c[3].split())


def draw_phone(rng: random.Random, place: Place) -> tuple[str, str, str]:
    """(area, exchange, line) in one of the place's area codes."""
    exch = f"{rng.randrange(2, 10)}{rng.randrange(0, 10)}{rng.randrange(0, 10)}"
    if exch[1:] == "11":
        exch = exch[0] + "21"
    return rng.choice(place.areas), exch, digits(rng, 4)


def abbreviate(name: str) -> str:
    """Initials of a facility name: 'St. Agnes Hospital' -> 'SAH'."""
    words = [
        w
        for w in re.split(r"[\s\-]+", name.replace(".", ""))
        if w and w.lower() not in ("of", "the", "and", "&")
    ]
    return "".join(w[0].upper() for w in words)


def _slug(name: str) -> str:
    words = [
        w
        for w in re.split(r"[^A-Za-z]+", name.lower())
        if w and w not in ("of", "the", "and", "st", "pa")
    ]
    slug = "".join(words)
    # Long names get the first word and the initials of the rest, as practices register them.
    return slug if len(slug) <= 20 else words[0] + "".join(w[0] for w in words[1:])


def draw_facility(
    rng: random.Random, kind: str, place: Place, people: Person | None = None, primary: bool = False
) -> Facility:
    """A named facility: hospital, practice, nursing_home, imaging, lab, pharmacy or ems."""
    sur = people.family if people else draw_person(rng).family
    region = rng.choice(REGIONS)
    if kind == "hospital":
        name = rng.choice(
            [
                f"{rng.choice(('St.', 'Saint'))} {rng.choice(SAINTS)} "
                f"{rng.choice(('Hospital', 'Medical Center', 'Regional Hospital'))}",
                rng.choice(
                    (
                        "Mercy Medical Center",
                        "Good Samaritan Hospital",
                        "Holy Cross Hospital",
                        "Our Lady of Lourdes Medical Center",
                        "Sacred Heart Hospital",
                        "Providence Hospital",
                    )
                ),
                f"{sur} Memorial Hospital",
                f"{draw_person(rng).given} {sur} Medical Center",
                f"{place.city} General Hospital",
                f"{region} Regional Medical Center",
                f"{region} Hospital Center",
            ]
        )
    elif kind == "practice":
        spec = rng.choice(
            (
                "Cardiology Associates",
                "Internal Medicine",
                "Family Practice",
                "Pulmonary & Sleep Medicine",
                "Gastroenterology Associates",
                "Orthopaedic Group",
                "Neurology, P.A.",
                "Primary Care",
                "Kidney Specialists",
                "Medical Group",
                "Heart & Vascular",
            )
        )
        if primary:
            spec = rng.choice(
                (
                    "Internal Medicine",
                    "Family Practice",
                    "Primary Care",
                    "Family Medicine",
                    "Medical Associates",
                    "Adult Medicine",
                    "Community Health Center",
                )
            )
        name = f"{rng.choice((region, sur, place.city))} {spec}"
    elif kind == "nursing_home":
        name = rng.choice(
            [
                f"{sur} Manor",
                f"{region} Rehabilitation and Nursing Center",
                f"{region} Health and Rehab",
                f"{rng.choice(NH_WORDS)} {rng.choice(NH_KINDS)}",
                f"{rng.choice(('St.', 'Saint'))} {rng.choice(SAINTS)} Nursing Home",
            ]
        )
    elif kind == "imaging":
        name = rng.choice(
            [
                f"{region} Imaging",
                f"{place.city} Radiology Associates",
                f"{region} Diagnostic Imaging",
                f"{sur} Imaging Center",
            ]
        )
    elif kind == "lab":
        name = rng.choice(
            [
                "Quest Diagnostics",
                "LabCorp",
                f"{region} Pathology Associates",
                f"{place.city} Pathology Group",
            ]
        )
    elif kind == "pharmacy":
        name = rng.choice(
            [
                "CVS",
                "CVS Pharmacy",
                "Walgreens",
                "Rite Aid",
                "Giant Pharmacy",
                "Safeway Pharmacy",
                "Walmart Pharmacy",
                "Wegmans Pharmacy",
                f"{sur} Pharmacy",
                f"{region} Apothecary",
                f"{sur}'s Drug Store",
            ]
        )
        if rng.random() < 0.3:
            name += f" #{rng.randrange(1000, 19999)}"
    elif kind == "ems":
        name = rng.choice(
            [
                f"{rng.choice(COUNTIES)} County EMS",
                f"{rng.choice(COUNTIES)} County Fire Medic {rng.randrange(2, 60)}",
                f"{place.city} Fire Department",
                f"{place.city} FD Medic {rng.randrange(2, 40)}",
                "Lifestar Ambulance",
                f"{region} Ambulance Service",
                f"{sur} Volunteer Fire Company",
            ]
        )
    else:
        raise ValueError(kind)
    slug = _slug(name)
    web = rng.choice(
        [
            f"www.{slug}.com",
            f"www.{slug}.org",
            f"https://www.{slug}.org",
            f"{slug}.com",
            f"http://{slug}.net",
        ]
    )
    domain = web.split("www.")[-1].split("//")[-1]
    return Facility(
        name, abbreviate(name), place, draw_phone(rng, place), draw_phone(rng, place), web, domain
    )


def draw_unit(rng: random.Random) -> str:
    """A named ward or unit (named units are identifiers; bare room numbers are not)."""
    sur = draw_person(rng).family
    return rng.choice(
        [
            f"{sur} {rng.randrange(2, 12)} {rng.choice(('North', 'South', 'East', 'West'))}",
            f"{sur} {rng.randrange(2, 12)}",
            f"{sur} Pavilion",
            f"{rng.choice(REGIONS)} Tower {rng.randrange(3, 10)}",
        ]
    )


# ---------------------------------------------------------------------------------------------
# Clinical content. [[term]] marks a clinical term; {slot} an identifier or pronoun filled per
# document (see Ctx.fill).

MEDICAL: list[dict[str, Any]] = [
    dict(
        key="afib",
        spec="Cardiology",
        cc="palpitations",
        dx="[[atrial fibrillation with rapid ventricular response]]",
        pmh=["hypertension", "hypothyroidism", "osteoarthritis of both knees", "hyperlipidemia"],
        hpi=(
            "who presented with two days of intermittent [[palpitations]] and"
            " [[lightheadedness]] while gardening. {He} denies [[chest pain]] or [[syncope]]."
            " EMS found {him} in an irregular narrow-complex tachycardia in the 150s."
        ),
        ed=(
            "[[EKG]]: [[atrial fibrillation]] at 148 bpm without acute ST changes. Given"
            " [[diltiazem]] 10 mg IV x2 with rates to the 110s, then started on a [[diltiazem]]"
            " drip at 5 mg/h. [[TSH]] and [[troponin]] sent."
        ),
        course=[
            (
                "[[Atrial fibrillation with RVR]]: rate controlled on a [[diltiazem]] drip and"
                " transitioned to oral [[metoprolol succinate]] on {adm+1}. [[TSH]] 2.1."
                " [[Transthoracic echocardiogram]] on {adm+1} showed LVEF 55-60% with moderate"
                " left atrial enlargement. [[CHA2DS2-VASc]] score 4; [[apixaban]] started after"
                " a discussion of risks and benefits with {pt} and {his} {relword}."
            ),
            "[[Hypertension]]: home [[lisinopril]] continued; BP 120s-130s/70s.",
        ],
        meds=[
            ("apixaban", "5 mg PO BID", "NEW"),
            ("metoprolol succinate", "50 mg PO daily", "NEW"),
            ("lisinopril", "10 mg PO daily", ""),
            ("levothyroxine", "88 mcg PO daily", ""),
        ],
        labs=[
            "[[TSH]] 2.1",
            "[[potassium]] 3.4",
            "[[magnesium]] 1.7",
            "[[troponin I]] <0.01",
            "[[creatinine]] 0.9",
        ],
        letter=[
            (
                "I had the pleasure of seeing {pt} in the office on {visit} for follow-up of"
                " [[paroxysmal atrial fibrillation]], first documented during {his} admission"
                " to {hosp} on {adm}. Since discharge {he} has had rare [[palpitations]]"
                " lasting less than a minute and no [[presyncope]]. {He} is tolerating"
                " [[apixaban]] without bleeding."
            ),
            (
                "On examination the heart rate was 68 and regular, BP 128/76. [[ECG]] today"
                " shows [[sinus rhythm]] with a PR interval of 188 ms. A 14-day [[ambulatory"
                " ECG monitor]] showed a 6% [[atrial fibrillation]] burden with a longest"
                " episode of 3 hours 12 minutes."
            ),
        ],
        plan=[
            "Continue [[apixaban]] 5 mg twice daily; [[CHA2DS2-VASc]] 4, [[HAS-BLED]] 1.",
            "Continue [[metoprolol succinate]] 50 mg daily.",
            (
                "Referral to electrophysiology to discuss [[catheter ablation]] if the burden"
                " increases."
            ),
        ],
    ),
    dict(
        key="chf",
        spec="Cardiology",
        cc="shortness of breath",
        dx="[[acute on chronic systolic heart failure]]",
        pmh=[
            "ischemic cardiomyopathy (EF 25%)",
            "CAD s/p CABG x3 (2011)",
            "type 2 diabetes mellitus",
            "CKD stage 3b",
        ],
        hpi=(
            "who presented with ten days of progressive [[dyspnea on exertion]], three-pillow"
            " [[orthopnea]] and a 12 lb weight gain after running out of {his} [[furosemide]]."
        ),
        ed=(
            "[[Chest x-ray]] with [[pulmonary edema]] and small bilateral [[pleural"
            " effusions]]. [[BNP]] 1,840. Given [[furosemide]] 80 mg IV with 900 mL UOP over 2"
            " hours. Placed on [[BiPAP]] briefly, weaned to 3 L nasal cannula."
        ),
        course=[
            (
                "[[Acute on chronic systolic heart failure]]: diuresed with IV [[furosemide]]"
                " 80 mg BID, net negative 6.1 L, discharge weight 81.4 kg. [[Carvedilol]] held"
                " on admission for soft pressures and resumed on {adm+3}."
                " [[Sacubitril-valsartan]] restarted at the lower dose."
            ),
            (
                "[[Acute kidney injury]] on [[CKD]]: [[creatinine]] peaked at 2.3 and improved"
                " to 1.7 with decongestion."
            ),
            (
                "[[Type 2 diabetes mellitus]]: [[A1c]] 8.4%. [[Metformin]] held while"
                " inpatient, covered with sliding-scale [[insulin lispro]]."
            ),
        ],
        meds=[
            ("furosemide", "40 mg PO BID", "CHANGED"),
            ("carvedilol", "6.25 mg PO BID", ""),
            ("sacubitril-valsartan", "24/26 mg PO BID", "CHANGED"),
            ("spironolactone", "12.5 mg PO daily", "NEW"),
            ("metformin", "500 mg PO BID", ""),
        ],
        labs=[
            "[[BNP]] 1,840",
            "[[creatinine]] 2.3",
            "[[sodium]] 131",
            "[[troponin]] 0.06",
            "[[A1c]] 8.4%",
        ],
        letter=[
            (
                "{Pt} was seen today, {visit}, in the heart failure clinic following {his}"
                " hospitalization at {hosp} for [[acute on chronic systolic heart failure]]."
                " {He} reports walking a block without stopping and sleeping on one pillow."
                " Home weights have been stable at 81-82 kg."
            ),
            (
                "Exam notable for JVP of 8 cm, trace bilateral ankle [[edema]] and clear lungs."
                " Labs today: [[creatinine]] 1.6, [[potassium]] 4.6."
            ),
        ],
        plan=[
            (
                "Continue [[furosemide]] 40 mg twice daily; call for a weight gain of more than"
                " 3 lb in a day."
            ),
            "Uptitrate [[sacubitril-valsartan]] to 49/51 mg twice daily.",
            "Repeat [[echocardiogram]] in 3 months to reassess for [[ICD]] candidacy.",
        ],
    ),
    dict(
        key="pna",
        spec="Pulmonary Medicine",
        cc="fever and cough",
        dx="[[community-acquired pneumonia]] of the right lower lobe",
        pmh=["COPD", "tobacco use disorder", "GERD", "Barrett esophagus"],
        hpi=(
            "who presented with four days of [[fever]], productive [[cough]] with rust-colored"
            " sputum and right-sided pleuritic [[chest pain]]. {His} {relword} noted new"
            " confusion the morning of admission."
        ),
        ed=(
            "T 39.1, HR 112, RR 24, SpO2 88% on RA improved to 94% on 2 L. [[Chest x-ray]] with"
            " right lower lobe consolidation. [[Lactate]] 2.4. Blood cultures x2 drawn, then"
            " given [[ceftriaxone]] 1 g IV and [[azithromycin]] 500 mg IV and 30 mL/kg"
            " [[lactated Ringer's]]."
        ),
        course=[
            (
                "[[Community-acquired pneumonia]]: [[CURB-65]] of 2. Treated with"
                " [[ceftriaxone]] and [[azithromycin]]; defervesced by {adm+2}. Blood cultures"
                " no growth at 48 hours; [[Streptococcus pneumoniae]] urinary antigen positive."
                " Transitioned to [[amoxicillin-clavulanate]] to complete a 7-day course."
            ),
            (
                "[[Acute metabolic encephalopathy]]: resolved with treatment of the infection;"
                " back to baseline per {his} {relword} {relname}."
            ),
            "[[Barrett esophagus]]: continue [[pantoprazole]]; surveillance EGD due this year.",
        ],
        meds=[
            ("amoxicillin-clavulanate", "875/125 mg PO BID x 4 more days", "NEW"),
            ("pantoprazole", "40 mg PO daily", ""),
            ("tiotropium", "18 mcg inhaled daily", ""),
            ("albuterol HFA", "2 puffs q4-6h PRN wheeze", ""),
        ],
        labs=[
            "[[WBC]] 17.8",
            "[[lactate]] 2.4",
            "[[procalcitonin]] 3.1",
            "[[sodium]] 132",
            "[[BUN]] 24",
        ],
        letter=[
            (
                "I saw {pt} on {visit} for follow-up after {his} admission to {hosp} for right"
                " lower lobe [[pneumonia]]. {He} completed {his} antibiotics and reports only a"
                " mild residual dry [[cough]]. {He} has not smoked since discharge."
            ),
            (
                "[[Spirometry]] today: FEV1 1.42 L (54% predicted), FEV1/FVC 0.58, consistent"
                " with moderate [[COPD]]. [[Chest x-ray]] shows near-complete resolution of the"
                " consolidation."
            ),
        ],
        plan=[
            (
                "Continue [[tiotropium]]; add [[fluticasone-salmeterol]] 250/50 one inhalation"
                " twice daily."
            ),
            "Pneumococcal and influenza vaccination given today.",
            "Low-dose [[CT chest]] for lung cancer screening in 6 weeks.",
        ],
    ),
    dict(
        key="urosepsis",
        spec="Infectious Diseases",
        cc="fever, low blood pressure",
        nh=True,
        dx="[[sepsis]] secondary to [[E. coli pyelonephritis]]",
        pmh=[
            "Alzheimer dementia",
            "urinary retention with chronic indwelling Foley catheter",
            "hypertension",
            "C. difficile colitis (2019)",
        ],
        hpi=(
            "who was sent from {nh} for [[fever]] to 38.9, [[hypotension]] to 84/50 and"
            " decreased oral intake. Staff report {he} has been more somnolent than {his}"
            " baseline for two days. {He} has a [[Foley catheter]] for [[urinary retention]],"
            " last changed a month ago."
        ),
        ed=(
            "[[Lactate]] 3.6. [[Urinalysis]] with large leukocyte esterase, >50 WBC/hpf and"
            " many bacteria. [[Foley catheter]] exchanged and cultures sent. Given a 30 mL/kg"
            " bolus and [[cefepime]] 2 g IV. MAP improved to 68 after fluids; no pressors"
            " required."
        ),
        course=[
            (
                "[[Sepsis]] due to [[E. coli]] [[pyelonephritis]]: blood and urine cultures"
                " grew [[E. coli]] sensitive to [[ceftriaxone]]; [[cefepime]] narrowed to"
                " [[ceftriaxone]] on {adm+2}, then oral [[cephalexin]] to complete 10 days."
                " [[Renal ultrasound]] without [[hydronephrosis]]."
            ),
            (
                "[[Alzheimer dementia]]: at baseline per {nh} staff; [[donepezil]] continued."
                " No [[delirium]] after {adm+3}."
            ),
            (
                "Goals of care discussed with {his} {relword} {relname}, who is the health care"
                " agent; {he} remains full code."
            ),
        ],
        meds=[
            ("cephalexin", "500 mg PO q6h x 5 more days", "NEW"),
            ("donepezil", "10 mg PO nightly", ""),
            ("amlodipine", "5 mg PO daily", ""),
            ("tamsulosin", "0.4 mg PO nightly", ""),
        ],
        labs=["[[lactate]] 3.6", "[[WBC]] 19.2", "[[creatinine]] 1.8", "[[procalcitonin]] 12.4"],
        letter=[
            (
                "{Pt} is a resident of {nh} whom I saw on {visit} regarding recurrent"
                " [[catheter-associated urinary tract infections]]. {He} was most recently"
                " hospitalized at {hosp} on {adm} with [[E. coli]] bacteremia."
            ),
            (
                "{His} [[Foley catheter]] has been in place since a hospitalization for"
                " [[urinary retention]]. A voiding trial has not been attempted."
            ),
        ],
        plan=[
            (
                "Trial of voiding with [[bladder scan]] every 6 hours; straight catheterize for"
                " volumes over 400 mL."
            ),
            "No antibiotics for asymptomatic bacteriuria.",
            "Urology referral if the voiding trial fails.",
        ],
    ),
    dict(
        key="gib",
        spec="Gastroenterology",
        cc="black stools",
        dx="[[upper GI bleed]] from a [[duodenal ulcer]]",
        pmh=[
            "osteoarthritis",
            "atrial fibrillation on warfarin",
            "Hashimoto thyroiditis",
            "chronic low back pain",
        ],
        hpi=(
            "who presented with three days of black tarry stools and one episode of"
            " [[hematemesis]] this morning. {He} has been taking [[naproxen]] 500 mg twice"
            " daily for back pain in addition to [[warfarin]]."
        ),
        ed=(
            "HR 118, BP 96/58. [[Hemoglobin]] 6.8 (baseline 12), [[INR]] 3.4, [[BUN]] 58. Two"
            " large-bore IVs, transfused 2 units PRBC, given [[vitamin K]] 10 mg IV and an 80"
            " mg IV bolus of [[pantoprazole]] followed by an infusion. GI consulted."
        ),
        course=[
            (
                "[[Upper GI bleed]]: EGD on {adm+1} by {cons} showed a 1.5 cm clean-based"
                " [[duodenal ulcer]] with a visible vessel, treated with epinephrine injection"
                " and two hemoclips. [[H. pylori]] biopsies positive; quadruple therapy"
                " started. Received a total of 3 units PRBC; [[hemoglobin]] stable at 8.9 for"
                " 48 hours."
            ),
            (
                "[[Atrial fibrillation]]: [[warfarin]] held after discussion with {pt} and"
                " {his} {relword}; plan to resume in 7 days if no further bleeding, managed by"
                " the anticoagulation clinic."
            ),
            "[[Hashimoto thyroiditis]]: continue [[levothyroxine]].",
        ],
        meds=[
            ("pantoprazole", "40 mg PO BID", "NEW"),
            ("bismuth subsalicylate", "524 mg PO QID x 14 days", "NEW"),
            ("metronidazole", "500 mg PO TID x 14 days", "NEW"),
            ("tetracycline", "500 mg PO QID x 14 days", "NEW"),
            ("levothyroxine", "100 mcg PO daily", ""),
            ("naproxen", "", "STOP"),
            ("warfarin", "", "HOLD"),
        ],
        labs=["[[hemoglobin]] 6.8", "[[INR]] 3.4", "[[BUN]] 58", "[[platelets]] 212"],
        letter=[
            (
                "{Pt} was seen on {visit} in follow-up of the bleeding [[duodenal ulcer]]"
                " treated endoscopically at {hosp}. {He} completed [[bismuth]] quadruple"
                " therapy for [[H. pylori]] and has had no further melena."
            ),
            (
                "[[Hemoglobin]] today 11.2, up from 8.9 at discharge. [[H. pylori]] stool"
                " antigen is negative, confirming eradication."
            ),
        ],
        plan=[
            "Continue [[pantoprazole]] 40 mg daily for 8 weeks total, then stop.",
            "Avoid [[NSAIDs]]; [[acetaminophen]] for back pain.",
            "OK to continue [[warfarin]] from a GI standpoint.",
        ],
    ),
    dict(
        key="hipfx",
        spec="Orthopaedic Surgery",
        cc="fall, left hip pain",
        nh=True,
        dx="[[left femoral neck fracture]] after a mechanical fall",
        pmh=["osteoporosis", "hypertension", "macular degeneration", "hypothyroidism"],
        hpi=(
            "who tripped over a rug at home in {city} and was unable to bear weight on the left"
            " leg. {He} was found on the floor by {his} {relword} {relname} after an unknown"
            " down time. No head strike or [[loss of consciousness]]."
        ),
        ed=(
            "Left leg shortened and externally rotated. [[X-ray]] of the left hip with a"
            " displaced subcapital femoral neck fracture, Garden IV. [[CK]] 820. Given"
            " [[fentanyl]] 50 mcg IV and a fascia iliaca block. Orthopedics consulted."
        ),
        course=[
            (
                "[[Left femoral neck fracture]]: underwent left hip [[hemiarthroplasty]] on"
                " {adm+1} with {cons} of orthopedics. Weight bearing as tolerated."
                " [[Enoxaparin]] for DVT prophylaxis for 4 weeks."
            ),
            "[[Acute blood loss anemia]]: [[hemoglobin]] nadir 8.2 on POD#2, no transfusion.",
            (
                "[[Delirium]]: mild sundowning on POD#1-2, managed with nonpharmacologic"
                " measures and low-dose [[oxycodone]] only."
            ),
        ],
        meds=[
            ("enoxaparin", "40 mg SC daily x 28 days", "NEW"),
            ("oxycodone", "2.5 mg PO q6h PRN severe pain", "NEW"),
            ("acetaminophen", "1,000 mg PO q8h", "NEW"),
            ("alendronate", "70 mg PO weekly", "NEW"),
            ("amlodipine", "5 mg PO daily", ""),
        ],
        labs=["[[hemoglobin]] 8.2", "[[CK]] 820", "[[vitamin D]] 14", "[[creatinine]] 1.1"],
        letter=[
            (
                "I saw {pt} on {visit}, six weeks after {his} left hip [[hemiarthroplasty]] at"
                " {hosp}. {He} is walking with a rolling walker at {nh}, where {he} is"
                " completing rehabilitation, and reports minimal pain."
            ),
            (
                "The incision is well healed. [[X-rays]] show a well-seated cemented prosthesis"
                " without subsidence or [[periprosthetic fracture]]."
            ),
        ],
        plan=[
            "Advance to a cane as tolerated with physical therapy.",
            "Continue [[alendronate]]; [[DEXA]] scan through {his} primary care physician.",
            "Return in 3 months with repeat [[X-rays]].",
        ],
    ),
    dict(
        key="orthostasis",
        spec="Neurology",
        cc="passed out",
        dx="[[syncope]] due to [[orthostatic hypotension]]",
        pmh=["Parkinson disease", "REM sleep behavior disorder", "BPH", "depression"],
        hpi=(
            "who had two episodes of [[syncope]] on standing from the dinner table, witnessed"
            " by {his} {relword} {relname}. Each lasted less than a minute without tongue"
            " biting or incontinence. {His} [[carbidopa-levodopa]] was increased by neurology"
            " three weeks ago."
        ),
        ed=(
            "Orthostatic vitals: BP 148/82 supine, 96/60 standing with lightheadedness. [[EKG]]"
            " sinus rhythm, QTc 440. [[CT head]] without acute findings. [[Glasgow Coma Scale]]"
            " 15. Given 1 L [[normal saline]]."
        ),
        course=[
            (
                "[[Orthostatic hypotension]] related to [[Parkinson disease]] and the recent"
                " dose increase: [[tamsulosin]] stopped, compression stockings, liberal salt"
                " and fluids; [[midodrine]] started on {adm+1} with improvement. Telemetry"
                " without arrhythmia."
            ),
            (
                "[[Parkinson disease]]: [[carbidopa-levodopa]] returned to the prior dose of"
                " 25/100 mg one tablet TID after discussion with {his} neurologist, {cons}."
            ),
            "Physical therapy recommends home with a rollator and home PT.",
        ],
        meds=[
            ("midodrine", "5 mg PO TID (last dose before 6 PM)", "NEW"),
            ("carbidopa-levodopa", "25/100 mg 1 tab PO TID", "CHANGED"),
            ("sertraline", "50 mg PO daily", ""),
            ("tamsulosin", "", "STOP"),
        ],
        labs=["[[sodium]] 134", "[[hemoglobin]] 12.9", "[[troponin]] <0.01", "[[cortisol]] 14.2"],
        letter=[
            (
                "{Pt} returns on {visit} for [[Parkinson disease]], now about six years from"
                " diagnosis, following an admission to {hosp} for [[syncope]] from"
                " [[orthostatic hypotension]]."
            ),
            (
                "Off-period freezing is brief. [[MDS-UPDRS]] part III 28 in the on state."
                " Orthostatic BP today 138/80 supine and 124/74 standing on [[midodrine]]."
            ),
        ],
        plan=[
            (
                "Continue [[carbidopa-levodopa]] 25/100 mg three times daily; no further"
                " increases for now."
            ),
            "Continue [[midodrine]] 5 mg three times daily.",
            "Physical therapy for gait and balance.",
        ],
    ),
    dict(
        key="crohn",
        spec="Gastroenterology",
        cc="abdominal pain, diarrhea",
        dx="[[Crohn disease]] flare with terminal ileitis",
        pmh=["Crohn disease", "iron deficiency anemia", "anxiety", "Raynaud phenomenon"],
        hpi=(
            "who presented with one week of crampy right lower quadrant [[abdominal pain]],"
            " 8-10 loose stools daily and [[fevers]] to 38.3. {He} missed {his} last two doses"
            " of [[adalimumab]] because of an insurance lapse."
        ),
        ed=(
            "[[CT abdomen and pelvis]] with long-segment terminal ileal wall thickening and"
            " mucosal hyperenhancement, no abscess or free air. [[CRP]] 88. [[C. difficile]]"
            " PCR negative. Started [[methylprednisolone]] 20 mg IV q8h."
        ),
        course=[
            (
                "[[Crohn disease]] flare: improved on IV [[methylprednisolone]] and"
                " transitioned to a [[prednisone]] taper on {adm+3}. GI ({cons}) arranged to"
                " restart [[adalimumab]] once coverage is reinstated; [[QuantiFERON]] negative."
            ),
            "[[Iron deficiency anemia]]: [[ferritin]] 9; received [[iron sucrose]] 200 mg IV x2.",
        ],
        meds=[
            ("prednisone", "40 mg PO daily, taper by 5 mg weekly", "NEW"),
            ("adalimumab", "40 mg SC every 2 weeks", ""),
            ("calcium carbonate-vitamin D", "600 mg-400 units PO BID", "NEW"),
            ("ferrous sulfate", "325 mg PO every other day", ""),
        ],
        labs=["[[CRP]] 88", "[[ferritin]] 9", "[[albumin]] 2.9", "[[hemoglobin]] 9.4"],
        letter=[
            (
                "I saw {pt} in clinic on {visit} for [[Crohn disease]] of the terminal ileum"
                " following a flare that required admission to {hosp}. {He} is now on 20 mg of"
                " [[prednisone]] and has 2-3 formed stools daily."
            ),
            (
                "[[Adalimumab]] was resumed two weeks ago. Trough level and antibodies are"
                " pending. [[Fecal calprotectin]] 410."
            ),
        ],
        plan=[
            "Continue the [[prednisone]] taper by 5 mg weekly.",
            "Check an [[adalimumab]] trough before the next dose; consider weekly dosing.",
            "[[MR enterography]] in 3 months.",
        ],
    ),
]

PROCEDURES: list[dict[str, Any]] = [
    dict(
        key="chole",
        title="OPERATIVE REPORT",
        pre="[[acute calculous cholecystitis]]",
        post="same",
        proc="[[laparoscopic cholecystectomy]]",
        anesth="general endotracheal",
        ebl="15 mL",
        drains="none",
        specimens=["gallbladder"],
        implants=[],
        ind=(
            "{pt_intro} presented to {hosp} with right upper quadrant pain, a positive"
            " sonographic [[Murphy sign]] and [[leukocytosis]]. Risks including bleeding,"
            " infection, bile duct injury, bile leak and conversion to an open procedure were"
            " discussed, and {he} wished to proceed."
        ),
        desc=[
            (
                "The patient was identified in the preoperative area, consent was verified, and"
                " {he} was brought to the operating room and placed supine. After induction of"
                " general anesthesia, [[cefazolin]] 2 g IV was given and the abdomen was"
                " prepped and draped in the usual sterile fashion. A time-out was performed."
            ),
            (
                "Access was obtained at the umbilicus with a Hasson technique and"
                " pneumoperitoneum established to 15 mmHg. Three additional 5 mm ports were"
                " placed under direct vision. The gallbladder was distended and edematous with"
                " omental adhesions. The critical view of safety was obtained, and the cystic"
                " duct and cystic artery were clipped and divided. The gallbladder was taken"
                " off the liver bed with electrocautery and removed in a retrieval bag."
            ),
            (
                "Hemostasis was confirmed. The umbilical fascia was closed with 0 [[Vicryl]]"
                " and the skin with 4-0 [[Monocryl]]. Sponge and needle counts were correct x2."
            ),
        ],
    ),
    dict(
        key="tka",
        title="OPERATIVE NOTE",
        pre="[[primary osteoarthritis of the right knee]]",
        post="same",
        proc="right [[total knee arthroplasty]], cemented",
        anesth="spinal with adductor canal block",
        ebl="150 mL",
        drains="none",
        specimens=[],
        tourniquet=True,
        implants=[
            ("Femoral component, posterior stabilized, size 5", "5510-F-502"),
            ("Tibial baseplate, size 4", "5521-B-400"),
            ("Polyethylene insert, 11 mm", "5532-G-411"),
            ("Patellar button, 32 mm", "5550-G-320"),
            ("Bone cement, 40 g", "6191-1-001"),
        ],
        ind=(
            "{pt_intro} with end-stage tricompartmental [[osteoarthritis]] of the right knee"
            " that has failed injections and physical therapy. The risks of infection, DVT,"
            " stiffness, neurovascular injury and need for revision were reviewed and {he}"
            " elected to proceed."
        ),
        desc=[
            (
                "After spinal anesthesia and an adductor canal block, a thigh tourniquet was"
                " placed and the right leg was prepped and draped. [[Cefazolin]] 2 g and"
                " [[tranexamic acid]] 1 g IV were given before inflation of the tourniquet to"
                " 250 mmHg."
            ),
            (
                "A midline incision and medial parapatellar arthrotomy were made. Distal"
                " femoral and proximal tibial cuts were made with intramedullary and"
                " extramedullary guides, the flexion and extension gaps were balanced, and"
                " trial components showed good stability and tracking. The final components"
                " were cemented, excess cement was removed, and the 11 mm insert was placed."
            ),
            (
                "The wound was irrigated and the arthrotomy closed with #1 [[Stratafix]],"
                " followed by 2-0 [[Vicryl]] and staples. Tourniquet time 68 minutes."
            ),
        ],
    ),
    dict(
        key="hemi",
        title="OPERATIVE REPORT",
        pre="displaced [[left femoral neck fracture]]",
        post="same",
        proc="left hip [[cemented bipolar hemiarthroplasty]]",
        anesth="general endotracheal",
        ebl="300 mL",
        drains="none",
        specimens=["left femoral head"],
        implants=[
            ("Femoral stem, cemented, size 3", "6020-0335"),
            ("Bipolar head, 46 mm", "6276-1-146"),
            ("Modular head, 28 mm +0", "6260-5-028"),
        ],
        ind=(
            "{pt_intro} who sustained a fall and was found to have a displaced [[femoral neck"
            " fracture]]. Given {his} age and activity level, hemiarthroplasty was recommended."
            " {His} {relword} {relname} was present for the consent discussion."
        ),
        desc=[
            (
                "The patient was positioned in the right lateral decubitus position with all"
                " bony prominences padded. [[Cefazolin]] 2 g IV was given. A posterior approach"
                " to the left hip was used; the short external rotators were tagged and"
                " released."
            ),
            (
                "The femoral head was extracted and sized to 46 mm and sent to pathology. The"
                " femoral canal was broached to a size 3 and the trial reduction showed good"
                " stability at 90 degrees of flexion and 45 degrees of internal rotation. The"
                " final stem was cemented and the bipolar head reduced."
            ),
            (
                "The external rotators and capsule were repaired through drill holes. The"
                " fascia was closed with #1 [[Vicryl]] and the skin with staples. Counts were"
                " correct."
            ),
        ],
    ),
    dict(
        key="ppm",
        title="PROCEDURE NOTE",
        pre="[[sick sinus syndrome]] with symptomatic pauses",
        post="same",
        proc="[[dual-chamber permanent pacemaker]] implantation, left subclavian approach",
        anesth="moderate sedation with local [[lidocaine]]",
        ebl="minimal",
        drains="none",
        specimens=[],
        implants=[
            ("Pulse generator, dual chamber, MRI conditional", "W1DR01"),
            ("Right atrial lead, 52 cm, active fixation", "5076-52"),
            ("Right ventricular lead, 58 cm, active fixation", "5076-58"),
        ],
        ind=(
            "{pt_intro} with recurrent [[presyncope]] and sinus pauses up to 5.8 seconds on"
            " [[Holter monitor]]. Informed consent was obtained from {pt} after discussion of"
            " risks including [[pneumothorax]], bleeding, infection and lead dislodgement."
        ),
        desc=[
            (
                "The left chest was prepped and draped. [[Cefazolin]] 2 g IV was given. After"
                " local [[lidocaine]], a 5 cm incision was made and a subcutaneous pocket"
                " formed. Axillary venous access was obtained twice under fluoroscopy."
            ),
            (
                "The ventricular lead was positioned in the RV septum: R wave 11.2 mV,"
                " threshold 0.6 V at 0.4 ms, impedance 620 ohms. The atrial lead was placed in"
                " the right atrial appendage: P wave 3.1 mV, threshold 0.8 V, impedance 540"
                " ohms. Leads were secured and connected to the generator."
            ),
            (
                "The pocket was irrigated with antibiotic solution and closed in three layers."
                " Post-procedure [[chest x-ray]] showed no [[pneumothorax]]."
            ),
        ],
    ),
    dict(
        key="colo",
        title="PROCEDURE NOTE",
        pre="screening; family history of colon cancer in a first-degree relative",
        post="[[tubular adenoma]] x2, sigmoid [[diverticulosis]]",
        proc="[[colonoscopy]] with cold snare [[polypectomy]]",
        anesth="monitored anesthesia care with [[propofol]]",
        ebl="minimal",
        drains="none",
        specimens=["ascending colon polyp", "sigmoid colon polyp"],
        implants=[],
        ind=(
            "{pt_intro} referred by {pcp} for screening [[colonoscopy]]. {His} father had colon"
            " cancer in his 60s."
        ),
        desc=[
            (
                "After informed consent and a time-out, the patient was placed in the left"
                " lateral position. The colonoscope was advanced under direct visualization to"
                " the cecum, identified by the appendiceal orifice and ileocecal valve. The"
                " terminal ileum was intubated and appeared normal. [[Boston Bowel Preparation"
                " Scale]] 8 (3-3-2). Withdrawal time 11 minutes."
            ),
            (
                "A 6 mm sessile polyp in the ascending colon and a 4 mm polyp in the sigmoid"
                " colon were removed with a cold snare and retrieved. Scattered sigmoid"
                " [[diverticulosis]] without inflammation. Small internal [[hemorrhoids]] on"
                " retroflexion."
            ),
        ],
    ),
    dict(
        key="pci",
        title="CARDIAC CATHETERIZATION REPORT",
        pre="[[NSTEMI]]",
        post="single-vessel [[coronary artery disease]]",
        proc=(
            "left heart catheterization, coronary angiography, [[percutaneous coronary"
            " intervention]] of the mid LAD"
        ),
        anesth="moderate sedation ([[midazolam]], [[fentanyl]])",
        ebl="less than 10 mL",
        drains="none",
        specimens=[],
        implants=[
            ("Drug-eluting stent 3.0 x 18 mm", "1502300-18"),
            ("Radial compression band", "TRB-24"),
        ],
        ind=(
            "{pt_intro} admitted with [[chest pain]] and a [[troponin]] peak of 4.2."
            " [[Echocardiogram]] showed anterior hypokinesis. {He} was referred for"
            " angiography."
        ),
        desc=[
            (
                "Right radial access was obtained with a 6 French sheath; [[heparin]] 5,000"
                " units and [[verapamil]] 2.5 mg were given. Left main normal. LAD with a 90%"
                " mid stenosis. Circumflex and RCA with mild luminal irregularities. LVEDP 18"
                " mmHg."
            ),
            (
                "The mid LAD was predilated with a 2.5 mm balloon and a 3.0 x 18 mm"
                " drug-eluting stent was deployed at 14 atm and post-dilated with a 3.25 mm"
                " noncompliant balloon, with 0% residual stenosis and TIMI 3 flow. A"
                " compression band was applied for hemostasis."
            ),
        ],
    ),
]

STUDIES: list[dict[str, Any]] = [
    dict(
        exam="CT ABDOMEN AND PELVIS WITH IV CONTRAST",
        mod="CT",
        critical=True,
        hist="right lower quadrant pain and [[fever]]",
        tech=(
            "Axial images from the lung bases through the pubic symphysis after 100 mL"
            " [[iohexol]] IV. Coronal and sagittal reformats. Dose reduction technique used."
        ),
        findings=[
            (
                "The appendix is dilated to 13 mm with periappendiceal fat stranding and a 6 mm"
                " appendicolith at its base. No periappendiceal abscess or free air."
            ),
            (
                "Liver, spleen, pancreas and adrenal glands unremarkable. Gallbladder without"
                " radiopaque stones. No [[hydronephrosis]]. Bladder normal. No"
                " [[lymphadenopathy]]. Lung bases clear."
            ),
        ],
        impression=["Acute [[appendicitis]] with an appendicolith. No abscess or perforation."],
    ),
    dict(
        exam="CHEST, 2 VIEWS (PA AND LATERAL)",
        mod="CXR",
        critical=False,
        hist="[[cough]] and [[fever]]",
        tech="PA and lateral views of the chest.",
        findings=[
            (
                "Right lower lobe airspace consolidation with air bronchograms. No [[pleural"
                " effusion]] or [[pneumothorax]]. No Kerley B lines."
            ),
            (
                "Cardiomediastinal silhouette within normal limits. Median sternotomy wires"
                " intact. Degenerative changes of the thoracic spine."
            ),
        ],
        impression=[
            "Right lower lobe [[pneumonia]].",
            "Follow-up radiographs in 6-8 weeks to document resolution.",
        ],
    ),
    dict(
        exam="CT HEAD WITHOUT CONTRAST",
        mod="CT",
        critical=False,
        hist="fall on [[apixaban]], [[headache]]",
        tech="Contiguous axial images of the head without IV contrast.",
        findings=[
            (
                "No acute intracranial hemorrhage, mass effect or midline shift. Gray-white"
                " differentiation is preserved."
            ),
            (
                "Moderate periventricular white matter hypodensities, likely chronic small"
                " vessel ischemic change. Ventricles and sulci are prominent, consistent with"
                " age-related volume loss. Left frontal scalp [[hematoma]] without underlying"
                " fracture."
            ),
        ],
        impression=["No acute intracranial abnormality.", "Left frontal scalp [[hematoma]]."],
    ),
    dict(
        exam="US ABDOMEN LIMITED (RIGHT UPPER QUADRANT)",
        mod="US",
        critical=False,
        hist="right upper quadrant pain, elevated [[lipase]]",
        tech="Grayscale and color Doppler images of the right upper quadrant.",
        findings=[
            (
                "The gallbladder is distended with multiple shadowing [[gallstones]], the"
                " largest 1.8 cm, and wall thickening to 5 mm with pericholecystic fluid."
                " Positive sonographic [[Murphy sign]]."
            ),
            (
                "Common bile duct measures 4 mm. Liver is echogenic, consistent with [[hepatic"
                " steatosis]]. Pancreas partially obscured by bowel gas. Right kidney without"
                " [[hydronephrosis]]."
            ),
        ],
        impression=["[[Acute calculous cholecystitis]].", "[[Hepatic steatosis]]."],
    ),
    dict(
        exam="MRI BRAIN WITHOUT AND WITH CONTRAST",
        mod="MRI",
        critical=True,
        hist="acute [[aphasia]] and right arm weakness",
        tech=(
            "Multiplanar multisequence MR images of the brain before and after 7 mL"
            " [[gadobutrol]] IV."
        ),
        findings=[
            (
                "Restricted diffusion in the left frontal operculum and insula in the left MCA"
                " territory with corresponding FLAIR hyperintensity, consistent with acute"
                " [[infarct]]. No hemorrhagic transformation."
            ),
            (
                "Scattered T2 hyperintensities in the periventricular white matter. Prominent"
                " Virchow-Robin spaces in the basal ganglia. Normal flow voids. No abnormal"
                " enhancement."
            ),
        ],
        impression=[
            "Acute left MCA territory [[infarct]] without hemorrhagic transformation.",
            "Chronic small vessel ischemic disease.",
        ],
    ),
    dict(
        exam="XR HIP LEFT, 2 VIEWS WITH PELVIS",
        mod="XR",
        critical=False,
        hist="fall, left hip pain, unable to bear weight",
        tech="AP pelvis and frog-leg lateral view of the left hip.",
        findings=[
            (
                "Displaced subcapital fracture of the left femoral neck with superior migration"
                " of the femoral shaft, Garden IV. Shenton line is disrupted."
            ),
            (
                "No dislocation. Diffuse osteopenia. Mild degenerative narrowing of the right"
                " hip joint. Vascular calcifications."
            ),
        ],
        impression=["Displaced left [[femoral neck fracture]] (Garden IV)."],
    ),
    dict(
        exam="CTA CHEST (PULMONARY EMBOLISM PROTOCOL)",
        mod="CTA",
        critical=True,
        hist="[[dyspnea]] and [[tachycardia]], elevated [[D-dimer]]",
        tech=(
            "Axial images through the chest during the pulmonary arterial phase after 75 mL"
            " [[iopamidol]] IV."
        ),
        findings=[
            (
                "Filling defects in the right lower lobe segmental and subsegmental pulmonary"
                " arteries and in a left upper lobe segmental artery. RV/LV ratio 0.9. No"
                " reflux of contrast into the IVC."
            ),
            (
                "Small right [[pleural effusion]]. Wedge-shaped peripheral opacity in the right"
                " lower lobe, possibly early [[pulmonary infarct]]."
            ),
        ],
        impression=[
            "Acute bilateral [[pulmonary emboli]] without CT evidence of right heart strain."
        ],
    ),
]

PATHS: list[dict[str, Any]] = [
    dict(
        spec="Gallbladder, cholecystectomy",
        label="gallbladder",
        gross=(
            "an 8.5 x 3.2 x 2.1 cm gallbladder with a tan-green serosa. The wall measures up to"
            " 0.5 cm. The lumen contains bile and twelve yellow faceted stones, 0.3-1.1 cm."
            " Representative sections in cassette A1."
        ),
        micro=(
            "Sections show transmural inflammation with neutrophils, mucosal ulceration and"
            " Rokitansky-Aschoff sinuses. No dysplasia."
        ),
        final=(
            "Acute and chronic [[cholecystitis]] with [[cholelithiasis]]. Negative for"
            " dysplasia and malignancy."
        ),
    ),
    dict(
        spec="Colon, ascending, polyp, cold snare",
        label="ascending colon polyp",
        gross=(
            "a single tan polypoid fragment, 0.6 x 0.4 x 0.3 cm, entirely submitted in cassette A1."
        ),
        micro=(
            "Sections show colonic mucosa with tubular architecture and low-grade dysplasia. No"
            " high-grade dysplasia."
        ),
        final="[[Tubular adenoma]]. Negative for high-grade dysplasia.",
    ),
    dict(
        spec="Appendix, appendectomy",
        label="appendix",
        gross=(
            "a 6.2 x 1.1 cm appendix with a dull, congested serosa and fibrinopurulent exudate."
            " A 0.6 cm fecalith is in the proximal lumen. Representative sections in A1-A3."
        ),
        micro="Transmural neutrophilic infiltrate with mucosal ulceration and serositis.",
        final=(
            "Acute suppurative [[appendicitis]] with periappendicitis and [[fecalith]]. No"
            " neoplasm."
        ),
    ),
    dict(
        spec="Femoral head, left, hemiarthroplasty",
        label="left femoral head",
        gross=(
            "a 4.6 cm femoral head with a subcapital fracture surface and a smooth articular"
            " surface. Decalcified sections in A1-A2."
        ),
        micro=(
            "Thinned trabeculae with fracture callus and marrow hemorrhage. Articular cartilage"
            " intact."
        ),
        final="Femoral head with subcapital fracture and [[osteopenia]]. No neoplasm identified.",
    ),
    dict(
        spec="Skin, left nasal ala, shave biopsy",
        label="left nasal ala",
        gross=(
            "a tan-pink shave of skin, 0.7 x 0.5 x 0.1 cm, trisected and entirely submitted in A1."
        ),
        micro=(
            "Nests of basaloid cells with peripheral palisading and retraction artifact in the"
            " dermis."
        ),
        final="[[Basal cell carcinoma]], nodular type, extending to the deep margin.",
    ),
]

PMH_MEDS = {
    "hypertension": "lisinopril 10 mg daily",
    "hypothyroidism": "levothyroxine 75 mcg daily",
    "hyperlipidemia": "atorvastatin 40 mg nightly",
    "type 2 diabetes mellitus": "metformin 1,000 mg BID",
    "GERD": "omeprazole 20 mg daily",
    "COPD": "tiotropium 18 mcg inhaled daily",
    "depression": "sertraline 50 mg daily",
    "BPH": "tamsulosin 0.4 mg nightly",
    "osteoporosis": "alendronate 70 mg weekly",
    "anxiety": "buspirone 10 mg BID",
    "Parkinson disease": "carbidopa-levodopa 25/100 mg TID",
    "Alzheimer dementia": "donepezil 10 mg nightly",
    "Hashimoto thyroiditis": "levothyroxine 100 mcg daily",
    "Crohn disease": "adalimumab 40 mg SC every 2 weeks",
}
RELATIONS = {
    "male": ["son", "grandson", "brother", "nephew"],
    "female": ["daughter", "granddaughter", "sister", "niece"],
}
EMPLOYERS = [
    "retired from the post office after 31 years",
    "retired machinist",
    "retired schoolteacher",
    "works as a school bus driver",
    "works in a hospital laundry",
    "retired from the phone company",
    "works as an accountant",
    "retired Navy",
    "works night shift at a distribution warehouse",
    "retired from the steel mill",
    "works as a hairdresser",
    "retired nurse",
    "works in IT",
]
CREDS = ["MD", "MD", "MD", "DO", "MD, FACP", "MD, FACC", "MD, PhD", "MBBS"]


# ---------------------------------------------------------------------------------------------
# One document's world and house style

LABELS = {
    "name": ["Patient:", "PATIENT NAME:", "Name:", "Pt Name:", "PATIENT:", "Patient Name:"],
    "mrn": ["MRN:", "MR#:", "Med Rec #:", "Medical Record No.:", "Unit No:", "MRN #:", "Hosp #:"],
    "dob": ["DOB:", "Date of Birth:", "D.O.B.:", "Birthdate:", "BIRTH DATE:"],
    "acct": ["Acct #:", "Account No:", "FIN:", "Visit #:", "CSN:", "Encounter #:"],
    "adm": ["Admission Date:", "Date of Admission:", "ADMIT DATE:", "Admitted:"],
    "dc": ["Discharge Date:", "Date of Discharge:", "DISCHARGE DATE:", "Discharged:"],
    "att": ["Attending:", "Attending Physician:", "ATTENDING:", "Attending MD:"],
    "pcp": ["PCP:", "Primary Care:", "Primary Care Physician:", "Referring/PCP:"],
    "sex": ["Sex:", "Gender:", "SEX:"],
    "age": ["Age:", "AGE:"],
    "loc": ["Location:", "Unit:", "Patient Location:", "LOC:"],
}
HEADING_STYLES = ("caps_colon", "caps_bold", "title_underline", "numbered", "runin")


class Ctx:
    """One document's people, places, identifiers and house style, drawn from one generator."""

    def __init__(self, rng: random.Random, kind: str, fonts: list[str]) -> None:
        r = self.rng = rng
        self.kind = kind
        self.doc_date = date(2015, 1, 5) + timedelta(days=r.randrange(0, 3800))
        self.old = r.random() < 0.4
        self.age = (
            r.randrange(90, 104)
            if self.old
            else r.choice([r.randrange(19, 60), r.randrange(45, 90), r.randrange(62, 90)])
        )
        self.patient = draw_person(r)
        anchor = (
            self.doc_date
            if (self.doc_date.month, self.doc_date.day) != (2, 29)
            else self.doc_date - timedelta(days=1)
        )
        self.dob = anchor.replace(year=anchor.year - self.age) - timedelta(days=r.randrange(1, 360))
        self.mrn = draw_mrn(r)
        self.acct = draw_account(r, self.doc_date.year)
        self.home = draw_place(r, suite=0.15)
        home_city = next(c for c in CITIES if c[0] == self.home.city)
        hcity = home_city if r.random() < 0.6 else r.choice(CITIES)
        self.hosp = draw_facility(r, "hospital", draw_place(r, hcity, suite=0.0))
        self.hosp_mentions = 0
        # The relative who comes up in the prose.
        rg = r.choice(("male", "female"))
        if self.age > 75:
            word = r.choice(RELATIONS[rg] + ["wife" if rg == "female" else "husband"])
        else:
            word = r.choice(
                [
                    "wife" if rg == "female" else "husband",
                    "partner",
                    RELATIONS[rg][0],
                    RELATIONS[rg][2],
                ]
            )
        rel = draw_person(r, rg)
        if (
            word in ("wife", "husband", "son", "daughter", "grandson", "granddaughter")
            and r.random() < 0.7
        ):
            rel.family = self.patient.family
        self.rel, self.relword = rel, word
        self.pcp = draw_person(r, cred=r.choice(CREDS + ["NP", "PA-C"]))
        self.pcp_practice = draw_facility(
            r, "practice", draw_place(r, home_city, suite=0.5), primary=True
        )
        self.cons = draw_person(r, cred="MD")
        self._nh: Facility | None = None
        self.ems = draw_facility(r, "ems", self.home)
        # House style.
        self.font = r.choice(fonts)
        self.pt_size = r.choice((10, 10.5, 11, 11, 11.5, 12))
        self.spacing = r.uniform(1.12, 1.5)
        self.date_style = r.choices(FULL_DATE_STYLES, (6, 4, 4, 2, 2, 3, 2, 1, 1, 1))[0]
        self.alt_date_style = r.choice(FULL_DATE_STYLES)
        self.partial_style = r.choice(PARTIAL_STYLES)
        self.phone_style = r.choice(("paren", "paren", "dot", "dash", "dash", "space"))
        self.heading = r.choice(HEADING_STYLES)
        self.sec_no = 0
        self.header_layout = r.choice(("two_col", "one_col", "inline"))
        self.labels = {k: r.choice(v) for k, v in LABELS.items()}
        self.head_name_form = r.choice(("INV", "INV", "inv", "CAPS", "INV2", "full"))
        self.lower_relatives = kind == "ed-note" and r.random() < 0.5
        self.gap = r.choice((0.4, 0.6, 0.9))
        self.adm = self.doc_date - timedelta(days=r.randrange(2, 9))
        # Who sent the document when it came by fax (the letterhead's practice for letters).
        self.sender: Facility | None = None

    # -- people and places ----------------------------------------------------------------
    @property
    def nh(self) -> Facility:
        if self._nh is None:
            self._nh = draw_facility(self.rng, "nursing_home", draw_place(self.rng, suite=0.0))
        return self._nh

    def pt(self, run: Run, form: str | None = None) -> Run:
        """The patient's name in the given or a drawn form."""
        return name(
            run,
            self.patient,
            form or self.rng.choice(("title", "title", "full", "CAPS")),
            "patient",
        )

    def prov(self, run: Run, p: Person, form: str | None = None, cred: bool = True) -> Run:
        """A provider's name, with credentials after a comma when the form is a full name."""
        form = form or self.rng.choice(("full", "full", "full_mi", "initial", "CAPS"))
        name(run, p, form, "provider")
        if cred and p.cred and form in ("full", "full_mi", "initial", "CAPS"):
            run.t(f", {p.cred}")
        return run

    def facility(self, run: Run, f: Facility, short_ok: bool = True) -> Run:
        """A facility by name, or by its abbreviation once the name has been printed."""
        if f is self.hosp:
            self.hosp_mentions += 1
            if short_ok and self.hosp_mentions > 1 and self.rng.random() < 0.6 and len(f.abbr) >= 2:
                return run.p("FACILITY", f.abbr, abbreviation=True)
        return run.p("FACILITY", f.name)

    def city_line(self, run: Run, pl: Place) -> Run:
        """'Ellicott City, MD 21043' with CITY and ZIP_CODE marked and the state left out."""
        run.p("CITY", pl.city.upper() if self.rng.random() < 0.1 else pl.city)
        run.t(self.rng.choice((", ", ", ", " ")) + pl.state + self.rng.choice(("  ", " ")))
        return run.p("ZIP_CODE", pl.zip)

    # -- dates, phones, ages ---------------------------------------------------------------
    def write_date(self, run: Run, d: date, style: str | None = None) -> Run:
        style = style or (self.date_style if self.rng.random() < 0.8 else self.alt_date_style)
        return run.p("DATE", fmt_date(d, style))

    def write_pdate(self, run: Run, d: date, style: str | None = None) -> Run:
        style = style or self.partial_style
        if style == "the_ord":
            run.t("the ")
        return run.p("DATE", fmt_date(d, style), partial=True)

    def phone(
        self, run: Run, tup: tuple[str, str, str], style: str | None = None, ext: bool = False
    ) -> Run:
        s = fmt_phone(*tup, style or self.phone_style)
        if ext:
            s += self.rng.choice(
                (f" x{self.rng.randrange(100, 999)}", f" ext. {self.rng.randrange(10, 9999)}")
            )
        return run.p("PHONE_NUMBER", s)

    def age_run(self, run: Run, form: str) -> Run:
        """'93 y/o', '93-year-old', '93 yo', '93F': only ages over 89 are marked."""
        a = str(self.age)
        if self.age > 89:
            run.p("AGE", a)
        else:
            run.t(a)
        return run.t(form)

    def sexword(self, kind: str) -> str:
        m = self.patient.gender == "male"
        return {
            "man": "man" if m else "woman",
            "male": "male" if m else "female",
            "MF": "M" if m else "F",
        }[kind]

    # -- templates --------------------------------------------------------------------------
    def fill(self, template: str, run: Run | None = None) -> Run:
        """Expand [[term]] and {slot} markers into a Run."""
        run = run or Run()
        m_ = self.patient.gender == "male"
        pron = {
            "he": "he" if m_ else "she",
            "him": "him" if m_ else "her",
            "his": "his" if m_ else "her",
        }
        pos = 0
        for m in re.finditer(r"\[\[(.+?)\]\]|\{(\w+)([+-]\d+)?\}", template):
            run.t(template[pos : m.start()])
            pos = m.end()
            if m.group(1):
                run.c(m.group(1))
                continue
            slot, off = m.group(2), m.group(3)
            if slot.lower() in pron:
                w = pron[slot.lower()]
                run.t(w.capitalize() if slot[0].isupper() else w)
            elif slot == "pt":
                if self.rng.random() < 0.3:
                    run.t("the patient")
                else:
                    self.pt(run, self.rng.choice(("title", "title", "title", "full")))
            elif slot == "Pt":
                self.pt(run, "title") if self.rng.random() < 0.75 else run.t("The patient")
            elif slot == "pt_intro":
                self.intro(run)
            elif slot == "relword":
                run.t(self.relword)
            elif slot == "relname":
                name(run, self.rel, "lower" if self.lower_relatives else "given", "relative")
            elif slot == "hosp":
                self.facility(run, self.hosp)
            elif slot == "pcp":
                name(
                    run,
                    self.pcp,
                    "dr" if self.pcp.cred not in ("NP", "PA-C") else "full",
                    "provider",
                )
            elif slot == "cons":
                name(run, self.cons, self.rng.choice(("dr", "dr", "drfull")), "provider")
            elif slot == "nh":
                self.facility(run, self.nh)
            elif slot == "city":
                run.p("CITY", self.home.city)
            elif slot == "visit":
                self.write_date(run, self.doc_date)
            elif slot == "adm" and off:
                self.write_pdate(run, self.adm + timedelta(days=int(off)))
            elif slot == "adm":
                self.write_date(run, self.adm)
            else:
                raise KeyError(slot)
        return run.t(template[pos:])

    def intro(self, run: Run) -> Run:
        """'Mr. Eze is a 93 y/o man', 'This is a 67 yo F', 'Pt is a 93-year-old woman'."""
        r = self.rng
        lead = r.choice(("title", "title", "full", "pt", "this", "the"))
        if lead in ("title", "full"):
            self.pt(run, lead).t(" is a ")
        else:
            run.t({"pt": "Pt is a ", "this": "This is a ", "the": "The patient is a "}[lead])
        form = r.choice(("yo", "year", "yo_mf", "yr"))
        if form == "yo_mf":
            return self.age_run(run, f" yo {self.sexword('MF')}")
        if form == "year":
            return self.age_run(run, f"-year-old {self.sexword('man')}")
        if form == "yr":
            return self.age_run(run, f" yr old {self.sexword('male')}")
        return self.age_run(run, f" y/o {self.sexword('man')}")

    # -- blocks -----------------------------------------------------------------------------
    def heading_paras(self, label: str) -> list[Para]:
        st = self.heading
        if st == "runin":
            return []
        if st == "numbered":
            self.sec_no += 1
            return [Para(Run().t(f"{self.sec_no}. {label.upper()}"), bold=True, gap=self.gap)]
        if st == "title_underline":
            return [Para(Run().t(title_case(label)), bold=True, underline=True, gap=self.gap)]
        if st == "caps_bold":
            return [Para(Run().t(label.upper()), bold=True, gap=self.gap)]
        return [Para(Run().t(label.upper() + ":"), gap=self.gap)]

    def section(self, out: list[Para], label: str, body: list[Run], items: bool = False) -> None:
        """A headed section; list sections get hanging indents."""
        heads = self.heading_paras(label)
        out += heads
        for i, run in enumerate(body):
            if not heads and i == 0:
                run = Run().t(label.upper() + ": ").extend(run)
                out.append(Para(run, gap=self.gap))
                continue
            out.append(
                Para(
                    run,
                    indent=40 if items else 0,
                    hang=60 if items else 0,
                    gap=0.0 if items or i == 0 else 0.3,
                )
            )

    def fields(self, out: list[Para], pairs: list[tuple[str, Run]]) -> None:
        """A patient header block: label/value pairs, in two columns, one column or run on."""
        runs = [Run().t(self.labels.get(k, k) + " ").extend(v) for k, v in pairs]
        if self.header_layout == "two_col":
            for i in range(0, len(runs), 2):
                out.append(Para(runs[i], right=runs[i + 1] if i + 1 < len(runs) else None))
        elif self.header_layout == "one_col":
            out += [Para(r) for r in runs]
        else:
            line = Run()
            for i, r in enumerate(runs):
                if i:
                    line.t("   ")
                line.extend(r)
            out.append(Para(line))

    def std_pairs(self, *keys: str) -> list[tuple[str, Run]]:
        """Label/value pairs for the common header fields."""
        vals: dict[str, Callable[[], Run]] = {
            "name": lambda: name(Run(), self.patient, self.head_name_form, "patient"),
            "mrn": lambda: Run().p("MRN", self.mrn),
            "dob": lambda: self.write_date(Run(), self.dob),
            "acct": lambda: Run().p("ID", self.acct, subtype="account"),
            "adm": lambda: self.write_date(Run(), self.adm),
            "dc": lambda: self.write_date(Run(), self.doc_date),
            "pcp": lambda: self.prov(Run(), self.pcp, "full"),
            "sex": lambda: Run().t(
                self.sexword("MF") if self.rng.random() < 0.5 else self.sexword("male").title()
            ),
            "age": lambda: self.age_run(Run(), self.rng.choice(("", "Y", " yrs"))),
        }
        return [(k, vals[k]()) for k in keys]

    def letterhead(self, out: list[Para], f: Facility, extra: str = "") -> None:
        """Facility name, address and contacts at the top of the page."""
        r = self.rng
        align = r.choice(("center", "center", "left"))
        out.append(
            Para(
                Run().p("FACILITY", f.name.upper() if r.random() < 0.5 else f.name),
                bold=True,
                scale=1.3,
                align=align,
            )
        )
        if extra:
            out.append(Para(Run().t(extra), align=align, scale=0.95))
        addr = Run().p("STREET_ADDRESS", f.place.street).t(r.choice((", ", "  |  ", " - ")))
        self.city_line(addr, f.place)
        out.append(Para(addr, align=align, scale=0.9))
        tel = (
            Run()
            .t(r.choice(("Tel ", "Phone: ", "P ", "T: ")))
            .p("PHONE_NUMBER", fmt_phone(*f.phone, self.phone_style))
        )
        tel.t(r.choice(("   Fax ", "  |  Fax: ", "   F: "))).p(
            "PHONE_NUMBER", fmt_phone(*f.fax, self.phone_style)
        )
        out.append(Para(tel, align=align, scale=0.9))
        if r.random() < 0.6:
            out.append(Para(Run().p("URL", f.web), align=align, scale=0.9))
        out.append(Para(Run(), style="rule"))

    def dt_footer(self, out: list[Para], author: Person) -> None:
        """Dictated / transcribed lines and the job number, as transcription services print them."""
        r = self.rng
        d1 = self.doc_date
        d2 = d1 + timedelta(days=r.choice((0, 1, 1, 2)))
        t1, t2 = (
            f"{r.randrange(6, 23):02d}:{r.randrange(60):02d}",
            f"{r.randrange(6, 23):02d}:{r.randrange(60):02d}",
        )
        st = r.choice(("mdY", "mdy", "mdY1"))
        run = Run()
        v = r.randrange(3)
        if v == 0:
            run.t("D: ")
            self.write_date(run, d1, st).t(f" {t1}   T: ")
            self.write_date(run, d2, st).t(f" {t2}   Job #")
        elif v == 1:
            run.t("DD: ")
            self.write_date(run, d1, st).t("  DT: ")
            self.write_date(run, d2, st).t("  Job: ")
        else:
            run.t("Dictated: ")
            self.write_date(run, d1, st).t(f" {t1.replace(':', '')} / Transcribed: ")
            self.write_date(run, d2, st).t(f" {t2.replace(':', '')} / Job ID ")
        run.p("ID", draw_job(r), subtype="job_number")
        out.append(Para(run, gap=self.gap, scale=0.9))
        if r.random() < 0.5:
            out.append(
                Para(Run().t("Dictated by: ").extend(self.prov(Run(), author, "full")), scale=0.9)
            )

    def cc_line(self, out: list[Para]) -> None:
        """cc: the PCP and their practice, sometimes with the practice fax."""
        r = self.rng
        run = Run().t(r.choice(("cc: ", "CC: ", "cc:  ")))
        self.prov(
            run,
            self.pcp,
            r.choice(("full", "initial", "dr" if self.pcp.cred not in ("NP", "PA-C") else "full")),
        )
        run.t(r.choice((", ", " - ", " at ")))
        run.p("FACILITY", self.pcp_practice.name)
        if r.random() < 0.5:
            run.t(r.choice((", fax ", " (fax) ", " F: ")))
            self.phone(run, self.pcp_practice.fax)
        out.append(Para(run, gap=0.3))

    def esign(self, out: list[Para], who: Person, d: date, prefix: str = "") -> None:
        """'Electronically signed by X, MD on <date> at <time>'."""
        r = self.rng
        run = Run().t(
            prefix
            or r.choice(
                (
                    "Electronically signed by: ",
                    "Electronically signed by ",
                    "E-signed: ",
                    "Signed: ",
                )
            )
        )
        self.prov(run, who, r.choice(("full", "full_mi", "CAPS", "initial")))
        run.t(" on ")
        self.write_date(run, d)
        run.t(f" at {r.randrange(1, 13)}:{r.randrange(60):02d} {r.choice(('AM', 'PM'))}")
        out.append(Para(run, gap=self.gap))

    def med_line(self, drug: str, dose: str, note: str = "") -> Run:
        run = Run().c(drug)
        if dose:
            run.t(" " + dose)
        if note:
            run.t(f" ({note})" if self.rng.random() < 0.6 else f" -- {note}")
        return run


# ---------------------------------------------------------------------------------------------
# Writers, one per kind. Each returns the body paragraphs and the running-header callables.

PageFn = Callable[[int, int], Run]


def _terms_list(items: list[str]) -> str:
    marked = [f"[[{x}]]" for x in items]
    return ", ".join(marked[:-1]) + " and " + marked[-1] if len(marked) > 1 else marked[0]


def _practice(ctx: Ctx, spec: str) -> Facility:
    r = ctx.rng
    f = draw_facility(r, "practice", draw_place(r, suite=0.6))
    lead = r.choice((r.choice(REGIONS), draw_person(r).family, f.place.city))
    f.name = f"{lead} {spec}{r.choice(('', ' Associates', ', P.A.', ' Group'))}"
    f.abbr = abbreviate(f.name)
    slug = _slug(f.name)
    f.web = r.choice((f"www.{slug}.com", f"https://{slug}.org", f"www.{slug}.net"))
    f.email_domain = f.web.split("www.")[-1].split("//")[-1]
    return f


def cont_header(ctx: Ctx, title: str) -> PageFn:
    """Running header on continuation pages: patient, MRN, title, page x of n."""
    form = ctx.rng.choice(("INV", "inv", "CAPS"))
    with_mrn = ctx.rng.random() < 0.7

    def fn(page: int, total: int) -> Run:
        run = name(Run(), ctx.patient, form, "patient")
        if with_mrn:
            run.t("   MRN: ").p("MRN", ctx.mrn)
        return run.t(f"   {title}   Page {page + 1} of {total}")

    return fn


def fax_header(ctx: Ctx, sender: Facility) -> PageFn:
    """The line a fax machine prints across the top of every page it sends."""
    r = ctx.rng
    when = ctx.doc_date + timedelta(days=r.randrange(0, 12))
    hh, mm = r.randrange(7, 19), r.randrange(60)
    style = r.randrange(4)
    label = sender.name.upper()[: r.choice((16, 20, 40))].strip()
    to = (
        r.choice(ctx.hosp.place.areas),
        f"{r.randrange(2, 10)}{r.randrange(10)}{r.randrange(10)}",
        digits(r, 4),
    )

    def fn(page: int, total: int) -> Run:
        run = Run()
        if style == 0:
            run.p("DATE", fmt_date(when, "mdY")).t(f" {hh:02d}:{mm:02d}   ")
            run.p("PHONE_NUMBER", fmt_phone(*sender.fax, "plain")).t("   ").p("FACILITY", label)
            run.t(f"   PAGE {page + 1:02d}/{total:02d}")
        elif style == 1:
            run.p(
                "DATE",
                fmt_date(when, "dMONY")
                .replace(f"{when.day:02d}-", "", 1)
                .replace("-", f"-{when.day:02d}-", 1),
            )
            run.t(f" {hh:02d}:{mm:02d} FROM:").p("FACILITY", label).t(" ").p(
                "PHONE_NUMBER", fmt_phone(*sender.fax, "space")
            )
            run.t("  TO:").p("PHONE_NUMBER", "1" + fmt_phone(*to, "plain")).t(
                f"   P.{page + 1}/{total}"
            )
        elif style == 2:
            run.p("DATE", fmt_date(when, "abbr").replace(",", "")).t(
                f" {(hh - 1) % 12 + 1}:{mm:02d}{'AM' if hh < 12 else 'PM'}"
            )
            run.t("   ").p("FACILITY", label).t("   ").p(
                "PHONE_NUMBER", fmt_phone(*sender.fax, "dash")
            ).t(f"   p.{page + 1}")
        else:
            run.p("DATE", when.isoformat()).t(f" {hh:02d}:{mm:02d}  ").p(
                "PHONE_NUMBER", fmt_phone(*sender.fax, "paren")
            )
            run.t("  >>  ").p("PHONE_NUMBER", fmt_phone(*to, "plain")).t("   ").p("FACILITY", label)
            run.t(f"   Pg {page + 1} of {total}")
        return run

    return fn


def _doc_header(ctx: Ctx, out: list[Para], title: str, facility: Facility | None = None) -> None:
    r = ctx.rng
    f = facility or ctx.hosp
    if f is ctx.hosp:
        ctx.hosp_mentions += 1
    if r.random() < 0.55:
        ctx.letterhead(out, f)
    else:
        out.append(
            Para(
                Run().p("FACILITY", f.name.upper() if r.random() < 0.6 else f.name),
                bold=True,
                scale=1.25,
                align=r.choice(("center", "left")),
            )
        )
    out.append(
        Para(
            Run().t(title if r.random() < 0.6 else title_case(title)),
            bold=True,
            scale=1.15,
            align=r.choice(("center", "left")),
            gap=0.5,
        )
    )


def _field(ctx: Ctx, label: str, value: Run) -> Para:
    """'LABEL: value' on one wrapped line, label cased like the document's headings."""
    lab = title_case(label) if ctx.heading == "title_underline" else label.upper()
    return Para(Run().t(f"{lab}: ").extend(value), gap=0.25)


def write_discharge(ctx: Ctx) -> tuple[list[Para], str]:
    """A hospital discharge summary."""
    r = ctx.rng
    sc = r.choice(MEDICAL)
    out: list[Para] = []
    title = r.choice(
        ("DISCHARGE SUMMARY", "HOSPITAL DISCHARGE SUMMARY", "DISCHARGE SUMMARY / TRANSFER NOTE")
    )
    _doc_header(ctx, out, title)
    att = draw_person(r, cred=r.choice(CREDS))
    pairs = ctx.std_pairs("name", "mrn", "dob", "acct", "adm", "dc")
    pairs.append(("att", ctx.prov(Run(), att, r.choice(("full", "INV", "full_mi")))))
    pairs.append(("pcp", ctx.prov(Run(), ctx.pcp, "full")))
    if r.random() < 0.6:
        pairs.append(("loc", Run().p("FACILITY", draw_unit(r)).t(f" Rm {r.randrange(201, 999)}")))
    ctx.fields(out, pairs)
    ctx.section(out, "Admission Diagnosis", [ctx.fill(sc["dx"])])
    dx = [ctx.fill(f"1. {sc['dx']}")] + [
        Run().t(f"{i + 2}. ").c(p) for i, p in enumerate(sc["pmh"][:3])
    ]
    ctx.section(out, "Discharge Diagnoses", dx, items=True)
    cons = Run().t(f"{sc['spec']} - ")
    name(cons, ctx.cons, r.choice(("drfull", "full", "dr")), "provider")
    ctx.section(out, "Consultants", [cons])
    hpi = "{pt_intro} with a history of " + _terms_list(sc["pmh"]) + " " + sc["hpi"]
    ctx.section(out, "History of Present Illness", [ctx.fill(hpi)])
    opening = ctx.fill("{Pt} presented to the {hosp} emergency department and was admitted to ")
    opening.p("FACILITY", draw_unit(r)).t(" under the hospitalist service.")
    course = [opening] + [ctx.fill(("# " if r.random() < 0.3 else "") + c) for c in sc["course"]]
    ctx.section(out, "Hospital Course", course)
    ctx.section(
        out,
        "Condition at Discharge",
        [
            Run().t(
                r.choice(
                    (
                        "Stable. Ambulating with a walker, tolerating a regular diet.",
                        (
                            "Good. Afebrile, hemodynamically stable, pain controlled on oral"
                            " medications."
                        ),
                        "Fair; at baseline mental status.",
                    )
                )
            )
        ],
    )
    if sc.get("nh") or (ctx.age > 85 and r.random() < 0.5):
        dispo = Run().t(r.choice(("Skilled nursing facility: ", "Discharged to ", "SNF - ")))
        ctx.facility(dispo, ctx.nh).t(
            ", "
            + r.choice(
                (
                    "report called to the charge nurse",
                    "transported by wheelchair van",
                    "bed confirmed",
                )
            )
            + "."
        )
    else:
        dispo = ctx.fill(
            r.choice(
                (
                    "Home with {his} {relword} {relname}.",
                    "Home with home health services; {relword} {relname} to assist.",
                    "Home, self-care. {His} {relword} {relname} picked {him} up.",
                )
            )
        )
    ctx.section(out, "Disposition", [dispo])
    meds = [ctx.med_line(d, dose, note) for d, dose, note in sc["meds"]]
    if r.random() < 0.5:
        meds = [Run().t(f"{i + 1}. ").extend(m) for i, m in enumerate(meds)]
    ctx.section(out, "Discharge Medications", meds, items=True)
    ctx.section(
        out,
        "Allergies",
        [
            Run().t(r.choice(("NKDA", "No known drug allergies.")))
            if r.random() < 0.6
            else Run()
            .c(r.choice(("penicillin", "sulfa", "codeine", "iodinated contrast")))
            .t(r.choice((" (rash)", " - hives", " (nausea)")))
        ],
    )
    # Follow-up, as clinicians write it: doctor, practice and a bare day of the month; a first name.
    fu_prac = _practice(ctx, sc["spec"])
    d_fu = ctx.doc_date + timedelta(days=r.randrange(5, 24))
    fu1 = Run().t("Follow up with ")
    name(fu1, ctx.cons, r.choice(("drfull", "dr")), "provider").t(" at ").p(
        "FACILITY", fu_prac.name
    ).t(" on ")
    ctx.write_pdate(fu1, d_fu, r.choice(("the_ord", "md", "month_day", "the_ord")))
    fu1.t(
        f" at {r.randrange(8, 12)}:{r.choice(('00', '15', '30', '45'))} AM"
        if r.random() < 0.5
        else "."
    )
    if r.random() < 0.6:
        fu1.t(" Phone ")
        ctx.phone(fu1, fu_prac.phone)
    fu2 = Run().t("PCP ")
    name(fu2, ctx.pcp, "dr" if ctx.pcp.cred not in ("NP", "PA-C") else "full", "provider").t(
        " within 1 week"
    )
    if r.random() < 0.5:
        fu2.t(", ")
        ctx.phone(fu2, ctx.pcp_practice.phone, ext=r.random() < 0.3)
    nurse = draw_person(r, cred="NP")
    fu3 = (
        Run().t(r.choice(("see ", "See ", "Please see "))).p("PERSON", nurse.given, role="provider")
    )
    fu3.t(
        f" ({sc['spec'].lower()} NP) in 2 weeks."
        if r.random() < 0.5
        else " in 2 weeks for a recheck."
    )
    ctx.section(out, "Follow-up", [fu1, fu2, fu3], items=True)
    if r.random() < 0.5:
        pend = Run().t("Blood cultures from ")
        ctx.write_pdate(pend, ctx.adm, "md").t(
            " final results pending at discharge; to be followed by the discharging team."
        )
        ctx.section(out, "Pending Results", [pend])
    ctx.esign(out, att, ctx.doc_date + timedelta(days=r.choice((0, 1))))
    ctx.dt_footer(out, att)
    ctx.cc_line(out)
    return out, title


def write_operative(ctx: Ctx) -> tuple[list[Para], str]:
    """An operative or procedure note with implants and specimens."""
    r = ctx.rng
    pr = r.choice(PROCEDURES)
    out: list[Para] = []
    _doc_header(ctx, out, pr["title"])
    surgeon = draw_person(r, cred=r.choice(("MD", "MD, FACS", "DO", "MD")))
    dos = ctx.doc_date
    pairs = ctx.std_pairs("name", "mrn", "dob")
    dl = r.choice(("Date of Surgery:", "DOS:", "Date of Procedure:", "PROCEDURE DATE:"))
    pairs.append((dl, ctx.write_date(Run(), dos)))
    if r.random() < 0.6:
        pairs.append(
            (
                "Location:",
                Run()
                .p(
                    "FACILITY",
                    draw_person(r).family
                    + " "
                    + r.choice(
                        (
                            "Pavilion",
                            "Surgical Pavilion",
                            "Ambulatory Surgery Center",
                            "Heart Institute",
                        )
                    ),
                )
                .t(f" OR {r.randrange(1, 20)}"),
            )
        )
    else:
        pairs.append(("Location:", Run().t(f"Main OR, Room {r.randrange(1, 20)}")))
    ctx.fields(out, pairs)
    out.append(_field(ctx, "Preoperative diagnosis", ctx.fill(pr["pre"])))
    out.append(
        _field(
            ctx, "Postoperative diagnosis", ctx.fill("same" if pr["post"] == "same" else pr["post"])
        )
    )
    out.append(_field(ctx, "Procedure", ctx.fill(pr["proc"])))
    out.append(
        _field(
            ctx,
            "Surgeon" if pr["title"].startswith("OPER") else "Proceduralist",
            ctx.prov(Run(), surgeon, r.choice(("full", "full_mi", "CAPS"))),
        )
    )
    asst = draw_person(r, cred=r.choice(("MD", "PA-C", "MD")))
    arun = ctx.prov(Run(), asst, "full")
    if asst.cred == "MD":
        arun.t(f" (PGY-{r.randrange(2, 6)})")
    out.append(_field(ctx, "Assistant", arun))
    out.append(_field(ctx, "Anesthesia", ctx.fill(pr["anesth"])))
    an = draw_person(r, cred="MD")
    anr = ctx.prov(Run(), an, r.choice(("full", "initial")))
    if r.random() < 0.6:
        anr.t("; CRNA: ")
        crna = draw_person(r, cred="CRNA")
        ctx.prov(anr, crna, "full")
    out.append(_field(ctx, "Anesthesiologist", anr))
    out.append(_field(ctx, "Estimated blood loss", Run().t(pr["ebl"])))
    out.append(_field(ctx, "Drains", Run().t(pr["drains"])))
    if pr["specimens"]:
        acc = draw_accession(r, dos.year, path=True)
        sp = Run()
        for i, s in enumerate(pr["specimens"]):
            sp.t(f"{'; ' if i else ''}{'AB'[i]}. {s} to pathology")
        opener, closer = r.choice(((" (", ")"), (", accession ", ""), (" - Path #", "")))
        sp.t(opener).p("ID", acc, subtype="accession").t(closer)
        out.append(_field(ctx, "Specimens", sp))
    else:
        out.append(_field(ctx, "Specimens", Run().t("none")))
    if pr["implants"]:
        out += ctx.heading_paras("Implants") or [Para(Run().t("IMPLANTS:"), gap=0.25)]
        for desc, ref in pr["implants"]:
            lot, sn = draw_serial(r)
            run = Run().t(f"{desc}, REF {ref}, LOT ").p("ID", lot, subtype="device_serial")
            if r.random() < 0.7:
                run.t(", SN ").p("ID", sn, subtype="device_serial")
            out.append(Para(run, indent=40, hang=60))
    out.append(_field(ctx, "Complications", Run().t("none apparent")))
    ctx.section(out, "Indications", [ctx.fill(pr["ind"])])
    ctx.section(out, "Description of Procedure", [ctx.fill(p) for p in pr["desc"]])
    end = Run()
    name(end, surgeon, "dr", "provider").t(
        " was present and scrubbed for the entire procedure. The patient tolerated it well"
        " and went to the PACU in stable condition."
    )
    if r.random() < 0.6:
        end.t(" ")
        ctx.fill("{His} {relword} {relname} was updated by phone at ", end)
        ctx.phone(end, draw_phone(r, ctx.home)).t(".")
    ctx.section(out, "Disposition", [end])
    ctx.esign(out, surgeon, dos + timedelta(days=r.choice((0, 0, 1))))
    ctx.dt_footer(out, surgeon)
    if r.random() < 0.5:
        ctx.cc_line(out)
    return out, pr["title"]


def write_imaging(ctx: Ctx) -> tuple[list[Para], str]:
    """A radiology report (most) or a surgical pathology report."""
    r = ctx.rng
    if r.random() < 0.3:
        return write_pathology(ctx)
    st = r.choice(STUDIES)
    out: list[Para] = []
    site = draw_facility(r, "imaging", ctx.hosp.place) if r.random() < 0.4 else ctx.hosp
    title = r.choice(
        (
            "RADIOLOGY REPORT",
            "DIAGNOSTIC IMAGING REPORT",
            "IMAGING REPORT",
            "DEPARTMENT OF RADIOLOGY",
        )
    )
    _doc_header(ctx, out, title, site)
    acc = draw_accession(r, ctx.doc_date.year)
    orderer = draw_person(r, cred=r.choice(("MD", "DO", "PA-C", "NP")))
    pairs = ctx.std_pairs("name", "mrn", "dob", r.choice(("sex", "age")))
    pairs.append(
        (
            r.choice(("Accession #:", "Acc:", "ACC NO:", "Accession:")),
            Run().p("ID", acc, subtype="accession"),
        )
    )
    exam_when = ctx.write_date(Run(), ctx.doc_date).t(
        f" {r.randrange(0, 24):02d}:{r.randrange(60):02d}"
    )
    pairs.append(
        (r.choice(("Exam Date:", "Date of Service:", "DOS:", "Exam Date/Time:")), exam_when)
    )
    pairs.append(
        (
            r.choice(("Ordering Physician:", "Ordered by:", "Referring:", "Ordering Provider:")),
            ctx.prov(Run(), orderer, r.choice(("full", "INV", "initial"))),
        )
    )
    loc = Run()
    if r.random() < 0.5:
        loc.p("FACILITY", draw_unit(r))
    else:
        loc.t(r.choice(("ED", "Outpatient", "Emergency Dept", "Inpatient")))
    pairs.append(("loc", loc))
    ctx.fields(out, pairs)
    out.append(_field(ctx, "Exam", Run().t(st["exam"])))
    hist = Run()
    ctx.age_run(
        hist,
        r.choice(
            (f" y/o {ctx.sexword('male')}", f"-year-old {ctx.sexword('man')}", ctx.sexword("MF"))
        ),
    )
    ctx.fill(" with " + st["hist"] + ".", hist)
    if ctx.old and r.random() < 0.5:
        ctx.fill(" Resident of {nh}.", hist)
    if r.random() < 0.4:
        ctx.fill(" Per {cons}, evaluate for interval change.", hist)
    ctx.section(out, r.choice(("Clinical History", "Indication", "History")), [hist])
    comp = Run()
    v = r.randrange(4)
    prior = ctx.doc_date - timedelta(days=r.randrange(30, 1500))
    if v == 0:
        comp.t("None.")
    elif v == 1:
        comp.t(f"{st['mod']} ")
        ctx.write_date(comp, prior, r.choice(("mdy", "mdY1", "mdY")))
    elif v == 2:
        comp.t(f"Outside {st['mod']} from ")
        other = draw_facility(r, "hospital", draw_place(r, suite=0.0))
        comp.p("FACILITY", other.name).t(" dated ")
        ctx.write_date(comp, prior)
        comp.t(", images reviewed on PACS.")
    else:
        comp.t("Prior study of ")
        ctx.write_date(comp, prior)
        comp.t(".")
    ctx.section(out, "Comparison", [comp])
    ctx.section(out, "Technique", [ctx.fill(st["tech"])])
    ctx.section(out, "Findings", [ctx.fill(f) for f in st["findings"]])
    imp = [
        ctx.fill(f"{i + 1}. {x}" if len(st["impression"]) > 1 else x)
        for i, x in enumerate(st["impression"])
    ]
    ctx.section(out, "Impression", imp, items=len(imp) > 1)
    rad = draw_person(r, cred="MD")
    if st["critical"] and r.random() < 0.8:
        crit = Run().t("Critical finding discussed with ")
        mid_level = orderer.cred in ("PA-C", "NP")
        name(crit, orderer, "full" if mid_level else r.choice(("dr", "drfull", "full")), "provider")
        crit.t(f" by telephone at {r.randrange(0, 24):02d}{r.randrange(60):02d} on ")
        ctx.write_date(crit, ctx.doc_date, r.choice(("mdY1", "mdy", "mdY")))
        crit.t(" with read-back confirmation.")
        out.append(Para(crit, gap=ctx.gap))
    ctx.esign(out, rad, ctx.doc_date)
    if r.random() < 0.7:
        rs = Run().t(r.choice(("Reading site: ", "Read at: ", "Interpreted at ")))
        reading = draw_facility(r, "imaging", draw_place(r, suite=0.0))
        rs.p("FACILITY", reading.name).t(", ").p("CITY", reading.place.city).t(
            f", {reading.place.state}"
        )
        out.append(Para(rs, scale=0.9))
    return out, title


def write_pathology(ctx: Ctx) -> tuple[list[Para], str]:
    """A surgical pathology report."""
    r = ctx.rng
    pa = r.choice(PATHS)
    out: list[Para] = []
    lab = draw_facility(r, "lab", ctx.hosp.place) if r.random() < 0.4 else ctx.hosp
    title = "SURGICAL PATHOLOGY REPORT"
    _doc_header(ctx, out, title, lab)
    acc = draw_accession(r, ctx.doc_date.year, path=True)
    collected = ctx.doc_date - timedelta(days=r.randrange(1, 5))
    surgeon = draw_person(r, cred="MD")
    pairs = ctx.std_pairs("name", "mrn", "dob")
    pairs.append(
        (
            r.choice(("Case #:", "Accession:", "Path No.:", "CASE:")),
            Run().p("ID", acc, subtype="accession"),
        )
    )
    pairs.append(("Collected:", ctx.write_date(Run(), collected)))
    pairs.append(("Received:", ctx.write_date(Run(), collected + timedelta(days=r.choice((0, 1))))))
    pairs.append(
        (
            r.choice(("Submitting Physician:", "Surgeon:", "Physician:")),
            ctx.prov(Run(), surgeon, r.choice(("full", "INV"))),
        )
    )
    if lab is not ctx.hosp:
        pairs.append(("Facility:", Run().p("FACILITY", ctx.hosp.name)))
    ctx.fields(out, pairs)
    hist = Run()
    ctx.age_run(hist, f" y/o {ctx.sexword('male')}")
    hist.t(" s/p procedure by ")
    name(hist, surgeon, "dr", "provider").t(".")
    ctx.section(out, "Clinical History", [hist])
    ctx.section(out, "Specimen", [Run().t(f"A. {pa['spec']}")])
    ctx.section(out, "Final Diagnosis", [ctx.fill(f"A. {pa['spec']}: {pa['final']}")])
    gross = Run().t(
        r.choice(
            (
                "Received in formalin, labeled with the patient's name, \"",
                'The specimen is received in formalin labeled "',
            )
        )
    )
    name(gross, ctx.patient, r.choice(("inv", "INV2", "full")), "patient").t(
        f'" and "{pa["label"]}," is '
    )
    ctx.fill(pa["gross"], gross)
    grosser = draw_person(r, cred="PA(ASCP)")
    gross.t(" Grossed by ")
    name(gross, grosser, r.choice(("initial", "full")), "provider").t(".")
    ctx.section(out, "Gross Description", [gross])
    ctx.section(out, "Microscopic Description", [ctx.fill(pa["micro"])])
    path = draw_person(r, cred="MD")
    if r.random() < 0.6:
        c = Run().t("Intradepartmental consultation: ")
        name(c, ctx.cons, "dr", "provider").t(" concurs.")
        out.append(Para(c, gap=ctx.gap))
    out.append(
        Para(
            Run().t("I have personally reviewed the slides and rendered the final diagnosis."),
            gap=ctx.gap,
        )
    )
    ctx.esign(
        out, path, ctx.doc_date, prefix=r.choice(("Pathologist: ", "Electronically signed out by "))
    )
    return out, title


def write_ed(ctx: Ctx) -> tuple[list[Para], str]:
    """An emergency department provider note."""
    r = ctx.rng
    sc = r.choice(MEDICAL)
    out: list[Para] = []
    title = r.choice(
        ("EMERGENCY DEPARTMENT PROVIDER NOTE", "ED PHYSICIAN NOTE", "EMERGENCY DEPARTMENT RECORD")
    )
    _doc_header(ctx, out, title)
    arrive = ctx.doc_date
    hh = r.randrange(0, 24)
    doc = draw_person(r, cred=r.choice(("MD", "DO", "MD")))
    pairs = ctx.std_pairs("name", "dob", "mrn", "acct")
    pairs.append(("Arrival:", ctx.write_date(Run(), arrive).t(f" {hh:02d}{r.randrange(60):02d}")))
    by_ems = ctx.old or r.random() < 0.5
    pairs.append(
        (
            "Mode of Arrival:",
            Run().t("EMS - ").p("FACILITY", ctx.ems.name) if by_ems else Run().t("Private vehicle"),
        )
    )
    pairs.append(("pcp", ctx.prov(Run(), ctx.pcp, "full")))
    if r.random() < 0.3:
        pairs.append(("SSN:", Run().p("US_SSN", draw_ssn(r))))
    if r.random() < 0.5:
        plan = r.choice(("Medicare", "Medicaid", "BCBS", "Aetna", "UnitedHealthcare", "CareFirst"))
        pairs.append(
            ("Insurance:", Run().t(f"{plan} ID ").p("ID", draw_member_id(r), subtype="health_plan"))
        )
    ctx.fields(out, pairs)
    ctx.section(out, "Chief Complaint", [Run().t(sc["cc"].capitalize())])
    intro = ctx.intro(Run())
    if sc.get("nh") and r.random() < 0.6:
        intro.t(" brought in from ")
        ctx.facility(intro, ctx.nh)
    else:
        ctx.fill(" brought in by {his} {relword} {relname}", intro)
    intro.t(" with a history of ")
    ctx.fill(_terms_list(sc["pmh"]) + " " + sc["hpi"], intro)
    if by_ems:
        intro.t(" Per ")
        intro.p("FACILITY", ctx.ems.name).t(
            r.choice((" crew, ", ", ")) + "FSBG 142 and vitals stable en route."
        )
    ctx.section(out, "History of Present Illness", [intro])
    ctx.section(out, "Past Medical History", [ctx.fill(", ".join(f"[[{p}]]" for p in sc["pmh"]))])
    meds = [PMH_MEDS[p] for p in sc["pmh"] if p in PMH_MEDS] or ["aspirin 81 mg daily"]
    mrun = Run()
    for i, m in enumerate(meds):
        drug, _, dose = m.partition(" ")
        mrun.t(", " if i else "").c(drug).t(" " + dose)
    ctx.section(out, "Medications", [mrun])
    ctx.section(out, "Allergies", [Run().t("NKDA")])
    soc = Run()
    if sc.get("nh") and ctx._nh is not None:
        soc.t("Resides at ")
        ctx.facility(soc, ctx.nh).t(". ")
    else:
        soc.t("Lives with " if r.random() < 0.7 else "Lives alone in ")
        if soc.text.startswith("Lives with"):
            ctx.fill("{his} {relword} {relname} in ", soc)
        soc.p("CITY", ctx.home.city).t(". ")
    jobs = [e for e in EMPLOYERS if ("retired" in e) == (ctx.age > 68)]
    soc.t(r.choice(jobs).capitalize() + ". ")
    soc.t(
        r.choice(("Former smoker, quit 1998, 30 pack-years. ", "Never smoker. ", "Smokes 1 ppd. "))
    )
    soc.t(r.choice(("Occasional EtOH.", "Denies alcohol or drug use.", "2-3 beers on weekends.")))
    ctx.section(out, "Social History", [soc])
    ctx.section(out, "Review of Systems", [Run().t("10-point ROS negative except as per HPI.")])
    gcs = r.choice((15, 15, 14))
    exam = Run().t(
        f"BP {r.randrange(95, 170)}/{r.randrange(50, 98)} | HR {r.randrange(60, 130)} | "
        f"T {r.uniform(36.4, 39.2):.1f} C | RR {r.randrange(14, 26)} | "
        f"SpO2 {r.randrange(88, 100)}% RA. "
    )
    exam.t("Gen: elderly, NAD. " if ctx.age > 75 else "Gen: uncomfortable-appearing. ").c(
        "Glasgow Coma Scale"
    ).t(f" {gcs}. ")
    exam.t("Heart irregularly irregular. " if sc["key"] == "afib" else "RRR, no murmur. ").t(
        "Lungs with scattered crackles. Abd soft, NT."
    )
    ctx.section(out, "Physical Exam", [exam])
    course = [
        ctx.fill(
            sc["ed"]
            + r.choice(
                (
                    "",
                    " Prior records in the {hosp} system reviewed.",
                    " Last {hosp} admission records reviewed.",
                )
            )
        )
    ]
    t1 = f"{(hh + 1) % 24:02d}{r.randrange(60):02d}"
    call = (
        Run().t(f"{t1} ").t(r.choice(("Spoke with ", "Updated ", "Called "))).t(f"{ctx.relword} ")
    )
    name(
        call, ctx.rel, "lower" if ctx.lower_relatives else r.choice(("given", "full")), "relative"
    ).t(" at ")
    ctx.phone(call, draw_phone(r, ctx.home)).t(".")
    course.append(call)
    hosp = draw_person(r, cred="MD")
    t2 = f"{(hh + 2) % 24:02d}{r.randrange(60):02d}"
    adm = Run().t(f"{t2} Discussed with hospitalist ")
    name(adm, hosp, r.choice(("dr", "drfull")), "provider").t(", who accepts to ")
    adm.p("FACILITY", draw_unit(r)).t(" on telemetry." if r.random() < 0.5 else ".")
    course.append(adm)
    ctx.section(out, "ED Course", course)
    ctx.section(out, "Labs", [ctx.fill(", ".join(sc["labs"]))])
    ctx.section(out, "Impression", [ctx.fill(sc["dx"])])
    ph = draw_facility(r, "pharmacy", ctx.home)
    prun = Run().p("FACILITY", ph.name)
    if r.random() < 0.5:
        prun.t(" on ").p("STREET_ADDRESS", ph.place.street.split(",")[0].split(" ", 1)[1])
    else:
        prun.t(", ").p("STREET_ADDRESS", ph.place.street.split(",")[0]).t(", ")
        ctx.city_line(prun, ph.place)
    prun.t(" ")
    ctx.phone(prun, ph.phone)
    out.append(_field(ctx, "Preferred pharmacy", prun))
    if r.random() < 0.5:
        scribe = draw_person(r)
        sr = Run().t("I, ")
        name(sr, scribe, "full", "other").t(", am scribing for and in the presence of ")
        name(sr, doc, "dr", "provider").t(".")
        out.append(Para(sr, gap=ctx.gap, scale=0.95))
    ctx.esign(out, doc, arrive + timedelta(days=r.choice((0, 0, 1))))
    return out, title


def write_letter(ctx: Ctx) -> tuple[list[Para], str]:
    """A consult letter from an outside practice, as received by fax."""
    r = ctx.rng
    sc = r.choice(MEDICAL)
    out: list[Para] = []
    prac = ctx.sender = _practice(ctx, sc["spec"])
    author = draw_person(r, cred=r.choice(("MD", "MD, FACC", "DO", "MD, FACP", "MD, PhD")))
    ctx.letterhead(
        out,
        prac,
        extra=r.choice(
            ("", f"{sc['spec']} | Consultation Services", "Board Certified in " + sc["spec"])
        ),
    )
    if r.random() < 0.6:
        em = (
            Run()
            .t("E-mail: ")
            .p(
                "EMAIL_ADDRESS",
                r.choice(
                    (
                        f"{author.given[0]}{author.family}".lower()
                        .replace(" ", "")
                        .replace("'", "")
                        + f"@{prac.email_domain}",
                        f"referrals@{prac.email_domain}",
                        f"office@{prac.email_domain}",
                    )
                ),
            )
        )
        out.append(Para(em, scale=0.9))
    out.append(
        Para(
            ctx.write_date(Run(), ctx.doc_date, r.choice(("long", "long", "mdY", "dmy_long"))),
            gap=1.0,
        )
    )
    rcpt = ctx.pcp if ctx.pcp.cred not in ("NP", "PA-C") else draw_person(r, cred="MD")
    out.append(Para(ctx.prov(Run(), rcpt, r.choice(("full", "full_mi"))), gap=0.8))
    dest = r.choice((ctx.pcp_practice, ctx.hosp))
    out.append(Para(Run().p("FACILITY", dest.name)))
    out.append(Para(Run().p("STREET_ADDRESS", dest.place.street)))
    out.append(Para(ctx.city_line(Run(), dest.place)))
    re_ = Run().t(r.choice(("RE: ", "Re: ", "RE:  Patient ")))
    ctx.pt(re_, r.choice(("full", "CAPS", "full_mi", "inv")))
    re_.t(r.choice(("   DOB: ", " (DOB ", ", born ")))
    ctx.write_date(re_, ctx.dob)
    if re_.text.count("(") > re_.text.count(")"):
        re_.t(")")
    out.append(Para(re_, gap=0.8, bold=r.random() < 0.4))
    if r.random() < 0.4:
        out.append(Para(Run().t("MRN: ").p("MRN", ctx.mrn)))
    dear = Run().t("Dear ")
    name(dear, rcpt, r.choice(("dr", "dr", "drfull")), "provider").t(r.choice((",", ":")))
    out.append(Para(dear, gap=0.8))
    first = Run().t("Thank you for referring ")
    ctx.pt(first, "title" if r.random() < 0.7 else "full")
    first.t(", a pleasant ")
    ctx.age_run(first, f"-year-old {ctx.sexword('man')}")
    first.t(", for ongoing care. ")
    out.append(Para(first, gap=0.6))
    for p in sc["letter"]:
        out.append(Para(ctx.fill(p), gap=0.6))
    out += [Para(Run().t("Assessment and Plan:"), gap=0.6, bold=True)]
    for i, p in enumerate(sc["plan"]):
        out.append(Para(ctx.fill(f"{i + 1}. {p}"), indent=40, hang=50))
    close = ctx.fill(
        "Thank you for allowing me to participate in the care of {pt}. Please do not"
        " hesitate to contact me at "
    )
    ctx.phone(close, prac.phone, ext=r.random() < 0.4)
    close.t(" with any questions.")
    out.append(Para(close, gap=0.6))
    out.append(
        Para(
            Run().t(
                r.choice(("Sincerely,", "Sincerely yours,", "Best regards,", "With kind regards,"))
            ),
            gap=0.8,
        )
    )
    out.append(Para(Run(), style="scribble"))
    out.append(Para(ctx.prov(Run(), author, "full")))
    ids = Run().t("NPI: ").p("ID", luhn_npi(r), subtype="npi")
    if r.random() < 0.4:
        ids.t("   DEA: ").p("ID", dea_number(r, author.family), subtype="license")
    if r.random() < 0.4:
        ids.t(f"   {ctx.hosp.place.state} Lic. ").p(
            "ID", r.choice(("D", "MD", "")) + digits(r, 5), subtype="license"
        )
    out.append(Para(ids, scale=0.9))
    cc = Run().t("cc: ")
    ctx.pt(cc, "full").t(r.choice((" (via patient portal)", " (by mail)", "")))
    out.append(Para(cc, gap=0.6))
    if r.random() < 0.5:
        enc = (
            Run()
            .t("Enclosure: ")
            .c("echocardiogram" if sc["spec"] == "Cardiology" else "laboratory")
            .t(" report dated ")
        )
        ctx.write_date(enc, ctx.doc_date - timedelta(days=r.randrange(5, 60)))
        out.append(Para(enc))
    out.append(
        Para(
            Run().t(
                "CONFIDENTIALITY NOTICE: This facsimile contains confidential health"
                " information protected by state and "
                "federal law. If you have received it in error, please notify the sender by"
                " telephone and destroy all copies."
            ),
            gap=1.0,
            scale=0.8,
        )
    )
    return out, "Consultation Letter"


WRITERS: dict[str, Callable[[Ctx], tuple[list[Para], str]]] = {
    "discharge-summary": write_discharge,
    "operative-note": write_operative,
    "radiology-or-pathology-report": write_imaging,
    "ed-note": write_ed,
    "outside-records-letter": write_letter,
}


# ---------------------------------------------------------------------------------------------
# Layout: wrap paragraphs into lines, lines into pages, and record where every span lands.


@dataclass
class Seg:
    """A piece of text drawn at one x on a line, with its spans in line-local offsets."""

    x: float
    text: str
    font: ImageFont.FreeTypeFont
    spans: list[tuple[int, int, Span]]
    underline: bool = False


@dataclass
class Line:
    """One visual line (baseline y) or a drawn rule / signature."""

    y: int
    segs: list[Seg] = field(default_factory=list)
    kind: str = "text"  # text | blank | rule | scribble


@dataclass
class Geometry:
    """Page margins and type for one document."""

    left: int
    right: int
    top: int
    bottom: int
    px: int
    spacing: float
    family: str


def _clip_spans(run: Run, a: int, b: int) -> list[tuple[int, int, Span]]:
    """Spans of run intersected with [a, b), stripped of spaces, as offsets relative to a."""
    got = []
    for s in run.spans:
        lo, hi = max(s.start, a), min(s.end, b)
        while lo < hi and run.text[lo].isspace():
            lo += 1
        while hi > lo and run.text[hi - 1].isspace():
            hi -= 1
        if lo < hi:
            got.append((lo - a, hi - a, s))
    return got


def _wrap(
    run: Run, font: ImageFont.FreeTypeFont, first: float, rest: float
) -> list[tuple[int, int]]:
    """Greedy word wrap; returns [start, end) ranges of run.text, one per line."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", run.text)]
    lines: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for s, e in words:
        if cur is None:
            cur = (s, e)
            continue
        width = first if not lines else rest
        if font.getlength(run.text[cur[0] : e]) <= width:
            cur = (cur[0], e)
        else:
            lines.append(cur)
            cur = (s, e)
    if cur is not None:
        lines.append(cur)
    return lines


class Flow:
    """Places paragraphs on pages top to bottom."""

    def __init__(self, geo: Geometry, first_top: int, next_top: int) -> None:
        self.geo = geo
        self.first_top, self.next_top = first_top, next_top
        self.pages: list[list[Line]] = [[]]
        self.y: float = first_top

    def font(self, p: Para) -> ImageFont.FreeTypeFont:
        fam = MONO_FONTS[0] if p.mono else self.geo.family
        return _font(fam, p.bold, max(20, round(self.geo.px * p.scale)))

    def _room(self, h: float) -> None:
        if self.y + h > PAGE_H - self.geo.bottom and self.pages[-1]:
            self.pages.append([])
            self.y = self.next_top

    def add(self, p: Para) -> None:
        g = self.geo
        font = self.font(p)
        lh = font.size * g.spacing
        ascent = font.getmetrics()[0]
        width = PAGE_W - g.left - g.right
        if p.gap and self.pages[-1] and self.pages[-1][-1].kind != "blank":
            self.y += p.gap * lh
            if self.y < PAGE_H - g.bottom:
                self.pages[-1].append(Line(int(self.y), kind="blank"))
        if p.style == "rule":
            self._room(lh * 0.6)
            self.pages[-1].append(Line(int(self.y + lh * 0.25), kind="rule"))
            self.y += lh * 0.6
            return
        if p.style == "scribble":
            self._room(lh * 2)
            self.pages[-1].append(Line(int(self.y), kind="scribble"))
            self.y += lh * 2
            return
        if p.right is not None:
            colx = g.left + width * 0.52
            lw, rw = font.getlength(p.run.text), font.getlength(p.right.text)
            if lw <= colx - g.left - 30 and rw <= PAGE_W - g.right - colx:
                self._room(lh)
                segs = [
                    Seg(g.left, p.run.text, font, _clip_spans(p.run, 0, len(p.run.text))),
                    Seg(colx, p.right.text, font, _clip_spans(p.right, 0, len(p.right.text))),
                ]
                self.pages[-1].append(Line(int(self.y + ascent), segs))
                self.y += lh
                return
            self.add(Para(p.run, bold=p.bold, scale=p.scale))
            self.add(Para(p.right, bold=p.bold, scale=p.scale))
            return
        for k, (a, b) in enumerate(_wrap(p.run, font, width - p.indent, width - p.indent - p.hang)):
            self._room(lh)
            text = p.run.text[a:b]
            x: float = g.left + p.indent + (p.hang if k else 0)
            if p.align == "center":
                x = (PAGE_W - font.getlength(text)) / 2
            elif p.align == "right":
                x = PAGE_W - g.right - font.getlength(text)
            seg = Seg(x, text, font, _clip_spans(p.run, a, b), p.underline)
            self.pages[-1].append(Line(int(self.y + ascent), [seg]))
            self.y += lh


@dataclass
class PageOut:
    """A laid-out page: its lines, its text and its truth spans (boxes at 300 DPI)."""

    lines: list[Line]
    text: str
    phi: list[dict[str, Any]]
    left: int = 300
    right: int = 300


def _box(seg: Seg, a: int, b: int) -> tuple[float, float, float, float]:
    x = seg.x + seg.font.getlength(seg.text[:a])
    l_, t, r, bt = seg.font.getbbox(seg.text[a:b], anchor="ls")
    return x + l_ - 2, t - 2, x + r + 2, bt + 2


def assemble(lines: list[Line]) -> PageOut:
    """Page text (lines joined by newline, side-by-side segments joined by COL_SEP) and spans."""
    out_lines: list[str] = []
    phi: list[dict[str, Any]] = []
    pos = 0
    for ln in lines:
        if ln.kind in ("rule", "scribble"):
            continue
        if ln.kind == "blank":
            if out_lines and out_lines[-1] != "":
                out_lines.append("")
                pos += 1
            continue
        off = 0
        parts = []
        for j, seg in enumerate(ln.segs):
            if j:
                off += len(COL_SEP)
                parts.append(COL_SEP)
            for a, b, s in seg.spans:
                x0, y0, x1, y1 = _box(seg, a, b)
                item: dict[str, Any] = {
                    "type": s.type,
                    **s.extra,
                    "start": pos + off + a,
                    "end": pos + off + b,
                    "text": seg.text[a:b],
                    "box": [x0, ln.y + y0, x1, ln.y + y1],
                }
                phi.append(item)
            parts.append(seg.text)
            off += len(seg.text)
        out_lines.append("".join(parts))
        pos += off + 1
    while out_lines and out_lines[-1] == "":
        out_lines.pop()
    return PageOut(lines, "\n".join(out_lines), phi)


def layout(ctx: Ctx, paras: list[Para], title: str) -> list[PageOut]:
    """Lay out the body, then add the fax header, continuation header and footer per page."""
    r = ctx.rng
    px = round(ctx.pt_size * DPI / 72)
    geo = Geometry(
        left=r.randrange(210, 380),
        right=r.randrange(210, 340),
        top=r.randrange(180, 300),
        bottom=r.randrange(210, 300),
        px=px,
        spacing=ctx.spacing,
        family=ctx.font,
    )
    faxed = ctx.kind == "outside-records-letter" or r.random() < 0.25
    fax_fn = fax_header(ctx, ctx.sender or ctx.hosp) if faxed else None
    cont_fn = cont_header(ctx, title_case(title) if r.random() < 0.5 else title)
    footer = r.random() < 0.6
    fax_font = _font(MONO_FONTS[r.randrange(len(MONO_FONTS))], False, r.choice((30, 33, 36)))
    small = _font(ctx.font, False, max(28, round(px * 0.85)))
    top = geo.top + (40 if faxed else 0)
    cont_h = int(small.size * 2.2)
    flow = Flow(geo, top, top + cont_h)
    for p in paras:
        flow.add(p)
    pages = flow.pages[:MAX_PAGES]
    total = len(pages)
    outs = []
    for i, body in enumerate(pages):
        lines: list[Line] = []
        if fax_fn is not None:
            run = fax_fn(i, total)
            lines.append(
                Line(
                    90, [Seg(geo.left - 80, run.text, fax_font, _clip_spans(run, 0, len(run.text)))]
                )
            )
        if i > 0:
            run = cont_fn(i, total)
            lines.append(
                Line(
                    top + small.getmetrics()[0],
                    [Seg(geo.left, run.text, small, _clip_spans(run, 0, len(run.text)))],
                )
            )
        lines += body
        if footer:
            txt = f"Page {i + 1} of {total}"
            lines.append(
                Line(
                    PAGE_H - geo.bottom + int(small.size * 1.8),
                    [Seg((PAGE_W - small.getlength(txt)) / 2, txt, small, [])],
                )
            )
        page = assemble(lines)
        page.left, page.right = geo.left, geo.right
        outs.append(page)
    return outs


# Identifier types whose words must not also be printed as ordinary words on the same page
# (a patient named Parkinson beside Parkinson disease would make the truth contradict itself).
_CLASH_TYPES = ("PERSON", "CITY")


def clashes(pages: list[PageOut]) -> bool:
    """True when a name or city token also appears outside identifiers on the same page."""
    for pg in pages:
        chars = list(pg.text)
        for it in pg.phi:
            for k in range(it["start"], it["end"]):
                chars[k] = " "
        plain = {w.lower() for w in re.findall(r"[A-Za-z]+", "".join(chars))}
        for it in pg.phi:
            if it["type"] in _CLASH_TYPES:
                toks = {w.lower() for w in re.findall(r"[A-Za-z]+", it["text"]) if len(w) > 1}
                if toks & plain:
                    return True
    return False


# ---------------------------------------------------------------------------------------------
# Drawing, degradation and saving


def render(page: PageOut, nrng: np.random.Generator) -> np.ndarray:
    """Draw a laid-out page at 300 DPI as an 8-bit grayscale array."""
    img = Image.new("L", (PAGE_W, PAGE_H), 255)
    dr = ImageDraw.Draw(img)
    ink = int(nrng.integers(0, 40))
    for ln in page.lines:
        if ln.kind == "rule":
            dr.line(
                [(page.left, ln.y), (PAGE_W - page.right, ln.y)],
                fill=ink,
                width=int(nrng.integers(3, 7)),
            )
        elif ln.kind == "scribble":
            x = float(page.left + 10)
            pts = []
            for k in range(int(nrng.integers(14, 24))):
                x += float(nrng.uniform(12, 34))
                pts.append(
                    (
                        x,
                        ln.y
                        + 60
                        + 45 * np.sin(k * float(nrng.uniform(0.7, 1.9)))
                        + float(nrng.normal(0, 10)),
                    )
                )
            dr.line(pts, fill=ink, width=5, joint="curve")
        for seg in ln.segs:
            dr.text((seg.x, ln.y), seg.text, font=seg.font, fill=ink, anchor="ls")
            if seg.underline:
                y = ln.y + seg.font.getmetrics()[1] // 2
                dr.line([(seg.x, y), (seg.x + seg.font.getlength(seg.text), y)], fill=ink, width=3)
    return np.asarray(img)


def degrade(
    arr: np.ndarray, level: str, dpi: int, nrng: np.random.Generator
) -> tuple[Image.Image, np.ndarray, float]:
    """Scan or fax a page at dpi: returns the image, the 300-DPI-to-image transform and the skew."""
    if level == "clean":
        return Image.fromarray(arr), np.array([[1.0, 0, 0], [0, 1.0, 0]]), 0.0
    lo, hi = (0.5, 2.0) if level == "moderate" else (0.3, 3.0)
    angle = float(nrng.uniform(lo, hi)) * (1 if nrng.random() < 0.5 else -1)
    s = dpi / DPI
    w, h = round(PAGE_W * s), round(PAGE_H * s)
    small = cv2.resize(arr, (w, h), interpolation=cv2.INTER_AREA)
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    page: np.ndarray = cv2.warpAffine(
        small, rot, (w, h), flags=cv2.INTER_LINEAR, borderValue=255
    ).astype(np.float32)
    transform = rot @ np.array([[s, 0, 0], [0, s, 0], [0, 0, 1.0]])
    if level == "moderate":
        page = cv2.GaussianBlur(page, (0, 0), float(nrng.uniform(0.5, 0.9)))
        tone = np.array(
            [nrng.uniform(242, 252), nrng.uniform(236, 246), nrng.uniform(220, 236)],
            dtype=np.float32,
        )
        rgb = page[..., None] / 255.0 * tone[None, None, :]
        rgb += nrng.normal(0, float(nrng.uniform(3, 7)), size=rgb.shape).astype(np.float32)
        return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB"), transform, angle
    # Heavy: faded, unevenly toned toner, then a fax machine's fixed threshold, speckle, drop-outs.
    field_ = cv2.resize(
        nrng.uniform(0.75, 1.1, size=(6, 5)).astype(np.float32),
        (w, h),
        interpolation=cv2.INTER_CUBIC,
    )
    fade = float(nrng.uniform(0.6, 0.85))
    page = 255 - (255 - page) * fade * field_
    page = cv2.GaussianBlur(page, (0, 0), 0.6)
    bw = page > float(nrng.uniform(160, 190))
    speck = nrng.random(bw.shape) < float(nrng.uniform(0.0004, 0.0015))
    drop = nrng.random(bw.shape) < 0.02
    bw = (bw & ~speck) | (drop & ~bw)
    for _ in range(int(nrng.integers(0, 3))):
        y = int(nrng.integers(0, h - 3))
        bw[y : y + int(nrng.integers(1, 3)), :] ^= nrng.random((1, w)) < 0.3
    return (
        Image.fromarray((bw * 255).astype(np.uint8), "L").convert("1", dither=Image.Dither.NONE),
        transform,
        angle,
    )


def map_box(box: list[float], transform: np.ndarray, w: int, h: int) -> list[int]:
    """Map a 300-DPI box through the scale and skew; bounding box of the corners, clipped."""
    x0, y0, x1, y1 = box
    pts = (
        np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64)
        @ transform.T
    )
    return [
        int(max(0, np.floor(pts[:, 0].min()))),
        int(max(0, np.floor(pts[:, 1].min()))),
        int(min(w - 1, np.ceil(pts[:, 0].max()))),
        int(min(h - 1, np.ceil(pts[:, 1].max()))),
    ]


def _pdf_image(pdf: pikepdf.Pdf, im: Image.Image) -> pikepdf.Stream:
    if im.mode == "RGB":
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=60)
        return pikepdf.Stream(
            pdf,
            buf.getvalue(),
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Image,
            Width=im.width,
            Height=im.height,
            ColorSpace=pikepdf.Name.DeviceRGB,
            BitsPerComponent=8,
            Filter=pikepdf.Name.DCTDecode,
        )
    bits = 1 if im.mode == "1" else 8
    return pikepdf.Stream(
        pdf,
        zlib.compress(im.tobytes(), 9),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=im.width,
        Height=im.height,
        ColorSpace=pikepdf.Name.DeviceGray,
        BitsPerComponent=bits,
        Filter=pikepdf.Name.FlateDecode,
    )


def save(images: list[Image.Image], fmt: str, dpi: int, path: Path) -> None:
    """Write the pages; no timestamps, a content-derived PDF id; temporary name then rename."""
    tmp = path.with_name(path.name + ".part")
    if fmt == "png":
        images[0].save(tmp, "PNG", dpi=(dpi, dpi))
    elif fmt == "jpeg":
        images[0].save(tmp, "JPEG", quality=60, dpi=(dpi, dpi))
    elif fmt == "tiff":
        images[0].save(
            tmp,
            "TIFF",
            compression="group4",
            dpi=(dpi, dpi),
            save_all=True,
            append_images=images[1:],
        )
    else:
        pdf = pikepdf.new()
        for im in images:
            w_pt, h_pt = 612, 792
            xobj = _pdf_image(pdf, im)
            content = pikepdf.Stream(pdf, f"q {w_pt} 0 0 {h_pt} 0 0 cm /Im0 Do Q".encode())
            page = pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, w_pt, h_pt],
                Contents=content,
                Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj)),
            )
            pdf.pages.append(pikepdf.Page(page))
        pdf.save(tmp, deterministic_id=True)
    tmp.replace(path)


EXT = {"png": "png", "jpeg": "jpg", "pdf": "pdf", "tiff": "tif"}


def level_plan(n: int, seed: int) -> list[str]:
    """About 40 % clean, 35 % moderate, 25 % heavy, shuffled per seed."""
    n_clean, n_mod = round(n * 0.40), round(n * 0.35)
    levels = ["clean"] * n_clean + ["moderate"] * n_mod + ["heavy"] * max(0, n - n_clean - n_mod)
    random.Random(f"{FAMILY}-levels-{seed}").shuffle(levels)
    return levels[:n]


def _pick_format(level: str, pages: int, rng: random.Random) -> str:
    if level == "clean":
        return "pdf" if pages > 1 or rng.random() < 0.4 else "png"
    if level == "moderate":
        return "pdf" if pages > 1 or rng.random() < 0.35 else "jpeg"
    return rng.choice(("tiff", "pdf"))


def build_document(
    out: Path, name_: str, kind: str, level: str, seed: int, index: int, fonts: list[str]
) -> None:
    """Draw one document, degrade it, and write its scan and truth."""
    for attempt in range(30):
        rng = random.Random(f"{FAMILY}:{seed}:{index}:{attempt}")
        ctx = Ctx(rng, kind, fonts)
        paras, title = WRITERS[kind](ctx)
        pages = layout(ctx, paras, title)
        if not clashes(pages):
            break
    nrng = np.random.default_rng(rng.getrandbits(64))
    fmt = _pick_format(level, len(pages), rng)
    dpi = {"clean": DPI, "moderate": 200}.get(level) or int(nrng.choice([150, 200]))
    images: list[Image.Image] = []
    truth_pages: list[dict[str, Any]] = []
    for i, pg in enumerate(pages):
        arr = render(pg, nrng)
        im, transform, angle = degrade(arr, level, dpi, nrng)
        images.append(im)
        phi = [{**it, "box": map_box(it["box"], transform, im.width, im.height)} for it in pg.phi]
        truth_pages.append(
            {
                "index": i,
                "width": im.width,
                "height": im.height,
                "rotation": 0,
                "skew": round(angle, 3),
                "text": pg.text,
                "phi": phi,
            }
        )
    scan = out / "scans" / f"{name_}.{EXT[fmt]}"
    save(images, fmt, dpi, scan)
    printed = "\n".join(p["text"] for p in truth_pages)
    terms: list[str] = []
    for p in paras:
        for run in (p.run, p.right):
            for t in run.terms if run else []:
                if t not in terms and t in printed:
                    terms.append(t)
    pt = ctx.patient
    truth = {
        "name": name_,
        "file": f"scans/{scan.name}",
        "family": FAMILY,
        "kind": kind,
        "degradation": level,
        "dpi": dpi,
        "format": fmt,
        "font": ctx.font,
        "patient": {
            "family": pt.family,
            "given": [pt.given],
            "mrn": ctx.mrn,
            "birth_date": ctx.dob.isoformat(),
            "gender": pt.gender,
        },
        "document_date": ctx.doc_date.isoformat(),
        "pages": truth_pages,
        "observations": [],
        "clinical_terms": terms,
    }
    tpath = out / "truth" / f"{name_}.json"
    tmp = tpath.with_name(tpath.name + ".part")
    tmp.write_text(json.dumps(truth, indent=1, ensure_ascii=True) + "\n")
    tmp.replace(tpath)


def generate(out: Path, n: int, seed: int) -> list[str]:
    """Write n dictation documents under out/scans and out/truth; returns their names."""
    out = Path(out)
    (out / "scans").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    fonts = available_fonts()
    levels = level_plan(n, seed)
    names = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        name_ = f"{PREFIX}{i:03d}-{kind}-{levels[i]}"
        build_document(out, name_, kind, levels[i], seed, i, fonts)
        names.append(name_)
    return names


def main(argv: list[str] | None = None) -> None:
    """Command line: --n, --seed, --out."""
    ap = argparse.ArgumentParser(description="Synthetic dictated / typed physician prose, scanned.")
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    for nm in generate(args.out, args.n, args.seed):
        print(nm)


if __name__ == "__main__":
    main()
