"""Synthetic scanned nursing charts: ICU progress notes, shift flowsheets, case-management notes.

Each document is drawn at 300 DPI on a US-letter page, degraded (clean, moderate or heavy), saved
as PDF, PNG, JPEG or TIFF, and described by a truth JSON file that lists the printed text of every
page, every PHI span in it (with its ink box on the saved image) and the clinical words printed.

Run it as ``python -m samples.families.nursing --n 12 --seed 1 --out /tmp/nrs``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import random
import re
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pikepdf
from faker import Faker
from PIL import Image, ImageDraw, ImageFont

FAMILY = "nursing"
KINDS = ("icu-note", "flow-note", "case-management")
KIND_PREFIX = "nrs"
PAGE_W, PAGE_H = 2550, 3300  # US letter at 300 DPI
FORM_GREY = 192  # pre-printed form ruling

# --------------------------------------------------------------------------------------------
# Fonts
# --------------------------------------------------------------------------------------------

_DEJAVU = "/usr/share/fonts/truetype/dejavu/"
_LIBER = "/usr/share/fonts/truetype/liberation/"
FONTS = {
    # name: (regular, bold, size range at 300 DPI)
    "DejaVu Sans Mono": (
        _DEJAVU + "DejaVuSansMono.ttf",
        _DEJAVU + "DejaVuSansMono-Bold.ttf",
        (38, 44),
    ),
    "Liberation Mono": (
        _LIBER + "LiberationMono-Regular.ttf",
        _LIBER + "LiberationMono-Bold.ttf",
        (42, 48),
    ),
    "Liberation Serif": (
        _LIBER + "LiberationSerif-Regular.ttf",
        _LIBER + "LiberationSerif-Bold.ttf",
        (44, 50),
    ),
    "Liberation Sans": (
        _LIBER + "LiberationSans-Regular.ttf",
        _LIBER + "LiberationSans-Bold.ttf",
        (40, 46),
    ),
    "DejaVu Sans": (_DEJAVU + "DejaVuSans.ttf", _DEJAVU + "DejaVuSans-Bold.ttf", (38, 42)),
}
_FONT_CACHE: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    key = (path, size)
    if key not in _FONT_CACHE:
        _FONT_CACHE[key] = ImageFont.truetype(path, size)
    return _FONT_CACHE[key]


# --------------------------------------------------------------------------------------------
# Text runs: plain text or one PHI span
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    """A piece of text; ``phi`` is set when the whole run is one PHI span."""

    text: str
    phi: dict | None = None


def phi(text: str, type_: str, **extra: object) -> Run:
    """Build a PHI run.

    Args:
        text: the span as printed.
        type_: the PHI type (PERSON, DATE, ...).
        **extra: role, partial or subtype.

    Returns:
        The run.
    """
    text = " ".join(text.split())
    return Run(text, {"type": type_, **extra})


_ALT = re.compile(r"\{([^{}]*)\}")
_SLOT = re.compile(r"\[\[(\w+)\]\]")


def expand(rng: random.Random, template: str, **slots: object) -> list[Run]:
    """Expand a phrase template into runs.

    ``{a|b|c}`` picks one alternative, ``{#lo-hi}`` an integer, ``{%lo-hi}`` a number with one
    decimal; ``[[name]]`` is replaced by the run (or runs, or string) given as ``name``.

    Args:
        rng: the document's random generator.
        template: the phrase.
        **slots: values for the ``[[name]]`` slots.

    Returns:
        The runs.
    """
    s = template
    while True:
        m = _ALT.search(s)
        if m is None:
            break
        body = m.group(1)
        if body.startswith("#"):
            lo, hi = body[1:].split("-")
            rep = str(rng.randint(int(lo), int(hi)))
        elif body.startswith("%"):
            lo, hi = body[1:].split("-")
            rep = f"{rng.uniform(float(lo), float(hi)):.1f}"
        else:
            rep = rng.choice(body.split("|"))
        s = s[: m.start()] + rep + s[m.end() :]
    runs: list[Run] = []
    pos = 0
    for m in _SLOT.finditer(s):
        if m.start() > pos:
            runs.append(Run(s[pos : m.start()]))
        val = slots[m.group(1)]
        if isinstance(val, Run):
            runs.append(val)
        elif isinstance(val, list):
            runs.extend(val)
        else:
            runs.append(Run(str(val)))
        pos = m.end()
    if pos < len(s):
        runs.append(Run(s[pos:]))
    return runs


def join_runs(parts: list[list[Run]], sep: str) -> list[Run]:
    """Join run lists with a plain separator."""
    out: list[Run] = []
    for i, p in enumerate(parts):
        if i:
            out.append(Run(sep))
        out.extend(p)
    return out


# --------------------------------------------------------------------------------------------
# ASCII
# --------------------------------------------------------------------------------------------

_SPECIAL = str.maketrans(
    {
        "ı": "i",
        "İ": "I",
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "þ": "th",
    }
)


def ascii_fold(s: str) -> str:
    """Fold a string to ASCII (NFKD, then drop what is left outside ASCII).

    Args:
        s: any string.

    Returns:
        The ASCII string, whitespace collapsed.
    """
    s = unicodedata.normalize("NFKD", s.translate(_SPECIAL))
    return " ".join(s.encode("ascii", "ignore").decode("ascii").split())


# --------------------------------------------------------------------------------------------
# Identities
# --------------------------------------------------------------------------------------------

LOCALE_WEIGHTS = {
    "en_US": 26,
    "en_GB": 5,
    "en_IN": 6,
    "en_IE": 3,
    "en_AU": 3,
    "es_MX": 8,
    "fr_FR": 3,
    "de_DE": 3,
    "pl_PL": 4,
    "it_IT": 3,
    "pt_BR": 4,
    "tr_TR": 3,
    "en_NG": 2,
    "yo_NG": 2,
    "en_PH": 2,
    "hu_HU": 1,
    "ro_RO": 1,
    "west_african": 5,
    "east_asian": 7,
}
_FAKERS: dict[str, Faker] = {}


def _faker(locale: str) -> Faker:
    if locale not in _FAKERS:
        _FAKERS[locale] = Faker(locale)
    return _FAKERS[locale]


WA_MALE = (
    "Chidi Emeka Chinedu Oluwaseun Kwame Kofi Tunde Babajide Ikenna Obinna Yaw Kwesi Segun "
    "Femi Abdoulaye Mamadou Ousmane Uchenna Kelechi Adebayo"
).split()
WA_FEMALE = (
    "Ngozi Chioma Adaeze Amara Funmilayo Yetunde Abena Akosua Efua Nkechi Folake Aminata "
    "Fatoumata Adwoa Ifeoma Chiamaka Ama Blessing"
).split()
WA_FAMILY = (
    "Okafor Eze Adeyemi Okonkwo Mensah Boateng Asante Nwosu Balogun Adebayo Osei Owusu Diallo "
    "Traore Ogunleye Obi Nwankwo Danso Appiah Oyelaran Ekwueme Agyeman Konate"
).split()
EA_SETS = [
    # (male given, female given, family, middle-male, middle-female)
    (
        "Haruto Sota Yuto Hiroshi Takeshi Kenji Ren Daiki".split(),
        "Yui Hina Aoi Sakura Yuki Keiko Emi Haruka".split(),
        "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato".split(),
        [""],
        [""],
    ),
    (
        "Wei Jun Hao Jian Ming Lei Zhiwei Tao".split(),
        "Mei Fang Jing Yan Hui Xiuying Lina Xia".split(),
        "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou".split(),
        [""],
        [""],
    ),
    (
        "Min-jun Ji-ho Seo-jun Dong-hyun Sung-min Jae-won".split(),
        "Ji-woo Seo-yeon Min-seo Soo-jin Hye-jin Eun-ji".split(),
        "Kim Lee Park Choi Jung Kang Cho Yoon".split(),
        [""],
        [""],
    ),
    (
        "Minh Tuan Duc Quang Huy Long Bao".split(),
        "Lan Huong Linh Mai Thao Hoa Ngoc".split(),
        "Nguyen Tran Le Pham Hoang Vu Dang Bui".split(),
        ["Van", "Duc", "Minh"],
        ["Thi", "Ngoc"],
    ),
]
WORD_GIVEN_F = "Hope Rose Joy May Faith Grace Dawn Ivy Summer Iris Holly Star".split()
WORD_GIVEN_M = "Will Bill Grant Mark Rich Jack Art Hunter Chase Miles Bud Sonny".split()
WORD_FAMILY = (
    "Young Sharp Hill Hope Rose King Bird Banks Mann Strong Wood Glass Little Long Rice Frost "
    "Snow Field Bell Love Sweet Moody Cash Major Baker Price Hale"
).split()
NICKNAMES = {
    "William": ["Bill", "Will", "Billy"],
    "Robert": ["Bob", "Bobby", "Rob"],
    "Richard": ["Rich", "Dick", "Rick"],
    "James": ["Jim", "Jimmy"],
    "John": ["Jack", "Johnny"],
    "Margaret": ["Peggy", "Maggie", "Meg"],
    "Elizabeth": ["Liz", "Beth", "Betty", "Lizzie"],
    "Katherine": ["Kathy", "Kate", "Katie"],
    "Kristen": ["Krissy", "Kris"],
    "Christine": ["Chris", "Krissy", "Tina"],
    "Patricia": ["Pat", "Patty", "Trish"],
    "Michael": ["Mike", "Mikey"],
    "Joseph": ["Joe", "Joey"],
    "Thomas": ["Tom", "Tommy"],
    "Anthony": ["Tony"],
    "Charles": ["Chuck", "Charlie"],
    "Edward": ["Ed", "Eddie", "Ted"],
    "Jennifer": ["Jen", "Jenny"],
    "Susan": ["Sue", "Susie"],
    "Deborah": ["Deb", "Debbie"],
    "Barbara": ["Barb"],
    "Dorothy": ["Dot", "Dottie"],
    "Francis": ["Frank"],
    "Alexander": ["Alex", "Sandy"],
    "Nicholas": ["Nick"],
    "Daniel": ["Dan", "Danny"],
    "Samuel": ["Sam"],
    "Rebecca": ["Becky"],
    "Victoria": ["Vicky"],
    "Theresa": ["Terri", "Tess"],
    "Frederick": ["Fred", "Freddie"],
    "Abigail": ["Abby"],
}
NICK_FEMALE = {
    "Margaret",
    "Elizabeth",
    "Katherine",
    "Kristen",
    "Christine",
    "Patricia",
    "Jennifer",
    "Susan",
    "Deborah",
    "Barbara",
    "Dorothy",
    "Rebecca",
    "Victoria",
    "Theresa",
    "Abigail",
}


@dataclass
class Person:
    """A person as the generator knows them."""

    given: str
    family: str
    gender: str  # "male" | "female"
    middle: str = ""
    nick: str = ""


def _clean_name(s: str) -> str:
    s = ascii_fold(s)
    s = re.sub(r"[^A-Za-z' \-]", "", s)
    return " ".join(s.split())


def make_person(
    rng: random.Random,
    gender: str | None = None,
    family: str | None = None,
    origin: str | None = None,
) -> Person:
    """Draw a person from one of many locales.

    Args:
        rng: the document's random generator.
        gender: "male" or "female"; drawn when None.
        family: a family name to keep (a relative); drawn when None.
        origin: a locale or "west_african" / "east_asian"; drawn when None.

    Returns:
        The person, all names in ASCII.
    """
    gender = gender or rng.choice(["male", "female"])
    if origin is None:
        keys = list(LOCALE_WEIGHTS)
        origin = rng.choices(keys, weights=[LOCALE_WEIGHTS[k] for k in keys])[0]
    middle = ""
    if origin == "west_african":
        given = rng.choice(WA_MALE if gender == "male" else WA_FEMALE)
        fam = rng.choice(WA_FAMILY)
    elif origin == "east_asian":
        males, females, fams, mid_m, mid_f = rng.choice(EA_SETS)
        given = rng.choice(males if gender == "male" else females)
        fam = rng.choice(fams)
        middle = rng.choice(mid_m if gender == "male" else mid_f)
    else:
        fk = _faker(origin)
        fk.seed_instance(rng.getrandbits(32))
        given = fk.first_name_male() if gender == "male" else fk.first_name_female()
        fam = fk.last_name()
    given = _clean_name(given).split(" ")[0] or "Sam"
    fam = _clean_name(fam) or "Smith"
    nick = ""
    roll = rng.random()
    if roll < 0.08:
        given = rng.choice(WORD_GIVEN_M if gender == "male" else WORD_GIVEN_F)
    elif roll < 0.22 and origin in ("en_US", "en_GB", "en_IE", "en_AU", "en_PH"):
        pool = [k for k in NICKNAMES if (k in NICK_FEMALE) == (gender == "female")]
        given = rng.choice(pool)
    if given in NICKNAMES and rng.random() < 0.8:
        nick = rng.choice(NICKNAMES[given])
    if rng.random() < 0.07:
        fam = rng.choice(WORD_FAMILY)
    if family is not None:
        fam = family
    return Person(given=given, family=fam, gender=gender, middle=middle, nick=nick)


def name_text(p: Person, style: str) -> str:
    """Write a name the way a note writer would.

    Args:
        p: the person.
        style: one of full, full_lower, full_caps, given, given_lower, given_caps, nick,
            nick_lower, nick_caps, init_family, init_family_lower, family, family_lower,
            family_caps, last_first, last_first_caps, given_init, init_dot_family_caps.

    Returns:
        The name as printed.
    """
    g, f = p.given, p.family
    n = p.nick or p.given
    table = {
        "full": f"{g} {f}",
        "full_lower": f"{g} {f}".lower(),
        "full_caps": f"{g} {f}".upper(),
        "given": g,
        "given_lower": g.lower(),
        "given_caps": g.upper(),
        "nick": n,
        "nick_lower": n.lower(),
        "nick_caps": n.upper(),
        "init_family": f"{g[0]}. {f}",
        "init_family_lower": f"{g[0]}. {f}".lower(),
        "init_family_caps": f"{g[0]}. {f}".upper(),
        "family": f,
        "family_lower": f.lower(),
        "family_caps": f.upper(),
        "last_first": f"{f.upper()}, {g}" if p.middle == "" else f"{f.upper()}, {g} {p.middle[0]}",
        "last_first_caps": f"{f}, {g}".upper(),
        "last_first_plain": f"{f}, {g}",
        "given_init": f"{n} {f[0]}.",
        "full_middle": f"{g} {p.middle} {f}" if p.middle else f"{g} {f}",
        "nick_full": f"{n} {f}",
    }
    return table[style]


# --------------------------------------------------------------------------------------------
# Places, facilities, numbers
# --------------------------------------------------------------------------------------------

CITIES = [
    ("Towson", "MD", "212"),
    ("Dundalk", "MD", "212"),
    ("Glen Burnie", "MD", "210"),
    ("Catonsville", "MD", "212"),
    ("Columbia", "MD", "210"),
    ("Frederick", "MD", "217"),
    ("Hagerstown", "MD", "217"),
    ("Salisbury", "MD", "218"),
    ("Silver Spring", "MD", "209"),
    ("Rockville", "MD", "208"),
    ("Essex", "MD", "212"),
    ("Bel Air", "MD", "210"),
    ("Worcester", "MA", "016"),
    ("Framingham", "MA", "017"),
    ("Quincy", "MA", "021"),
    ("Lowell", "MA", "018"),
    ("Brockton", "MA", "023"),
    ("Waltham", "MA", "024"),
    ("Somerville", "MA", "021"),
    ("Malden", "MA", "021"),
    ("Revere", "MA", "021"),
    ("Chelsea", "MA", "021"),
    ("Fall River", "MA", "027"),
    ("Pawtucket", "RI", "028"),
    ("Cranston", "RI", "029"),
    ("Nashua", "NH", "030"),
    ("Scranton", "PA", "185"),
    ("Allentown", "PA", "181"),
    ("Wilmington", "DE", "198"),
    ("Dover", "DE", "199"),
    ("Camden", "NJ", "081"),
    ("Trenton", "NJ", "086"),
    ("Yonkers", "NY", "107"),
    ("Utica", "NY", "135"),
    ("Binghamton", "NY", "139"),
    ("Norfolk", "VA", "235"),
    ("Roanoke", "VA", "240"),
    ("Alexandria", "VA", "223"),
    ("Durham", "NC", "277"),
    ("Asheville", "NC", "288"),
    ("Akron", "OH", "443"),
    ("Dayton", "OH", "454"),
    ("Toledo", "OH", "436"),
    ("Flint", "MI", "485"),
    ("Kalamazoo", "MI", "490"),
    ("Gary", "IN", "464"),
    ("Joliet", "IL", "604"),
    ("Peoria", "IL", "616"),
    ("Cedar Rapids", "IA", "524"),
    ("Duluth", "MN", "558"),
    ("Tulsa", "OK", "741"),
    ("El Paso", "TX", "799"),
    ("Laredo", "TX", "780"),
    ("Tucson", "AZ", "857"),
    ("Fresno", "CA", "937"),
    ("Modesto", "CA", "953"),
    ("Spokane", "WA", "992"),
    ("Eugene", "OR", "974"),
    ("Chula Vista", "CA", "919"),
    ("Hialeah", "FL", "330"),
    ("Ocala", "FL", "344"),
    ("Macon", "GA", "312"),
]
STATE_NAMES = {
    "MD": "Maryland",
    "MA": "Massachusetts",
    "PA": "Pennsylvania",
    "NY": "New York",
    "VA": "Virginia",
    "OH": "Ohio",
}
SAINTS = (
    "Joseph Agnes Mary Luke Francis Vincent Elizabeth Anne Jude Catherine Michael Clare Raphael"
).split()
VIRTUES = [
    "Mercy",
    "Good Samaritan",
    "Providence",
    "Holy Cross",
    "Sinai",
    "Union",
    "Trinity",
    "Sacred Heart",
    "Franklin Square",
    "Harbor",
]
PERSON_PLACES = (
    "Osler Weinberg Phipps Blalock Zayed Farber Ellison Bigelow Lunder Halsted Marburg "
    "Carnegie Shapiro Feldberg Reisman Kessler Gerhard Wolfe Pratt Tilden"
).split()
STREET_WORDS = (
    "Willow Maple Harbor Mill Ridge Cedar Hickory Chestnut Liberty Franklin Washington "
    "Orchard Meadow Falls Stone Oak Pine Church Park Spring Lake Hillside Sunset Fox Deer "
    "Quarry Mason Bayview Kenwood Belair Dorsey Ashton Greenleaf"
).split()
STREET_SUFFIXES = (
    "St Street Ave Rd Dr Ln Ct Way Blvd Pl Ports Squares Common Spring Crossing Heights Trace Row "
    "Gardens Terrace Circle Pike Run Landing Hollow Loop Path Parkway Bend Glen Meadows Knoll Point"
).split()
AREA_CODES = (
    "410 443 301 240 617 508 781 978 401 603 215 610 302 856 609 914 315 607 757 540 703 919 "
    "828 330 937 419 810 269 219 815 309 319 218 918 915 956 520 559 209 509 541 619 305 352 "
    "478"
).split()


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.replace("-", " ").split() if w[0].isupper())


@dataclass
class Facility:
    """A hospital, ward, agency or facility: full name and the short name used in notes."""

    name: str
    short: str


def make_hospital(rng: random.Random, city: str, state: str) -> Facility:
    """Draw a hospital name and its abbreviation."""
    pat = rng.randrange(8)
    if pat == 0:
        name = f"Greater {city} Medical Center"
    elif pat == 1:
        name = f"{city} General Hospital"
    elif pat == 2:
        v = rng.choice(VIRTUES)
        name = f"{v} General Hospital"
        return Facility(name, f"{v} GH" if rng.random() < 0.6 else _initials(name))
    elif pat == 3:
        s = rng.choice(SAINTS)
        name = f"St. {s} Medical Center"
        return Facility(name, rng.choice([f"St. {s}'s", f"S{s[0]}MC", f"St {s}"]))
    elif pat == 4:
        s = rng.choice(PERSON_PLACES)
        name = f"{s} Memorial Hospital"
        return Facility(name, rng.choice([f"{s} Memorial", f"{_initials(name)}"]))
    elif pat == 5:
        name = f"{city} Regional Medical Center"
    elif pat == 6:
        s = rng.choice(PERSON_PLACES)
        name = f"{s} Hospital Center"
    else:
        st = STATE_NAMES.get(state, "Chesapeake")
        name = f"University of {st} Medical Center"
    return Facility(name, _initials(name))


def make_ward(rng: random.Random) -> str:
    """Draw a ward named after a person or place (a FACILITY)."""
    base = rng.choice(PERSON_PLACES + ["Hopkins", "Chesapeake", "Harbor", "Meyer", "Nelson"])
    wing = rng.choice(
        ["5", "7", "4 North", "6 West", "Pavilion", "ICU", "8", "3B", "Tower 6", "9 South"]
    )
    return f"{base} {wing}"


def make_snf(rng: random.Random, city: str) -> Facility:
    """Draw a skilled nursing / rehab facility."""
    pat = rng.randrange(6)
    s = rng.choice(PERSON_PLACES + WA_FAMILY[:4] + ["Genesis", "Bayview", "Oak Hill", "Fairhaven"])
    if pat == 0:
        name = f"Tri-County Rehab of {city}"
        short = "Tri-County"
    elif pat == 1:
        name = f"{s} Manor Nursing & Rehab"
        short = f"{s} Manor"
    elif pat == 2:
        w = rng.choice(STREET_WORDS)
        name = f"{w} Gardens Healthcare Center"
        short = f"{w} Gardens"
    elif pat == 3:
        sa = rng.choice(SAINTS)
        name = f"St. {sa} Health and Rehabilitation"
        short = f"St. {sa}"
    elif pat == 4:
        name = f"Brightview of {city}"
        short = "Brightview"
    else:
        name = f"{s} Hall Skilled Nursing Facility"
        short = f"{s} Hall"
    return Facility(name, short)


def make_agency(rng: random.Random, city: str) -> Facility:
    """Draw a home-health agency."""
    pat = rng.randrange(4)
    a, b = rng.sample(PERSON_PLACES + WORD_FAMILY[:8] + ["Mosley", "Higgins"], 2)
    if pat == 0:
        name = f"{a} & {b} Home Care"
        short = f"{a} & {b}"
    elif pat == 1:
        name = f"Visiting Nurse Association of {city}"
        short = f"{city} VNA"
    elif pat == 2:
        name = f"{a} Home Health Services"
        short = f"{a} HH"
    else:
        name = f"Bayside Home Health of {city}"
        short = "Bayside"
    return Facility(name, short)


def make_clinic(rng: random.Random, city: str) -> Facility:
    """Draw an outpatient clinic or practice."""
    s = rng.choice(PERSON_PLACES + WA_FAMILY[:5])
    pat = rng.randrange(4)
    if pat == 0:
        name = f"{s} Family Practice"
    elif pat == 1:
        name = f"{city} Cardiology Associates"
    elif pat == 2:
        name = f"{s} Dialysis Center"
    else:
        name = f"{city} Community Health Center"
    return Facility(name, _initials(name) if rng.random() < 0.4 else name)


def street_address(rng: random.Random) -> str:
    """Draw a street line, sometimes with a unit."""
    if rng.random() < 0.25:
        fk = _faker("en_US")
        fk.seed_instance(rng.getrandbits(32))
        s = ascii_fold(fk.street_address())
    else:
        num = rng.choice(
            [str(rng.randint(1, 99)), str(rng.randint(100, 999)), str(rng.randint(1000, 19999))]
        )
        s = f"{num} {rng.choice(STREET_WORDS)} {rng.choice(STREET_SUFFIXES)}"
        r = rng.random()
        if r < 0.15:
            s += f" Apt {rng.randint(1, 30)}{rng.choice('ABCD')}"
        elif r < 0.25:
            s += f" Unit {rng.randint(1, 400)}"
        elif r < 0.3:
            s += f" #{rng.randint(1, 20)}"
    return s


def phone_text(rng: random.Random, style: str | None = None) -> str:
    """Draw a US phone number written in one of many styles.

    Args:
        rng: the document's random generator.
        style: sp ("617 555 0142"), sp_dash ("301 944-5032"), paren, dash, dot, plain, one.

    Returns:
        The phone as printed.
    """
    area = rng.choice(AREA_CODES)
    exch = "555" if rng.random() < 0.3 else str(rng.randint(201, 989))
    line = f"{rng.randint(0, 9999):04d}"
    style = style or rng.choice(
        ["sp", "sp_dash", "sp_dash", "paren", "dash", "dash", "dot", "plain", "one"]
    )
    return {
        "sp": f"{area} {exch} {line}",
        "sp_dash": f"{area} {exch}-{line}",
        "paren": f"({area}) {exch}-{line}",
        "dash": f"{area}-{exch}-{line}",
        "dot": f"{area}.{exch}.{line}",
        "plain": f"{area}{exch}{line}",
        "one": f"1-{area}-{exch}-{line}",
    }[style]


def _alnum(rng: random.Random, pattern: str) -> str:
    """Fill a pattern: A letter, N digit, X letter or digit; other characters kept."""
    out = []
    for ch in pattern:
        if ch == "A":
            out.append(rng.choice("ABCDEFGHJKLMNPRSTUVWXY"))
        elif ch == "N":
            out.append(rng.choice("0123456789"))
        elif ch == "X":
            out.append(rng.choice("ABCDEFGHJKLMNPRSTUVWXY0123456789"))
        else:
            out.append(ch)
    return "".join(out)


def device_serial(rng: random.Random) -> str:
    """Draw an implanted-device serial number."""
    return _alnum(
        rng,
        rng.choice(
            ["AAANNNNNNA", "AAA NNNNNN A", "NNNN-NNNA", "AAA-NNNNNN", "ANNNNNNNN", "AANNNNNNNA"]
        ),
    )


def accession(rng: random.Random, year: int) -> str:
    """Draw a lab / imaging accession number."""
    yy = f"{year % 100:02d}"
    return rng.choice(
        [
            _alnum(rng, "ANNNNNNNNN"),
            f"CT{yy}-{_alnum(rng, 'NNNNNNN')}",
            f"{yy}-{_alnum(rng, 'NNN-NNNN')}",
            f"S{yy}-{_alnum(rng, 'NNNNN')}",
            _alnum(rng, "NNNNNNNN"),
        ]
    )


def member_id(rng: random.Random) -> str:
    """Draw a health-plan member id (commercial, Medicare MBI or Medicaid)."""
    return rng.choice(
        [
            _alnum(rng, "AAANNNNNNNNN"),
            _alnum(rng, "NAXN-AXN-AANN"),
            _alnum(rng, "NANNAANAANN"),
            _alnum(rng, "NNNNNNNNNNN"),
            _alnum(rng, "ANNNNNNNN"),
            _alnum(rng, "AAANNNNNNNN-NN"),
        ]
    )


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------

MONTHS = (
    "January February March April May June July August September October November December".split()
)
MON = [m[:3] for m in MONTHS]
FULL_STYLES = [
    "m/d/Y",
    "mm/dd/Y",
    "m/d/y",
    "iso",
    "long",
    "abbr",
    "d Mon Y",
    "DD-MON-Y",
    "d mon, y",
    "D Mon, y",
    "ordinal",
]


def _ordinal(n: int) -> str:
    suf = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suf}"


def date_text(d: dt.date, style: str) -> str:
    """Write a full date in one of the FULL_STYLES or a partial one (m/d, mm/dd, Mon d, ...).

    Args:
        d: the date.
        style: the style name.

    Returns:
        The date as printed.
    """
    y2 = f"{d.year % 100:02d}"
    return {
        "m/d/Y": f"{d.month}/{d.day}/{d.year}",
        "mm/dd/Y": f"{d.month:02d}/{d.day:02d}/{d.year}",
        "m/d/y": f"{d.month}/{d.day}/{y2}",
        "iso": d.isoformat(),
        "long": f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
        "abbr": f"{MON[d.month - 1]} {d.day}, {d.year}",
        "d Mon Y": f"{d.day} {MON[d.month - 1]} {d.year}",
        "DD-MON-Y": f"{d.day:02d}-{MON[d.month - 1].upper()}-{d.year}",
        "d mon, y": f"{d.day} {MON[d.month - 1].lower()}, {y2}",
        "D Mon, y": f"{d.day} {MON[d.month - 1]}, {y2}",
        "ordinal": f"{MONTHS[d.month - 1]} {_ordinal(d.day)}, {d.year}",
        # partial
        "m/d": f"{d.month}/{d.day}",
        "mm/dd": f"{d.month:02d}/{d.day:02d}",
        "Mon d": f"{MON[d.month - 1]} {d.day}",
        "Month dth": f"{MONTHS[d.month - 1]} {_ordinal(d.day)}",
        "the dth": f"the {_ordinal(d.day)}",
    }[style]


# --------------------------------------------------------------------------------------------
# Clinical vocabulary (what counts as a clinical word in the truth)
# --------------------------------------------------------------------------------------------

CLINICAL_VOCAB = sorted(
    set(
        """
levophed norepinephrine vasopressin propofol fentanyl fent precedex dexmedetomidine ativan
lorazepam haldol haloperidol dilaudid hydromorphone oxycodone morphine tylenol
acetaminophen heparin lovenox enoxaparin coumadin warfarin insulin lantus humalog lasix
furosemide labetalol hydralazine metoprolol lopressor dilt diltiazem amio amiodarone KCl
potassium chloride vanco vancomycin zosyn cefepime flagyl ceftriaxone protonix
pantoprazole colace senna miralax albuterol duoneb prednisone solumedrol zofran
ondansetron seroquel quetiapine aspirin plavix atorvastatin lisinopril eliquis apixaban
PRBC jevity osmolite nepro mag sulfate nitro gtt bactrim keflex cephalexin penicillin PCN
sulfa codeine latex iodine shellfish peanuts contrast gabapentin tramadol thiamine folate
CIWA RISS sepsis septic shock pneumonia urosepsis CHF COPD afib DKA GI bleed UGIB UTI CVA
stroke ETOH withdrawal pancreatitis AKI CKD hyponatremia delirium dementia hip fx
cellulitis NSTEMI MI PE DVT respiratory failure DM2 HTN HLD CAD cirrhosis ESRD OSA hypoxia
hypotension aspiration falls syncope Parkinson's WBC Hct Hgb INR PTT BUN Cr trop troponin
lactate ABG FSBS Mg plt BNP UA BCx UCx lytes CBC coags foley PICC art line TLC OGT PEG PPM
AICD LVAD insulin pump BiPAP CPAP mepilex SCDs ETT CT CXR EGD TEE MRI cardiac cath CABG
ORIF dialysis hemodialysis telemetry
""".split()
    )
    | {
        "potassium chloride",
        "mag sulfate",
        "septic shock",
        "GI bleed",
        "ETOH withdrawal",
        "hip fx",
        "respiratory failure",
        "art line",
        "insulin pump",
        "cardiac cath",
        "tube feeds",
        "physical therapy",
        "occupational therapy",
        "rolling walker",
        "oxygen",
        "wound care",
    },
    key=lambda t: (-len(t), t),
)
CLINICAL_VOCAB = [
    t
    for t in CLINICAL_VOCAB
    if t
    not in {
        "potassium",
        "chloride",
        "sulfate",
        "shock",
        "art",
        "line",
        "pump",
        "cath",
        "hip",
        "fx",
        "bleed",
        "withdrawal",
        "respiratory",
        "failure",
        "cardiac",
    }
]


def clinical_terms(pages_text: list[str], pages_phi: list[list[tuple[int, int]]]) -> list[str]:
    """List the clinical words printed outside PHI spans, in order of first appearance.

    Args:
        pages_text: each page's text.
        pages_phi: each page's PHI (start, end) pairs.

    Returns:
        The distinct clinical terms as printed.
    """
    found: dict[str, tuple[int, int, str]] = {}
    for pi, (text, spans) in enumerate(zip(pages_text, pages_phi, strict=True)):
        for term in CLINICAL_VOCAB:
            flags = 0 if sum(c.isupper() for c in term) >= 2 else re.IGNORECASE
            for m in re.finditer(
                r"(?<![A-Za-z0-9])" + re.escape(term) + r"(?![A-Za-z0-9])", text, flags
            ):
                if any(s < m.end() and m.start() < e for s, e in spans):
                    continue
                key = m.group(0).lower()
                if key not in found:
                    found[key] = (pi, m.start(), m.group(0))
                break
    return [v[2] for v in sorted(found.values())]


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------


@dataclass
class Piece:
    """Runs drawn left-aligned at x on one row."""

    x: int
    runs: list[Run]
    bold: bool = False

    @property
    def text(self) -> str:
        """The piece's printed text."""
        return "".join(r.text for r in self.runs)


@dataclass
class Row:
    """One printed row: pieces left to right, plus ruling drawn relative to the row's top."""

    pieces: list[Piece]
    height: int
    draws: list[tuple] = field(default_factory=list)
    dy: int = 0  # text drawn this far below the row's top


@dataclass
class Block:
    """Rows that belong together.

    ``keep`` moves the whole block to a new page; ``drop`` lets the paginator leave it out when
    the document would run past its page budget (with the other blocks of its ``group``, when
    it has one).
    """

    rows: list[Row]
    keep: bool = False
    drop: bool = True
    gap: int = 0
    group: int | None = None


def _merge(runs: list[Run]) -> list[Run]:
    """Merge neighbouring plain runs; drop spaces at the ends and doubled spaces."""
    out: list[Run] = []
    for r in runs:
        if not r.text:
            continue
        if out and r.phi is None and out[-1].phi is None:
            out[-1] = Run(out[-1].text + r.text)
        else:
            out.append(r)
    out = [Run(re.sub(" {2,}", " ", r.text)) if r.phi is None else r for r in out]
    if out and out[0].phi is None:
        out[0] = Run(out[0].text.lstrip())
    if out and out[-1].phi is None:
        out[-1] = Run(out[-1].text.rstrip())
    return [r for r in out if r.text]


def _words(runs: list[Run]) -> list[list[Run]]:
    words: list[list[Run]] = []
    cur: list[Run] = []
    for r in runs:
        if r.phi is not None:
            cur.append(r)
            continue
        parts = r.text.split(" ")
        for i, part in enumerate(parts):
            if i > 0 and cur:
                words.append(cur)
                cur = []
            if part:
                cur.append(Run(part))
    if cur:
        words.append(cur)
    return words


class Layout:
    """Page geometry, fonts and block builders for one document."""

    def __init__(self, rng: random.Random, font_name: str) -> None:
        self.font_name = font_name
        reg, bold, (lo, hi) = FONTS[font_name]
        self.size = rng.randint(lo, hi)
        self.font = _font(reg, self.size)
        self.bold_font = _font(bold, self.size)
        self.big_bold = _font(bold, int(self.size * 1.15))
        self.ml = rng.randint(150, 230)
        self.mr = rng.randint(150, 220)
        self.mt = rng.randint(150, 210)
        self.mb = rng.randint(190, 240)
        self.line_h = int(self.size * rng.uniform(1.32, 1.5))
        self.right = PAGE_W - self.mr
        self.width = self.right - self.ml

    def f(self, bold: bool = False) -> ImageFont.FreeTypeFont:
        """The regular or bold font."""
        return self.bold_font if bold else self.font

    def tw(self, text: str, bold: bool = False) -> int:
        """Width of text in pixels."""
        return int(math.ceil(self.f(bold).getlength(text)))

    def para(
        self,
        runs: list[Run],
        indent: int = 0,
        hang: int = 0,
        bold: bool = False,
        gap: int = 0,
        keep: bool = False,
        drop: bool = True,
    ) -> Block:
        """Wrap runs into rows; a PHI span never breaks across rows.

        Args:
            runs: the paragraph.
            indent: left indent of every row, pixels.
            hang: extra indent of continuation rows.
            bold: bold font.
            gap: space before the block.
            keep: keep the rows on one page.
            drop: the paginator may leave the block out.

        Returns:
            The block.
        """
        words = _words(runs)
        rows: list[Row] = []
        line: list[list[Run]] = []
        first = True
        for w in words:
            x0 = self.ml + indent + (0 if first else hang)
            avail = self.right - x0
            cand = line + [w]
            text = " ".join("".join(r.text for r in ww) for ww in cand)
            if line and self.tw(text, bold) > avail:
                rows.append(self._line_row(line, x0, bold))
                first = False
                line = [w]
            else:
                line = cand
        if line:
            x0 = self.ml + indent + (0 if first else hang)
            rows.append(self._line_row(line, x0, bold))
        return Block(rows, keep=keep, drop=drop, gap=gap)

    def _line_row(self, words: list[list[Run]], x: int, bold: bool) -> Row:
        runs: list[Run] = []
        for i, w in enumerate(words):
            if i:
                runs.append(Run(" "))
            runs.extend(w)
        return Row([Piece(x, _merge(runs), bold)], self.line_h)

    def cells(
        self,
        cells: list[tuple[int, list[Run]]],
        bold: bool = False,
        gap: int = 0,
        drop: bool = True,
    ) -> Block:
        """Place label/value cells on one row at given x positions.

        A cell is pushed right when the one before it runs long, and wraps to a new row at the
        right margin.

        Args:
            cells: (x, runs) pairs, left to right.
            bold: bold font.
            gap: space before the block.
            drop: the paginator may leave the block out.

        Returns:
            The block.
        """
        rows: list[Row] = []
        cur: list[Piece] = []
        end = 0
        space = self.tw(" ", bold) * 2
        for x, runs in cells:
            runs = _merge(runs)
            text = "".join(r.text for r in runs)
            if not text.strip():
                continue
            w = self.tw(text, bold)
            x = max(x, end + space) if cur else x
            if cur and x + w > self.right:
                rows.append(Row(cur, self.line_h))
                cur, x = [], self.ml
            cur.append(Piece(x, runs, bold))
            end = x + w
        if cur:
            rows.append(Row(cur, self.line_h))
        return Block(rows, keep=True, drop=drop, gap=gap)

    def title(
        self,
        runs: list[Run],
        align: str = "left",
        big: bool = False,
        gap: int = 0,
        drop: bool = False,
    ) -> Block:
        """One bold title row, left or centred."""
        runs = _merge(runs)
        text = "".join(r.text for r in runs)
        font = self.big_bold if big else self.bold_font
        w = int(math.ceil(font.getlength(text)))
        x = self.ml if align == "left" else max(self.ml, (PAGE_W - w) // 2)
        h = int(self.line_h * (1.2 if big else 1.0))
        return Block(
            [Row([Piece(x, runs, True)], h, [("font", "big" if big else "bold")])],
            keep=True,
            drop=drop,
            gap=gap,
        )

    def rule(self, gap: int = 0, width: int = 3, drop: bool = False) -> Block:
        """A horizontal ruling line (drawing, no text)."""
        h = max(12, self.line_h // 3)
        return Block(
            [Row([], h, [("line", self.ml, h // 2, self.right, h // 2, width)])],
            keep=True,
            drop=drop,
            gap=gap,
        )

    def sigline(self, x0: int, x1: int, drop: bool = False) -> Block:
        """A blank signature line (drawing)."""
        h = int(self.line_h * 1.6)
        y = h - self.line_h // 2
        return Block([Row([], h, [("line", x0, y, x1, y, 2)])], keep=True, drop=drop)

    def table(
        self, header: list[str], rows: list[list[str]], grid: str, gap: int = 0, drop: bool = True
    ) -> Block:
        """A grid of short cells with ruling; every table row is one text row.

        Args:
            header: column titles.
            rows: cell strings.
            grid: "rules" (top, under the header, bottom), "rows" (a rule under every row) or
                "full" (rows and columns ruled).
            gap: space before the block.
            drop: the paginator may leave the block out.

        Returns:
            The block.
        """
        ncol = len(header)
        widths = [
            max(self.tw(header[c], True), *(self.tw(r[c]) for r in rows)) for c in range(ncol)
        ]
        pad = max(30, (self.width - sum(widths)) // ncol)
        pad = min(pad, 140)
        xs = []
        x = self.ml + pad // 3
        for w in widths:
            xs.append(x)
            x += w + pad
        x_end = min(self.right, x - pad + pad // 3)
        out: list[Row] = []
        pad_v = self.size // 2
        h = self.line_h + pad_v
        dy = pad_v // 2 + self.size // 8
        top = [("line", self.ml, 1, x_end, 1, 3)]
        hdr = Row(
            [Piece(xs[c], [Run(header[c])], True) for c in range(ncol)],
            h,
            top + [("line", self.ml, h - 1, x_end, h - 1, 2)],
            dy,
        )
        out.append(hdr)
        for r in rows:
            draws: list[tuple] = (
                [("line", self.ml, h - 1, x_end, h - 1, 1)] if grid != "rules" else []
            )
            out.append(Row([Piece(xs[c], [Run(r[c])]) for c in range(ncol) if r[c]], h, draws, dy))
        out[-1].draws.append(("line", self.ml, h - 1, x_end, h - 1, 3))
        if grid == "full":
            total = sum(rw.height for rw in out)
            xs_v = [self.ml] + [xs[c] - pad // 2 for c in range(1, ncol)] + [x_end]
            out[0].draws.extend(("line", xv, 1, xv, total - 1, 2) for xv in xs_v)
            # a pre-printed form: the grid is printed in a light grey, the entries in ink
            for rw in out:
                rw.draws = [(*dr, FORM_GREY) if dr[0] == "line" else dr for dr in rw.draws]
        return Block(out, keep=True, drop=drop, gap=gap)


def paginate(
    blocks: list[Block], top0: int, top1: int, bottom: int, max_pages: int
) -> list[list[tuple[Row, int]]]:
    """Flow blocks onto pages, leaving out droppable blocks from the end until they fit.

    Args:
        blocks: the document's blocks in reading order.
        top0: where content starts on the first page.
        top1: where it starts on later pages.
        bottom: where it must end.
        max_pages: the page budget.

    Returns:
        Per page, the rows and their top y.
    """
    blocks = list(blocks)
    while True:
        pages: list[list[tuple[Row, int]]] = [[]]
        y = top0
        for b in blocks:
            h = sum(r.height for r in b.rows)
            g = b.gap if pages[-1] else 0
            if b.keep and pages[-1] and y + g + h > bottom:
                pages.append([])
                y, g = top1, 0
            y += g
            for r in b.rows:
                if y + r.height > bottom and pages[-1]:
                    pages.append([])
                    y = top1
                pages[-1].append((r, y))
                y += r.height
        if len(pages) <= max_pages:
            return pages
        idx = [i for i, b in enumerate(blocks) if b.drop]
        if not idx:
            raise RuntimeError("essential content does not fit the page budget")
        grp = blocks[idx[-1]].group
        if grp is None:
            del blocks[idx[-1]]
        else:
            blocks = [b for b in blocks if b.group != grp]


# --------------------------------------------------------------------------------------------
# Rendering and degradation
# --------------------------------------------------------------------------------------------


@dataclass
class DrawnPage:
    """A page drawn at 300 DPI with its text and PHI spans (boxes at 300 DPI)."""

    image: Image.Image
    text: str
    spans: list[dict]


def _ink_box(font: ImageFont.FreeTypeFont, text: str, x: int, y: int) -> tuple[int, int, int, int]:
    """The exact ink box of text drawn at (x, y): render it alone and measure."""
    left, top, right, bottom = font.getbbox(text)
    pad = 4
    tmp = Image.new("L", (right - left + 2 * pad, bottom - top + 2 * pad), 0)
    ImageDraw.Draw(tmp).text((pad - left, pad - top), text, font=font, fill=255)
    bb = tmp.getbbox()
    if bb is None:
        return (x + left, y + top, x + right, y + bottom)
    dx, dy = left - pad, top - pad
    return (x + bb[0] + dx, y + bb[1] + dy, x + bb[2] + dx, y + bb[3] + dy)


def draw_page(lay: Layout, rows: list[tuple[Row, int]], ink: int) -> DrawnPage:
    """Draw rows onto a white 300-DPI page and collect text lines and PHI ink boxes.

    Args:
        lay: the document layout (fonts).
        rows: (row, top y) pairs.
        ink: the grey level of the ink.

    Returns:
        The drawn page.
    """
    img = Image.new("L", (PAGE_W, PAGE_H), 255)
    d = ImageDraw.Draw(img)
    lines: list[str] = []
    spans: list[dict] = []
    offset = 0
    for row, y in sorted(rows, key=lambda t: t[1]):
        font_kind = next((dr[1] for dr in row.draws if dr[0] == "font"), None)
        for dr in row.draws:
            if dr[0] == "line":
                x0, y0, x1, y1, w = dr[1:6]
                colour = dr[6] if len(dr) > 6 else ink
                d.line([(x0, y + y0), (x1, y + y1)], fill=colour, width=w)
            elif dr[0] == "rect":
                _, x0, y0, x1, y1, w = dr
                d.rectangle([x0, y + y0, x1, y + y1], outline=ink, width=w)
        if not row.pieces:
            continue
        y += row.dy
        parts: list[str] = []
        for piece in sorted(row.pieces, key=lambda p: p.x):
            font = lay.big_bold if font_kind == "big" else lay.f(piece.bold)
            if parts:
                offset += 1
            pos = 0
            for r in piece.runs:
                x = piece.x + int(round(font.getlength(piece.text[:pos])))
                d.text((x, y), r.text, fill=ink, font=font)
                if r.phi is not None:
                    spans.append(
                        {
                            **r.phi,
                            "start": offset + pos,
                            "end": offset + pos + len(r.text),
                            "text": r.text,
                            "box300": _ink_box(font, r.text, x, y),
                        }
                    )
                pos += len(r.text)
            offset += len(piece.text)
            parts.append(piece.text)
        line = " ".join(parts)
        assert line == line.strip() and "  " not in line, repr(line)
        lines.append(line)
        offset += 1  # the newline
    text = "\n".join(lines)
    return DrawnPage(img, text, spans)


def map_box(box: tuple[float, float, float, float], w: int, h: int, skew: float) -> list[int]:
    """Map a 300-DPI box through scaling and skew to the saved image.

    The box is scaled to (w, h), rotated counter-clockwise by skew degrees about the page
    centre (as PIL's Image.rotate does), and its clipped bounding box returned (x1, y1
    exclusive).

    Args:
        box: x0, y0, x1, y1 at 300 DPI.
        w: saved width.
        h: saved height.
        skew: degrees, counter-clockwise.

    Returns:
        [x0, y0, x1, y1] in saved-image pixels.
    """
    sx, sy = w / PAGE_W, h / PAGE_H
    a = math.radians(skew)
    ca, sa = math.cos(a), math.sin(a)
    cx, cy = w / 2, h / 2
    xs, ys = [], []
    for px, py in ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])):
        dx, dy = px * sx - cx, py * sy - cy
        xs.append(cx + dx * ca + dy * sa)
        ys.append(cy - dx * sa + dy * ca)
    x0 = max(0, min(w - 1, math.floor(min(xs))))
    y0 = max(0, min(h - 1, math.floor(min(ys))))
    x1 = max(x0 + 1, min(w, math.ceil(max(xs))))
    y1 = max(y0 + 1, min(h, math.ceil(max(ys))))
    return [x0, y0, x1, y1]


def _low_freq(nrng: np.random.Generator, w: int, h: int, cells: int = 6) -> np.ndarray:
    grid = nrng.standard_normal((cells + 1, cells + 1)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def degrade(
    img: Image.Image, level: str, dpi: int, skew: float, nrng: np.random.Generator
) -> Image.Image:
    """Scale, skew and age a 300-DPI page.

    Args:
        img: the clean page (mode L).
        level: clean, moderate or heavy.
        dpi: target resolution.
        skew: degrees, counter-clockwise.
        nrng: the document's numpy generator.

    Returns:
        An L image (clean), an RGB image (moderate) or a 1-bit image (heavy).
    """
    w, h = round(PAGE_W * dpi / 300), round(PAGE_H * dpi / 300)
    if (w, h) != img.size:
        img = img.resize((w, h), Image.Resampling.LANCZOS)
    if skew:
        img = img.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
    if level == "clean":
        return img
    arr = np.asarray(img, dtype=np.float32)
    if level == "moderate":
        arr = cv2.GaussianBlur(arr, (0, 0), float(nrng.uniform(0.5, 0.9)))
        paper = float(nrng.uniform(228, 246)) + 5.0 * _low_freq(nrng, w, h)
        arr = arr / 255.0 * paper
        arr = arr + nrng.normal(0.0, float(nrng.uniform(4, 9)), arr.shape).astype(np.float32)
        tint = (1.0, float(nrng.uniform(0.97, 0.99)), float(nrng.uniform(0.88, 0.95)))
        rgb = np.stack([arr * t for t in tint], axis=-1)
        return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    # heavy: faded toner, blur, noise, fax-like binarisation, speckle
    fade = float(nrng.uniform(0.5, 0.72)) * (1.0 + 0.12 * _low_freq(nrng, w, h, 4))
    arr = 255.0 - (255.0 - arr) * np.clip(fade, 0.35, 0.95)
    arr = cv2.GaussianBlur(arr, (0, 0), float(nrng.uniform(0.4, 0.8)))
    arr = arr + nrng.normal(0.0, float(nrng.uniform(8, 16)), arr.shape).astype(np.float32)
    white = arr > float(nrng.uniform(158, 178))
    speck = nrng.random(arr.shape) < float(nrng.uniform(0.0004, 0.0018))
    white &= ~speck
    drop = nrng.random(arr.shape) < 0.015
    white |= drop
    if nrng.random() < 0.4:  # a few streaks from a dirty fax drum
        for _ in range(int(nrng.integers(1, 4))):
            yy = int(nrng.integers(0, h))
            x0 = int(nrng.integers(0, w // 2))
            x1 = int(nrng.integers(x0 + 50, w))
            white[yy, x0:x1] &= nrng.random(x1 - x0) > 0.6
    out = Image.fromarray((white * 255).astype(np.uint8), "L")
    return out.convert("1", dither=Image.Dither.NONE)


def write_pdf(path: Path, images: list[Image.Image], dpi: int, jpeg_quality: int | None) -> None:
    """Write page images as a deterministic PDF (one image per US-letter page).

    Args:
        path: output file.
        images: pages (L, RGB or 1).
        dpi: their resolution (informational; pages are always letter size).
        jpeg_quality: JPEG-encode the pages at this quality; None for lossless.
    """
    pdf = pikepdf.new()
    for img in images:
        w, h = img.size
        if img.mode == "1":
            data = zlib.compress(img.tobytes(), 9)
            cs, bpc, filt = pikepdf.Name.DeviceGray, 1, pikepdf.Name.FlateDecode
        elif jpeg_quality is not None:
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=jpeg_quality)
            data = buf.getvalue()
            cs = pikepdf.Name.DeviceRGB if img.mode == "RGB" else pikepdf.Name.DeviceGray
            bpc, filt = 8, pikepdf.Name.DCTDecode
        else:
            data = zlib.compress(img.tobytes(), 9)
            cs = pikepdf.Name.DeviceRGB if img.mode == "RGB" else pikepdf.Name.DeviceGray
            bpc, filt = 8, pikepdf.Name.FlateDecode
        xobj = pikepdf.Stream(pdf, data)
        xobj.Type = pikepdf.Name.XObject
        xobj.Subtype = pikepdf.Name.Image
        xobj.Width = w
        xobj.Height = h
        xobj.ColorSpace = cs
        xobj.BitsPerComponent = bpc
        xobj.Filter = filt
        content = pikepdf.Stream(pdf, b"q 612 0 0 792 0 0 cm /Im0 Do Q")
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 612, 792],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobj)),
            Contents=content,
        )
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(path, deterministic_id=True, compress_streams=True)


# --------------------------------------------------------------------------------------------
# Document context
# --------------------------------------------------------------------------------------------

RELATIONS = [
    # (relation, gender or None, words as notes write them, role)
    ("wife", "female", ["wife", "wife", "Wife", "spouse"], "relative"),
    ("husband", "male", ["husband", "hus", "Husband", "spouse"], "relative"),
    ("daughter", "female", ["dtr", "daughter", "Dtr", "dau", "DTR"], "relative"),
    ("son", "male", ["son", "Son", "SON"], "relative"),
    ("sister", "female", ["sister", "sis", "Sister"], "relative"),
    ("brother", "male", ["brother", "bro", "Brother"], "relative"),
    ("niece", "female", ["niece", "Niece"], "relative"),
    ("nephew", "male", ["nephew", "Nephew"], "relative"),
    ("granddaughter", "female", ["granddaughter", "gdtr", "grand-dtr"], "relative"),
    ("grandson", "male", ["grandson", "Grandson"], "relative"),
    ("mother", "female", ["mother", "mom", "Mother"], "relative"),
    ("father", "male", ["father", "dad", "Father"], "relative"),
    ("partner", None, ["partner", "Partner", "significant other"], "relative"),
    ("friend", None, ["friend", "Friend", "close friend"], "other"),
    ("neighbor", None, ["neighbor", "Neighbor"], "other"),
]


@dataclass
class Contact:
    """A relative or friend: who, relation word(s), phone."""

    person: Person
    relation: str
    words: list[str]
    role: str
    phone: str


class Ctx:
    """Everything one document draws from: people, places, dates and PHI-run helpers."""

    def __init__(self, rng: random.Random, kind: str) -> None:
        self.rng = rng
        self.kind = kind
        self.year = rng.randint(2016, 2025)
        start = dt.date(self.year, 1, 1)
        self.doc_date = start + dt.timedelta(days=rng.randint(0, 360))
        self.admit = self.doc_date - dt.timedelta(days=rng.randint(1, 9))
        old = rng.random() < 0.38
        self.age = rng.randint(90, 102) if old else rng.randint(24, 89)
        self.dob = self.doc_date - dt.timedelta(
            days=self.age * 365 + self.age // 4 + rng.randint(1, 360)
        )
        self.age = (self.doc_date - self.dob).days * 4 // 1461
        self.patient = make_person(rng)
        self.sex = "M" if self.patient.gender == "male" else "F"
        self.mrn = rng.choice(
            [
                str(rng.randint(10_000_000, 99_999_999)),
                f"00{rng.randint(1_000_000, 9_999_999)}",
                str(rng.randint(1_000_000, 9_999_999)),
                f"M{rng.randint(1_000_000, 9_999_999)}",
                f"{rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            ]
        )
        self.encounter = str(rng.randint(1_000_000_000, 9_999_999_999))
        self.account = str(rng.randint(10_000_000, 99_999_999))
        city, state, zip3 = rng.choice(CITIES)
        self.hosp_city, self.hosp_state = city, state
        self.hospital = make_hospital(rng, city, state)
        self.outside = make_hospital(rng, rng.choice(CITIES)[0], state)
        self.ward = make_ward(rng)
        self.home_city, self.home_state, hz = rng.choice(
            [c for c in CITIES if c[1] == state] or CITIES
        )
        self.zip = f"{hz}{rng.randint(0, 99):02d}"
        if rng.random() < 0.3:
            self.zip += f"-{rng.randint(0, 9999):04d}"
        self.street = street_address(rng)
        self.snf = make_snf(rng, rng.choice(CITIES)[0])
        self.snf2 = make_snf(rng, rng.choice(CITIES)[0])
        self.agency = make_agency(rng, self.home_city)
        self.clinic = make_clinic(rng, self.home_city)
        self.contacts = self._contacts()
        self.attending = make_person(rng)
        self.resident = make_person(rng)
        self.consult = make_person(rng)
        self.pcp = make_person(rng)
        self.nurse = make_person(rng)
        self.nurse2 = make_person(rng)
        self.nurse3 = make_person(rng)
        self.cm = make_person(rng)
        self.sw = make_person(rng)
        self.pt_therapist = make_person(rng)
        self.chaplain = make_person(rng)
        self.interpreter = make_person(rng)
        self.unit = rng.choice(
            ["MICU", "SICU", "CCU", "CVICU", "Neuro ICU", "T/SICU", "MICU B", "IMC", "PCU"]
        )
        self.floor = rng.choice(
            ["7 West", "5 North", "4 South", "6 East", "Med/Surg 3B", "8 Central", "Step-down"]
        )
        self.scenario = rng.choice(SCENARIOS)
        self.serial = device_serial(rng)
        self.device = rng.choice(DEVICES)
        self.style = make_style(rng)

    def _contacts(self) -> list[Contact]:
        rng = self.rng
        out: list[Contact] = []
        young = {"son", "daughter"} if self.age < 40 else set()
        young |= {"grandson", "granddaughter"} if self.age < 62 else set()
        old = {"mother", "father"} if self.age > 68 else set()
        pool = [r for r in RELATIONS if r[0] not in young | old]
        rng.shuffle(pool)
        # spouses only once; keep 4-5 contacts with relatives first
        pool.sort(key=lambda r: r[3] != "relative")
        seen_spouse = False
        for rel, gender, words, role in pool:
            if rel in ("wife", "husband", "partner"):
                if seen_spouse:
                    continue
                if rel == "wife" and self.patient.gender == "female" and rng.random() < 0.8:
                    continue
                if rel == "husband" and self.patient.gender == "male" and rng.random() < 0.8:
                    continue
                seen_spouse = True
            same = (
                rel
                in (
                    "son",
                    "daughter",
                    "brother",
                    "sister",
                    "wife",
                    "husband",
                    "grandson",
                    "father",
                    "mother",
                )
                and rng.random() < 0.7
            )
            p = make_person(rng, gender=gender, family=self.patient.family if same else None)
            out.append(Contact(p, rel, words, role, phone_text(rng)))
            if len(out) >= rng.randint(4, 5):
                break
        return out

    # ---- PHI run helpers ---------------------------------------------------------------
    def person(self, p: Person, style: str, role: str) -> Run:
        """A PERSON run."""
        return phi(name_text(p, style), "PERSON", role=role)

    def rel(self, c: Contact, style: str) -> Run:
        """A contact's name."""
        return self.person(c.person, style, c.role)

    def relword(self, c: Contact) -> str:
        """How the note names the relation."""
        return self.rng.choice(c.words)

    def date(self, d: dt.date, style: str | None = None, partial: bool = False) -> Run:
        """A DATE run; partial styles are marked partial."""
        if style is None:
            style = (
                self.rng.choice(["m/d", "m/d", "mm/dd", "Mon d", "Month dth"])
                if partial
                else self.rng.choice(FULL_STYLES)
            )
        text = date_text(d, style)
        if style in ("m/d", "mm/dd", "Mon d", "Month dth", "the dth"):
            return phi(text, "DATE", partial=True)
        return phi(text, "DATE")

    def phone(self, style: str | None = None, text: str | None = None) -> Run:
        """A PHONE_NUMBER run."""
        return phi(text or phone_text(self.rng, style), "PHONE_NUMBER")

    def age_run(self, age: int | None = None) -> Run:
        """An age: AGE over 89, plain text otherwise."""
        age = self.age if age is None else age
        return phi(str(age), "AGE") if age > 89 else Run(str(age))

    def fac(self, name: str) -> Run:
        """A FACILITY run."""
        return phi(name, "FACILITY")

    def ident(self, text: str, subtype: str) -> Run:
        """An ID run."""
        return phi(text, "ID", subtype=subtype)

    def mrn_run(self) -> Run:
        """The patient's MRN."""
        return phi(self.mrn, "MRN")

    def pt(self, style: str) -> Run:
        """The patient's name."""
        return self.person(self.patient, style, "patient")

    def doc(self, p: Person, style: str | None = None) -> Run:
        """A clinician's name (no title)."""
        style = style or self.rng.choice(
            ["family", "family", "family_lower", "family_caps", "init_family", "full"]
        )
        return self.person(p, style, "provider")

    def other_date(self, back_days: tuple[int, int]) -> dt.date:
        """A date some days before the document date."""
        return self.doc_date - dt.timedelta(days=self.rng.randint(*back_days))

    def truth_patient(self) -> dict:
        """The patient block of the truth file."""
        given = [self.patient.given] + ([self.patient.middle] if self.patient.middle else [])
        return {
            "family": self.patient.family,
            "given": given,
            "mrn": self.mrn,
            "birth_date": self.dob.isoformat(),
            "gender": self.patient.gender,
        }


# --------------------------------------------------------------------------------------------
# Clinical phrase banks
# --------------------------------------------------------------------------------------------

DEVICES = [
    ("PPM", "PPM interrogated, s/n [[sn]], {functioning appropriately|no events|battery OK}"),
    ("AICD", "AICD s/n [[sn]] interrogated by {EP|device clinic}, {no shocks|1 appropriate shock}"),
    ("insulin pump", "home insulin pump (s/n [[sn]]) removed & sent home w/ family"),
    ("LVAD", "LVAD s/n [[sn]], flow {4.2|4.8|5.1} L/min, PI {3.1|4.4}, no alarms"),
    ("PPM", "pacer {DDD|VVI} s/n [[sn]], rep aware, {mag at bedside|interrogation pending}"),
]

SCENARIOS = [
    {
        "dx": ["septic shock 2/2 RLL pneumonia", "urosepsis", "sepsis, source likely pneumonia"],
        "pmh": ["COPD", "DM2", "HTN", "CKD"],
        "extra": [
            "MAP >65 on levophed {0.04|0.06|0.08|0.1} mcg/kg/min, weaned to {0.02|0.03}",
            "lactate {4.1|3.2|2.6} -> {1.8|2.1|1.4}",
            "vanco/zosyn, vanco trough {12.4|18.1} @ {0500|1700}",
        ],
    },
    {
        "dx": ["CHF exacerbation", "acute on chronic CHF", "hypoxic respiratory failure 2/2 CHF"],
        "pmh": ["CAD s/p CABG", "afib on coumadin", "HTN", "HLD"],
        "extra": [
            "lasix {40|80}mg IV x1 w/ {#600-1500}cc u/o",
            "BNP {#800-2400}, daily wts, {#1-2}L fluid restriction",
            "BiPAP {12/5|14/6} overnight, off to {4L NC|nasal cannula} this AM",
        ],
    },
    {
        "dx": ["UGIB", "GI bleed", "melena, ? PUD"],
        "pmh": ["ETOH abuse", "cirrhosis", "HTN"],
        "extra": [
            "Hct {22.1|24.1|25.6} -> {26.8|27.9|29.0}, {1|2}u PRBC given, post hct pnd",
            "protonix gtt @ 8mg/hr, EGD {today|in AM}",
            "BM x{1|2} maroon, OB+",
        ],
    },
    {
        "dx": ["DKA", "DKA, new onset DM", "HHS"],
        "pmh": ["DM1", "depression", "gastroparesis"],
        "extra": [
            "insulin gtt per protocol, {#2-8} u/hr, AG closed",
            "FSBS {140-220|110-180|180-260} q1h, D5 1/2NS @ {100|150}",
            "K {3.1|3.3|3.4} repleted w/ {20|40} meq KCl {PO|IV}",
        ],
    },
    {
        "dx": ["COPD exacerbation", "hypercarbic respiratory failure", "aspiration pneumonia"],
        "pmh": ["COPD on home O2", "OSA", "CHF"],
        "extra": [
            "on {CMV|AC} {450|500|550}x{12|14|16} FiO2 {40|50|60}% PEEP {5|8|10}, ABG "
            "7.{32|35|38|41}/{38|42|48}/{72|88|104}",
            "nebs q{4|6}h {albuterol|duoneb}, solumedrol {40|60}mg IV q{8|12}h",
            "sx q{2|3|4}h for {thick tan|thin white|yellow} secretions",
        ],
    },
    {
        "dx": ["s/p ORIF R hip fx", "s/p CABG x{3|4}", "s/p ex lap, SBO"],
        "pmh": ["dementia", "osteoporosis", "HTN", "falls"],
        "extra": [
            "{R hip|sternal|abd} incision w/ {staples|steri-strips}, OTA, no drainage",
            "c/o incisional pain {#3-9}/10, dilaudid {0.5|1}mg IV q{3|4}h prn w/ {fair|good} "
            "effect",
            "IS {500|750|1000} w/ coaching, OOB to chair w/ {1|2} assist",
        ],
    },
    {
        "dx": ["ETOH withdrawal", "ETOH withdrawal w/ DTs", "pancreatitis, ETOH"],
        "pmh": ["ETOH abuse", "seizures", "hep C"],
        "extra": [
            "CIWA {#8-22}, rec'd ativan {1|2}mg IV x{2|3} w/ {good|minimal} effect",
            "thiamine/folate/MVI daily, banana bag infusing",
            "precedex gtt @ {0.2|0.4|0.7} mcg/kg/hr, calm & cooperative",
        ],
    },
    {
        "dx": ["L MCA CVA", "acute ischemic stroke s/p tPA", "ICH"],
        "pmh": ["afib", "HTN", "DM2"],
        "extra": [
            "R sided weakness unchanged, NIHSS {#2-12}",
            "SBP goal <{140|160}, nicardipine gtt @ {2.5|5|7.5} mg/hr",
            "neuro checks q1h, swallow eval {failed|pending}, NPO",
        ],
    },
]

NEURO = [
    "A&Ox3, MAE, follows commands",
    "A&Ox{1|2}, {intermittently|pleasantly} confused, reoriented {freq|frequently|w/ difficulty}",
    "sedated on propofol gtt @ {#10-50} mcg/kg/min, RASS {-1|-2|-3}",
    "PERRL {2|3|4}mm {brisk|sluggish}, no focal deficits",
    "lethargic but arousable to voice",
    "c/o {back|abd|R hip} pain {#3-9}/10, oxycodone {5|10}mg PO q4h prn w/ {fair|good} effect",
    "CAM-ICU {pos|neg}, haldol {2|5}mg IV x1 for agitation",
    "oriented to self only, baseline per family",
    "slept in naps overnight, no acute changes",
    "fent gtt @ {25|50|75|100} mcg/hr, grimaces w/ turns",
    "denies pain, tylenol 650mg PO x1 for HA",
]
CV = [
    "HR {60s-70s|70s-80s|80s-90s} {SR|NSR}, no ectopy",
    "HR {100s-110s|110s-120s} ST, SBP {90s-100s|100s-110s}",
    "afib {w/ RVR|rate controlled} {110s-130s|80s-100s}, dilt gtt @ {5|10|15}mg/hr",
    "+pp, {trace|1+|2+} edema BLE",
    "Mg 1.{5|6|7}, 2g mag sulfate IV given",
    "trop 0.0{2|4|6} -> 0.0{5|8|9}, cards aware",
    "SBP {150s-170s|160s-180s}, labetalol {10|20}mg IV x{1|2}, hydralazine prn",
    "VSS, afebrile",
    "R radial art line {dampened, flushed|w/ good waveform}, correlates w/ cuff",
    "heparin gtt @ {#800-1600} u/hr, PTT {#45-98} @ {0200|0600|1400}",
    "amio gtt @ 0.5 mg/min, converted to NSR",
    "metoprolol {12.5|25}mg PO BID held for HR 50s",
]
RESP = [
    "{2|3|4}L NC sats {92-95|94-97|95-99}%",
    "LS {clear|coarse bilat|dim bases|crackles at bases}, {non-productive|weak|moist} cough",
    "CPAP {5/5|10/5} trial, tol {well|poorly} x{1|2|3}h",
    "IS {500|750|1000} w/ coaching",
    "face tent {40|50}% sats {90-93|92-94|94-96}%",
    "RR {teens|20s}, no resp distress",
    "CXR {improved|unchanged|w/ RLL infiltrate}",
    "RA sats {93|95|97}%, {clear|dim} bases",
]
GI = [
    "abd soft NT/ND, +BS",
    "tol {clears|full liquids|cardiac diet|reg diet} w/o N/V",
    "TF {Jevity 1.2|Osmolite|Nepro} @ {40|50|60|70} ml/hr {at goal|advancing to goal}, residuals "
    "<{50|100}",
    "BM x{1|2} {soft brown|loose|formed} {guaiac neg|OB+}",
    "no BM since admit, {colace/senna|miralax} given",
    "foley to gravity, u/o {30-60|40-80|20-40}cc/hr {clear yellow|amber|cloudy}",
    "voiding qs in urinal",
    "NPO after MN for {EGD|TEE|PEG placement|OR}",
    "I&O {+|-}{0.5|1.2|1.8|2.1}L for shift",
    "BUN/Cr {#20-58}/{1.1|1.4|1.9|2.6}, renal following",
    "OGT to LIS, {min|moderate} bilious drainage",
    "straight cath x1 for {450|600|800}cc, bladder scan q6h",
]
SKIN = [
    "intact",
    "stage {I|II} {coccyx|sacrum}, mepilex applied, turned q2h",
    "R groin site C/D/I, no hematoma",
    "PIV x{1|2}, {L AC|R FA|L hand} {20|18}g patent",
    "R IJ TLC, dsg C/D/I",
    "bilat heels boggy, offloaded w/ pillows",
    "skin tear L forearm, xeroform & kerlix",
    "PICC {L|R} basilic, {double|triple} lumen, flushes well",
]
IDL = [
    "Tmax {100.4|101.2|101.8|102.3}, pan cultured, {on vanco/zosyn|cefepime & flagyl "
    "started|ceftriaxone cont}",
    "afebrile, WBC {12.4|14.2|16.8|18.1} -> {9.6|11.8|12.2}",
    "C diff {neg|pending}, contact precautions",
    "BCx {NGTD|+ GPC in clusters}, ID following",
    "UA {pos|neg}, UCx pending",
]
ENDO = [
    "FSBS {140-220|110-180|180-260} covered per RISS",
    "lantus {10|18|24}u qhs, humalog SS ac/hs",
    "FSBS {90s-130s|120s-160s}, no coverage needed",
]
PLAN = [
    "cont to monitor, wean {levo|vent|O2|precedex} as tol",
    "f/u AM labs, {lytes|CBC|coags} to be repleted per protocol",
    "PT/OT eval, OOB to chair w/ 2 assist",
    "awaiting {TEE|EGD|MRI brain|cardiac cath} in AM",
    "goals of care discussion pending, team aware",
    "cont abx, f/u cultures",
]
ALLERGENS = [
    "PCN",
    "penicillin",
    "sulfa",
    "codeine",
    "latex",
    "iodine contrast",
    "morphine",
    "shellfish",
    "peanuts",
    "keflex",
    "bactrim",
    "NKDA",
]
HOME_MEDS = [
    "metoprolol 25mg PO BID",
    "lisinopril 10mg PO daily",
    "atorvastatin 40mg PO qhs",
    "aspirin 81mg PO daily",
    "eliquis 5mg PO BID",
    "lasix 40mg PO daily",
    "lantus 20u SQ qhs",
    "gabapentin 300mg PO TID",
    "seroquel 25mg PO qhs",
    "pantoprazole 40mg PO daily",
    "coumadin 5mg PO daily",
    "albuterol MDI 2 puffs q4h prn",
]


def allergies(rng: random.Random, most: int = 2) -> str:
    """An allergy list (or NKDA)."""
    if rng.random() < 0.15:
        return "NKDA"
    return ", ".join(rng.sample(ALLERGENS[:-1], rng.randint(1, most)))


def pick(rng: random.Random, pool: list[str], k: int) -> list[str]:
    """Pick k distinct phrases."""
    return rng.sample(pool, min(k, len(pool)))


def phrases(rng: random.Random, pool: list[str], k: int, sep: str = ", ") -> list[Run]:
    """Expand k phrases from a pool and join them."""
    return join_runs([expand(rng, p) for p in pick(rng, pool, k)], sep)


# --------------------------------------------------------------------------------------------
# Styles (a "hospital" look for one document)
# --------------------------------------------------------------------------------------------


@dataclass
class Style:
    """Per-document look: labels, date formats, ink."""

    label_case: str  # "title" | "upper" | "lower"
    label_sep: str  # ":" | "-" | ""
    full_date: str
    partial_date: str
    header: str
    ink: int
    grid: str
    footer: str


def make_style(rng: random.Random) -> Style:
    """Draw a document look."""
    return Style(
        label_case=rng.choice(["title", "title", "upper", "lower"]),
        label_sep=rng.choice([":", ":", ":", "-"]),
        full_date=rng.choice(["m/d/Y", "mm/dd/Y", "m/d/y", "mm/dd/Y", "DD-MON-Y", "iso"]),
        partial_date=rng.choice(["m/d", "m/d", "mm/dd"]),
        header=rng.choice(["banner", "addressograph", "minimal"]),
        ink=rng.randint(0, 40),
        grid=rng.choices(["rules", "rows", "full"], weights=[6, 3, 1])[0],
        footer=rng.choice(["page", "label", "printed"]),
    )


def label(st: Style, name: str) -> str:
    """A section label in the document's style ("Neuro:", "NEURO-", "neuro:")."""
    if st.label_case == "upper":
        name = name.upper()
    elif st.label_case == "lower":
        name = name.lower()
    return name + st.label_sep


# --------------------------------------------------------------------------------------------
# Kind 1: ICU / ward nursing progress note
# --------------------------------------------------------------------------------------------


def _social_required(c: Ctx) -> list[Run]:
    """The social line that every first ICU entry carries.

    It names a relative in lower case, another in ALL CAPS, and gives a phone with a space
    after the area code.
    """
    rng = c.rng
    rels = [k for k in c.contacts if k.role == "relative"] or c.contacts
    a = rels[0]
    b = rels[1] if len(rels) > 1 else c.contacts[-1]
    d = rels[2] if len(rels) > 2 else a
    parts = [
        expand(
            rng,
            "[[w]] [[n]] in to visit, {updated by team|updated on POC|questions answered|brought "
            "pt's glasses}",
            w=c.relword(a),
            n=c.rel(a, rng.choice(["given_lower", "nick_lower"])),
        ),
        expand(
            rng,
            "[[w]] [[n]] called x{2|3}, {questions answered|updated on plan|will be in tomorrow}",
            w=c.relword(b),
            n=c.rel(b, rng.choice(["given_caps", "nick_caps", "full_caps"])),
        ),
        expand(
            rng,
            "{[[w]] ([[n]]) updated by phone [[ph]]|[[w]] [[n]] requests call at [[ph]] w/ "
            "changes}",
            w=c.relword(d),
            n=c.rel(d, rng.choice(["nick_lower", "given", "given_lower"])),
            ph=c.phone(rng.choice(["sp", "sp_dash"]), d.phone if " " in d.phone[:4] else None),
        ),
    ]
    rng.shuffle(parts)
    return join_runs(parts, rng.choice([", ", ". ", "; "]))


def _social_extra(c: Ctx) -> list[Run]:
    rng = c.rng
    k = rng.choice(c.contacts)
    opts = [
        lambda: expand(
            rng,
            "case mgmt ([[n]]) aware",
            n=c.person(c.cm, rng.choice(["full", "init_family", "full_lower"]), "provider"),
        ),
        lambda: expand(
            rng,
            "SW [[n]] following for {placement|coping|ETOH counseling}",
            n=c.person(c.sw, rng.choice(["full", "family", "given_lower"]), "provider"),
        ),
        lambda: expand(
            rng,
            "HCP is [[w]] [[n]] [[ph]]",
            w=c.relword(k),
            n=c.rel(k, rng.choice(["full_caps", "full", "nick_full"])),
            ph=c.phone(),
        ),
        lambda: expand(
            rng,
            "[[w]] [[n]] spending night at bedside",
            w=c.relword(k),
            n=c.rel(k, rng.choice(["given_lower", "given"])),
        ),
        lambda: expand(
            rng,
            "message left for [[w]] [[n]] at [[ph]]",
            w=c.relword(k),
            n=c.rel(k, "given_init"),
            ph=c.phone(),
        ),
        lambda: expand(
            rng, "pt lives w/ [[w]] in [[city]]", w=c.relword(k), city=phi(c.home_city, "CITY")
        ),
        lambda: expand(
            rng,
            "family mtg set for [[d]] w/ dr. [[doc]]",
            d=c.date(
                c.doc_date + dt.timedelta(days=rng.randint(1, 4)),
                rng.choice(["the dth", "m/d", "Mon d"]),
            ),
            doc=c.doc(c.attending, "family_lower"),
        ),
        lambda: expand(
            rng,
            "full code per pt & [[w]] [[n]]",
            w=c.relword(k),
            n=c.rel(k, rng.choice(["given_caps", "given_lower"])),
        ),
        lambda: expand(
            rng,
            "chaplain [[n]] in to see pt",
            n=c.person(c.chaplain, rng.choice(["given", "full"]), "other"),
        ),
        lambda: expand(
            rng,
            "interpreter ([[n]], {Spanish|Portuguese|Vietnamese|Polish|Haitian Creole}) used for "
            "update",
            n=c.person(c.interpreter, rng.choice(["given", "full", "init_family"]), "other"),
        ),
        lambda: expand(
            rng,
            "[[w]] [[n]] visited, pt {asked that no info be given|ok w/ sharing info}",
            w=c.relword(k),
            n=c.rel(k, rng.choice(["given_lower", "full_lower", "given_caps"])),
        ),
    ]
    return join_runs([f() for f in rng.sample(opts, rng.randint(1, 3))], rng.choice([", ", ". "]))


def _event_phrases(c: Ctx) -> list[list[Run]]:
    rng = c.rng
    return [
        expand(
            rng,
            "seen by dr. [[n]], ok to d/c {art line|foley|TLC}",
            n=c.doc(c.attending, rng.choice(["family_lower", "family"])),
        ),
        expand(
            rng,
            "d/w [[n]] RN re: {plan|drip titration|bed assignment}",
            n=c.person(c.nurse2, rng.choice(["init_family_lower", "init_family"]), "provider"),
        ),
        expand(
            rng,
            "tx from [[f]] [[d]] for higher level of care",
            f=c.fac(c.outside.short),
            d=c.date(c.admit, c.style.partial_date, True),
        ),
        expand(
            rng,
            "CT {head|abd/pelvis|chest} done, accession [[a]], prelim {neg|w/o acute findings}",
            a=c.ident(accession(rng, c.year), "accession"),
        ),
        expand(rng, "{renal|ID|cards|GI} (dr {[[n]]}) following", n=c.doc(c.consult)),
        expand(
            rng,
            "PCP dr [[n]] at [[f]] notified of admit",
            n=c.doc(c.pcp, rng.choice(["family", "family_lower", "init_family"])),
            f=c.fac(c.clinic.short),
        ),
        expand(
            rng, "{possible|likely} call out to [[w]] {tomorrow|when bed avail}", w=c.fac(c.ward)
        ),
        expand(
            rng,
            "labs sent {w/ AM draw|STAT}, accession [[a]]",
            a=c.ident(accession(rng, c.year), "accession"),
        ),
    ]


def _entry_header(c: Ctx, first: bool, day: dt.date) -> list[Run]:
    rng = c.rng
    nxt = day + dt.timedelta(days=1)
    shift = rng.choice(
        ["0700-1900", "1900-0700", "7a-7p", "7p-7a", "nocs", "days", "0700-1500", "1500-2300"]
    )
    if first or rng.random() < 0.7:
        d = c.date(day, c.style.partial_date, True)
        form = rng.randrange(4)
        if form == 0:
            return [d, Run(f" {shift}")]
        if form == 1:
            return [Run("NPN "), d, Run(f" {shift}")]
        if form == 2:
            return [d, Run("-"), c.date(nxt, c.style.partial_date, True), Run(" nocs")]
        return [
            Run(rng.choice(["Nursing Progress Note ", "Nsg note ", "RN Note "])),
            d,
            Run(f" {shift}"),
        ]
    return [
        Run(rng.choice(["Nursing Note ", "NPN ", "Addendum "])),
        c.date(day, c.style.full_date),
        Run(f" {rng.choice(['1900-0700', '0700-1900', '1630'])}"),
    ]


def _summary(c: Ctx) -> list[Run]:
    rng = c.rng
    sc = c.scenario
    hx_date = dt.date(rng.randint(1988, c.year - 2), rng.randint(1, 12), rng.randint(1, 28))
    return expand(
        rng,
        "[[age]] {yo|y/o|year old} [[sex]] w/ PMH {[[pmh]]}, hx {MI|CVA|R hip fx|CABG} [[hx]], "
        "admitted [[adm]] {from|via} [[fac]] ED w/ [[dx]]. Allergies: [[alg]].",
        age=c.age_run(),
        sex=c.sex,
        pmh=", ".join(rng.sample(sc["pmh"], min(3, len(sc["pmh"])))),
        hx=c.date(hx_date, rng.choice(["d mon, y", "D Mon, y", "m/d/y", "abbr"])),
        adm=c.date(c.admit),
        fac=c.fac(c.outside.short),
        dx=expand(rng, rng.choice(sc["dx"])),
        alg=allergies(rng),
    )


def icu_blocks(c: Ctx, lay: Layout, entries: int) -> list[Block]:
    """Blocks of an ICU / ward nursing progress note.

    Args:
        c: the document context.
        lay: the layout.
        entries: how many shift entries.

    Returns:
        The blocks, header first.
    """
    rng, st = c.rng, c.style
    blocks: list[Block] = []
    blocks += _header_blocks(
        c,
        lay,
        rng.choice(
            [
                "NURSING PROGRESS NOTE",
                "Nursing Progress Notes",
                f"{c.unit} NURSING NOTE",
                "NURSING NARRATIVE",
            ]
        ),
    )
    events = _event_phrases(c)
    rng.shuffle(events)
    sc = c.scenario
    hang = lay.tw("    ") if rng.random() < 0.5 else 0
    for e in range(entries):
        day = c.doc_date - dt.timedelta(days=(entries - 1 - e) // 2)
        first = e == 0
        ess = first  # the first entry is never dropped
        start = len(blocks)
        blocks.append(
            Block(
                lay.para(_entry_header(c, first, day), bold=rng.random() < 0.6).rows,
                keep=True,
                drop=not ess,
                gap=lay.line_h // 2,
            )
        )
        if first and rng.random() < 0.85:
            blocks.append(lay.para(_summary(c), hang=hang, drop=not ess))
        if rng.random() < 0.6 and events:
            ev = [events.pop() for _ in range(min(len(events), rng.randint(1, 2)))]
            blocks.append(
                lay.para(
                    [Run(label(st, "Events") + " ")] + join_runs(ev, ". "), hang=hang, drop=not ess
                )
            )
        systems: list[tuple[str, list[Run]]] = [
            ("Neuro", phrases(rng, NEURO, rng.randint(1, 3))),
            (
                "CV",
                join_runs(
                    [phrases(rng, CV, rng.randint(1, 2)), expand(rng, rng.choice(sc["extra"]))],
                    ", ",
                ),
            ),
            ("Resp", phrases(rng, RESP, rng.randint(1, 3))),
            (rng.choice(["GI/GU", "GI", "GU/GI"]), phrases(rng, GI, rng.randint(2, 3))),
            ("Skin", phrases(rng, SKIN, rng.randint(1, 2))),
        ]
        if first:
            dev = expand(rng, c.device[1], sn=c.ident(c.serial, "device_serial"))
            systems[1] = ("CV", join_runs([systems[1][1], dev], ", "))
        if rng.random() < 0.6:
            systems.append(("ID", phrases(rng, IDL, rng.randint(1, 2))))
        if rng.random() < 0.5:
            systems.append(("Endo", phrases(rng, ENDO, 1)))
        if events and rng.random() < 0.5:
            i = rng.randrange(len(systems))
            systems[i] = (systems[i][0], join_runs([systems[i][1], events.pop()], ", "))
        social = _social_required(c) if first else _social_extra(c)
        if first and rng.random() < 0.5:
            social = join_runs([social, _social_extra(c)], ". ")
        systems.append(("Social", social))
        systems.append((rng.choice(["Plan", "A/P", "Plan"]), phrases(rng, PLAN, rng.randint(1, 2))))
        for name, body in systems:
            blocks.append(lay.para([Run(label(st, name) + " ")] + body, hang=hang, drop=not ess))
        blocks.append(_nurse_sig(c, lay, c.nurse if e % 2 == 0 else c.nurse3, drop=not ess))
        for b in blocks[start:]:
            b.group = None if ess else e
    return blocks


def _nurse_sig(c: Ctx, lay: Layout, nurse: Person, drop: bool) -> Block:
    rng = c.rng
    style = rng.choice(["init_family", "full", "init_family_caps", "given_init"])
    cred = rng.choice(["RN", "RN", "RN, BSN", "RN CCRN"])
    runs = expand(rng, "{-- |}[[n]]{, | }[[cred]]", n=c.person(nurse, style, "provider"), cred=cred)
    x_ind = rng.choice([0, lay.width // 2])
    return lay.para(runs, indent=x_ind, drop=drop)


# --------------------------------------------------------------------------------------------
# Headers and footers shared by the kinds
# --------------------------------------------------------------------------------------------


def _kv(st: Style, name: str, value: list[Run] | Run | str) -> list[Run]:
    if isinstance(value, Run):
        value = [value]
    elif isinstance(value, str):
        value = [Run(value)]
    return [Run(label(st, name) + " ")] + value


def _header_blocks(c: Ctx, lay: Layout, title: str) -> list[Block]:
    rng, st = c.rng, c.style
    blocks: list[Block] = []
    col2 = lay.ml + lay.width * rng.choice([40, 45, 50]) // 100
    col3 = lay.ml + lay.width * rng.choice([70, 72, 75]) // 100
    if st.header == "banner":
        blocks.append(lay.title([c.fac(c.hospital.name)], align="center", big=True))
        if rng.random() < 0.6:
            blocks.append(
                lay.cells(
                    [
                        (
                            (PAGE_W - lay.tw(c.hosp_city + ", " + c.hosp_state)) // 2,
                            [phi(c.hosp_city, "CITY"), Run(", " + c.hosp_state)],
                        )
                    ],
                    drop=False,
                )
            )
        blocks.append(lay.title([Run(title)], align="center"))
        blocks.append(lay.rule())
        blocks.append(
            lay.cells(
                [
                    (
                        lay.ml,
                        _kv(
                            st,
                            "Patient",
                            c.pt(
                                rng.choice(["last_first", "last_first_caps", "full", "full_caps"])
                            ),
                        ),
                    ),
                    (col2, _kv(st, rng.choice(["MRN", "MR#", "Med Rec #"]), c.mrn_run())),
                    (col3, _kv(st, "DOB", c.date(c.dob, st.full_date))),
                ],
                drop=False,
            )
        )
        blocks.append(
            lay.cells(
                [
                    (
                        lay.ml,
                        _kv(
                            st,
                            "Attending",
                            [
                                Run("Dr. "),
                                c.doc(c.attending, rng.choice(["full", "init_family", "family"])),
                            ],
                        ),
                    ),
                    (col2, _kv(st, "Admit", c.date(c.admit, st.full_date))),
                    (col3, _kv(st, "Age", [c.age_run(), Run(f" {c.sex}")])),
                ],
                drop=False,
            )
        )
        blocks.append(lay.rule())
    elif st.header == "addressograph":
        bx = lay.ml + lay.width * 56 // 100
        rows = [
            [Run(title)],
            [Run(c.unit)] if rng.random() < 0.5 else [c.fac(c.hospital.short), Run(" " + c.unit)],
            [],
            [],
        ]
        right = [
            [c.pt(rng.choice(["last_first_caps", "last_first"]))],
            [Run(rng.choice(["MR# ", "MRN ", "MR "])), c.mrn_run()],
            [Run("DOB "), c.date(c.dob, st.full_date), Run(" "), c.age_run(), Run(f"Y {c.sex}")],
            [
                Run("ADM "),
                c.date(c.admit, st.full_date),
                Run(" "),
                c.doc(c.attending, "family_caps"),
            ],
        ]
        widest = max(lay.tw("".join(r.text for r in rr)) for rr in right)
        bx = min(bx, lay.right - widest - 48)
        out_rows: list[Row] = []
        for i in range(4):
            pieces = []
            if rows[i]:
                pieces.append(Piece(lay.ml, _merge(rows[i]), i == 0))
            pieces.append(Piece(bx + 24, _merge(right[i])))
            out_rows.append(Row(pieces, lay.line_h))
        total = lay.line_h * 4
        out_rows[0].draws.append(("rect", bx, -8, lay.right, total + 4, 3))
        blocks.append(Block(out_rows, keep=True, drop=False))
        blocks.append(Block([Row([], lay.line_h // 2)], keep=True, drop=False))
        blocks.append(lay.rule())
    else:
        blocks.append(lay.title([Run(title)], align="left"))
        blocks.append(lay.rule(width=2))
    return blocks


def _footer_rows(c: Ctx, lay: Layout, page: int, npages: int) -> list[tuple[Row, int]]:
    rng = random.Random(f"{c.mrn}:{page}")  # footers repeat their look on every page
    st = c.style
    y = PAGE_H - lay.mb + lay.line_h // 2
    pieces: list[Piece] = []
    pg = f"Page {page + 1} of {npages}"
    if st.footer == "label" or st.header == "minimal":
        runs = [c.pt("last_first_plain"), Run(" MRN "), c.mrn_run()]
        pieces.append(Piece(lay.ml, _merge(runs)))
    elif st.footer == "printed":
        runs = [
            Run("Printed "),
            c.date(c.doc_date + dt.timedelta(days=1), st.full_date),
            Run(f" {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"),
        ]
        pieces.append(Piece(lay.ml, _merge(runs)))
    pieces.append(Piece(lay.right - lay.tw(pg), [Run(pg)]))
    return [(Row(pieces, lay.line_h), y)]


def _continuation_rows(c: Ctx, lay: Layout) -> list[tuple[Row, int]]:
    runs = [c.pt("last_first_caps"), Run(" "), Run("MRN "), c.mrn_run(), Run(" (continued)")]
    return [
        (
            Row(
                [Piece(lay.ml, _merge(runs))],
                lay.line_h,
                [("line", lay.ml, lay.line_h + 4, lay.right, lay.line_h + 4, 2)],
            ),
            lay.mt,
        )
    ]


# --------------------------------------------------------------------------------------------
# Kind 2: shift flowsheet with narrative
# --------------------------------------------------------------------------------------------


def _vitals(c: Ctx, n: int, base: int, hours: int) -> tuple[list[str], list[list[str]]]:
    rng = c.rng
    header = ["Time", "BP", "HR", "RR", "Temp", "SpO2", "O2", "Pain"]
    step = rng.choice([1, 2, 2])
    start = base + rng.choice([0, 1])
    n = min(n, hours // step)
    sbp, hr = rng.randint(100, 150), rng.randint(62, 108)
    o2 = rng.choice(["RA", "2L NC", "3L NC", "4L NC", "40% FT", "BiPAP"])
    rows = []
    for i in range(n):
        t = (start + i * step) % 24
        sbp += rng.randint(-12, 12)
        hr += rng.randint(-8, 8)
        rows.append(
            [
                f"{t:02d}00",
                f"{sbp}/{rng.randint(52, 92)}",
                str(hr),
                str(rng.randint(14, 26)),
                f"{rng.uniform(97.2, 101.4):.1f}",
                f"{rng.randint(89, 100)}%",
                o2,
                str(rng.randint(0, 8)),
            ]
        )
    return header, rows


def flow_blocks(c: Ctx, lay: Layout, long: bool) -> list[Block]:
    """Blocks of a nursing shift flowsheet with narrative and handoff.

    Args:
        c: the document context.
        lay: the layout.
        long: write more entries (two-page budget).

    Returns:
        The blocks, header first.
    """
    rng, st = c.rng, c.style
    if st.label_case == "lower":
        st.label_case = "title"
    blocks: list[Block] = []
    blocks.append(
        lay.title([c.fac(c.hospital.name)], align=rng.choice(["left", "center"]), big=True)
    )
    blocks.append(
        lay.title(
            [
                Run(
                    rng.choice(
                        [
                            "NURSING SHIFT ASSESSMENT & FLOWSHEET",
                            "Nursing Flowsheet / Shift Summary",
                            "24 HR NURSING FLOW RECORD",
                        ]
                    )
                )
            ],
            align="left",
        )
    )
    blocks.append(lay.rule())
    col2 = lay.ml + lay.width // 2
    shift, base_h, hours = rng.choice(
        [
            ("0700-1900", 7, 12),
            ("1900-0700", 19, 12),
            ("0700-1530", 7, 8),
            ("2300-0730", 23, 8),
            ("7a-7p", 7, 12),
            ("7p-7a", 19, 12),
        ]
    )
    pstyle = (
        rng.choice(["last_first", "last_first_plain", "full_caps", "nick_full"])
        if rng.random() < 0.2
        else rng.choice(["last_first", "last_first_plain", "full_caps"])
    )
    unit = c.fac(c.ward) if rng.random() < 0.5 else Run(c.floor)
    hdr = [
        [
            (lay.ml, _kv(st, "Patient", c.pt(pstyle))),
            (col2, _kv(st, rng.choice(["MRN", "MR #", "Patient ID"]), c.mrn_run())),
        ],
        [
            (
                lay.ml,
                _kv(st, "DOB", [c.date(c.dob, st.full_date), Run(" ("), c.age_run(), Run(" y)")]),
            ),
            (col2, _kv(st, "Sex", c.sex)),
        ],
        [
            (
                lay.ml,
                _kv(
                    st,
                    "Room/Bed",
                    f"{rng.randint(2, 9)}{rng.randint(1, 40):02d}-{rng.choice('AB')}",
                ),
            ),
            (col2, _kv(st, "Unit", unit)),
        ],
        [
            (
                lay.ml,
                _kv(
                    st,
                    "Attending",
                    [
                        Run("Dr. "),
                        c.doc(c.attending, rng.choice(["init_family", "full", "family"])),
                    ],
                ),
            ),
            (col2, _kv(st, "Admit Date", c.date(c.admit, st.full_date))),
        ],
        [
            (lay.ml, _kv(st, rng.choice(["Enc #", "CSN", "Visit #"]), phi(c.encounter, "MRN"))),
            (col2, _kv(st, "Allergies", allergies(rng, 3))),
        ],
        [
            (lay.ml, _kv(st, "Shift", [c.date(c.doc_date, st.full_date), Run(" " + shift)])),
            (col2, _kv(st, "Code Status", rng.choice(["Full", "DNR/DNI", "DNR", "Full code"]))),
        ],
    ]
    if rng.random() < 0.5:
        hdr.append(
            [
                (lay.ml, _kv(st, "Acct #", c.ident(c.account, "account"))),
                (
                    col2,
                    _kv(
                        st,
                        "Isolation",
                        rng.choice(["none", "contact", "droplet", "contact/enteric"]),
                    ),
                ),
            ]
        )
    for cells in hdr:
        blocks.append(lay.cells(cells, drop=False))
    blocks.append(lay.rule())
    blocks.append(
        lay.title(
            [Run(rng.choice(["VITAL SIGNS", "Vital Signs", "VS / Assessment"]))],
            gap=lay.line_h // 3,
            drop=False,
        )
    )
    header, rows = _vitals(c, rng.randint(6, 9) if long else rng.randint(4, 7), base_h, hours)
    blocks.append(lay.table(header, rows, st.grid, drop=False))
    io_line = expand(
        rng,
        "I&O{:| -} In: PO {#120-960} IV {#250-1800} TF {#0-900} / Out: urine {#300-2200} {drain "
        "{#20-150}|stool x{1|2}|emesis {#50-200}}",
    )
    blocks.append(lay.para(io_line, gap=lay.line_h // 3, drop=False))
    blocks.append(
        lay.title(
            [Run(rng.choice(["NARRATIVE NOTES", "Nursing Narrative", "PROGRESS NOTES"]))],
            gap=lay.line_h // 2,
            drop=False,
        )
    )
    sig = name_text(c.nurse, rng.choice(["init_family", "full"]))
    k = rng.choice(c.contacts)
    rel_k = [x for x in c.contacts if x.role == "relative"] or c.contacts
    first = (
        "Assessment complete, see flowsheet. " + rng.choice(NEURO) + ", " + rng.choice(RESP) + "."
    )
    pool = [
        "[[doc_line]]",
        rng.choice(c.scenario["extra"]) + ".",
        rng.choice(c.scenario["extra"]) + ", " + rng.choice(CV) + ".",
        "[[fam_line]]",
        rng.choice(GI) + ", " + rng.choice(SKIN) + ".",
        "{Pt OOB to chair x{1|2}h w/ {1|2} assist, tol well|Pt turned q2h, HOB >30|PT in to see "
        "pt, amb {20|50|100} ft w/ RW}.",
        "Meds given per MAR: " + ", ".join(rng.sample(HOME_MEDS, 2)) + ".",
        "[[call_line]]",
        rng.choice(PLAN) + ".",
        "[[dev_line]]",
        "Pain reassessed {#0-3}/10, resting comfortably.",
        "Fall precautions in place, bed alarm on, call bell in reach.",
        "FSBS {#140-260}, {2|4|6}u humalog SQ given per scale.",
        "To {CT|MRI|IR} via stretcher w/ RN on {monitor|tele}, returned {#30-90} min later, VSS.",
        "[[acc_line]]",
        "{Foley care done|CHG bath given|Oral care done}, {linen changed|pt repositioned}.",
        "[[visit_line]]",
        rng.choice(RESP) + ", " + rng.choice(IDL) + ".",
        "Pt {refused|took} evening meds, {educated on importance|no issues}.",
    ]
    rng.shuffle(pool)
    entries = [first] + pool[: (14 if long else 9)]
    slots = {
        "doc_line": expand(
            rng,
            "Dr. [[n]] notified of {SBP 88/50|HR 130s|temp 101.6|u/o <30cc/hr x2h|new "
            "confusion}, {500cc NS bolus ordered|orders received|will see pt|CXR ordered}",
            n=c.doc(c.resident, rng.choice(["family", "full", "init_family"])),
        ),
        "fam_line": expand(
            rng,
            "[[w]] [[n]] at bedside, updated on plan of care{| by team}",
            w=c.relword(k).capitalize(),
            n=c.rel(k, rng.choice(["given", "full", "given_lower", "given_caps"])),
        ),
        "call_line": expand(
            rng,
            "Called [[w]] [[n]] at [[ph]] re: {transfer|change in status|discharge tomorrow}, "
            "{no answer, VM left|aware}",
            w=c.relword(rel_k[0]),
            n=c.rel(rel_k[0], rng.choice(["nick", "given", "full"])),
            ph=c.phone(text=rel_k[0].phone),
        ),
        "dev_line": expand(rng, c.device[1], sn=c.ident(c.serial, "device_serial")),
        "acc_line": expand(
            rng,
            "{Blood cx x2|Type & screen|Lactate|Troponin} sent, accession [[a]].",
            a=c.ident(accession(rng, c.year), "accession"),
        ),
        "visit_line": expand(
            rng,
            "Visitor [[n]] ({pt's [[rw]]|says is pt's [[rw]]}) in, {brought clothes|left at "
            "2000|asked about d/c}.",
            n=c.rel(c.contacts[-1], rng.choice(["full", "given_lower", "full_caps"])),
            rw=c.contacts[-1].relation,
        ),
    }
    times = sorted(rng.sample(range(15, hours * 60, 15), len(entries)))
    for i, t in enumerate(times):
        tt = (base_h * 60 + t) % (24 * 60)
        body = expand(rng, entries[i], **slots)
        if rng.random() < 0.75:
            sig_runs = [Run(" -- "), phi(sig, "PERSON", role="provider"), Run(" RN")]
        else:
            sig_runs = [Run(" -- "), c.person(c.nurse2, "init_family", "provider"), Run(", RN")]
        runs = [Run(f"{tt // 60:02d}{tt % 60:02d} ")] + body + sig_runs
        blocks.append(lay.para(runs, hang=lay.tw("0000 "), gap=6, drop=i > 0))
    # handoff
    blocks.append(
        lay.title(
            [Run(rng.choice(["HANDOFF / REPORT", "Shift Handoff (SBAR)", "END OF SHIFT REPORT"]))],
            gap=lay.line_h // 2,
            drop=False,
        )
    )
    nxt = c.nurse2
    blocks.append(
        lay.para(
            expand(
                rng,
                "Report given to [[n]] RN at [[hand]] {at bedside|via SBAR|by phone}. Pending: "
                "{AM labs|PT eval|CT results|repeat lactate}, {wean O2|f/u cultures|family mtg}.",
                n=c.person(nxt, rng.choice(["full", "init_family", "given"]), "provider"),
                hand=f"{(base_h + hours) % 24:02d}{rng.choice(['00', '15', '30'])}",
            ),
            drop=False,
        )
    )
    fam = []
    for x in c.contacts[: rng.randint(2, 3)]:
        fam.append(
            expand(
                rng,
                "[[w]] [[n]]{| (HCP)| (primary contact)} [[ph]]",
                w=x.relation.capitalize(),
                n=c.rel(x, rng.choice(["full", "nick_full", "full_caps", "given"])),
                ph=c.phone(text=x.phone),
            )
        )
    blocks.append(
        lay.para([Run(label(st, "Family contacts") + " ")] + join_runs(fam, "; "), drop=False)
    )
    blocks.append(lay.sigline(lay.ml, lay.ml + lay.width // 2))
    blocks.append(
        lay.cells(
            [
                (lay.ml, [Run("Signature: "), phi(sig, "PERSON", role="provider"), Run(", RN")]),
                (col2, _kv(st, "Date", c.date(c.doc_date, st.full_date))),
            ],
            drop=False,
        )
    )
    return blocks


# --------------------------------------------------------------------------------------------
# Kind 3: case management / social work note
# --------------------------------------------------------------------------------------------


def cm_blocks(c: Ctx, lay: Layout, long: bool) -> list[Block]:
    """Blocks of a case-management / social-work discharge-planning note.

    Args:
        c: the document context.
        lay: the layout.
        long: write more sections (two-page budget).

    Returns:
        The blocks, header first.
    """
    rng, st = c.rng, c.style
    if st.label_case == "lower":
        st.label_case = "title"
    blocks: list[Block] = []
    title = rng.choice(
        [
            "CASE MANAGEMENT PROGRESS NOTE",
            "SOCIAL WORK PSYCHOSOCIAL ASSESSMENT",
            "DISCHARGE PLANNING NOTE",
            "Care Coordination Note",
        ]
    )
    if st.header == "addressograph":
        blocks += _header_blocks(c, lay, title)
    else:
        blocks.append(lay.title([c.fac(c.hospital.name)], align="center", big=True))
        blocks.append(lay.title([Run(title)], align="center"))
        blocks.append(lay.rule())
    col2 = lay.ml + lay.width // 2
    mid = rng.random() < 0.5
    pname = c.pt(
        rng.choice(["full_middle", "full", "last_first_plain"])
        if mid
        else rng.choice(["full", "nick_full", "full_caps"])
    )
    hdr = [
        [(lay.ml, _kv(st, "Patient", pname)), (col2, _kv(st, "MRN", c.mrn_run()))],
        [
            (lay.ml, _kv(st, "DOB", c.date(c.dob, rng.choice(["long", "m/d/Y", "mm/dd/Y"])))),
            (col2, _kv(st, "Admit date", c.date(c.admit, "long"))),
        ],
        [
            (lay.ml, _kv(st, "Date of service", c.date(c.doc_date, st.full_date))),
            (col2, _kv(st, "Unit", c.fac(c.ward) if rng.random() < 0.5 else Run(c.floor))),
        ],
        [
            (lay.ml, _kv(st, "Attending", [Run("Dr. "), c.doc(c.attending, "full")])),
            (
                col2,
                _kv(
                    st,
                    "Payer",
                    rng.choice(
                        [
                            "Medicare A/B",
                            "Medicaid",
                            "BCBS",
                            "Aetna Medicare",
                            "Tricare",
                            "UHC Community Plan",
                        ]
                    ),
                ),
            ),
        ],
    ]
    for cells in hdr:
        blocks.append(lay.cells(cells, drop=False))
    blocks.append(lay.rule())
    sc = c.scenario
    rels = [x for x in c.contacts if x.role == "relative"] or c.contacts
    a = rels[0]
    b = rels[1] if len(rels) > 1 else c.contacts[-1]
    other = [x for x in c.contacts if x not in (a, b)]
    dx = "".join(r.text for r in expand(rng, rng.choice(sc["dx"])))
    pron, poss = ("he", "his") if c.patient.gender == "male" else ("she", "her")
    sections: list[tuple[str, list[Run], bool]] = []
    sections.append(
        (
            "Reason for referral",
            expand(
                rng,
                "Consult received from [[who]] for {discharge planning|SNF placement|home safety "
                "evaluation|insurance and medication coverage questions} "
                "after admission on [[adm]] with [[dx]].",
                who=rng.choice(
                    [
                        [Run("the primary team")],
                        [Run("Dr. "), c.doc(c.resident, "family")],
                        [Run("RN "), c.person(c.nurse, "full", "provider")],
                    ]
                ),
                adm=c.date(c.admit, rng.choice(["long", "m/d/y", "abbr"])),
                dx=dx,
            ),
            False,
        )
    )
    sections.append(
        (
            "Assessment",
            expand(
                rng,
                "CM met with pt at bedside and spoke by phone with pt's [[rel]], [[a]] "
                "({HCP|health care proxy|primary contact}), at [[ph]]. "
                "Pt is a [[age]] {yo|year old} {widowed|married|divorced|single} [[g]] who is "
                "{alert and oriented|pleasantly confused|hard of hearing but appropriate}. "
                "[[G]] was {independent with ADLs|using a rolling walker|needing help with "
                "bathing} prior to admission and {drives|no longer drives}. "
                "PT/OT recommend {SNF level of care|home with services|acute rehab} after "
                "{PT|physical therapy} eval on [[ptd]].",
                rel=a.relation,
                a=c.rel(a, rng.choice(["full", "nick_full", "full_middle"])),
                ph=c.phone(text=a.phone),
                age=c.age_run(),
                g="man" if c.patient.gender == "male" else "woman",
                G=pron.capitalize(),
                ptd=c.date(c.other_date((0, 2)), rng.choice(["m/d", "Month dth", "the dth"]), True),
            ),
            False,
        )
    )
    addr_runs = [
        phi(c.street, "STREET_ADDRESS"),
        Run(", "),
        phi(c.home_city, "CITY"),
        Run(f", {c.home_state} "),
        phi(c.zip, "ZIP_CODE"),
    ]
    sections.append(
        (
            "Living situation",
            expand(
                rng,
                "Pt lives {alone|with [[poss]] [[rel2]]|with [[poss]] [[rel2]] and grandchildren} "
                "in a {two-story home|first-floor apartment|row home with 12 steps to "
                "enter|senior apartment} at [[addr]]. "
                "{Bedroom and bathroom on second floor.|Elevator in building.|No grab bars in "
                "bathroom.} [[b]] ([[brel]]) lives {nearby|in [[bcity]]|out of state} and checks "
                "on pt {daily|weekly|most days}.",
                poss=poss,
                rel2=a.relation,
                addr=addr_runs,
                b=c.rel(b, rng.choice(["given", "nick", "full"])),
                brel=b.relation,
                bcity=phi(rng.choice(CITIES)[0], "CITY"),
            ),
            False,
        )
    )
    sup = []
    for x in [a, b] + other[: rng.randint(1, 2)]:
        sup.append(
            expand(
                rng,
                "[[rel]] [[n]]{| (lives with pt)| (HCP)| (POA)|} {cell|home|work|} [[ph]]",
                rel=x.relation.capitalize(),
                n=c.rel(x, rng.choice(["full", "full", "nick_full", "given_init", "full_caps"])),
                ph=c.phone(text=x.phone),
            )
        )
    if rng.random() < 0.4:
        host = rng.choice(["gmail.com", "yahoo.com", "comcast.net", "aol.com", "verizon.net"])
        local = f"{a.person.given}.{a.person.family}{rng.randint(1, 99)}".lower()
        email = f"{local}@{host}"
        email = re.sub(r"[^a-z0-9.@\-]", "", email)
        sup.append(
            expand(
                rng,
                "[[n]] prefers email: [[e]]",
                n=c.rel(a, "given"),
                e=phi(email, "EMAIL_ADDRESS"),
            )
        )
    sections.append(("Support system", join_runs(sup, "; ") + [Run(".")], False))
    ins = expand(
        rng,
        "Primary {Medicare A/B|Medicare Advantage|Medicaid|BCBS Federal|Aetna}, member ID "
        "[[mid]]{|, secondary AARP supplement}. "
        "{Auth for SNF requested|No prior auth needed for home health|3-midnight stay met}{| on "
        "[[authd]]}.",
        mid=c.ident(member_id(rng), "health_plan"),
        authd=c.date(c.doc_date, rng.choice(["m/d", "m/d/y", "Mon d"]), None),
    )
    if rng.random() < 0.3:
        ins += expand(
            rng,
            " Medicaid application started, SSN [[ssn]] verified with [[n]].",
            ssn=phi(
                f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}", "US_SSN"
            ),
            n=c.rel(a, "given"),
        )
    sections.append(("Insurance", ins, False))
    snf, ag = c.snf, c.agency
    dplan = expand(
        rng,
        "Referrals sent via {Allscripts|ECIN|CarePort|fax} on [[rd]] to [[s1]], [[s2]] and [[ag]]. "
        "[[s1s]] {accepted|has offered a bed} {for [[bd]]|pending auth}; admissions contact "
        "[[ac]] [[acph]], fax [[fax]]. "
        "{Family prefers [[s1s]] because it is close to [[bn]]'s home.|Pt and family in "
        "agreement with plan.|Pt declines SNF and wants to return home with [[ag2]].}",
        rd=c.date(c.other_date((0, 2)), rng.choice(["long", "Month dth", "m/d"]), None),
        s1=c.fac(snf.name),
        s2=c.fac(c.snf2.name),
        ag=c.fac(ag.name),
        s1s=c.fac(snf.short),
        bd=c.date(
            c.doc_date + dt.timedelta(days=rng.randint(1, 3)),
            rng.choice(["m/d", "the dth", "Mon d"]),
            None,
        ),
        ac=c.person(make_person(rng), rng.choice(["full", "given"]), "other"),
        acph=c.phone(),
        fax=c.phone(),
        bn=c.rel(b, rng.choice(["given", "nick"])),
        ag2=c.fac(ag.short),
    )
    if rng.random() < 0.3:
        dplan += expand(
            rng,
            " Referral also entered at [[u]].",
            u=phi(f"www.{re.sub('[^a-z]', '', ag.short.lower())}homecare.com/referrals", "URL"),
        )
    sections.append(("Discharge plan", dplan, False))
    sections.append(
        (
            "Clinical",
            expand(
                rng,
                "Per team pt {remains on|weaned off} [[o2]], {IV abx|tube feeds|wound care} "
                "{through|until} [[ed]]. "
                "Current meds include [[meds]]. Allergies: [[alg]]. {Wound care needs: stage II "
                "sacrum, daily dressing.|Needs INR checks 2x/week.|New insulin teaching in "
                "progress.}",
                o2=rng.choice(["2L oxygen", "oxygen", "heparin gtt", "telemetry"]),
                ed=c.date(
                    c.doc_date + dt.timedelta(days=rng.randint(3, 14)),
                    rng.choice(["m/d", "long", "Mon d"]),
                    None,
                ),
                meds=", ".join(rng.sample(HOME_MEDS, 3)),
                alg=allergies(rng),
            ),
            True,
        )
    )
    if long:
        sections.append(
            (
                "Barriers",
                expand(
                    rng,
                    "{Copay for SNF days 21-100.|No caregiver at night.|Pt has 14 steps to enter "
                    "home.|Limited English; interpreter [[int]] used for all meetings.} "
                    "{Pt's [[orel]] [[on]] has concerns about pt returning home alone.|[[on]] "
                    "([[orel]]) unable to provide 24 hr care.} "
                    "Pt was previously at [[prev]] (discharged [[py]]).",
                    int=c.person(c.interpreter, "full", "other"),
                    orel=(other[0] if other else a).relation,
                    on=c.rel(other[0] if other else a, rng.choice(["given", "full", "given_caps"])),
                    prev=c.fac(c.snf2.short),
                    py=c.date(
                        dt.date(c.year - rng.randint(1, 4), rng.randint(1, 12), rng.randint(1, 28)),
                        rng.choice(["long", "m/d/y", "abbr"]),
                    ),
                ),
                True,
            )
        )
        sections.append(
            (
                "Follow-up",
                expand(
                    rng,
                    "PCP Dr. [[pcp]] at [[cl]], appt {scheduled|requested} for [[fd]]. "
                    "{Cardiology|Nephrology|Wound clinic} f/u with Dr. [[cons]] in {1|2|4} "
                    "weeks. Pharmacy: {CVS|Walgreens|Rite Aid} on [[rd]] in [[city]].",
                    pcp=c.doc(c.pcp, "full"),
                    cl=c.fac(c.clinic.name),
                    fd=c.date(
                        c.doc_date + dt.timedelta(days=rng.randint(5, 20)),
                        rng.choice(["long", "m/d/y", "abbr"]),
                    ),
                    cons=c.doc(c.consult, "family"),
                    rd=rng.choice(STREET_WORDS) + " " + rng.choice(["Rd", "Ave", "St", "Blvd"]),
                    city=phi(c.home_city, "CITY"),
                ),
                True,
            )
        )
    bullets = rng.choice([["1)", "2)", "3)"], ["-", "-", "-"], ["1.", "2.", "3."], ["*", "*", "*"]])
    sections.append(
        (
            "Plan",
            expand(
                rng,
                "[[b1]] Await {SNF acceptance|auth|PT re-eval}. [[b2]] Family meeting [[fm]] at "
                "{10am|2pm|1130} with [[a]] and Dr. [[doc]]. "
                "[[b3]] CM to follow; anticipated d/c [[dc]].",
                b1=bullets[0],
                b2=bullets[1],
                b3=bullets[2],
                fm=c.date(
                    c.doc_date + dt.timedelta(days=1),
                    rng.choice(["m/d", "Month dth", "the dth"]),
                    None,
                ),
                a=c.rel(a, rng.choice(["given", "full"])),
                doc=c.doc(c.attending, "family"),
                dc=c.date(
                    c.doc_date + dt.timedelta(days=rng.randint(1, 4)),
                    rng.choice(["m/d", "m/d/y", "long"]),
                    None,
                ),
            ),
            False,
        )
    )
    for name, body, droppable in sections:
        hdr_inline = rng.random() < 0.6
        if hdr_inline:
            blocks.append(
                lay.para([Run(label(st, name) + " ")] + body, gap=lay.line_h // 3, drop=droppable)
            )
        else:
            blocks.append(
                Block(
                    lay.title([Run(label(st, name))]).rows + lay.para(body).rows,
                    gap=lay.line_h // 3,
                    drop=droppable,
                )
            )
    blocks.append(lay.sigline(lay.ml, lay.ml + lay.width // 2))
    cred = rng.choice(["MSW, LCSW-C", "RN, BSN, CCM", "LICSW", "RN Case Manager", "LSW"])
    sig = [
        c.person(c.cm, rng.choice(["full", "full", "init_family"]), "provider"),
        Run(f", {cred}"),
    ]
    blocks.append(lay.para(sig, drop=False))
    contact = [Run("Case Management ph "), c.phone(), Run(" fax "), c.phone()]
    if rng.random() < 0.5:
        dom = re.sub("[^a-z]", "", c.hospital.short.lower()) or "hosp"
        contact += [
            Run(" "),
            phi(
                f"{c.cm.given[0].lower()}{re.sub('[^a-z]', '', c.cm.family.lower())}"
                f"@{dom}health.org",
                "EMAIL_ADDRESS",
            ),
        ]
    blocks.append(lay.para(contact, drop=False))
    return blocks


# --------------------------------------------------------------------------------------------
# One document
# --------------------------------------------------------------------------------------------

LEVEL_CYCLE = ["clean"] * 8 + ["moderate"] * 7 + ["heavy"] * 5


def levels_for(n: int, seed: int) -> list[str]:
    """Assign degradation levels round-robin from seed-shuffled cycles of 20 (8/7/5)."""
    out: list[str] = []
    k = 0
    while len(out) < n:
        cyc = list(LEVEL_CYCLE)
        random.Random(f"levels:{seed}:{k}").shuffle(cyc)
        out += cyc
        k += 1
    return out[:n]


def make_document(out: Path, index: int, seed: int, kind: str, level: str) -> str:
    """Generate, degrade and save one document and its truth file.

    Args:
        out: the output directory (scans/ and truth/ are made under it).
        index: the document's index.
        seed: the run's seed.
        kind: icu-note, flow-note or case-management.
        level: clean, moderate or heavy.

    Returns:
        The document name.
    """
    rng = random.Random(f"nursing:{seed}:{index}")
    nrng = np.random.default_rng(rng.getrandbits(64))
    name = f"{KIND_PREFIX}{index:03d}-{kind}-{level}"
    if level == "clean":
        fmt, dpi, skew = rng.choice(["pdf", "png"]), 300, 0.0
    elif level == "moderate":
        fmt, dpi = rng.choice(["jpeg", "pdf"]), 200
        skew = round(rng.uniform(0.5, 2.0) * rng.choice([-1, 1]), 2)
    else:
        fmt, dpi = rng.choice(["tiff", "pdf"]), rng.choice([150, 200])
        skew = round(rng.uniform(0.3, 3.0) * rng.choice([-1, 1]), 2)
    max_pages = 1 if fmt in ("png", "jpeg") else rng.choice([1, 2])
    font_name = rng.choice(list(FONTS))
    lay = Layout(rng, font_name)
    c = Ctx(rng, kind)
    long = max_pages == 2
    if kind == "icu-note":
        blocks = icu_blocks(c, lay, rng.randint(4, 6) if long else rng.randint(2, 3))
    elif kind == "flow-note":
        blocks = flow_blocks(c, lay, long)
    else:
        blocks = cm_blocks(c, lay, long)
    top1 = lay.mt + lay.line_h * 2
    bottom = PAGE_H - lay.mb
    try:
        pages = paginate(blocks, lay.mt, top1, bottom, max_pages)
    except RuntimeError:
        # A long draw of content that cannot be dropped: a page more, in a format that holds
        # several (seed 137 drew one). Other draws are unchanged.
        max_pages += 1
        fmt = "pdf" if fmt in ("png", "jpeg") else fmt
        pages = paginate(blocks, lay.mt, top1, bottom, max_pages)
    drawn: list[DrawnPage] = []
    for i, rows in enumerate(pages):
        rows = list(rows)
        if i > 0:
            rows += _continuation_rows(c, lay)
        if len(pages) > 1 or c.style.footer != "page" or c.style.header == "minimal":
            rows += _footer_rows(c, lay, i, len(pages))
        drawn.append(draw_page(lay, rows, c.style.ink))
    images = [degrade(p.image, level, dpi, skew, nrng) for p in drawn]
    ext = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "tiff": "tif"}[fmt]
    (out / "scans").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    path = out / "scans" / f"{name}.{ext}"
    if fmt == "pdf":
        write_pdf(path, images, dpi, 60 if level == "moderate" else None)
    elif fmt == "png":
        images[0].save(path, "PNG", dpi=(dpi, dpi))
    elif fmt == "jpeg":
        images[0].save(path, "JPEG", quality=60, dpi=(dpi, dpi))
    else:
        images[0].save(
            path,
            "TIFF",
            compression="group4",
            dpi=(dpi, dpi),
            save_all=True,
            append_images=images[1:],
        )
    pages_json = []
    for i, (p, img) in enumerate(zip(drawn, images, strict=True)):
        w, h = img.size
        items = []
        for s in sorted(p.spans, key=lambda s: (s["start"], s["end"])):
            item = {k: v for k, v in s.items() if k != "box300"}
            item["box"] = map_box(s["box300"], w, h, skew)
            ordered = {"type": item.pop("type")}
            for k in ("role", "subtype", "partial"):
                if k in item:
                    ordered[k] = item.pop(k)
            ordered.update({k: item[k] for k in ("start", "end", "text", "box")})
            items.append(ordered)
        pages_json.append(
            {
                "index": i,
                "width": w,
                "height": h,
                "rotation": 0,
                "skew": skew,
                "text": p.text,
                "phi": items,
            }
        )
    truth = {
        "name": name,
        "file": f"scans/{name}.{ext}",
        "family": FAMILY,
        "kind": kind,
        "degradation": level,
        "dpi": dpi,
        "format": fmt,
        "font": font_name,
        "patient": c.truth_patient(),
        "document_date": c.doc_date.isoformat(),
        "pages": pages_json,
        "observations": [],
        "clinical_terms": clinical_terms(
            [p.text for p in drawn], [[(s["start"], s["end"]) for s in p.spans] for p in drawn]
        ),
    }
    (out / "truth" / f"{name}.json").write_text(json.dumps(truth, indent=2) + "\n")
    return name


def generate(out: Path, n: int, seed: int) -> list[str]:
    """Generate n nursing documents under out/scans and out/truth.

    Args:
        out: the output directory.
        n: how many documents.
        seed: the run's seed; the same seed gives byte-identical files.

    Returns:
        The document names, in index order.
    """
    out = Path(out)
    levels = levels_for(n, seed)
    return [make_document(out, i, seed, KINDS[i % len(KINDS)], levels[i]) for i in range(n)]


def main(argv: list[str] | None = None) -> None:
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
