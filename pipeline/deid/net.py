"""The safety net: a word that cannot be shown to be safe is treated as PHI.

The recognizers find PHI by its shape and its labels, and both are learnt from the charts we
have seen; a chart printed elsewhere has other labels, other layouts and names no list
holds. So, after the recognizers, every word left standing must show that it is safe, as in
Philter's allowlist design:

- a letter word is safe when it is an ordinary English word (SCOWL's lower-case entries,
  which leave out proper nouns), a clinical term (ICD-10-CM descriptions, drug names), a
  clinical abbreviation or unit, or one of the words the recognizers already know, or is
  made of such a word by a prefix or an inflection ("afebrile", "insured");
- a number is safe when it is short: values, doses, times, ranges. Long digit runs are
  identifiers (MRNs, phones, accounts), and so is a word that mixes letters with four or
  more digits ("A546648096"), unless it is a number with a unit ("1000mg");
- a word that is safe but is also a name ("Hope", "Grant", "Young") is PHI where a name
  stands: after a title ("Mrs. Young") or a relation word ("wife Hope"), before a ward
  number ("Fisher 7"), or next to another name ("Teodora Young", "jenna hall"), unless
  that other word is only OCR's slip on a known word ("White Blod Cell").

What the net removes is labelled UNVERIFIED, apart from the recognizers' labels, so that its
cost in precision stays visible (deid.json, the benchmark). ``DeidSettings.safety_net``
turns it off; ``DeidSettings.allow_list`` keeps words it would take.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

import regex as re

from pipeline.schema import Span

LABEL = "UNVERIFIED"
SCORE = 0.6  # above the review margin: the net's removals are not review items
MAX_SAFE_DIGITS = 4  # "2024", "1900", "0.75": a value or a time; five and more identify
MIN_CODE_LENGTH = 7  # a plan's or a referral's id with few digits: "X9WPTCV8U7V"
MAX_RUN_DIGITS = 6  # "135-145", "120/80", "3.5-5.0"; "301-944-5032" and "03/14/1951" are not

# Letters of any script and digits: "Müller" and "Søren" are one word each.
_TOKEN = re.compile(r"[^\W_]+")
# Digits joined by separators without spaces ("944-5032", "03/14/1951", "(301)944"), and
# the one spaced form a phone number takes ("301 944 5032", "301 944-5032"; its last four
# alone on the next line after "phone", "at"... and a valid area code and exchange, not an
# I/O row and its total), its last digit perhaps misread as a letter ("281 683-684β").
_DIGIT_RUN = re.compile(
    r"(?<![\w])(?:\(?\d{3}\)?[ ]\d{3}[ .\-]\d{3}(?:\d|[^\W\d_])"
    r"|(?<=(?i:phone|call|tel|fax|cell|mobile|contact|reach|at)[ :#.]{1,3})"
    r"[2-9]\d{2}[ ][2-9]\d{2}[ ]?\n\d{4}(?=[.,;]?[ ]*(?:[\n\f]|$))"
    r"|\d+(?:[\-./()]{1,2}\d+)+)(?![\w])"
)
# A date OCR damaged, its separators read as colons or lost, ending in a year ("10:10/2018",
# "1004:2018") or opening with it ("2023-03 31").
_DAMAGED_DATE = re.compile(
    r"(?<![\w:])(?:\d{1,4}(?:[:./\-]\d{1,2})?[:./\-](?:19|20)\d{2}"
    r"|(?:19|20)\d{2}(?:[:/\-][ ]?(?:0?[1-9]|1[0-2])[:/\- ]|[ ](?:0?[1-9]|1[0-2])[:/\-])"
    r"(?:0?[1-9]|[12]\d|3[01]))(?![\w:.])"
)
# Letters and digits in parts joined by hyphens, four digits or more in all: an identifier
# ("XK-99-2231", "S21-4432", "4A7-B92-C33"); not "COVID-19", "L4-L5" or a range.
_HYPHENATED_ID = re.compile(r"(?<![\w\-])[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+(?![\w\-])")
_DECADE = re.compile(r"\d+s")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_VOWEL = re.compile(r"[AEIOUYaeiouy]")
_NUMBER_UNIT = re.compile(r"(\d+)([a-z]+)", re.IGNORECASE)
# Between two words of one name: "Teodora Young", "YOUNG, TEODORA", "Mosley & Crane".
_NAME_GAPS = frozenset({" ", ", ", ",", " & ", "  ", "-"})
# What joins two removed words into one removal ("Oluwaseun Adebayo-Hart", "WQX88213-02").
_JOINS = frozenset({" ", "-", "/"})
# A shift or a time range is no identifier: "0700-1900".
_TIME_RANGE = re.compile(r"(?:[01]\d|2[0-3])[0-5]\d-(?:[01]\d|2[0-3])[0-5]\d")
# A blood gas: pH, pCO2, pO2 and perhaps bicarbonate ("7.32/48/88", "7.41/38/102/24").
_BLOOD_GAS = re.compile(r"[67]\.\d{1,2}/\d{2,3}/\d{2,3}(?:/\d{1,2})?")
# A quantity times a count: a ventilator's volume and rate ("500x14"), a dressing ("4x4").
_TIMES = re.compile(r"\d{1,4}[xX]\d{1,3}")
# Endings of English inflections, with what may stand before them in the base word.
_INFLECTIONS = (
    ("ies", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ied", ("y",)), ("ed", ("", "e")),
    ("ing", ("", "e")), ("ly", ("",)), ("ally", ("",)), ("er", ("", "e")), ("est", ("", "e")),
    ("able", ("", "e")),
    # Who practises it: "nephrologist", "endoscopist", "sonographer", "geriatrician".
    ("ist", ("", "y")), ("ists", ("", "y")),
    ("grapher", ("graphy",)), ("ician", ("ics",)),
)  # fmt: skip
# Endings that make a word a procedure, a study or a disease, from Greek and Latin roots no
# name is built of: "hemiarthroplasty", "enterography", "fluoroscopy", "cholangitis". Eight
# letters or more ("Ingram" is a name).
_CLINICAL_SUFFIX = re.compile(
    r"^(?=[a-z]{8,}$)[a-z]{3,}(?:ectomy|otomy|ostomy|plasty|scopy|scopic|graphy|graphic|graph"
    r"|gram|(?<![aeiouy])itis|osis|emia|aemia|algia|pathy|penia|megaly|rrhea|rrhoea|uria|plegia|paresis"
    r"|lysis|trophy|ectasis|centesis|desis|pexy|rrhaphy)(?:es|s)?$"
)
# Prefixes that make a clinical word of a word: "afebrile", "nontender", "hypokalemic".
_PREFIXES = (
    "non", "un", "an", "a", "anti", "hyper", "hypo", "post", "pre", "peri", "sub", "supra",
    "intra", "inter", "re", "de", "dis", "semi", "multi", "bi", "tri", "para", "pseudo",
    "micro", "macro", "poly", "auto", "co", "trans", "extra", "infra", "retro", "mal",
    "under", "over", "uro", "gastro", "neuro", "cardio", "hepato", "nephro", "osteo", "arthro",
    "entero", "broncho", "pneumo", "hemo", "haemo", "angio", "cysto", "dermato", "myo", "endo",
)  # fmt: skip
# A ward or unit named after a person, then its floor or number ("Fisher 7", "Fisher Tower 6").
_WARD_NUMBER = re.compile(r"[ ](?:(?:Tower|Wing|Pavilion|Building)[ ])?\d{1,2}(?![\d/.:%])")


def _known_letters(run: str, safe: SafeWords) -> bool:
    """``run`` is a word, or two run together: "hrPRN" of "q6hrPRN", "mgQHS" of "40mgQHS"."""
    return safe.is_safe(run) or any(
        safe.is_safe(run[:k]) and safe.is_safe(run[k:]) for k in range(2, len(run) - 1)
    )


# What follows an eponym that names a disease, sign or test ("Parkinson disease", "Babinski
# sign"): a surname that is also a clinical term is that term only before one of these.
EPONYM_HEADS = frozenset(
    "disease syndrome sign signs test palsy phenomenon reflex criteria score scale maneuver "
    "manoeuvre procedure operation fracture tumor tumour lymphoma anomaly ulcer pouch node "
    "nodes law index classification stage staging type method technique solution catheter "
    "ultrasound monitor exercises exercise stockings bag tube mask splint class grade "
    "position dressing drain virus tear esophagus sarcoma cyst contracture diverticulum "
    "thyroiditis colitis ileitis dementia body foot hernia aneurysm nodule nodules phenomenon "
    "tremor chorea anemia ulcers arthritis neuralgia neuroma tetralogy triad block "
    "fistula ligament".split()
)


# Words that open a place or family name before its proper part: "New Yesenia", "Des Moines",
# "Fort Calloway", "Van Buren", "De la Cruz". Before a word the net removed, they go with it.
PARTICLES = frozenset(
    "new north south east west upper lower fort ft port mount mt saint st ste san santa los "
    "las el la le de des del della di da van von der den du mc mac lake glen grand middle "
    "little".split()
)

# Of those, the abbreviations, which keep their dot: "St. Vincent", "Mt. Sinai".
ABBREVIATED_PARTICLES = frozenset({"st", "ste", "mt", "ft"})
# Of those, the ones that open a place's name in any case (not "LE", "LA", "DE": lower
# extremity, left atrium).
PLACE_OPENERS = frozenset(p for p in PARTICLES if len(p) >= 3) | ABBREVIATED_PARTICLES
# Of those, the ones that open a surname and are no English word: "de Koning", "van Wijk".
SURNAME_PARTICLES = frozenset("de des del della di da la le van von der den du".split())


@dataclass(frozen=True)
class SafeWords:
    """What the net accepts, and what makes an accepted word a name in context."""

    dictionary: frozenset[str]  # ordinary English words, lower case
    clinical: frozenset[str]  # clinical terms, abbreviations, units, form words, lower case
    curated: frozenset[str]  # the part of ``clinical`` we wrote or chose, not generated
    names: frozenset[str]  # known given and family names, lower case
    census: frozenset[str]  # census names no dictionary holds and we did not choose as terms
    proper: frozenset[str]  # proper nouns of the dictionary ("hope", "grant", "baltimore")
    titles: frozenset[str]  # "dr", "mrs", ...
    relations: frozenset[str]  # "wife", "dtr", ...
    credentials: frozenset[str]  # "md", "rn", ...
    person_fields: frozenset[str]  # one-word person labels and roles: "contact", "sw", ...
    stop: frozenset[str]  # function words ("the", "and", "at")

    @property
    def honorifics(self) -> frozenset[str]:
        """Titles and credentials: words around a name that are not the name."""
        return self.titles | self.credentials

    def is_safe(self, word: str) -> bool:
        """True when ``word`` (letters only) is a word we can show to be safe.

        The lists are ASCII: a word with letters beyond it ("Müller") is compared as it is,
        lower case, and so is never safe unless a list holds it so.
        """
        w = word.lower()
        return (len(word) == 1 and word.isascii()) or w in self.dictionary or w in self.clinical

    def could_be_name(self, word: str) -> bool:
        """A known name, or a word the dictionary also writes as a proper noun ("Hope")."""
        w = _fold(word)
        return w in self.names or w in self.proper or w in self.census

    def name_over_term(self, word: str) -> bool:
        """A word of the generated clinical vocabulary that is also a census name: "Xia".

        Drug and disease lists hold thousands of words that are surnames or given names
        elsewhere ("Xia", "Hong", "Farber", "Wei"). Such a word is safe where it stands
        alone, but where a name stands (after a relation word or a title, before a
        credential or a ward number, capitalised inside a sentence) it is taken for a name,
        as an ordinary word is. Terms we chose ourselves (``curated``) are never so taken.
        """
        return _fold(word) in self.census

    def misread(self, word: str) -> bool:
        """True when ``word`` (four letters or more) is one edit from a word we chose: OCR's slip.

        Known here is the clinical and form vocabulary we chose ("Blod" for "Blood"). Not
        the generated lists nor the dictionary: their 100,000 words lie one letter from
        many names ("schmid", "Konate" from "donate", "Piaras").
        """
        return _misread(word.lower(), self.curated)

    def is_eponym(self, word: str) -> bool:
        """A known name that is safe only as a clinical term ("Parkinson", "Williams")."""
        w = word.lower()
        return w in self.names and w not in self.dictionary and w in self.clinical


def _fold(word: str) -> str:
    """``word`` lower case without its accents ("Müller" -> "muller")."""
    return unicodedata.normalize("NFKD", word.lower()).encode("ascii", "ignore").decode()


@lru_cache(maxsize=65536)
def _misread(word: str, known: frozenset[str]) -> bool:
    if len(word) < 4 or not word.isascii():
        return False
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    variants = (
        [a + b[1:] for a, b in splits if b]
        + [a + c + b[1:] for a, b in splits if b for c in letters]
        + [a + c + b for a, b in splits for c in letters]
    )
    return any(v != word and v in known for v in variants)


def unverified_spans(
    text: str, found: list[Span], safe: SafeWords, *, allowed: frozenset[str] = frozenset()
) -> list[Span]:
    """Spans for the words of ``text`` outside ``found`` that the net cannot show safe.

    Args:
        text: the document text.
        found: the spans the recognizers and propagation found; words inside them are
            already PHI and are not looked at again.
        safe: the vocabularies, from ``assets.DeidAssets.safe_words``.
        allowed: words never removed, lower case (``DeidSettings.allow_list``); checked
            word by word, before removed neighbours are joined into one span.

    Returns:
        Spans labelled ``LABEL``, unsorted: one per unsafe digit run, and one per run of
        unsafe words joined by a space, hyphen or slash ("Oluwaseun Adebayo-Hart").

    """
    covered = coverage(text, found)
    runs: list[Span] = []
    for m in _DIGIT_RUN.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        if _TIME_RANGE.fullmatch(m.group()) or _BLOOD_GAS.fullmatch(m.group()):
            continue
        if digits > MAX_RUN_DIGITS and not covered.any(m.start(), m.end()):
            runs.append(Span(start=m.start(), end=m.end(), label=LABEL, score=SCORE))
            covered.add(m.start(), m.end())
    for m in _DAMAGED_DATE.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        if _TIME_RANGE.fullmatch(m.group()):
            continue  # "0700-1900" ends in no year
        if digits >= 6 and not covered.any(m.start(), m.end()):
            runs.append(Span(start=m.start(), end=m.end(), label=LABEL, score=SCORE))
            covered.add(m.start(), m.end())
    for m in _HYPHENATED_ID.finditer(text):
        value = m.group()
        digits = sum(c.isdigit() for c in value)
        # Decades of a range are no letters of an id ("afib 90s-110s"), nor are units
        # ("40-60cc").
        letters = any(
            c.isalpha()
            for part in value.split("-")
            if not _DECADE.fullmatch(part) and not _with_unit(part, safe)
            for c in part
        )
        if letters and digits >= MAX_SAFE_DIGITS and not covered.any(m.start(), m.end()):
            runs.append(Span(start=m.start(), end=m.end(), label=LABEL, score=SCORE))
            covered.add(m.start(), m.end())
    tokens = [(m.start(), m.end(), _as_read(m.group(), safe)) for m in _TOKEN.finditer(text)]
    unsafe = [
        not covered.any(s, e) and not _is_safe_token(text, tokens, i, safe)
        for i, (s, e, _) in enumerate(tokens)
    ]
    keep = [w.lower() in allowed for _, _, w in tokens]
    for i in range(1, len(tokens)):
        # The suffix of an identifier: "WQX88213404-02".
        (_, pe, pw), (s, e, w) = tokens[i - 1], tokens[i]
        if unsafe[i - 1] and any(c.isdigit() for c in pw) and text[pe:s] == "-" and w.isalnum():
            unsafe[i] = not covered.any(s, e)
    person = [covered.person(s, e) for s, e, _ in tokens]
    _mark_names_in_context(text, tokens, unsafe, person, covered, safe)
    words: list[Span] = []
    for (s, e, _), flag, kept in zip(tokens, unsafe, keep, strict=True):
        if not flag or kept:
            continue
        last = words[-1] if words else None
        if last is not None and last.end < s and text[last.end : s] in _JOINS:
            words[-1] = Span(start=last.start, end=e, label=LABEL, score=SCORE)
        else:
            words.append(Span(start=s, end=e, label=LABEL, score=SCORE))
    return runs + words


# Three letters or more, a one or a zero, three letters or more: "OMO1OLA".
_MISREAD_PARTS = re.compile(r"([A-Za-z]{3,})[01]([A-Za-z]{3,})")
# Capitals with a one or zero between letters, as a fax reads an I, an L or an O.
_MISREAD_CAPITALS = re.compile(r"[A-Z](?:[A-Z]|[01](?=[A-Z]))*[A-Z]")


def _as_read(word: str, safe: SafeWords) -> str:
    """``word``, or the word or name it spells with a one or zero read as a letter.

    "CL1NIC" is "CLINIC", "WILL1AMS" is "WILLIAMS" and "F1SHER" is "FISHER", to be judged as
    those words are, names where a name stands; "HGBA1C" and "FEV1FVC" spell nothing and
    stay as they are.
    """
    if word.isalpha() or not _MISREAD_CAPITALS.fullmatch(word):
        return word
    o = word.replace("0", "O")
    for letter in "IL":
        candidate = o.replace("1", letter)
        if safe.is_safe(candidate) or safe.could_be_name(candidate):
            return candidate
    return word


def _is_safe_token(text: str, tokens: list[tuple[int, int, str]], i: int, safe: SafeWords) -> bool:
    word = tokens[i][2]
    digits = sum(c.isdigit() for c in word)
    if digits == 0:
        if safe.is_eponym(word):
            # In lower case a device we list is that device ("foley to gravity"); a name
            # in lower case is still taken after a title or relation word.
            if word.islower() and word in safe.curated:
                return True
            if word.isupper() and len(word) <= 3 and word.lower() in safe.curated:
                return True  # an abbreviation we chose: "LE edema" (not "Le", a surname)
            return names_a_disease(text, tokens[i][1], safe)
        if safe.is_safe(word):
            return True
        if _unlisted_eponym(text, tokens[i], safe):
            return True
        # A word made with a prefix or an inflection, unless it is a name ("Underwood",
        # "Harding").
        plain = word.islower() or (word.istitle() and not safe.could_be_name(word))
        lower = word.lower()
        if not plain:
            return False
        if _prefixed(lower, safe) or _inflected(lower, safe):
            return True
        # The roots of procedures and diseases, and "crampy", "lightheadedness": lower case
        # and no name ("Petraitis", "nagy", "grady" are names).
        if not word.islower() or safe.could_be_name(word):
            return False
        return _CLINICAL_SUFFIX.match(lower) is not None or _adjectival(lower, safe)
    if digits == len(word):
        return digits <= MAX_SAFE_DIGITS
    if _TIMES.fullmatch(word):
        return True
    letters = len(word) - digits
    zeros_only = all(c == "0" for c in word if c.isdigit())  # it holds a digit
    if letters >= 4 and word[-1].isalpha() and zeros_only and word[1:2].isalpha():
        # Letters with a zero inside or opening them, as a fax reads an O: "ST0CKTON" and
        # "0GUNYEYE" are "STOCKTON" and "OGUNYEYE", to be judged as those words;
        # "CARDI0L0GY" is safe, and so is a count before a word ("0BANDS"). (A one is left
        # alone: "HbA1c".)
        if word[0] == "0" and safe.is_safe(word[1:]):
            return True
        return safe.is_safe(word.replace("0", "o"))
    if digits == 1 and word[0] in "10" and len(word) >= 6 and word[1:].isalpha():
        # A one or zero opening a word, as a fax reads an "l", "I" or "O": "1oliobrigida" is
        # judged as "loliobrigida", "1nsulin" as "insulin"; a count or an ordinal glued to a
        # word stays safe ("1tablet", "1xdaily", "1stdegree").
        rest = word[1:]
        if word[0] == "1" and (rest[0] in "xX" or rest[:2].lower() == "st"):
            return True
        reads = [rest, *(c + rest for c in ("li" if word[0] == "1" else "o"))]
        return any(safe.is_safe(w) or _inflected(w.lower(), safe) for w in reads)
    parts = _MISREAD_PARTS.fullmatch(word)
    if parts is not None and word.isupper():
        # Capitals with a one or zero inside that no reading of it as a letter makes a word
        # ("OMO1OLA"): a name, unless either side is a word or code ("FEV1FVC", "HGBA1C").
        left, right = parts.group(1), parts.group(2)
        return safe.is_safe(left) or safe.is_safe(right)
    if len(word) >= MIN_CODE_LENGTH and any(
        len(run) >= 4 and not _VOWEL.search(run) and not _known_letters(run, safe)
        for run in _LETTER_RUN.findall(word)
    ):
        # A code: four letters or more without a vowel, no list's, around a digit
        # ("RJEXD4SDDRC", "X9WPTCV8U7V"); not "BIRADS4", "500mgBID", "q6hrPRN".
        return False
    if digits < MAX_SAFE_DIGITS:
        return True  # "B12", "SpO2", "q4h", "2L", "14th", "CHA2DS2", "E4V5M6"
    unit = _NUMBER_UNIT.fullmatch(word)
    return unit is not None and len(unit.group(1)) <= 6 and safe.is_safe(unit.group(2))


# What follows an eponym that names a disease: more eponyms joined by hyphens ("-Barr"), an
# "'s", and the word that makes it a disease ("virus", "palsy"), perhaps on the next line as
# prose wraps ("indwelling Foley" / "catheter").
_EPONYM_TAIL = re.compile(r"((?:-[^\W\d_]+)*)(?:['\u2019]s)?(?:[ ]{1,2}|[ ]?\n[ ]?)([^\W\d_]+)")
_WORD_BEFORE = re.compile(r"[^\W\d_]+$")


# What is said of a device that bears a name: "Foley draining", "Swan removed".
_DEVICE_STATES = frozenset(
    "draining drained drains removed placed inserted changed patent irrigated flushed "
    "leaking intact dc'd discontinued catheter cath bag".split()
)
# Of the eponym heads, what a disease or a sign is: an eponym before one in the possessive
# names no one ("Meniere's disease"), while a person may own a bag, a tube or a test.
_DISEASE_HEADS = frozenset(
    "disease syndrome sign signs palsy phenomenon reflex criteria maneuver manoeuvre "
    "anomaly ulcer lymphoma tumor tumour sarcoma thyroiditis encephalopathy dementia "
    "neuralgia neuroma tetralogy triad esophagus diverticulum contracture aneurysm".split()
)
_POSSESSIVE_HEAD = re.compile(r"['\u2019]s[ ]{1,2}([a-z]+)")


def _unlisted_eponym(text: str, token: tuple[int, int, str], safe: SafeWords) -> bool:
    """Whether a possessive no list holds names a disease: "Meniere's disease".

    Only a capitalised word that is no known name ("Smith's disease" stays a name's), before
    a word that names a disease or a sign.
    """
    _, end, word = token
    if len(word) < 4 or not word.istitle() or safe.could_be_name(word):
        return False
    head = _POSSESSIVE_HEAD.match(text, end)
    return head is not None and head.group(1) in _DISEASE_HEADS


def names_a_disease(text: str, end: int, safe: SafeWords) -> bool:
    """Whether the word ending at ``end`` is an eponym of a disease or sign, as its tail shows.

    "Parkinson disease", "Bell's palsy", "Epstein-Barr virus" (either eponym of the chain):
    there it names no one, even where a person of that name was found elsewhere. The word
    must be one of the clinical lists that no dictionary holds, or one of a chain: "Park
    test" and "Hall block" are the patient's name and a word.
    """
    m = _EPONYM_TAIL.match(text, end)
    if m is None or (
        m.group(2).lower() not in EPONYM_HEADS and m.group(2).lower() not in _DEVICE_STATES
    ):
        return False
    chain = [w for w in m.group(1).split("-") if w]
    if any(w.lower() not in safe.clinical for w in chain):
        return False
    before = _WORD_BEFORE.search(text, max(0, end - 40), end)
    word = (before.group() if before else "").lower()
    # A word of the clinical lists that is no English word: "Parkinson", "Barr", "Landau".
    return bool(chain) or (word in safe.clinical and word not in safe.dictionary)


def _adjectival(word: str, safe: SafeWords) -> bool:
    """A symptom's adjective or noun of a safe word: "crampy", "lightheadedness"."""
    for suffix in ("ness", "y"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 4 and safe.is_safe(stem):
            return True
    return False


def _with_unit(part: str, safe: SafeWords) -> bool:
    """A number and its unit: "60cc", "500mg", "5g"; not an id's check letter ("086Y")."""
    unit = _NUMBER_UNIT.fullmatch(part)
    if unit is None:
        return False
    letters = unit.group(2)
    return safe.is_safe(letters) and (len(letters) > 1 or letters.islower())


def _inflected(word: str, safe: SafeWords) -> bool:
    """A lower-case inflection of a safe word: "insured", "ambulating", "reports"."""
    stems = []
    for suffix, endings in _INFLECTIONS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            stems += [stem + e for e in endings]
            if len(stem) >= 2 and stem[-1] == stem[-2]:
                stems.append(stem[:-1])  # "stopped" -> "stop"
    return any(safe.is_safe(stem) for stem in stems)


def _word_by_derivation(word: str, safe: SafeWords) -> bool:
    """A lower-case word a list holds or makes, as ``_is_safe_token`` makes them.

    "reoriented", "afebrile", "lumpectomy", "tearfulness" are words; "anett" ("a" and
    "nett") is none: one letter of prefix needs five after it.
    """
    if safe.is_safe(word) or _inflected(word, safe) or _adjectival(word, safe):
        return True
    if _CLINICAL_SUFFIX.match(word) is not None:
        return True
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= (4 if len(prefix) >= 2 else 5):
            if safe.is_safe(rest) or _inflected(rest, safe):
                return True
    return False


def _prefixed(word: str, safe: SafeWords) -> bool:
    """A lower-case clinical word made by a prefix: "afebrile", "nontender"."""
    for prefix in _PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 4 and safe.is_safe(rest):
            return True
    return False


def _mark_names_in_context(
    text: str,
    tokens: list[tuple[int, int, str]],
    unsafe: list[bool],
    person: list[bool],
    covered: _Coverage,
    safe: SafeWords,
) -> None:
    """Mark safe words that stand where a name stands.

    After a title ("Mrs. Young", "dr. martin"), after a relation word ("wife Hope", "dtr
    KRISSY"); a word that could be a name after an initial ("k. watts") or before a middle
    initial and a name ("Amber I. Wutke"), a person's field
    or role ("contact Miles", "SW Smith") or before a credential ("Brown RN"), or before a
    ward number ("Fisher 7"); and, repeatedly, beside a name found or marked ("Teodora
    Young", "YOUNG, TEODORA", "Mosley & Crane"). A name marked so is marked wherever else
    it stands capitalised ("Brown" again, not "brown urine").
    """
    before = list(unsafe)
    _mark_capitalised_in_prose(text, tokens, unsafe, covered, safe)
    _mark_name_lines(text, tokens, unsafe, covered, safe)
    _mark_bracketed_names(text, tokens, unsafe, covered, safe)
    _mark_inverted_with_initial(text, tokens, unsafe, covered, safe)
    _mark_wards(text, tokens, unsafe, covered, safe)
    _mark_banner_names(text, tokens, unsafe, covered, safe)
    nicknames = _mark_nicknamed(text, tokens, unsafe, covered, safe)
    for i in range(len(tokens)):
        # A name opening its line before a credential, as a note is signed, in any case:
        # "- georgia k RN, CCRN", "Will LCSW"; not "Charge RN", "Will RN notify MD".
        for j in _signature(text, tokens, i, safe):
            if not covered.any(*tokens[j][:2]):
                unsafe[j] = True
    for i, (s, e, word) in enumerate(tokens):
        if unsafe[i] or covered.any(s, e) or not word.isalpha():
            continue
        if len(word) == 1:
            # A surname's initial after a title: "Dr. D aware", "w/ dr K"; not "MR A", "450 ms.
            # T wave", "may miss A dose".
            title = tokens[i - 1][2] if i > 0 else ""
            if (
                word.isupper()
                and _previous_word(text, tokens, i) in safe.titles
                and (title.istitle() or title.lower() in ("dr", "doctor"))
            ):
                unsafe[i] = True
            continue
        lower = word.lower()
        if (
            word[0].isupper()
            and lower not in safe.curated
            and _before_relation(text, tokens, i, safe)
        ):
            unsafe[i] = True  # "Will (son)", "Maria (dtr)"
            continue
        prev = _previous_word(text, tokens, i)
        if word.istitle():
            place = range(0)
            if prev in _LOCATIVES:
                # Where someone lives, on a line of any length: "Lives alone in Harmony."
                # Its words are no ordinary ones, or a name's or a place's: not "Lives in Motel".
                phrase = _title_phrase(text, tokens, i)
                if all(w.lower() not in safe.dictionary or safe.could_be_name(w) for w in phrase):
                    place = _place_phrase(text, tokens, i, phrase, safe)
            if not place:
                place = _town_after_place(text, tokens, i, unsafe, covered, safe)
            for j in place:
                if not covered.any(*tokens[j][:2]):
                    unsafe[j] = True
            if place:
                continue
        if (
            word.istitle()
            and len(word) <= MAX_LISTED_GIVEN
            and lower not in safe.stop
            and (lower not in safe.curated or lower in _GIVEN_MONTH_WORDS)
            and (prev in safe.person_fields or prev in safe.relations)
            and i + 1 < len(tokens)
            and text[e : tokens[i + 1][0]] == " "
            and tokens[i + 1][2].istitle()
            and (before[i + 1] or person[i + 1])
            and not safe.is_safe(tokens[i + 1][2])
        ):
            # A short given name any list holds as a word, between a person's field and a
            # surname no list holds: "SW Yui Sato", "contact Jun Liu"; not "contact Social
            # Work", "Attending Physician Khalid", "Spouse Name Okafor", "mother Has ...".
            unsafe[i] = True
            continue
        if (
            word.istitle()
            and lower in _GIVEN_MONTHS
            and prev is not None
            and tokens[i - 1][2].isupper()
            and prev in safe.person_fields
            and text[tokens[i - 1][1] : s] == " "
            and _next_word(text, tokens, i, gap=" ") is not None
            and tokens[i + 1][2].islower()
        ):
            unsafe[i] = True  # a month that is a given name, after a role: "RT June in to eval"
            continue
        # The same word as ``prev``, or the last of the line before: "(dr" / "Dean)".
        wrapped_prev = _previous_word(text, tokens, i, wrapped=True)
        if lower in SURNAME_PARTICLES and prev in SURNAME_PARTICLES and unsafe[i - 1]:
            unsafe[i] = True  # a particle after one taken: "Dr. van den" / "Nyeuwenhuysen"
            continue
        if (
            word.islower()
            and lower in SURNAME_PARTICLES
            and i + 1 < len(tokens)
            and text[e : tokens[i + 1][0]] == " "
            and tokens[i + 1][2].istitle()
            and not safe.is_safe(tokens[i + 1][2])
            and covered.any(tokens[i + 1][0], tokens[i + 1][1])
        ):
            # A particle before a name found that no list holds: "van Emmelen Surgical";
            # not the vehicle, "by van Mercy Medical Center staff".
            unsafe[i] = True
            continue
        if lower in safe.stop:
            if word.istitle() and wrapped_prev in safe.titles:
                unsafe[i] = True  # a surname that is a function word: "Dr. Do", "Mr. Will"
            elif (
                prev in safe.relations
                and word.isupper()
                and safe.could_be_name(word)
                and not tokens[i - 1][2].isupper()
                and ":" not in text[tokens[i - 1][1] : s]  # "Mother: WILL call back"
                and not _next_is_capitals(text, tokens, i)  # "Son WILL NOT drive"
            ):
                unsafe[i] = True  # a given name that is one, in capitals: "Nephew WILL called"
            elif (
                word.istitle()
                and prev in safe.relations
                and safe.could_be_name(word)
                and text.startswith(",", e)
                and "," in text[tokens[i - 1][1] : s]
            ):
                unsafe[i] = True  # a given name that is one, set off by commas: "son, Will, in"
            elif (
                word.istitle()
                and prev in safe.person_fields
                and safe.could_be_name(word)
                and i + 1 < len(tokens)
                and text[e : tokens[i + 1][0]] == " "
                and tokens[i + 1][2].istitle()
                and safe.could_be_name(tokens[i + 1][2])
                and tokens[i + 1][2].lower() not in safe.curated
            ):
                # A given name that is a function word, after a role and before a surname:
                # "SW Will White aware".
                unsafe[i] = unsafe[i + 1] = True
            continue
        capital = word[0].isupper()
        if (
            prev in safe.relations
            and (
                (word.istitle() and _before_found(text, tokens, i, person))
                or (
                    word.islower()
                    and lower not in safe.curated
                    and lower not in safe.stop
                    and not _inflected(lower, safe)  # "wife visiting Okafor family"
                    and i + 1 < len(tokens)
                    and text[e : tokens[i + 1][0]] == " "
                    # A word of the dictionary only before a name a recognizer found:
                    # "daughter sage owens", not "son aware Ruiz family".
                    and (
                        person[i + 1]
                        or (
                            tokens[i + 1][2].istitle()
                            and before[i + 1]
                            and lower not in safe.dictionary
                        )
                    )
                )
            )
        ):
            # A given name before a surname found, whatever it is: "son Ed Ruiz"; in lower
            # case any word but a term we chose: "daughter sage Owens".
            unsafe[i] = True
            continue
        known = safe.could_be_name(word)
        if wrapped_prev in safe.titles and not (word.islower() and tokens[i - 1][2].isupper()):
            # Also "(dr" at a line's end and "Dean)" on the next; not "MR enterography".
            unsafe[i] = True
        elif (
            prev is None
            and wrapped_prev in safe.relations
            and word.islower()
            and known
            and (lower not in safe.clinical or safe.name_over_term(word))
        ):
            unsafe[i] = True  # a known name opening the line after a relation: "Nephew" / "frank"
        elif prev in safe.relations and _syllable_name(text, tokens, i, safe):
            unsafe[i] = True  # "son min-jun"
        elif (
            prev in safe.relations
            and word.isupper()
            and len(word) >= 3
            and lower in safe.names
            and not tokens[i - 1][2].isupper()
            and ":" not in text[tokens[i - 1][1] : s]
            and not _next_is_capitals(text, tokens, i)
        ):
            unsafe[i] = True  # a known name that is also a term, in capitals: "Husband LONG"
        elif prev in safe.relations and lower not in safe.curated and not text.startswith(":", e):
            # "dtr KRISSY", "wife hope"; not "Father: colon cancer" (a history item), nor
            # "Mother Diabetes" or "Mother Father" in a family history table, nor the next
            # field's label ("Husband Authority: guardian").
            gap = text[tokens[i - 1][1] : s]
            term = lower in safe.clinical and not safe.name_over_term(word)
            if capital and (known or not term):
                unsafe[i] = True
            elif not capital and known and not term and ":" not in gap:
                unsafe[i] = True
            elif not capital and ":" not in gap and not _word_by_derivation(lower, safe):
                unsafe[i] = True  # no list holds it nor makes it: "granddaughter anett"
        elif capital and name_not_term(word, safe) and _WARD_NUMBER.match(text, e):
            unsafe[i] = True
        elif capital and lower not in safe.curated and _named_ward(text, tokens, i, safe):
            unsafe[i] = True
        elif (
            prev is None
            and wrapped_prev in safe.relations
            and _previous_word(text, tokens, i - 1) in _POSSESSIVES
            and word.istitle()
            and name_not_term(word, safe)
            and _next_word(text, tokens, i) in safe.stop
        ):
            # A known name opening the line after "his sister", "her son" ending the one
            # above, before a function word: "Violet is ..."; not a table's or a list's row
            # ("Daughter" / "Turner syndrome", "Lives with husband" / "Walker at home").
            unsafe[i] = True
        elif (
            capital
            and (last := _words_before_place_acronym(text, tokens, i, unsafe, safe))
            and (
                wrapped_prev in ("from", "at")
                or (_line_start(text, s) and _unit_and_record_next(text, tokens, last + 1))
            )
        ):
            # A place's words before its initials, after "from", or before a unit of it and
            # the record number, as a banner prints them: "Union GH PCU MRN ...".
            for k in range(i, last + 1):
                unsafe[k] = True
        elif _place_acronym(word, wrapped_prev, safe):
            unsafe[i] = True  # "from BHC", "PCP at SCA"
        elif (
            word.isupper()
            and len(word) <= 5
            and lower not in safe.curated
            and _line_start(text, s)
            and _unit_and_record_next(text, tokens, i)
            and _RECORD_NUMBER.match(text, tokens[i + 1][1]) is not None
        ):
            unsafe[i] = True  # a banner's hospital that is a word too: "UGH IMC MR ..."
        elif (
            capital
            and _after_initial(text, tokens, i)
            and _next_word(text, tokens, i, gap=" ,") in safe.credentials
        ):
            unsafe[i] = True  # between an initial and a credential, any word: "M. Song, MD"
        elif (
            word.istitle()
            and _after_initial(text, tokens, i)
            and tokens[i - 1][2] not in "LR"  # a side: "with L. Hand 20g"
            and _previous_word(text, tokens, i - 1) in _AGENT_WORDS
            and lower not in safe.clinical
            and (known or len(word) >= 4)
            and _CLAUSE_END.match(text, e) is not None
        ):
            # Someone who did something, any word ending its clause: "Grossed by M. Pastor.";
            # not "with A. Fib" before a word, "by C. Spine films".
            unsafe[i] = True
        elif known and (
            # A known name after an initial is one even where it is a clinical word too
            # ("E. Ward", "k. foley"): "E. coli" and "C. diff" hold no name.
            _after_initial(text, tokens, i)
            or (
                (lower not in safe.clinical or safe.name_over_term(word))
                and (
                    (capital and wrapped_prev in safe.person_fields)  # "contact" / "Grace"
                    or _next_word(text, tokens, i, gap=" ,") in safe.credentials
                    or (  # a name no dictionary holds after a role, in lower case: "SW huong"
                        wrapped_prev in safe.person_fields
                        and lower not in safe.dictionary
                        and lower not in safe.curated
                    )
                )
            )
        ):
            unsafe[i] = True
    changed = True
    passes = 0
    while changed and passes < MAX_PASSES:
        changed = False
        passes += 1
        for i, (s, e, word) in enumerate(tokens):
            if unsafe[i] or covered.any(s, e) or not word.isalpha():
                continue
            lower = word.lower()
            if lower in safe.stop:
                # A surname that is a function word, after an initial ("Q. Do, MD", "J.
                # May"); a given name that is one, before a surname a recognizer found ("--
                # Will Aguirre RN").
                if word.istitle() and (
                    _initial_then_end(text, tokens, i)
                    or (safe.could_be_name(word) and _before_found(text, tokens, i, person))
                    or (
                        safe.could_be_name(word)
                        and _after_given_name_taken(text, tokens, i, unsafe)
                    )
                    or (  # "contact May Dixon": a person's field, the name, a surname removed
                        safe.could_be_name(word)
                        and _previous_word(text, tokens, i) in _CONTACT_FIELDS
                        and (
                            _before_name(text, tokens, i, unsafe, person)
                            or _PHONE_NEXT.match(text, e) is not None  # "contact Will (810) ..."
                        )
                    )
                ):
                    unsafe[i] = True
                    changed = True
                continue
            if _inverted_surname(text, tokens, i, unsafe, person, safe) or (
                _after_name_initial(text, tokens, i, unsafe, person)
                and lower not in safe.honorifics  # "Hope A. RN"
            ):
                unsafe[i] = True  # "DANG, Huy M", "Gemma L. White"
                changed = True
                continue
            if (
                lower in _VETERANS_HOSPITAL
                and word.isupper()
                and i > 0
                and unsafe[i - 1]
                and tokens[i - 1][2].istitle()
                and text[tokens[i - 1][1] : s] == " "
            ):
                unsafe[i] = True  # a veterans' hospital by its town: "Togus VA", "Athol VAMC"
                changed = True
                continue
            if _nickname_inside(text, tokens, i, unsafe, person):
                unsafe[i] = True  # a nickname quoted inside a name: 'Bernadette "Bunny" Ko'
                changed = True
                continue
            if _before_comma_and_role(text, tokens, i, unsafe, person, safe):
                unsafe[i] = True  # a name's last word before its role: "eileen little, RT"
                changed = True
                continue
            if not word[0].isupper() and lower in PARTICLES:
                chain = _particles_in_name(text, tokens, i, unsafe, person, safe)
                for j in chain:
                    if not covered.any(*tokens[j][:2]):
                        unsafe[j] = True
                        changed = True
                if (
                    not chain
                    and lower in SURNAME_PARTICLES
                    and (
                        _before_name(text, tokens, i, unsafe, person)
                        or (  # before a particle taken: "de" / "la Torre"
                            i + 1 < len(tokens)
                            and tokens[i + 1][2] in SURNAME_PARTICLES
                            and unsafe[i + 1]
                            and text[e : tokens[i + 1][0]] == " "
                        )
                    )
                ):
                    unsafe[i] = True  # a surname's own particle, opening it: "de Koning, Grant"
                    changed = True
                continue
            if not word[0].isupper():
                # In lower case, only a name beside a name: "amy hall", not "amy called".
                if safe.could_be_name(word) and _beside_name(
                    text, tokens, i, unsafe, person, safe, found_only=False, lower_case=True
                ):
                    unsafe[i] = True
                    changed = True
                continue
            if lower in PARTICLES and _before_name(text, tokens, i, unsafe, person):
                unsafe[i] = True
                changed = True
                continue
            # Beside a name the recognizers found, only a term we chose ourselves is kept
            # ("Kala" is a word of the drug and disease lists, and a given name); beside a
            # word the net removed, which may be an OCR misreading, any clinical term is.
            syllables = _syllable_name(text, tokens, i, safe)
            known = (
                safe.could_be_name(word)
                or (lower in _GIVEN_MONTHS and not _beside_number(text, tokens, i))
                or syllables
            )
            if lower in safe.curated and not known:
                if _after_given_name(text, tokens, i, unsafe, safe):
                    unsafe[i] = True  # a surname that is a term we chose: "Tammy Major"
                    changed = True
                continue
            found_only = lower in safe.clinical and not known
            if (
                _beside_name(text, tokens, i, unsafe, person, safe, found_only=found_only)
                or (known and _before_initial_and_name(text, tokens, i, unsafe, person))
                or (known and _before_initial_and_credential(text, tokens, i, safe))
                or (syllables and _syllable_name_beside(text, tokens, i, unsafe, person))
            ):
                unsafe[i] = True
                changed = True
    # The names marked by their context or found by a recognizer, wherever else they stand
    # capitalised. A word in a name a recognizer found, or after a surname in capitals and
    # its comma, counts whether or not our lists know it as a name ("PHAM, Yen"), unless it
    # is a clinical term we chose.
    marked = {
        w.lower()
        for i, (s, e, w) in enumerate(tokens)
        if w[0].isupper()
        and safe.is_safe(w)
        and i not in nicknames
        and (
            (unsafe[i] and not before[i] and safe.could_be_name(w))
            or (
                (
                    person[i]
                    or (
                        unsafe[i] and not before[i] and _given_name(text, tokens, i, unsafe, person)
                    )
                )
                and w.lower() not in safe.curated
            )
        )
    }
    # A relative's given name before a surname, in lower case ("daughter sage owens"), where
    # it opens a clause again before a verb of a person's: "Sage can be reached"; not "Rose
    # to 38.9".
    # So is a nickname quoted inside a name: 'Ray "Buddy" Tolliver' ... "Buddy called"; not
    # "Buddy system".
    relatives = {
        w
        for i, (s, e, w) in enumerate(tokens)
        if w.islower()
        and unsafe[i]
        and not before[i]
        and w not in safe.curated
        and _previous_word(text, tokens, i) in safe.relations
        and i + 1 < len(tokens)
        and (person[i + 1] or unsafe[i + 1])
    } | {
        w.lower()
        for i, (s, e, w) in enumerate(tokens)
        if unsafe[i]
        and not before[i]
        and (i in nicknames or _nickname_inside(text, tokens, i, unsafe, person))
    }
    for i, (s, e, word) in enumerate(tokens):
        if (
            word.istitle()
            and word.lower() in relatives
            and not unsafe[i]
            and not covered.any(s, e)
            and _next_word(text, tokens, i, gap=" ") in _PERSON_VERBS
        ):
            unsafe[i] = True
    for i, (s, e, word) in enumerate(tokens):
        if unsafe[i] or not word[0].isupper() or word.lower() not in marked:
            continue
        if not covered.any(s, e) and not names_a_disease(text, e, safe):
            unsafe[i] = True


def _given_name(
    text: str,
    tokens: list[tuple[int, int, str]],
    i: int,
    unsafe: list[bool],
    person: list[bool],
) -> bool:
    """Whether token ``i`` is a given name after a surname in capitals: "PHAM, Yen"."""
    if i == 0 or not tokens[i][2].istitle():
        return False
    _, pe, pw = tokens[i - 1]
    surname = pw.isupper() and len(pw) >= 2 and (unsafe[i - 1] or person[i - 1])
    return surname and text[pe : tokens[i][0]] in (", ", ",")


MAX_PASSES = 8  # a name spreads a word a pass: "Teodora Young" needs two; a list of 400 none
MIN_PROSE_WORDS = 5  # a line of fewer words is a field or a heading, not prose
MIN_PROSE_LOWER = 0.6  # and so is one whose words are mostly capitalised
MAX_LABEL_WORDS = 3  # a label that opens a line of prose: "SOCIAL HISTORY:", "Plan:"
# Fields that a contact's name follows: "contact May Oyelaran" (not "pt May Need").
_PHONE_NEXT = re.compile(r"[ ,:]{1,3}(?:\(\d{3}\)|\d{3}[ .\-]\d{3})")
_CONTACT_FIELDS = frozenset({"contact", "nok", "poa", "hcp", "guardian", "guarantor"})
# Words no sentence ends on, before a place or a person: "at home in" / "Hope".
_WRAPPING_WORDS = frozenset({"in", "at", "from", "near", "to", "with", "of", "by", "and"})
_SENTENCE_START = frozenset(".!?:;|*-(\"'\u2022>")


def _mark_capitalised_in_prose(
    text: str,
    tokens: list[tuple[int, int, str]],
    unsafe: list[bool],
    covered: _Coverage,
    safe: SafeWords,
) -> None:
    """Mark an ordinary word capitalised in the middle of a sentence: a proper noun.

    In prose ("daughter Rose called", "lives in Reading with her son") a capital inside a
    sentence marks a name, of a person or a place. Clinical terms and roles are left (drug
    brands are capitalised, and so is "Chaplain"), and so are the sentence's first word, a
    label before its colon, and every word of a line that is mostly capitalised (a
    heading, a form's row).
    """
    breaks = [m.start() for m in re.finditer("[\n\f]", text)]
    lines: dict[int, list[int]] = {}
    for i, (s, _, _) in enumerate(tokens):
        lines.setdefault(bisect_right(breaks, s), []).append(i)
    previous: list[int] = []
    for members in lines.values():
        prose_line = _is_prose(members, tokens, covered)
        # A sentence the line break cut after a preposition goes on here: "... at home in" /
        # "Hope and was" (not "... brought her glasses" / "Transfer to 4B", a new line).
        wrapped = (
            bool(previous)
            and tokens[previous[-1]][2] in _WRAPPING_WORDS
            and text[tokens[previous[-1]][1] : tokens[members[0]][0]].strip() == ""
            and _is_prose(previous, tokens, covered)
        )
        for k, segment in enumerate(_sentences(text, tokens, members, safe)):
            if prose_line or _is_prose(segment, tokens, covered):
                _mark_in_sentence(
                    text, tokens, segment, unsafe, covered, safe, continued=wrapped and k == 0
                )
        previous = members


def _mark_name_lines(
    text: str,
    tokens: list[tuple[int, int, str]],
    unsafe: list[bool],
    covered: _Coverage,
    safe: SafeWords,
) -> None:
    """Mark a line, or a cell, that holds two or three known names and nothing else.

    A form prints a person's name as a field's value on its own ("GRANT HOLLIS" under
    "Primary Care Physician", "Rose Okafor"): each word is in the name lists, none is a term we
    chose, and one at least is no English word ("Sputum  Green, Brown" and "Good Faith" are
    no names). Two given or family names together and alone are a name, whether or not the
    net took one already ("Johnson, Will").
    """
    starts = [s for s, _, _ in tokens]
    for m in re.finditer(r"(?m)^[ \t]*(\S.*?)[ \t]*$", text):
        for cell in re.finditer(r"[^\s|]+(?:[ ,]{1,2}[^\s|]+)*", m.group(1)):  # "|": a rule
            start = m.start(1) + cell.start()
            end = start + len(cell[0])
            first, last = bisect_left(starts, start), bisect_left(starts, end)
            members = [i for i in range(first, last) if tokens[i][1] <= end]
            if not 2 <= len(members) <= 3 or all(unsafe[i] for i in members):
                continue
            words = [tokens[i][2] for i in members]
            gaps = [text[tokens[a][1] : tokens[a + 1][0]] for a in members[:-1]]
            shaped = all(
                w.isalpha() and len(w) >= 2 and (w.istitle() or w.isupper()) for w in words
            )
            if not shaped or any(covered.any(*tokens[i][:2]) for i in members):
                continue
            names = all(g in (" ", ", ") for g in gaps) and (
                all(w.lower() not in safe.curated for w in words)
                and (
                    (
                        all(w.lower() in safe.names for w in words)
                        and any(_undictionary_name(w, safe) for w in words)
                    )
                    or (  # a surname, its comma, a given name that is a word too: "Johnson, Will"
                        gaps == [", "]
                        and _undictionary_name(words[0], safe)
                        and safe.could_be_name(words[1])
                    )
                )
            )
            if names:
                for i in members:
                    unsafe[i] = True


# A patient's location's label, as a banner prints it; its value may stand on the next line
# ("LOC:" / "Sun 3"). Not "Location:" nor "Unit:", a wound's site and a dose's unit.
_LOCATION_LABEL = re.compile(r"(?<![A-Za-z])(?i:loc|ward)[ \t]*:[ \t]*(?:\n[ \t]*)?(?=[A-Z0-9])")
# Where a field's value ends: two spaces, a table rule, the next label.
_FIELD_BREAK = re.compile(r"[ \t]{2,}|[ \t]*[|\n\f]|[ \t]*[A-Za-z#.]+[ \t]*:")


_COMPASS = frozenset("north south east west".split())


def _mark_wards(
    text: str,
    tokens: list[tuple[int, int, str]],
    unsafe: list[bool],
    covered: _Coverage,
    safe: SafeWords,
) -> None:
    """Mark the names in a location's value: "LOC: Short CCU", "Ward: Bell 5B".

    A ward or a building is named after a person or a place: its words that could be a
    name or that no list holds go, with a bed's or a unit's code of digits and letters
    after one; the care unit's kind, a compass point and a plain word stay ("LOC: ICU",
    "LOC: 4 West", "LOC: Brief").
    """
    starts = [s for s, _, _ in tokens]
    for m in _LOCATION_LABEL.finditer(text):
        stop = _FIELD_BREAK.search(text, m.end())
        end = stop.start() if stop else len(text)
        named = False
        for i in range(bisect_left(starts, m.end()), bisect_left(starts, end)):
            s, e, word = tokens[i]
            if covered.any(s, e):
                continue
            lower = word.lower()
            if word.isalpha() and (word.istitle() or word.isupper()):
                if (
                    lower in _CARE_UNITS
                    or lower in _COMPASS
                    or (lower in safe.curated and not safe.could_be_name(word))
                ):
                    continue
                if safe.could_be_name(word) or not safe.is_safe(word):
                    unsafe[i] = named = True
            elif named and any(c.isdigit() for c in word) and any(c.isalpha() for c in word):
                unsafe[i] = True  # the bed's or the pod's code: "Bell 5B"


# What follows a person's name opening a clause: "Sage can be reached", "Sage called".
_PERSON_VERBS = frozenset(
    "can will would called calls states stated asked agrees agreed says said wants requested "
    "visited came spoke declined prefers".split()
)
# A banner's "SURNAME, GIVEN" opening its line or cell, then on the next line, after a wide
# gap or a table rule, the record's number or the birth date.
_BANNER_NAME = re.compile(
    r"(?m)(?:^|\|)[ \t]*([A-Z][A-Za-z'\-]+,[ ]?[A-Z][A-Za-z'\-]+(?:[ ][A-Z][A-Za-z'\-]*)?)"
    r"(?=(?:[ \t]*\n[ \t]*|[ \t]+\(?|[ \t]*\|[ \t]*)"
    r"(?i:mrn|mr[ ]?#|med[ ]rec|dob|d\.o\.b\.|acct|account)(?![A-Za-z]))"
)


# A given name, a nickname in quotes, a surname: 'Robert "Bobby" Quill'.
_NICKNAMED = re.compile(
    r"(?<![A-Za-z])([A-Z][a-z]+)[ ][\"\u201c]([A-Z][a-z]+)[\"\u201d][ ]([A-Z][a-z'\-]+)"
)


def _mark_nicknamed(
    text: str,
    tokens: list[tuple[int, int, str]],
    unsafe: list[bool],
    covered: _Coverage,
    safe: SafeWords,
) -> set[int]:
    """Mark a name printed with its nickname in quotes: 'Robert "Bobby" Quill'.

    The given name and the nickname could be names (or no list holds the nickname); no word
    is a term we chose. Returns the nicknames' tokens: a nickname that is a word is a name
    again only before a person's verb ("Buddy called", not "Buddy system").
    """
    starts = [s for s, _, _ in tokens]
    nicknames = set()
    for m in _NICKNAMED.finditer(text):
        words = [m.group(1), m.group(2), m.group(3)]
        nickname = safe.could_be_name(words[1]) or not safe.is_safe(words[1])
        if not safe.could_be_name(words[0]) or not nickname:
            continue  # not 'Frank "Bloody" Stool', 'Mark "Done" Today'
        if any(w.lower() in safe.curated for w in words):
            continue
        for g in (1, 2, 3):
            i = bisect_left(starts, m.start(g))
            if not covered.any(*tokens[i][:2]):
                unsafe[i] = True
        nicknames.add(bisect_left(starts, m.start(2)))
    return nicknames


def _mark_banner_names(
    text: str,
    tokens: list[tuple[int, int, str]],
    unsafe: list[bool],
    covered: _Coverage,
    safe: SafeWords,
) -> None:
    """Mark a banner's name before the record's number, words or not.

    "WOOD, PEARL" / "MRN: ...", "Costello, May  (MRN ...)": printed so, it is the patient,
    whatever its words; not a list of terms we chose ("CBC, BMP  MRN ...").
    """
    starts = [s for s, _, _ in tokens]
    for m in _BANNER_NAME.finditer(text):
        members = range(bisect_left(starts, m.start(1)), bisect_left(starts, m.end(1)))
        words = [tokens[i][2] for i in members]
        if (
            any(covered.any(*tokens[i][:2]) for i in members)
            or any(
                w.lower() in safe.curated
                and not safe.could_be_name(w)
                and w.lower() not in _GIVEN_MONTH_WORDS
                for w in words
            )
            or not any(safe.could_be_name(w) or w.lower() in _GIVEN_MONTH_WORDS for w in words)
            or not (
                safe.could_be_name(words[1])
                or not safe.is_safe(words[1])
                or words[1].lower() in _GIVEN_MONTH_WORDS
            )
        ):
            # Terms, brands no list holds, or a given name that is no name: "CBC, BMP",
            # "ENTRESTO, JARDIANCE", "Stone, Analysis", "Rose, Hip".
            continue
        for i in members:
            unsafe[i] = True


_BRACKETED = re.compile(r"\(([a-z]+(?:[ ][a-z]+){1,2})\)")


def _mark_bracketed_names(
    text: str,
    tokens: list[tuple[int, int, str]],
    unsafe: list[bool],
    covered: _Coverage,
    safe: SafeWords,
) -> None:
    """Mark two or three lower-case words in brackets that can all be names: "(summer warren)".

    A telegraphic note names who it means in brackets after a role ("case mgmt (summer
    warren) aware", "SW (anya sweet)"). Each word is a known name, or one the net could not
    show to be safe, and at least one is a given or family name, or unknown; none is a term
    we chose or a function word ("(see note)", "(left arm)"). One word at least is unknown,
    or a name no dictionary holds: "(rose bengal)" and "(bright green)" are no names.
    """
    starts = {s: i for i, (s, _, _) in enumerate(tokens)}
    for m in _BRACKETED.finditer(text):
        first = starts.get(m.start(1))
        if first is None:
            continue
        members = range(first, first + m.group(1).count(" ") + 1)
        if any(
            tokens[i][2] in safe.curated or tokens[i][2] in safe.stop or covered.any(*tokens[i][:2])
            for i in members
        ):
            continue
        if all(unsafe[i] or safe.could_be_name(tokens[i][2]) for i in members) and any(
            unsafe[i] or _undictionary_name(tokens[i][2], safe) for i in members
        ):
            for i in members:
                unsafe[i] = True


def _undictionary_name(word: str, safe: SafeWords) -> bool:
    """A given or family name that is no English word: "Hollis", not "Brown" or "Green"."""
    lower = word.lower()
    return (lower in safe.names or lower in safe.census) and lower not in safe.dictionary


def _is_prose(members: list[int], tokens: list[tuple[int, int, str]], covered: _Coverage) -> bool:
    """Whether the words of ``members`` read as prose: enough of them, mostly lower case.

    Words the recognizers found are names: they make a line no less prose.
    """
    words = [
        tokens[i][2]
        for i in members
        if tokens[i][2].isalpha() and len(tokens[i][2]) > 1 and not covered.any(*tokens[i][:2])
    ]
    if len(words) < MIN_PROSE_WORDS:
        return False
    return sum(w.islower() for w in words) >= MIN_PROSE_LOWER * len(words)


def _sentences(
    text: str, tokens: list[tuple[int, int, str]], members: list[int], safe: SafeWords
) -> list[list[int]]:
    """``members`` (one line's tokens) cut where a sentence ends, or after a label's colon.

    "... in Hope. Retired ...", "SOCIAL HISTORY: Lives with ..." (a label opens its line: a
    flowsheet row's "... Comment: patient walked" stays one); not after a title's dot ("Dr.
    Hope").
    """
    out: list[list[int]] = [[]]
    for k, i in enumerate(members):
        if k and out[-1]:
            prev = members[k - 1]
            gap = text[tokens[prev][1] : tokens[i][0]]
            label = gap[:1] == ":" and k <= MAX_LABEL_WORDS  # "SOCIAL HISTORY: Lives with"
            if (
                (gap[:1] in ".;?!" or label)
                and gap[1:2] == " "
                and tokens[prev][2].lower() not in safe.titles
            ):
                out.append([])
        out[-1].append(i)
    return out


def _mark_in_sentence(
    text: str,
    tokens: list[tuple[int, int, str]],
    members: list[int],
    unsafe: list[bool],
    covered: _Coverage,
    safe: SafeWords,
    *,
    continued: bool = False,
) -> None:
    """Mark the proper nouns of one sentence of prose (``_mark_capitalised_in_prose``).

    ``continued``: the sentence began on the line before, so its first word opens nothing.
    """
    # Until a word of three letters or more, the line has only numbers, marks and
    # single letters: a time, a check box ("2345 Fall precautions", "O Entire record").
    started = continued
    for i in members:
        s, e, word = tokens[i]
        opens = not started
        started = started or (len(word) > 2 and word.isalpha())
        if opens or unsafe[i] or covered.any(s, e) or not word.istitle() or len(word) < 3:
            continue
        lower = word.lower()
        if lower in safe.clinical and not safe.name_over_term(word):
            continue
        if names_a_disease(text, e, safe) or _unlisted_eponym(text, tokens[i], safe):
            continue  # "Landau-Kleffner syndrome", "Williams syndrome", "Meniere's disease"
        if lower in safe.stop or lower in safe.honorifics:
            continue
        if lower in safe.person_fields or not word.isalpha() or text.startswith(":", e):
            continue
        if _after_mark(text, s) and not (
            # The first word of a wrapped line: only a name, or a word no dictionary holds
            # ("with" / "Questions or concerns" is a typist's capital).
            continued
            and i == members[0]
            and (safe.could_be_name(word) or lower not in safe.dictionary)
        ):
            continue
        # A capitalised phrase of ordinary words is a title ("Notice of Privacy
        # Practices", "Information Management"), unless one of them is a name.
        phrase = _title_phrase(text, tokens, i)
        if len(phrase) > 1 and not any(safe.could_be_name(w) for w in phrase):
            place = _place_phrase(text, tokens, i, phrase, safe)
            for j in place:
                if not covered.any(*tokens[j][:2]):
                    unsafe[j] = True  # "Fall" of "Fall River" too, a clinical word alone
            continue
        unsafe[i] = True


# A line's end, or a mark that ends a name: "Bell, Hong M", "Bell, Hong M.;".
_NAME_END = re.compile(r"\.?[ \t]*(?:[\n\f,;)]|$)")


def _mark_inverted_with_initial(
    text: str,
    tokens: list[tuple[int, int, str]],
    unsafe: list[bool],
    covered: _Coverage,
    safe: SafeWords,
) -> None:
    """Mark "Surname, Given M": two capitalised words, a comma, and a middle initial last.

    The shape is a name's, printed surname first ("Re: Bell, Hong M", "cc: Hale, Ruth A."),
    whatever the words: one of them is enough to be a name we know or one the net took.
    """
    for i in range(len(tokens) - 2):
        (s0, e0, surname), (s1, e1, given), (s2, e2, initial) = tokens[i : i + 3]
        if text[e0:s1] not in (", ", ",") or text[e1:s2] != " ":
            continue
        if len(initial) != 1 or not initial.isupper():
            continue
        then = tokens[i + 3][2].lower() if i + 3 < len(tokens) else ""
        ends = _NAME_END.match(text, e2) or (text[e2 : e2 + 1] == " " and then in safe.relations)
        # A line's end, a comma, or the relation a face sheet prints next; or anything, when
        # both words are names ("Bell, Hope J Medicine": the next column).
        if not ends and not (safe.could_be_name(surname) and safe.could_be_name(given)):
            continue
        words = (surname, given)
        if not all(w.isalpha() and len(w) > 1 and w[0].isupper() for w in words):
            continue
        if any(w.lower() in safe.stop for w in words):
            continue
        if safe.is_safe(surname) and not safe.could_be_name(surname):
            continue  # a lab row: "Color, Amber A"
        spans = ((i, surname, s0, e0), (i + 1, given, s1, e1))
        if not any(
            safe.could_be_name(w) or unsafe[j] or covered.person(s, e) for j, w, s, e in spans
        ):
            continue
        for j, (s, e) in ((i, (s0, e0)), (i + 1, (s1, e1))):
            if not covered.any(s, e):
                unsafe[j] = True


_LOCATIVES = frozenset({"in", "from", "near"})
# What a place follows: "lives in Fall River", "moved from Silver Spring"; not "discharged
# home in Stable Condition".
_RESIDENCE = frozenset(
    "lives living live lived resides residing reside resided moved moving relocated born "
    "raised up returned returning visiting visited travelled traveled traveling travelling "
    "works working worked stays staying stayed".split()
)


def _place_phrase(
    text: str, tokens: list[tuple[int, int, str]], i: int, phrase: list[str], safe: SafeWords
) -> range:
    """The tokens of a capitalised phrase of ordinary words that is a place, if it is one.

    "lives in Fall River": after "in", "from" or "near" and a verb of living or moving,
    ending its clause or before a function word, not all of its words clinical terms we
    chose ("in Sinus Rhythm", "home in Stable Condition" are no places).
    """
    none = range(0)
    if all(w.lower() in safe.curated for w in phrase) or any(
        w.lower() in safe.stop for w in phrase
    ):
        return none
    j = k = i
    while j > 0 and text[tokens[j - 1][1] : tokens[j][0]] == " " and tokens[j - 1][2].istitle():
        j -= 1
    while k + 1 < len(tokens) and text[tokens[k][1] : tokens[k + 1][0]] == " ":
        if not tokens[k + 1][2].istitle():
            break
        k += 1
    # The place ends its clause, or a function word follows: not "in Good Spirits today".
    ends = k + 1 == len(tokens) or text[tokens[k][1] : tokens[k + 1][0]].strip(" ") != ""
    ends = ends or tokens[k + 1][2].lower() in safe.stop
    if not ends or _previous_word(text, tokens, j) not in _LOCATIVES:
        return none
    if tokens[k][2].lower() in _DWELLINGS:
        return none  # "lives with wife in Assisted Living", "in Single Story Home"
    return range(j, k + 1) if _after_residence(text, tokens, j - 1, safe) else none


def _town_after_place(
    text: str,
    tokens: list[tuple[int, int, str]],
    i: int,
    unsafe: list[bool],
    covered: _Coverage,
    safe: SafeWords,
) -> range:
    """The town after a place and "in" or a comma, one word ending its clause, if it is one.

    "(Publix in Wellington)", "Allen Medical Group, Mobile.": a word our lists hold as a
    name or a place, or one no dictionary holds; not any other ("in Triage", ", Today.",
    ", Dermatology."), a phrase ("in Stable Condition"), a kind of home, or a person's name
    after a surname's comma.
    """
    none = range(0)
    if i == 0:
        return none
    comma = text[tokens[i - 1][1] : tokens[i][0]] == ", "
    # "in" in lower case (not a title's "In"), right before the word.
    if not comma and (tokens[i - 1][2] != "in" or _previous_word(text, tokens, i) != "in"):
        return none
    place = i - 1 if comma else i - 2
    if place < 0 or (not comma and text[tokens[place][1] : tokens[i - 1][0]] != " "):
        return none
    ps, pe, pw = tokens[place]
    found = covered.any(ps, pe) and not covered.person(ps, pe)  # a facility, not "Lee, Anna"
    if not pw[:1].isupper() or not (found or (unsafe[place] and not comma)):
        return none
    word = tokens[i][2]
    lower = word.lower()
    # After a comma the town ends its sentence: not a department in a list ("Lakeside
    # Medical Group, Pulmonology, NP note").
    end = _SENTENCE_END if comma else _CLAUSE_END
    if (
        end.match(text, tokens[i][1]) is None
        # A place's name, or a word no dictionary holds ("Haverhill"): not "in Triage",
        # ", Today.", ", Dermatology.".
        or not (safe.could_be_name(word) or lower not in safe.dictionary)
        or lower in safe.curated
        or lower in safe.stop
        or lower in _DWELLINGS
        or covered.any(*tokens[i][:2])
    ):
        return none
    return range(i, i + 1)


# Who a person lives with, between the verb and the place: "lives w/ her husband in".
_COMPANY = frozenset("with w her his their a an and alone".split())
_LIVING = frozenset("lives living live lived resides residing reside resided stays".split())
# What a phrase after "lives in" ends with when it is a kind of home, not a place.
_DWELLINGS = frozenset(
    "home house apartment apt residence community facility living area unit trailer building "
    "room shelter housing condo townhouse floor level setting care".split()
)


def _after_residence(
    text: str, tokens: list[tuple[int, int, str]], i: int, safe: SafeWords
) -> bool:
    """Whether a verb of living or moving comes before token ``i`` (the locative).

    Next to it ("lives in") or, for a verb of living, before whom the person lives with
    ("lives w/ Nephew in", "resides with her husband in"; not "works with his father in"),
    up to four such words on the same line.
    """
    for step in range(5):
        if i <= 0:
            return False
        gap = text[tokens[i - 1][1] : tokens[i][0]]
        if gap.strip(" /,") != "" or len(gap) > 3:
            return False
        word = tokens[i - 1][2].lower()
        if word in (_RESIDENCE if step == 0 else _LIVING):
            return True
        if word not in _COMPANY and word not in safe.relations:
            return False
        i -= 1
    return False


def _title_phrase(text: str, tokens: list[tuple[int, int, str]], i: int) -> list[str]:
    """The capitalised words around token ``i``, joined by spaces or "of", "and", "the"."""
    words = [tokens[i][2]]
    for step in (-1, 1):
        j = i
        while 0 <= j + step < len(tokens):
            a, b = sorted((j, j + step))
            gap = text[tokens[a][1] : tokens[b][0]]
            nxt = tokens[j + step][2]
            if gap != " ":
                break
            if nxt.lower() in ("of", "and", "the"):
                j += step
                continue
            if not nxt.istitle():
                break
            words.append(nxt)
            j += step
    return words


def _after_mark(text: str, start: int) -> bool:
    """Whether the word at ``start`` follows a sentence's or clause's mark ("?", ":", "-")."""
    j = start - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or text[j] in "\n\f" or text[j] in _SENTENCE_START


# A hospital's units, named after the hospital's initials: "Union GH PCU".
_CARE_UNITS = frozenset(
    "ed er icu micu sicu cvicu ccu cicu nicu picu pcu imc or pacu tcu stepdown".split()
)
_RECORD_NUMBER_NEXT = re.compile(r"[ \t]+(?:MRN?|Mrn)(?![A-Za-z])")  # not "MRI", "MRSA"
# And its number: not "OR MR severe".
_RECORD_NUMBER = re.compile(_RECORD_NUMBER_NEXT.pattern + r"[ \t:#]*\d")
# Words that make the relation after them a person's: "his sister", "her son".
_POSSESSIVES = frozenset({"his", "her", "their", "my", "our", "your"})
# Words before a person who did something: "by", "per", "with" ("Grossed by M. Pastor",
# "per K. Summer"); not before a species ("caused by E. coli": clinical, or in lower case).
_AGENT_WORDS = frozenset({"by", "per", "with"})
_CLAUSE_END = re.compile(r"[ \t]*(?:[.,;)\n\f]|$)")
_SENTENCE_END = re.compile(r"[ \t]*(?:[.;)\n\f]|$)")


def _after_initial(text: str, tokens: list[tuple[int, int, str]], i: int) -> bool:
    """Whether token ``i`` follows an initial and its dot: "k. watts", "J. MAJOR"."""
    if i == 0:
        return False
    _, pe, pw = tokens[i - 1]
    return len(pw) == 1 and pw.isalpha() and text[pe : tokens[i][0]] in (". ", ".")


_FIELD_END = re.compile(r"[ \t]*(?:[,;)\n\f]|$)")


def _initial_then_end(text: str, tokens: list[tuple[int, int, str]], i: int) -> bool:
    """Whether token ``i`` follows an initial and ends its field: "Q. Do, MD", "J. May"."""
    if not _after_initial(text, tokens, i):
        return False
    return _FIELD_END.match(text, tokens[i][1]) is not None


def _before_initial(
    text: str, tokens: list[tuple[int, int, str]], i: int, gaps: tuple[str, ...]
) -> bool:
    """Whether token ``i`` stands before a capital initial, then ``gaps`` and a third token."""
    if i + 2 >= len(tokens):
        return False
    (_, e, _), (s1, e1, initial), (s2, _, _) = tokens[i], tokens[i + 1], tokens[i + 2]
    return text[e:s1] == " " and len(initial) == 1 and initial.isupper() and text[e1:s2] in gaps


def _before_initial_and_name(
    text: str, tokens: list[tuple[int, int, str]], i: int, unsafe: list[bool], person: list[bool]
) -> bool:
    """Whether token ``i`` stands before a middle initial and a name: "Amber I. Wutke"."""
    return _before_initial(text, tokens, i, (". ", ".")) and (unsafe[i + 2] or person[i + 2])


def _before_initial_and_credential(
    text: str, tokens: list[tuple[int, int, str]], i: int, safe: SafeWords
) -> bool:
    """Whether token ``i`` stands before an initial and a credential: "Hope A. RN"."""
    return (
        tokens[i][2][:1].isupper()
        and _before_initial(text, tokens, i, (". ", ", ", " ", "., "))
        and tokens[i + 2][2].lower() in safe.credentials
    )


# A veterans' hospital's initials, which follow its town's name.
_VETERANS_HOSPITAL = frozenset({"va", "vamc", "vahcs"})
# What may stand before a signature's name on its line: a dash or a bullet.
_SIGNATURE_OPENER = re.compile(r"[ \t]*(?:[-\u2013\u2014*\u2022]+[ \t]*)?")
# A word in lower case after a signature's credentials: the line is a sentence, not a
# signature ("Will RN notify MD"); a time's "am" and "pm" are not words.
_LOWER_WORD = re.compile(r"(?<![A-Za-z])(?!(?:am|pm)(?![A-Za-z]))[a-z]{3,}(?![A-Za-z])")
MAX_SIGNED_WORDS = 3


def _role(word: str, safe: SafeWords) -> bool:
    """A credential or a role as a signature prints it, in capitals: "RN", "LCSW", "RT"."""
    lower = word.lower()
    return (
        len(word) >= 2
        and word.isupper()
        and (lower in safe.credentials or lower in safe.person_fields)
    )


def _signature(text: str, tokens: list[tuple[int, int, str]], i: int, safe: SafeWords) -> range:
    """The tokens of a name that opens its line before a credential, from token ``i``.

    A note is signed so, in any case and with initials: "- georgia k RN, CCRN", "Will
    LCSW", "mai l RN BSN 5:30pm". Each word is a name, one no list holds, or an initial,
    and at least one is no initial; nothing but credentials, names and times follows on the
    line. Before a service rather than a credential ("PT", "RT"), no word is a dictionary's.
    Not "Charge RN" nor "Family RN" (plain words), "Will RN notify MD", "Walker PT BID".
    """
    s = tokens[i][0]
    line = text.rfind("\n", 0, s) + 1
    if _SIGNATURE_OPENER.fullmatch(text, line, s) is None:
        return range(0)
    j = i
    while j < len(tokens) and not _role(tokens[j][2], safe):
        word = tokens[j][2]
        if j - i == MAX_SIGNED_WORDS or not word.isalpha():
            return range(0)
        syllable = j > i and text[tokens[j - 1][1] : tokens[j][0]] == "-"  # "sung-min"
        if len(word) > 1 and not syllable and not name_not_term(word, safe) and safe.is_safe(word):
            return range(0)
        gap = text[tokens[j][1] : tokens[j + 1][0]] if j + 1 < len(tokens) else ""
        if gap not in (" ", ". ", ", ", "-"):
            return range(0)
        j += 1
    if j == i or j >= len(tokens) or all(len(tokens[k][2]) == 1 for k in range(i, j)):
        return range(0)
    if tokens[j][2].lower() not in safe.credentials and any(
        len(tokens[k][2]) > 1 and tokens[k][2].lower() in safe.dictionary for k in range(i, j)
    ):
        return range(0)  # a service, not a credential, after a word: "Walker PT", "Drew RT"
    if any(text[tokens[k][1] : tokens[k + 1][0]] == ", " for k in range(i, j - 1)):
        return range(0)
    end = text.find("\n", tokens[j][1])
    if _LOWER_WORD.search(text, tokens[j][1], len(text) if end < 0 else end):
        return range(0)
    return range(i, j)


_QUOTES = "\"'\u201c\u201d\u2018\u2019"


def _nickname_inside(
    text: str,
    tokens: list[tuple[int, int, str]],
    i: int,
    unsafe: list[bool],
    person: list[bool],
) -> bool:
    """Whether token ``i`` is quoted between two words of a name taken: 'Ann "Bunny" Ruiz'."""
    if i == 0 or i + 1 >= len(tokens) or not tokens[i][2][:1].isupper():
        return False
    before = text[tokens[i - 1][1] : tokens[i][0]]
    after = text[tokens[i][1] : tokens[i + 1][0]]
    return (
        (unsafe[i - 1] or person[i - 1])
        and (unsafe[i + 1] or person[i + 1])
        and len(before) == 2
        and before[0] == " "
        and before[1] in _QUOTES
        and len(after) == 2
        and after[0] in _QUOTES
        and after[1] == " "
    )


def _before_comma_and_role(
    text: str,
    tokens: list[tuple[int, int, str]],
    i: int,
    unsafe: list[bool],
    person: list[bool],
    safe: SafeWords,
) -> bool:
    """Whether token ``i`` ends a name taken, before its comma and role: "eileen little, RT".

    The word is a name or one no list holds: not "Jane today, RN aware".
    """
    word = tokens[i][2]
    if i == 0 or i + 1 >= len(tokens) or len(word) < 2:
        return False
    if not (unsafe[i - 1] or person[i - 1]) or text[tokens[i - 1][1] : tokens[i][0]] != " ":
        return False
    if text[tokens[i][1] : tokens[i + 1][0]] != ", " or not _role(tokens[i + 1][2], safe):
        return False
    return name_not_term(word, safe) or not safe.is_safe(word)


# Prepositions and conjunctions that may follow a name, and no modal's verb.
_AFTER_A_NAME = frozenset("in at from of with for on and or re by about who".split())


def _after_given_name_taken(
    text: str, tokens: list[tuple[int, int, str]], i: int, unsafe: list[bool]
) -> bool:
    """Whether token ``i`` is a surname that is a function word, after a given name taken.

    The given name is capitalised, and the surname ends the name before a mark or a
    preposition: "Spoke with Orla May in admissions"; not "Orla May 3", "Lena Will call".
    """
    if i == 0 or not unsafe[i - 1] or text[tokens[i - 1][1] : tokens[i][0]] != " ":
        return False
    given = tokens[i - 1][2]
    if not given.istitle() or len(given) < 2:
        return False
    nxt = tokens[i + 1][2] if i + 1 < len(tokens) else ""
    gap = text[tokens[i][1] : tokens[i + 1][0]] if nxt else ""
    return not nxt or "\n" in gap or gap.strip() != "" or nxt in _AFTER_A_NAME


# Months that are given names too: "June Onoh", beside a name and away from any day.
_GIVEN_MONTHS = frozenset({"april", "june", "august"})
_GIVEN_MONTH_WORDS = _GIVEN_MONTHS | {"jun", "may"}  # "contact Jun Liu"
MAX_LISTED_GIVEN = 4  # "Yui", "Jun", "Star"; a role or a specialty is longer


def _syllable_name(text: str, tokens: list[tuple[int, int, str]], i: int, safe: SafeWords) -> bool:
    """Whether token ``i`` opens a given name of hyphened syllables: "Min-jun", "seo-yeon".

    Its second part is a short lower-case syllable no dictionary holds, unlike "Follow-up".
    """
    if i + 1 >= len(tokens) or text[tokens[i][1] : tokens[i + 1][0]] != "-":
        return False
    first, second = tokens[i][2], tokens[i + 1][2]
    syllable = second.islower() and 2 <= len(second) <= 4 and second not in safe.dictionary
    return syllable and first.isalpha() and (first.istitle() or first.islower())


def _syllable_name_beside(
    text: str, tokens: list[tuple[int, int, str]], i: int, unsafe: list[bool], person: list[bool]
) -> bool:
    """Whether the syllable name opening at ``i`` stands beside a name: "Min-jun Wu"."""
    for j, (a, b) in ((i - 1, (i - 1, i)), (i + 2, (i + 1, i + 2))):
        if 0 <= j < len(tokens) and text[tokens[a][1] : tokens[b][0]] == " ":
            if (unsafe[j] or person[j]) and tokens[j][2][:1].isupper():
                return True
    return False


def _beside_number(text: str, tokens: list[tuple[int, int, str]], i: int) -> bool:
    """Whether a number stands right before or after token ``i`` ("June 3", "3 June")."""
    return any(
        0 <= j < len(tokens)
        and tokens[j][2].isdigit()
        and len(text[min(tokens[i][1], tokens[j][1]) : max(tokens[i][0], tokens[j][0])]) <= 3
        for j in (i - 1, i + 1)
    )


def _before_relation(
    text: str, tokens: list[tuple[int, int, str]], i: int, safe: SafeWords
) -> bool:
    """Whether token ``i`` stands before a relation or a credential in brackets.

    "Will (son)", "Colleen (neurology NP)".
    """
    if i + 1 >= len(tokens) or text[tokens[i][1] : tokens[i + 1][0]] not in (" (", "("):
        return False
    word = tokens[i][2]
    if not safe.could_be_name(word) and safe.is_safe(word):
        return False  # a family history's disease: "Glaucoma (mother)"
    if tokens[i + 1][2].lower() in safe.relations:
        return text[tokens[i + 1][1] : tokens[i + 1][1] + 1] in (")", ",", " ", ";", "/")
    if word.lower() in safe.clinical and not safe.name_over_term(word):
        return False  # a device a role placed: "Foley (RN placed)"
    # A role: words of a service, then the credential, last ("neurology NP", "wound care
    # RN"); not "(per RN)", "(RN noted)" nor a bare "(RN)" after "Sharp" or "Penny".
    close = text.find(")", tokens[i + 1][0], tokens[i + 1][0] + _BRACKET_REACH)
    inside = _TOKEN.findall(text[tokens[i + 1][0] : close]) if close >= 0 else []
    return (
        len(inside) >= 2
        and "\n" not in text[tokens[i + 1][0] : close]
        and inside[-1].isupper()
        and inside[-1].lower() in safe.credentials
        and not any(w.lower() in safe.stop or w.lower() in safe.credentials for w in inside[:-1])
    )


_BRACKET_REACH = 30  # a role in brackets after a name: "(neurology NP)"


def _next_is_capitals(text: str, tokens: list[tuple[int, int, str]], i: int) -> bool:
    """Whether the word after token ``i`` on its line is in capitals: a shouted phrase."""
    nxt = _next_word(text, tokens, i)
    return nxt is not None and tokens[i + 1][2].isupper() and len(tokens[i + 1][2]) >= 2


def _after_given_name(
    text: str, tokens: list[tuple[int, int, str]], i: int, unsafe: list[bool], safe: SafeWords
) -> bool:
    """Whether title-case token ``i`` follows a given name the net removed: "Tammy Major".

    The name before is in our name lists or the census's, and no clinical word ("Cohen
    Syndrome" keeps its eponym).
    """
    if i == 0 or len(tokens[i][2]) < 2 or not tokens[i][2].istitle() or not unsafe[i - 1]:
        return False
    if _next_word(text, tokens, i, gap=" ") is not None and tokens[i + 1][2][:1].isupper():
        return False  # a term of capitalised words goes on: "Amy Major Depression screen"
    before = tokens[i - 1][2]
    return (
        text[tokens[i - 1][1] : tokens[i][0]] == " "
        and before.istitle()
        and (before.lower() in safe.names or before.lower() in safe.census)
        and before.lower() not in safe.clinical
    )


def _before_found(
    text: str, tokens: list[tuple[int, int, str]], i: int, person: list[bool]
) -> bool:
    """Whether token ``i`` stands right before a word of a name a recognizer found."""
    return i + 1 < len(tokens) and person[i + 1] and text[tokens[i][1] : tokens[i + 1][0]] == " "


def _inverted_surname(
    text: str,
    tokens: list[tuple[int, int, str]],
    i: int,
    unsafe: list[bool],
    person: list[bool],
    safe: SafeWords,
) -> bool:
    """Whether token ``i`` is a surname in capitals before its comma and a given name."""
    word = tokens[i][2]
    if i + 1 >= len(tokens) or not word.isupper() or len(word) < 2:
        return False
    nxt = tokens[i + 1][2]
    gap = text[tokens[i][1] : tokens[i + 1][0]]
    if word.lower() in safe.curated:
        # "CBC, Lytes" is a list; after a name's label, a term is a surname: "Patient:
        # FIELD, Susan", the given name a recognizer found.
        # Not a relation's, a credential's or a service's word ("NOK: SON, David"), nor
        # before a given name and a surname ("Attending: CARDIOLOGY, James Lee").
        label = _LABEL_BEFORE.search(text, max(0, tokens[i][0] - 24), tokens[i][0])
        lower = word.lower()
        return (
            gap in (", ", ",")
            and person[i + 1]
            and label is not None
            and label.group(1).lower() in _NAME_LABEL_WORDS
            and lower not in safe.relations
            and lower not in safe.credentials
            and lower not in safe.person_fields
            and lower != "self"
            and not (
                i + 2 < len(tokens)
                and text[tokens[i + 1][1] : tokens[i + 2][0]] == " "
                and tokens[i + 2][2][:1].isupper()
                and person[i + 2]
            )
        )
    given = nxt.istitle() or (nxt.isupper() and len(nxt) > 1)  # "DANG, Huy", "LOVE, TRUNG"
    return gap in (", ", ",") and given and (unsafe[i + 1] or person[i + 1])


_LABEL_BEFORE = re.compile(r"([A-Za-z]+)[ \t]*:[ \t]*$")
_NAME_LABEL_WORDS = frozenset({"patient", "name", "member", "subscriber", "resident", "client"})


def _after_name_initial(
    text: str, tokens: list[tuple[int, int, str]], i: int, unsafe: list[bool], person: list[bool]
) -> bool:
    """Whether token ``i`` is a surname after a given name and its initial: "Gemma L. White"."""
    if i < 2 or not tokens[i][2][:1].isupper():
        return False
    (_, e2, _), (s1, e1, initial), (s0, _, _) = tokens[i - 2], tokens[i - 1], tokens[i]
    return (
        len(initial) == 1
        and initial.isupper()
        and text[e2:s1] == " "
        and text[e1:s0] in (". ", ".", ".: ", ".; ")  # OCR's speck: "Eadaoin S.: Long"
        and (unsafe[i - 2] or person[i - 2])
    )


def _particles_in_name(
    text: str,
    tokens: list[tuple[int, int, str]],
    i: int,
    unsafe: list[bool],
    person: list[bool],
    safe: SafeWords,
) -> range:
    """Lower-case particles after a name and the capitalised word they lead to: "de la Cruz".

    "A. Matos de la Cruz", "Tijs van Wijk": the particles and the surname after them.
    """
    none = range(0)
    if i == 0 or text[tokens[i - 1][1] : tokens[i][0]] not in (" ", ". "):
        return none
    before = tokens[i - 1][2]
    initial = len(before) == 1 and before.isupper()  # "J. van der Lede"
    particle = before.lower() in PARTICLES and unsafe[i - 1]  # "der" after a taken "van"
    name = before[:1].isupper() and (unsafe[i - 1] or person[i - 1] or initial)
    if not (name or particle):
        return none
    j = i
    while j + 1 < len(tokens) and text[tokens[j][1] : tokens[j + 1][0]] == " ":
        nxt = tokens[j + 1][2]
        if nxt.lower() in PARTICLES and nxt.islower():
            j += 1
            continue
        if (
            nxt[:1].isupper()
            and nxt.isalpha()
            and (len(nxt) == 1 or nxt.lower() not in safe.curated)
        ):
            return range(i, j + 2)
        break
    return none


def _before_name(
    text: str, tokens: list[tuple[int, int, str]], i: int, unsafe: list[bool], person: list[bool]
) -> bool:
    """Whether token ``i`` stands right before a capitalised word removed or found as a name."""
    if i + 1 >= len(tokens):
        return False
    _, e, word = tokens[i]
    s1, _, nxt = tokens[i + 1]
    # An abbreviated particle keeps its dot: "St. Vincent", "Mt. Sinai".
    gaps = (" ", ". ") if word.lower() in ABBREVIATED_PARTICLES else (" ",)
    return text[e:s1] in gaps and nxt[:1].isupper() and (unsafe[i + 1] or person[i + 1])


# A floor and its side ("Harbor 6 West"), a tower's floor ("Ridge Tower 5"); a floor and a
# pod letter, or an intensive care
# unit ("Marburg 7B", "Marburg ICU"), which also follow ordinary words ("Grade 3A").
_WARD_SIDE = re.compile(
    r"[ ](?:\d{1,2}(?:[ ]|[ ]?\n)(?:North|South|East|West|NORTH|SOUTH|EAST|WEST)"
    r"|(?:Tower|Wing|Pavilion|TOWER|WING)[ ]\d{1,2}[A-Z]?)(?![\w])"
)
_WARD_UNIT = re.compile(r"[ ](?:\d{1,2}[A-F]|[A-Z]{0,3}ICU|CCU|PACU)(?![\w/:%]|\.\d)")
_UNIT_LABELS = frozenset({"unit", "ward", "floor", "location", "loc"})


_WARD_PREPOSITIONS = frozenset({"to", "from", "at", "in"})
_ADJECTIVE_ENDINGS = ("ic", "al", "ary", "ive", "ous")  # a kind of unit: "Cardiothoracic"


def _named_ward(text: str, tokens: list[tuple[int, int, str]], i: int, safe: SafeWords) -> bool:
    """Whether token ``i`` names a ward by the unit after it, or after a unit's label.

    "Harbor 6 West", "Marburg ICU" (a word no dictionary holds), "Unit: Harbor 7".
    """
    s, e, word = tokens[i]
    if _WARD_SIDE.match(text, e):
        return True
    lower = word.lower()
    # No dictionary's word, nor a kind of unit ("Neurosurgical ICU", "Cardiothoracic ICU").
    unlisted = (
        lower not in safe.dictionary
        and not lower.endswith(_ADJECTIVE_ENDINGS)
        and not _prefixed(lower, safe)
    )
    if _WARD_UNIT.match(text, e) and unlisted:
        if lower not in safe.clinical or safe.name_over_term(word):
            return True  # "Marburg ICU"; not "Rocephin 2G"
        if (
            word.istitle()
            and lower not in safe.curated
            and i > 0
            and tokens[i - 1][2] in _WARD_PREPOSITIONS
            and text[tokens[i - 1][1] : s] == " "
        ):
            # A word only the generated drug and disease lists hold, where a patient goes:
            # "out to Marburg ICU"; not "to Burns ICU".
            return True
    if i == 0 or not _WARD_NUMBER.match(text, e):
        return False
    gap = text[tokens[i - 1][1] : s]
    return tokens[i - 1][2].lower() in _UNIT_LABELS and gap.strip() in (":", "-", ":-")


def _place_acronym(word: str, prev: str | None, safe: SafeWords) -> bool:
    """Whether ``word`` is a place's initials after "from" or "at": "from BHC ED".

    Not after "to": "OGT to LIS" is a suction setting.

    Capitals, two to five letters, that only the generated drug and disease lists hold:
    the abbreviations we chose ("ED", "ICU", "OSH") stay.
    """
    lower = word.lower()
    return (
        prev in ("from", "at")
        and word.isupper()
        and 2 <= len(word) <= 5
        and lower not in safe.curated
        and lower not in safe.dictionary
    )


def _words_before_place_acronym(
    text: str, tokens: list[tuple[int, int, str]], i: int, unsafe: list[bool], safe: SafeWords
) -> int | None:
    """Where capitalised words from token ``i`` run into a place's initials: the last word.

    One to three words ("Sacred Heart GH", "Saint Luke MC"); None where they do not.
    Initials no list holds, that end as a hospital's, a centre's or a clinic's do ("H",
    "C"): not a unit's or a test's ("at Rest BP" keeps both, which the lists hold).
    """
    for j in range(i, min(i + 3, len(tokens) - 1)):
        if j > i and text[tokens[j - 1][1] : tokens[j][0]] != " ":
            return None
        if not tokens[j][2].istitle() or (j == i and tokens[j][2].lower() in safe.clinical):
            return None  # not a service's words: "at Wound Care WCC", "Urgent Care UCC"
        acronym = tokens[j + 1][2]
        if (
            text[tokens[j][1] : tokens[j + 1][0]] == " "
            and unsafe[j + 1]
            and acronym.isupper()
            and 2 <= len(acronym) <= 5
            and acronym[-1] in "HC"
            and acronym.lower() not in safe.curated
        ):
            return j
    return None


def _line_start(text: str, at: int) -> bool:
    """Whether only spaces stand between ``at`` and the start of its line."""
    return text[text.rfind("\n", 0, at) + 1 : at].strip(" \t\f") == ""


def _unit_and_record_next(text: str, tokens: list[tuple[int, int, str]], i: int) -> bool:
    """Whether a hospital's unit and the record number's label follow token ``i``.

    A banner prints the hospital, its unit and the record number: "Union GH PCU MRN ...".
    """
    unit = tokens[i + 1][2] if i + 1 < len(tokens) else ""
    if not unit.isupper() or unit.lower() not in _CARE_UNITS:
        return False  # in capitals: not "MAC or MR"
    return _RECORD_NUMBER_NEXT.match(text, tokens[i + 1][1]) is not None


def name_not_term(word: str, safe: SafeWords) -> bool:
    """A word that can be a name where a name stands: a ward's ("Fisher 7"), a relative's.

    Not a clinical term: "Buspirone 15" is a dose; but a census name of the clinical
    vocabulary is a name here ("Farber 8", "Xia").
    """
    lower = word.lower()
    return safe.could_be_name(word) and (lower not in safe.clinical or safe.name_over_term(word))


def _next_word(
    text: str, tokens: list[tuple[int, int, str]], i: int, *, gap: str = " '"
) -> str | None:
    """The word after token ``i`` on its line, lower case, if only ``gap``'s marks part them."""
    if i + 1 >= len(tokens):
        return None
    between = text[tokens[i][1] : tokens[i + 1][0]]
    ok = between.strip(gap) == "" and "\n" not in between and len(between) <= 3
    return tokens[i + 1][2].lower() if ok else None


def _previous_word(
    text: str, tokens: list[tuple[int, int, str]], i: int, *, wrapped: bool = False
) -> str | None:
    """The word before token ``i`` on its line, lower case, if only spaces or ".,:()" part them.

    ``wrapped``: also the last word of the line before, as OCR wraps "dr" / "Dean".
    """
    if i == 0:
        return None
    _, pe, pw = tokens[i - 1]
    gap = text[pe : tokens[i][0]]
    if wrapped and gap.count("\n") == 1 and "\f" not in gap:
        gap = gap.replace("\n", "")
    if len(gap) > 3 or "\n" in gap or "\f" in gap or gap.strip(" .,:()") != "":
        return None
    return pw.lower()


def _beside_name(
    text: str,
    tokens: list[tuple[int, int, str]],
    i: int,
    unsafe: list[bool],
    person: list[bool],
    safe: SafeWords,
    *,
    found_only: bool,
    lower_case: bool = False,
) -> bool:
    """Whether token ``i`` stands beside a capitalised name (``found_only``: one recognized).

    A word the net removed counts as a name unless it is one letter off a safe word and no
    name itself: "Blod" is "Blood" misread, and "White" before it is no name.
    ``lower_case``: the name beside may be in lower case too, but must be a known name
    ("amy hall").
    """
    word = tokens[i][2]
    if text.startswith(":", tokens[i][1]) and not (
        _NUMBER_AFTER_COLON.match(text, tokens[i][1])
        and safe.could_be_name(word)
        and word.lower() not in safe.curated
    ):
        # The next field's label: "Dr. Castaneda Payer: Medicare"; not a contact's surname
        # before the number: "son Rocky Fields: 1-955-251-2761".
        return False
    for j in (i - 1, i + 1):
        if not 0 <= j < len(tokens):
            continue
        a, b = (tokens[j][1], tokens[i][0]) if j < i else (tokens[i][1], tokens[j][0])
        gap = text[a:b]
        if gap not in _NAME_GAPS:
            continue
        other = tokens[j][2]
        if not other.isalpha():
            continue
        if lower_case:
            # An ordinary word in lower case after a capitalised name and its comma goes on
            # the sentence ("I, Ana Sarna, born on ..."); in a list of lower-case names it
            # is one ("kids sarah, mark and tom").
            ordinary = tokens[i][2].lower() in safe.dictionary
            if "," in gap and ordinary and other[:1].isupper():
                continue
            if safe.could_be_name(other) and (person[j] or unsafe[j]):
                return True
            if (
                j < i
                and unsafe[j]
                and not safe.is_safe(other)
                and _previous_word(text, tokens, j) in safe.relations
            ):
                return True  # after a relation's given name no list holds: "dtr neha stone"
            continue
        if not other[:1].isupper():
            continue
        # A short word in capitals beside it is likelier an abbreviation ("Pacemaker SN"),
        # and one a letter off a word OCR's slip; not before a comma, as a surname is
        # printed before the given name ("PHAM, Yen").
        inverted = j < i and gap.startswith(",")
        misread = safe.misread(other) and not safe.could_be_name(other)  # not "Pham", "Snow"
        # Unless both are in capitals and this one is a known name: "RICH OBI".
        short = other.isupper() and len(other) <= 4
        both_caps = tokens[i][2].isupper() and len(other) >= 3 and safe.could_be_name(tokens[i][2])
        doubtful = not inverted and ((short and not both_caps) or misread)
        if person[j] or (unsafe[j] and not found_only and not doubtful):
            return True
    return False


_NUMBER_AFTER_COLON = re.compile(r":[ ]*(?:\+?1[ .\-])?\(?\d{3}[).\- ]")  # a phone


class _Coverage:
    """Which characters of the text the found spans cover, and which of them are names."""

    def __init__(self, size: int) -> None:
        self.covered = bytearray(size)

    def add(self, start: int, end: int, value: int = 1) -> None:
        self.covered[start:end] = bytes([value]) * (end - start)

    def any(self, start: int, end: int) -> bool:
        return any(self.covered[start:end])

    def person(self, start: int, end: int) -> bool:
        return 2 in self.covered[start:end]


def coverage(text: str, spans: list[Span]) -> _Coverage:
    """Which characters of ``text`` the ``spans`` cover, and which of them are names."""
    covered = _Coverage(len(text))
    # People last, so that a span overlapping a name does not take its mark away.
    for span in sorted(spans, key=lambda sp: sp.label == "PERSON"):
        covered.add(span.start, span.end, 2 if span.label == "PERSON" else 1)
    return covered
