"""find_phi: the PHI spans of one document, in four steps.

1. The analyzer (our recognizers) runs once over the whole document text, so a recognizer
   can use context across lines.
2. Labels above values (``pairing.py``): a form's header row gives the row below its types.
3. Propagation: every person, facility (and its initials) and identifier found, and the
   date of birth, are looked for everywhere else in the document (headers, footers, prose),
   including OCR-damaged copies ("J0HNSON" for "JOHNSON", "44324l35l" for "443241351",
   "08 17 1949" for "08/07/1949").
4. The safety net (``net.py``): every word left that cannot be shown safe.

Last, each span is widened to the whole words it cuts into: a name OCR joined to a word by
a hyphen or a dot ("Soo-jin", "alta.valdivia17@..."), an id's other groups ("X665-4184-8538"),
a ward after the place it is named for ("Phipps 9 South"), the town after a facility's
dash ("Mercy Health - Pueblo") and an id's letter prefix OCR spaced off ("GRP - 81903").
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Set
from dataclasses import dataclass

import regex as re
from presidio_analyzer import AnalyzerEngine, RecognizerResult
from rapidfuzz.distance import Levenshtein

from pipeline.deid.assets import WordLists, load_assets
from pipeline.deid.net import (
    ABBREVIATED_PARTICLES,
    PARTICLES,
    PLACE_OPENERS,
    SafeWords,
    coverage,
    name_not_term,
    names_a_disease,
    unverified_spans,
)
from pipeline.deid.pairing import paired_values
from pipeline.deid.recognizers import PATIENT_NAME
from pipeline.deid.recognizers.ocr_date import MONTH_NAMES, date_key, to_digits
from pipeline.deid.recognizers.printed_date import WEEKDAY
from pipeline.deid.registry import LANGUAGE, PhiAnalyzer
from pipeline.deid.spans import merge_spans
from pipeline.errors import DeidFailed
from pipeline.schema import OcrDocument, PhiReport, Span
from pipeline.settings import DeidSettings

# Letters and digits only, so "O'Brien" gives "Brien" and "Harrison's" gives "Harrison".
_TOKEN = re.compile(r"[A-Za-z0-9]+")

PROPAGATED_SCORE = 0.8  # an exact repeat of a found name word or MRN
VARIANT_SCORE = 0.6  # a repeat at edit distance 1 (an OCR misread)
MIN_VARIANT_LEN = 5  # shorter words have too many real-word neighbours at distance 1

# A date-of-birth label just before a date, as printed or as a fax garbles it ("DGB", "OOB").
_DOB_LABEL = re.compile(
    r"(?i)(?:\b(?:d\.?o\.?b|[do0][o0g]b|date[ \t]+of[ \t]+birth|birth[ \t]*date|born)\.?)"
    r"[^\w\n]{0,4}$"
)
# Three numeric parts, look-alike letters allowed, any separators: "08 17 1949", "1971 08. 06".
_NUMERIC_DATE = re.compile(
    r"(?<![\w/.\-])[0-9OoIlSB]{1,4}(?:[ .,/\-]{1,3}[0-9OoIlSB]{1,4}){2}(?![\w/])"
)


@dataclass(frozen=True)
class _Seed:
    """A word to look for elsewhere in the document, and the label it gets there."""

    word: str  # lower case
    label: str


def find_phi(
    doc: OcrDocument, *, analyzer: AnalyzerEngine, cfg: DeidSettings, reread: bool = False
) -> PhiReport:
    """Find the PHI in ``doc``: recognizers, labels above values, propagation, safety net.

    Args:
        doc: the OCR document; its ``text`` (pages joined by form feeds) is analyzed.
        analyzer: from ``registry.build_analyzer``.
        cfg: ``score_threshold`` (or the label's entry in ``thresholds``) drops weaker
            results; ``keep_labels`` and ``allow_list`` drop what policy keeps;
            ``models_dir`` supplies the word lists when ``analyzer`` is not a ``PhiAnalyzer``.
        reread: ``doc`` is a re-read of pages already painted (the redaction check): only
            the recognizers and propagation run. Labels above values and the safety net
            decided the first pass; on painted pages the paint moves words between lines
            and its specks read as words no list knows.

    Returns:
        Non-overlapping spans sorted by start, labelled PERSON, DATE, MRN, ...

    Raises:
        DeidFailed: the analyzer failed. Its exception is not chained: presidio's messages can
            quote the document text.

    """
    text = doc.text
    if not text.strip():
        return PhiReport()
    floor = min([cfg.score_threshold, *cfg.thresholds.values()])
    try:
        results = analyzer.analyze(text=text, language=LANGUAGE, score_threshold=floor)
    except Exception:
        raise DeidFailed() from None
    results = [r for r in results if r.score >= _threshold(r.entity_type, cfg)]
    assets = analyzer.assets if isinstance(analyzer, PhiAnalyzer) else load_assets(cfg.models_dir)
    safe = assets.safe_words
    results = [r for r in results if not _clinical_ner(text, r, safe)]
    words = assets.words
    spans = [_to_span(r) for r in results]
    if not reread:
        spans += paired_values(doc, assets.grid_labels, safe=safe)
    seeds = _seeds(text, spans, words, assets.facility_words)
    spans += [
        span
        for span in propagate(text, seeds, words) + split_names(text, seeds, safe)
        if not names_a_disease(text, span.end, safe)  # "Dr. Barr", then "Epstein-Barr virus"
    ]
    spans += propagate_beside_name(text, spans, _ordinary_name_words(text, spans, words))
    spans += propagate_birth_date(text, _birth_dates(text, results, words), words)
    spans += propagate_phones(text, spans)
    spans += propagate_years(text, spans)
    spans += propagate_ids(text, spans)
    spans += propagate_acronyms(text, spans)
    spans += propagate_facility_names(text, spans, assets.facility_words)
    spans += propagate_cities(text, spans, safe)
    spans += streets_above_towns(text, spans, safe, assets.street_suffixes)
    if cfg.safety_net and not reread:
        allowed = frozenset(_normal(a) for a in cfg.allow_list)
        spans += unverified_spans(text, spans, safe, allowed=allowed)
        spans += names_beside_relations(text, spans, safe, assets.person_verbs)
        spans += names_opening_sentences(text, spans, safe, assets.person_verbs)
        spans += quoted_names(text, spans)
        spans += propagate_after_relation(text, spans, safe)
        spans += propagate_given_names(text, spans, safe, assets.person_verbs)
        spans += propagate_net_towns(text, spans, safe)
        spans += propagate_titled_names(text, spans, safe)
    spans = widen(text, _by_policy(text, spans, cfg), safe)
    return PhiReport(spans=tuple(merge_spans(spans)))


# Letters and digits joined without a space: "Soo-jin", "alta.valdivia17", "X665-4184-8538",
# "O'Brien". A span that takes a part of one takes all of it.
_JOINED = re.compile(r"[^\W_]+(?:[\-.@_'’][^\W_]+)+")
# A ward or unit after the place that names it: "Phipps 9 South" (its side perhaps wrapped
# to the next line), "Wolfe 3B", "Halsted Tower 6". A bare number is left: "Fisher 7" loses
# nothing that identifies when "Fisher" goes.
_WARD_TAIL = re.compile(
    r"[ ](?:(?:(?:Tower|Wing|Pavilion|Building|TOWER|WING)[ ]\d{1,2}[A-Z]?"
    r"|(?![23]D)\d{1,2}[A-Z]|[A-Z]{0,3}ICU|CCU)"  # not "2D echo"; "Phipps ICU"
    r"(?![\w/:%]|\.\d)|\d[\dlI]?[ ](?:North|South|East|West|NORTH|SOUTH|EAST|WEST|[NSEW])(?!\w)"
    r"|\d{1,2}[ ](?:[A-Z]{0,3}ICU|CCU)(?![\w/:%])"  # "Ito 4 ICU"
    r"|\d{1,2}[ ]?\n(?:North|South|East|West|NORTH|SOUTH|EAST|WEST)(?!\w))"  # wrapped
)
# The whole ward on the next line, after a unit's name: "Unit: Batta" / "3 South Rm 542".
_WARD_NEXT_LINE = re.compile(r"\n\d{1,2}[ ](?:North|South|East|West|NORTH|SOUTH|EAST|WEST)(?!\w)")
_PLACE_LABELS = frozenset({"FACILITY", "UNVERIFIED", "PERSON"})
_ID_LIKE = frozenset({"ID", "MRN", "UNVERIFIED"})
_ADDRESS_LABELS = frozenset({"STREET_ADDRESS", "UNVERIFIED"})
_STORE_NUMBER = re.compile(r"[ ]?#[ ]?\d{1,6}(?!\d)")
# A phone's extension, perhaps wrapped to the next line: "(740) 309-9884 / x995".
_EXTENSION = re.compile(
    r"[ ,]{0,2}(?i:x|ext\.?|extension)[ ]?\d{1,5}(?!\d)"
    r"|[ ]?\n(?i:x|ext\.?|extension)[ ]?\d{3,5}(?!\d)"  # not "x2 attempts" on the next line
    r"|[ ]?(?i:ext\.?|extension)[ ]?\n[ ]?\d{3,5}(?!\d)"  # "ext." / "4903" on the next line
)
_WEB_LABELS = frozenset({"EMAIL_ADDRESS", "URL", "UNVERIFIED"})
# A web address's last part that OCR spaced or comma'd off: ", com", ". org"; a mailbox's
# first part ("guy. ruiz@mail.com").
_LOCAL_PART = re.compile(r"(?<![\w.\-])[\w.\-+]+@[ ]?$")
_MAILBOX_HEAD = re.compile(r"(?<![\w.\-])[a-z]+\.[ ]$")
_TLD_TAIL = re.compile(r"[ ]?[.,:][ ]?(?:com|org|net|edu|gov|us|info)(?![A-Za-z])")
_GLUED_TLD = re.compile(r"[.,](?:com|org|net|edu|gov|health|care|clinic)(?![\w.\-])")
_WEB_START = re.compile(r"(?i)(?:https?:/{0,2}|www\b|[\w.\-+]+@)")
# After a host with no dot, the endings health providers' hosts take too: ". health".
_ANY_TLD_TAIL = re.compile(
    r"[ ]?[.,][ ]?(?:com|org|net|edu|gov|us|info|health|care|clinic|hospital|doctor|dental"
    r"|med|io|co|biz)(?![\w\-]|\.\w)"  # a sentence's full stop may follow
)
# The rest of a host OCR split with a space, then its TLD: " practice. health".
# Only where the address ends its sentence or line: not "portal@myhealth yesterday. care team".
_SPACED_HOST_TAIL = re.compile(
    r"[ ][a-z][a-z0-9\-]{1,30}" + _ANY_TLD_TAIL.pattern + r"(?=[.,;)]?[ \t]*(?:\n|$))"
)
# An apartment or suite after a street, its separator damaged: "Suite.291", "Apt, 144".
_UNIT = r"(?:Apt|APT|Apartment|Suite|SUITE|Ste|STE|Unit|UNIT)"
_UNIT_NUMBER = re.compile(
    r"[.,#]{0,2}[ ]?#?[ ]?(?=[A-Z0-9\-]*\d)[A-Z0-9][A-Z0-9\-]{0,5}(?![A-Za-z0-9])"
)
_UNIT_TAIL = re.compile(rf"[ ,.]{{0,2}}[ ]?{_UNIT}{_UNIT_NUMBER.pattern}")
# A street's abbreviated suffix after a name that ends in a suffix word: "Old Court St".
_SUFFIX_WORD_END = re.compile(
    r"[ ](?:Court|Park|Mill|Hill|Lake|Ridge|Square|Place|Plaza|Creek|Field|Brook|Grove|Spring"
    r"|Point|View|Crossing|Station|Gardens?|Meadows?|Forest|Valley|Landing|Terrace|Trail)$"
)
_SUFFIX_AFTER = re.compile(
    r"[ ](?:St|ST|Ave|AVE|Rd|RD|Blvd|BLVD|Ln|LN|Ct|CT|Pkwy|Hwy)\.?(?![A-Za-z])"
)
_UNIT_WORD = re.compile(rf"(?<![A-Za-z]){_UNIT}\.?$")
_DOT_WORD = re.compile(r"\.([^\W_]+)")
# The town a facility's line names after a dash: "Mercy Health - Pueblo", also inside a
# sentence ("to Mercy Health - Pueblo and accept").
_PLACE_AFTER_DASH = re.compile(
    r"[ ][\-\u2013\u2014][ ][A-Z][a-z]+(?:[ ][A-Z][a-z]+)?(?=[ \t]*$|[,.;:)]|[ ]+[a-z])", re.M
)
# The town after a facility's name at its line's end: "University Hospitals Fargo".
_PLACE_AT_LINE_END = re.compile(r"[ ][A-Z][a-z]+(?:[ ][A-Z][a-z]+)?(?=[ \t]*$)", re.M)


# The word that opens a saint's or a place's name, before the rest of it carried as a
# facility: "St. Anne", "Upper Valley Hospital Center".
def _title_or_upper(words: Iterable[str]) -> str:
    return "|".join(sorted({w.title() for w in words} | {w.upper() for w in words}))


_WORD_OPENERS = _title_or_upper(PLACE_OPENERS - ABBREVIATED_PARTICLES)  # "Upper", "Lake"
_PARTICLE_BEFORE = re.compile(
    rf"(?<![A-Za-z])(?:(?:{_title_or_upper(ABBREVIATED_PARTICLES)})[.,]?|{_WORD_OPENERS})[ ]$"
)
# After a facility's name, its town and state at the line's end or before a ZIP: ",
# Orange, NJ"; not ", Pulmonology, NP note".
_TOWN_AND_STATE = re.compile(
    r",[ ]([A-Z][a-z]+(?:[ ][A-Z][a-z]+)?),[ ][A-Z]{2}(?=[ \t]*(?:$|\n|\f|\d{5}(?!\d)))", re.M
)
# The kind of agency after a bare name or town: home health, visiting nurses ("Zayed HH",
# "Somerville VNA"); not after a named kind ("Mercy Hospital ALF workup"), nor "HH 9.8/29".
_KIND_AFTER = re.compile(r"[ ](?:HH|VNA)(?![A-Za-z0-9/&]|[ ]?\d)")
_AGENCY_WORDS = frozenset(
    "hospital center centre clinic institute health healthcare medical group care home "
    "associates nursing rehab rehabilitation".split()
)
# A hospital's dedication, whose "Our" a sentence's first word would be trimmed with.
_LADY = re.compile(r"(?:Lady|LADY)[ ]")
_OUR_BEFORE = re.compile(r"(?<![A-Za-z])(?:Our|OUR)[ ]$")
_PARTICLE_DOT_BEFORE = re.compile(rf"(?<![A-Za-z])(?:{_WORD_OPENERS})\.[ ]$")
# A sentence's last word that OCR ran into the phone after it: "week.614.589.1199".
_SENTENCE_BEFORE = re.compile(r"[a-z]{2,}\.")
# A month word just before a date found from its day on: "Feb, 18, 2023", "Sept . 4, 2020".
# Only before a date found without its month ("18, 2023"), and only a month spelled right.
_MONTH_BEFORE = re.compile(r"(?<![A-Za-z])([A-Za-z]{3,9})(?:[ ]?[.,]{1,2}[ ]?|[ ])$")
_INITIAL_BEFORE = re.compile(r"(?<![^\s(,;:\-])[A-Za-z]\.[ ]$")
_WEEKDAY_BEFORE = re.compile(rf"(?<![A-Za-z]){WEEKDAY}\.?,?[ ]{{1,2}}$")
_DAY_AND_YEAR = re.compile(r"\d{1,2}(?:st|nd|rd|th)?[ .,]{1,3}(?:19|20)\d{2}")
# An area code in brackets OCR left at a line's end before a seven-digit phone number.
_AREA_BEFORE = re.compile(r"(?<![\w)])\(\d{3}\)[ ]?\n?[ ]?$")
_SEVEN_DIGITS = re.compile(r"\d{3}[ .\-]\d{4}")
# An id's letter prefix that OCR spaced off its hyphen: "GRP - 81903".
# ("SP-1 7-894716": and a digit of the id itself spaced off with it.)
_ID_PREFIX = re.compile(r"(?<![\w\-])[A-Z]{2,5}[ ]?-[ ]?(?:\d[ ])?$")
# An id's last part that OCR spaced off before its hyphen: "8233507 -064"; not a range or
# a dose ("12345 -15 x10", "1234567 -20 ml/kg").
_ID_SUFFIX = re.compile(
    r"[ ]-(\d{2,6})(?![\w.\-])(?![ ]*(?i:x|ml|mg|mcg|g|kg|l|units?|mmol|meq|cc|%|/))"
)


def widen(text: str, spans: list[Span], safe: SafeWords) -> list[Span]:
    """``spans``, each grown over the joined word it cuts into and a ward after a place.

    A dot joins no sentence OCR ran together: "Smith.Follow up" stops before "Follow".
    """
    joined = [m.span() for m in _JOINED.finditer(text)]
    starts = [s for s, _ in joined]
    towns = {
        w for sp in spans if sp.label == "CITY" for w in text[sp.start : sp.end].lower().split()
    }
    out = []
    for span in spans:
        start, end = span.start, span.end
        i = max(0, bisect_right(starts, start) - 1)
        while i < len(joined) and joined[i][0] < end:
            s, e = joined[i]
            sentence = (
                span.label == "PHONE_NUMBER"
                and s < start
                and _SENTENCE_BEFORE.fullmatch(text, s, start) is not None
            )
            if e > start and not sentence:
                start = min(start, s)
                end = max(end, _joined_end(text, end, e, safe))
            i += 1
        if span.label in _PLACE_LABELS and text[end - 1 : end].isalpha():
            tail = _WARD_TAIL.match(text, end)
            if tail is None and span.label != "PERSON":
                tail = _WARD_NEXT_LINE.match(text, end)
            if tail is not None and text[start].isupper():
                # Not an intensive care unit after initials: "SHC MICU" is the place's MICU.
                if not ("ICU" in tail.group() and text[start:end].isupper()):
                    end = tail.end()
        if span.label == "PHONE_NUMBER" or (
            span.label == "UNVERIFIED" and _SEVEN_DIGITS.fullmatch(text, start, end)
        ):
            if sum(c.isdigit() for c in text[start:end]) == 7:
                area = _AREA_BEFORE.search(text, max(0, start - 8), start)
                if area is not None:
                    start = area.start()  # "(870)" / "508-2139"
            extension = _EXTENSION.match(text, end)
            if extension is not None:
                end = extension.end()  # "361-652-6949 x141"
        if span.label in _WEB_LABELS:
            tld = _TLD_TAIL.match(text, end)
            web = text[start:end]
            host = re.sub(r"(?i)^www\.", "", re.split(r"://|@", web)[-1])
            if tld is None and "." not in host:
                # A host with no dot: its TLD was spaced off, or glued on by a comma to a
                # word in lower case ("harborclinic,health"; not "Xyzqa, care team").
                if _WEB_START.match(web):
                    # Or a space OCR put inside the host: "moody@prairiefamily practice. health".
                    tld = _ANY_TLD_TAIL.match(text, end) or _SPACED_HOST_TAIL.match(text, end)
                elif host.islower():
                    tld = _GLUED_TLD.match(text, end)
            if tld is not None:
                end = tld.end()  # "frontdesk@ siquelray, com": OCR's comma for the dot
            local = _LOCAL_PART.search(text, max(0, start - 64), start)
            if local is not None:
                start = local.start()  # the mailbox before an "@" OCR spaced off its host
            head = _MAILBOX_HEAD.search(text, max(0, start - 24), start)
            if (
                head is not None
                and span.label == "EMAIL_ADDRESS"
                and head.group()[:-2] not in safe.dictionary  # not "reviewed. smith@x.org"
            ):
                start = head.start()  # the mailbox's first part OCR spaced off: "guy. ruiz@"
        if span.label in _ADDRESS_LABELS:
            # The unit OCR parted from its street: "Suite.291", or "Apt" and then ", 144".
            unit = _UNIT_TAIL.match(text, end)
            if unit is None and _UNIT_WORD.search(text, max(0, end - 10), end):
                unit = _UNIT_NUMBER.match(text, end)
            if unit is not None:
                end = unit.end()
            if span.label == "STREET_ADDRESS" and _SUFFIX_WORD_END.search(text, start, end):
                abbreviation = _SUFFIX_AFTER.match(text, end)
                if abbreviation is not None:
                    end = abbreviation.end()  # "Old Court St": a suffix after a suffix word
        if span.label == "FACILITY" or (span.label == "UNVERIFIED" and text[start].isupper()):
            store = _STORE_NUMBER.match(text, end)
            if store is not None and (
                span.label == "FACILITY" or sum(c.isdigit() for c in store.group()) >= 3
            ):
                # "CVS Pharmacy #18084", "Walgreens #1234"; not a size ("Foley #16")
                end = store.end()
        if span.label in ("FACILITY", "CITY") and not any(
            w.lower() in _AGENCY_WORDS for w in _TOKEN.findall(text[start:end])
        ):
            kind = _KIND_AFTER.match(text, end)
            if kind is not None:
                end = kind.end()  # "Zayed HH", "Somerville VNA": the agency's kind
        if span.label in ("PERSON", "UNVERIFIED") and text[start : start + 1].isalpha():
            initial = _INITIAL_BEFORE.search(text, max(0, start - 4), start)
            if initial is not None:
                start = initial.start()  # "P. GUPTA", "z. li": the given name's initial
        if span.label == "DATE":
            weekday = _WEEKDAY_BEFORE.search(text, max(0, start - 12), start)
            if weekday is not None:
                start = weekday.start()  # "Tues 3/26", "Monday, Apr 20": the day it falls on
        if span.label == "DATE" and _DAY_AND_YEAR.fullmatch(text, start, end):
            month = _MONTH_BEFORE.search(text, max(0, start - 14), start)
            if month is not None and month.group(1).lower() in MONTH_NAMES:
                start = month.start()  # "Feb, 18, 2023": the month a comma parted from its day
        if span.label == "CITY":
            particle = _PARTICLE_DOT_BEFORE.search(text, max(0, start - 8), start)
            if particle is not None:
                start = particle.start()  # "Lake. Johnburgh": OCR's dot after a town's particle
        if span.label == "FACILITY":
            particle = _PARTICLE_BEFORE.search(text, max(0, start - 8), start)
            if particle is not None:
                start = particle.start()  # "St. Anne" where the name alone was carried
            elif _LADY.match(text, start):
                dedication = _OUR_BEFORE.search(text, max(0, start - 4), start)
                start = dedication.start() if dedication is not None else start  # "Our Lady of"
            place = _PLACE_AFTER_DASH.match(text, end) or _PLACE_AT_LINE_END.match(text, end)
            town = _TOKEN.findall(place.group()) if place is not None else []
            if town and not all(w.lower() in safe.curated for w in town):
                end = place.end()  # a town, not "- Discharge Summary"
            end = _place_after_of(text, end, safe, towns)
            town = _TOWN_AND_STATE.match(text, end)
            if town is not None and not any(
                w.lower() in safe.clinical for w in town.group(1).split()
            ):
                end = town.end(1)  # "Lakeside Imaging Center, Orange, NJ"
        elif span.label == "UNVERIFIED" and text[start].isupper():
            end = _place_after_of(text, end, safe, towns)  # "Brightview of Silver Spring"
        elif span.label in _ID_LIKE and any(c.isdigit() for c in text[start:end]):
            suffix = _ID_SUFFIX.match(text, end)
            if suffix is not None and len(suffix.group(1)) < sum(
                c.isdigit() for c in text[start:end]
            ):
                end = suffix.end()
            prefix = _ID_PREFIX.search(text, max(0, start - 11), start)
            if prefix is not None and (
                _TOKEN.findall(prefix.group())[0].lower() not in safe.curated
                or any(c.isdigit() for c in prefix.group())  # "SP-1 7-894716"
            ):
                start = prefix.start()  # not a label: "ID- 1574622", "DOB- 02/11/1926"
        if (start, end) != (span.start, span.end):
            span = span.model_copy(update={"start": start, "end": end})
        out.append(span)
    return out


# The town a facility's name ends with: "Tri-County Rehab of Silver Spring".
_OF_PLACE = re.compile(r"[ ](?:of|OF)((?:[ ](?:[A-Z][a-z]+|[A-Z]{2,})){1,3})")


def _place_after_of(text: str, end: int, safe: SafeWords, towns: Set[str]) -> int:
    """Where a facility's name ends that goes on with "of" and a place; else ``end``.

    The place's words stop at a clinical word or a function word: "Bayside Home Health of
    Toledo", not "Riverside Clinic of Internal Medicine"; unless it is a word of a town the
    document's address names ("Tri-County Pathology of Normal" and "Normal, IL 61761").
    """
    m = _OF_PLACE.match(text, end)
    if m is None:
        return end
    last = end
    words = list(re.finditer(r"[A-Za-z]+", m.group(1)))
    for k, word in enumerate(words):
        lower = word.group().lower()
        if lower in safe.curated or lower in safe.stop:
            # A town's word the address names, not a term's: "of Normal", not "of Normal
            # Pressure Hydrocephalus".
            after = words[k + 1].group().lower() if k + 1 < len(words) else None
            if lower not in towns or after in safe.curated:
                break
        last = m.start(1) + word.end()
    return last


def _joined_end(text: str, end: int, word_end: int, safe: SafeWords) -> int:
    """How far past ``end`` a span goes in its joined word.

    To ``word_end``, or only to a dot that opens a capitalised safe word ("Smith.Follow").
    """
    for m in _DOT_WORD.finditer(text, end, word_end):
        word = m.group(1)
        if word[0].isupper() and len(word) > 1 and safe.is_safe(word):
            return max(end, m.start())
    return word_end


def _clinical_ner(text: str, result: RecognizerResult, safe: SafeWords) -> bool:
    """A person the statistical NER found that holds a number or no word but clinical ones.

    The model was trained on news and web text: on a chart it takes drug names and values
    for people ("Rosuvastatin 20", "Morphine").
    """
    meta = result.recognition_metadata or {}
    if meta.get(RecognizerResult.RECOGNIZER_NAME_KEY) != "SpacyRecognizer":
        return False
    value = text[result.start : result.end]
    if any(c.isdigit() for c in value):
        return True
    words = [w.lower() for w in _TOKEN.findall(value) if len(w) > 1]
    return bool(words) and all(w in safe.clinical and w not in safe.names for w in words)


def _threshold(entity: str, cfg: DeidSettings) -> float:
    label = "PERSON" if entity == PATIENT_NAME else entity
    return cfg.thresholds.get(label, cfg.score_threshold)


def _by_policy(text: str, spans: list[Span], cfg: DeidSettings) -> list[Span]:
    """``spans`` less the labels policy keeps (``cfg.keep_labels``) and allow-listed text.

    Applied before spans merge, so that a kept facility name does not take a person's name
    beside it along, and after propagation, so that propagated repeats obey it too.
    """
    allowed = {_normal(a) for a in cfg.allow_list}
    return [
        s
        for s in spans
        if s.label not in cfg.keep_labels and _normal(text[s.start : s.end]) not in allowed
    ]


def _normal(value: str) -> str:
    return " ".join(value.casefold().split())


def _to_span(result: RecognizerResult) -> Span:
    label = "PERSON" if result.entity_type == PATIENT_NAME else result.entity_type
    return Span(start=result.start, end=result.end, label=label, score=round(result.score, 4))


def _seeds(
    text: str, spans: Iterable[Span], words: WordLists, generic: frozenset[str]
) -> list[_Seed]:
    """Words of found names, facilities and identifiers to look for everywhere else.

    ``generic``: the words of facility kinds ("orthopaedic", "podiatry"), no facility's own.
    """
    seeds: dict[str, _Seed] = {}
    for span in spans:
        value = text[span.start : span.end]
        if span.label == "PERSON":
            # Every person found once, patient, relative or clinician, in whatever case and
            # punctuation: "KOWALCZYK; TEODORA", "Teodora R. Kowalczyk", "t. kowalczyk".
            for token in _TOKEN.findall(value):
                if len(token) >= 2 and token.isalpha() and not words.is_common(token):
                    seeds.setdefault(token.lower(), _Seed(token.lower(), "PERSON"))
        elif span.label == "FACILITY":
            # The distinctive part of a facility's name ("Hughes" of "Hughes Family Medicine
            # Clinic") names it wherever it turns up: a web address OCR broke up ("www.
            # hughes familymedicine.org"), a footer.
            for token in _TOKEN.findall(value):
                lower = token.lower()
                if len(token) >= 3 and token.isalpha() and not words.is_common(token):
                    if lower not in generic:
                        seeds.setdefault(lower, _Seed(lower, "FACILITY"))
        elif span.label in _ID_LABELS:
            for token in _TOKEN.findall(value):
                if sum(c.isdigit() for c in token) >= 4:
                    seeds.setdefault(token.lower(), _Seed(token.lower(), span.label))
    return list(seeds.values())


# Identifiers found once and looked for everywhere: an MRN also as OCR misreads it.
_ID_LABELS = frozenset({"MRN", "ID", "US_SSN", "PHONE_NUMBER"})


def propagate(text: str, seeds: list[_Seed], words: WordLists) -> list[Span]:
    """Spans for every whole-word occurrence of a seed word in ``text``, and its OCR variants.

    Matching ignores case. A variant is a word at edit distance 1 from a seed of at least
    five characters. For a name it must not be an ordinary word ("bones" is not a variant of
    "Jones"), and each occurrence must be capitalised or hold a digit ("J0HNSON"); for an MRN
    it must be digits but for one character.
    """
    if not seeds:
        return []
    exact = {seed.word: seed.label for seed in seeds}
    by_word: dict[str, list[tuple[int, int]]] = {}
    for m in _TOKEN.finditer(text):
        by_word.setdefault(m.group().lower(), []).append(m.span())
    spans: list[Span] = []
    for word, positions in by_word.items():
        if word in exact:
            if exact[word] in _ID_LABELS:
                # A number before a unit is a quantity: "2204 mg given", not the extension.
                positions = [
                    (s, e)
                    for s, e in positions
                    if not (_DOSE_AFTER.match(text, e) or _UNIT_AFTER.match(text, e))
                ]
            spans += [
                Span(start=s, end=e, label=exact[word], score=PROPAGATED_SCORE)
                for s, e in positions
            ]
            continue
        if sum(c.isdigit() for c in word) * 2 >= len(word) and exact.get(to_digits(word)) == "MRN":
            # An MRN with look-alike letters for digits ("44324l35l").
            spans += [Span(start=s, end=e, label="MRN", score=VARIANT_SCORE) for s, e in positions]
            continue
        label = _variant_label(word, seeds, words)
        if label == "PERSON":
            has_digit = any(c.isdigit() for c in word)
            positions = [(s, e) for s, e in positions if has_digit or text[s].isupper()]
        if label is not None:
            spans += [Span(start=s, end=e, label=label, score=VARIANT_SCORE) for s, e in positions]
    return spans


def split_names(text: str, seeds: list[_Seed], safe: SafeWords) -> list[Span]:
    """A found name's word that OCR split with a space: "M iller" for "Miller".

    Not where every piece is a word: "has an" is no "Hasan", nor "in gram" "Ingram".
    """
    names = [s.word for s in seeds if s.label == "PERSON"]
    long = sorted((n for n in names if len(n) >= MIN_VARIANT_LEN and n.isalpha()), key=len)
    if not long:
        return []
    bodies = ["[ ]?".join(re.escape(c) for c in name) for name in reversed(long)]
    pattern = re.compile(
        rf"(?i)(?<![A-Za-z])(?:{'|'.join(bodies)})(?![A-Za-z])", cache_pattern=False
    )
    return [
        Span(start=m.start(), end=m.end(), label="PERSON", score=VARIANT_SCORE)
        for m in pattern.finditer(text)
        if " " in m.group() and not all(safe.is_safe(piece) for piece in m.group().split())
    ]


def propagate_phones(text: str, spans: Iterable[Span]) -> list[Span]:
    """Every phone number found, wherever its digits stand again with any separators.

    A letter's closing line wraps the number the letterhead printed whole: "contact me at
    503 979" / "1854". After one's area code, seven digits however OCR spaced them are a
    number too.
    """
    numbers = set()
    for span in spans:
        if span.label == "PHONE_NUMBER":
            digits = re.sub(r"\D", "", text[span.start : span.end])
            if len(digits) == 11 and digits.startswith("1"):
                digits = digits[1:]
            if len(digits) == 10:
                numbers.add(digits)
    patterns = []
    gap = r"\)?[ .\-/:]{0,2}\n?[ ]?"  # a fax reads a dot as a colon: "216:856.8496"
    for area in {digits[:3] for digits in numbers}:
        # After an area code this document prints, an exchange with OCR's spaces in it and
        # four digits are a number of the same practice: "956 71 2 6938", "903" / "793 4154";
        # not decimals ("410.71 428.00") nor a row of values ("216 12 14 120").
        body = rf"\(?{area}\)?(?:[ \-:]{{1,2}}\n?|\n)[ ]?\d(?:[ ]?\d){{2}}[ \-]\d{{4}}"
        patterns.append(rf"(?<![\d/]){body}(?![\d/]|[.\-]\d)")
    for digits in numbers:
        # The last four may be damaged ("541 413 509-1" in a fax header): after the area
        # code and exchange of a number this document prints, any four digit-like marks are
        # that number or its practice's next line. A fax header's copy may hold marks
        # between any of its digits: "503 9 13 6784", "218 7.12-2096", "503-9 13:6784"; a
        # speck may stand for a digit of the last four ("978 6 75 88/7").
        last = rf"(?:{digits[6:]}|[0-9OoIlSB](?:[\-.]?[0-9OoIlSB/]){{3}})"
        spread = _ANY_MARKS.join(digits[:6])
        body = rf"\(?(?:{digits[:3]}{gap}{digits[3:6]}|{spread}){gap}{last}"
        patterns.append(rf"(?<!\d){body}(?!\d)")
    return [
        Span(start=m.start(), end=m.end(), label="PHONE_NUMBER", score=PROPAGATED_SCORE)
        for pattern in patterns
        for m in re.finditer(pattern, text)
    ]


# Marks OCR may read between two digits of a number: a space, a dot, a colon, a hyphen.
_ANY_MARKS = r"[ .:\-]?"
_YEAR = re.compile(r"(?<![\d.])(?<!\d,)(?:19|20)\d{2}(?!\d)")
# A year where a date's day or month stood before it, damaged: a day's digits and a mark or
# two ("6: 2023", "27. 2023", "12--1928") or a letter and a comma or dot ("N2r,2019"). Not a
# year in a history ("CABG in 2018"), a time ("1945 Pt medicated") or a total ("I/O
# 1850/2022"). Or a month and a day whose marks OCR lost, "3 18 2019" ("3/18/2019").
_DATE_REMAINS_BEFORE = re.compile(
    r"(?:(?<!\d)\d{1,2}[ ]?[.:\-,]{1,2}|[A-Za-z][,.])[ ]?$"
    r"|(?P<month_day>(?<![\d.,/:])(?:0?[1-9]|1[0-2])[ ](?:0?[1-9]|[12]\d|3[01]))[ ]$"
)
# A year before a unit, a ratio or a decimal is a quantity: "2000 mL", "2023/1800", "2019.5".
_QUANTITY_AFTER = re.compile(
    r"[ ]?(?:m[Llg]|mcg|cc|[gL]|kg|units?|U|kcal|cal|calories?|hrs?|hours?|min|%|x|/[ ]?\d"
    r"|\.\d)(?![A-Za-z])"
)


# A dose's unit after a number: "2204 mg given" (not a count: "paged 4471 x 3").
_DOSE_AFTER = re.compile(r"[ ]?(?:m[Llg]|mcg|cc|[gL]|kg|units?|U|mEq|%)(?![A-Za-z])")


def propagate_years(text: str, spans: Iterable[Span]) -> list[Span]:
    """The year of every date found, where it stands again after what is left of a date.

    What OCR left of a date keeps its year ("N2r,2019" for "Nov 2, 2019", "3 1 6: 2023" for
    "D: 2/16/2023"); a year the document's dates hold tells the date it was. Not a quantity
    that happens to read the same ("2019 mL").
    """
    years = {
        m.group()
        for span in spans
        if span.label == "DATE"
        for m in _YEAR.finditer(text, span.start, span.end)
    }
    found = []
    for m in _YEAR.finditer(text):
        remains = _DATE_REMAINS_BEFORE.search(text, max(0, m.start() - 7), m.start())
        if m.group() in years and remains and not _QUANTITY_AFTER.match(text, m.end()):
            start = remains.start("month_day") if remains.group("month_day") else m.start()
            found.append(Span(start=start, end=m.end(), label="DATE", score=PROPAGATED_SCORE))
    return found


MIN_ID_DIGITS = 6  # fewer is any count or value
MAX_ID_GROUPS = 3  # "941 20-88"; more groups are a list of values
_UNIT_AFTER = re.compile(r"[ ]?(?:mm|cm|mmHg|mcg/kg|units?/h|mEq|mmol)(?![A-Za-z])")


def propagate_ids(text: str, spans: Iterable[Span]) -> list[Span]:
    """Every MRN or id found, wherever its digits stand again with other separators.

    "941-20-88" in the header is "941 20-88" in the footer: the same digits, in the same
    order, a space or hyphen or none between any two; not inside a decimal or a ratio.
    """
    found = []
    numbers = {
        (re.sub(r"\D", "", text[span.start : span.end]), span.label)
        for span in spans
        if span.label in ("MRN", "ID", "US_SSN")
    }
    for digits, label in numbers:
        if len(digits) < MIN_ID_DIGITS:
            continue
        body = "[ \\-]?".join(digits)
        for m in re.finditer(rf"(?<![\d\-./])(?:{body})(?![\d]|[./]\d)", text):
            groups = re.split(r"[ \-]", m.group())
            if len(groups) > MAX_ID_GROUPS or min(len(g) for g in groups) < 2:
                continue  # "1-2-3-4-5-6", "6 5 4 3 2 1": a count, not the MRN
            if _QUANTITY_AFTER.match(text, m.end()) or _UNIT_AFTER.match(text, m.end()):
                continue  # "100 200 mg", "11 22 33 mm"
            found.append(Span(start=m.start(), end=m.end(), label=label, score=PROPAGATED_SCORE))
    return found


MIN_ACRONYM = 3  # "GH" is also growth hormone; "HHS" after "Hillcrest Health System" is it


def propagate_acronyms(text: str, spans: Iterable[Span]) -> list[Span]:
    """The initials of every facility found, where they stand in capitals as a word.

    A chart names its hospital once in full and then by its initials ("Hillcrest Health
    System" ... "the records department of HHS").
    """
    acronyms = set()
    for span in spans:
        if span.label != "FACILITY":
            continue
        words = [
            w
            for w in _TOKEN.findall(text[span.start : span.end])
            if w[0].isupper() and w.lower() not in {"of", "the", "and"}
        ]
        acronym = "".join(w[0] for w in words)
        if len(acronym) >= MIN_ACRONYM:
            acronyms.add(acronym.upper())
    found = []
    for acronym in acronyms:
        for m in re.finditer(rf"(?<![A-Za-z0-9]){acronym}(?![A-Za-z0-9])", text):
            found.append(
                Span(start=m.start(), end=m.end(), label="FACILITY", score=PROPAGATED_SCORE)
            )
    return found


def propagate_facility_names(
    text: str, spans: Iterable[Span], generic: frozenset[str]
) -> list[Span]:
    """The leading words of every facility found, wherever they stand again as printed.

    A referral list names "Okonkwo Hall Skilled Nursing Facility" and the next sentence
    says "Okonkwo Hall accepted"; "Park Gardens Healthcare Center" becomes "Park Gardens".
    Two words or more, one of them more than a facility word ("Home Health" alone is any
    agency's), in any case but with every word capitalised, a line break anywhere.
    """
    phrases: set[str] = set()
    for span in spans:
        if span.label != "FACILITY":
            continue
        words = list(_TOKEN.finditer(text, span.start, span.end))
        for k in range(2, len(words) + 1):
            part = words[:k]
            if any(not w.group()[0].isupper() for w in part):
                break
            if all(w.group().lower() in generic for w in part):
                continue
            phrase = text[part[0].start() : part[-1].end()]
            if "\n" in phrase or "\f" in phrase:
                break
            phrases.add(phrase)
    if not phrases:
        return []
    # One pattern for every phrase, longest first, kept out of the regex module's cache: its
    # words are the document's.
    # A word's dot may be lost ("ST AGNES" for "St. Agnes"); after three words or more, a
    # header may keep one letter of the last ("ST AGNES REGIONAL H"; not "C-section").
    bodies = [
        r"\s+".join(
            [
                _ocr_tolerant(piece.rstrip(".")) + (r"\.?" if piece.endswith(".") else "")
                for piece in phrase.split()[:-1]
            ]
            + [_truncated(phrase.split()[-1], 1 if len(phrase.split()) >= 3 else MIN_TRUNCATED)]
        )
        for phrase in sorted(phrases, key=len, reverse=True)
    ]
    pattern = re.compile(
        # Not before a letter after a mark ("O'Brien"); a speck's mark may end a cut-off copy
        # ("LOWELL CARDIOLOGY AS’").
        rf"(?i)(?<![A-Za-z0-9])(?:{'|'.join(bodies)})(?![A-Za-z0-9\-&]|['’][A-Za-z])",
        cache_pattern=False,
    )
    found = []
    for m in pattern.finditer(text):
        words = [w for w in _TOKEN.findall(m.group()) if w[0].isalpha()]
        if not all(w[0].isupper() or w.lower() in PARTICLES for w in words):
            continue  # "park gardens" in a sentence is no facility's name
        found.append(Span(start=m.start(), end=m.end(), label="FACILITY", score=PROPAGATED_SCORE))
    return found


MIN_TRUNCATED = 3  # letters of a facility's last word a fax header's width may leave


def _truncated(word: str, minimum: int = MIN_TRUNCATED) -> str:
    """A pattern for ``word`` or, when long, its first ``minimum`` letters or more.

    A fax header's cut-off name: "GREENSPRING CARD" for "Greenspring Cardiology", "FRESNO
    GASTROENTEROL", "OLABODE MEMORIAL HOS".
    """
    if len(word) <= minimum + 1:
        return _ocr_tolerant(word)
    tail = "".join(f"(?:{_ocr_tolerant(c)}" for c in word[minimum:])
    return _ocr_tolerant(word[:minimum]) + tail + ")?" * (len(word) - minimum)


# Letters a fax reads as digits, and back: "ST0CKTON" for "STOCKTON".
_LOOKALIKE = {"O": "[O0]", "o": "[o0]", "I": "[I1l]", "l": "[l1I]", "S": "[S5]", "B": "[B8]"}


def _ocr_tolerant(word: str) -> str:
    """A pattern for ``word`` that also matches it with look-alike digits for its letters."""
    return "".join(_LOOKALIKE.get(c, re.escape(c)) for c in word)


def _ordinary_name_words(text: str, spans: Iterable[Span], words: WordLists) -> set[str]:
    """Parts of found names that are also ordinary words ("Amber", "Rose", "Young")."""
    found = set()
    for span in spans:
        if span.label == "PERSON":
            for token in _TOKEN.findall(text[span.start : span.end]):
                if len(token) >= 2 and token.isalpha() and words.is_common(token):
                    found.add(token.lower())
    return found


def propagate_beside_name(text: str, spans: list[Span], ordinary: set[str]) -> list[Span]:
    """Ordinary-word parts of the patient's name where they stand beside a found name part.

    "Amber" alone is a colour and is not propagated; "KELLER, Amber" on a continuation header,
    next to the propagated surname, is the patient.
    """
    if not ordinary:
        return []
    ends = {sp.end for sp in spans if sp.label == "PERSON"}
    starts = {sp.start for sp in spans if sp.label == "PERSON"}
    found = []
    for m in _TOKEN.finditer(text):
        if m.group().lower() not in ordinary:
            continue
        before = any(
            m.start() - gap in ends and text[m.start() - gap : m.start()] in _NAME_GAPS
            for gap in (1, 2)
        )
        after = any(
            m.end() + gap in starts and text[m.end() : m.end() + gap] in _NAME_GAPS
            for gap in (1, 2)
        )
        # A card prints the surname on a line of its own over the given names: "BLACK" /
        # "JOSE R". Not a field's value under its label ("Race:" or "Hair" / "WHITE" / "Rose
        # White").
        alone = text[m.start() - 1 : m.start()] in ("\n", "\f", "") and text[
            m.end() : m.end() + 1
        ] in ("\n", "")
        stacked = alone and m.end() + 1 in starts and not _label_above(text, m.start())
        if before or after or stacked:
            found.append(Span(start=m.start(), end=m.end(), label="PERSON", score=PROPAGATED_SCORE))
    return found


def propagate_given_names(
    text: str, spans: list[Span], safe: SafeWords, verbs: frozenset[str]
) -> list[Span]:
    """A given name that is also a word, where it stands again as a name stands.

    "granddaughter, joy Strong" names Joy; "meeting with Joy and Dr. Traore" and "Joy
    prefers email" are she. The name is the first of two words, given name first, of a
    person found (or of a net's find after a relation word); not a clinical word or a
    function word ("Will", "May"). An occurrence counts in Title case inside a sentence, or
    opening one before a verb people do (``person_verbs``: "prefers", "called"); not "Rose to
    38.9", "Hope to wean", "Crystal: calcium oxalate", "Amber urine".
    """
    given = set()
    for span in spans:
        m = _GIVEN_FAMILY.match(text, span.start, span.end)
        if m is None or m.end() != span.end and text[m.end()] not in " .,":
            continue
        if span.label == "UNVERIFIED":
            before = _WORD_BEFORE_NAME.search(text, max(0, span.start - 24), span.start)
            if before is None or before.group(1).lower() not in safe.relations:
                continue
        elif span.label != "PERSON":
            continue
        word = m.group(1).lower()
        if word in safe.dictionary and word not in safe.clinical and word not in safe.stop:
            given.add(word.title())
    found = []
    for name in given:
        for m in re.finditer(rf"(?<![A-Za-z]){name}(?![A-Za-z])", text):
            after = _NEXT_WORD.match(text, m.end())
            next_word = after.group(1).lower() if after is not None else ""
            if next_word in safe.clinical and next_word not in safe.stop:
                continue  # "Amber urine noted"
            inside = _INSIDE_SENTENCE.search(text, max(0, m.start() - 3), m.start()) is not None
            if inside or next_word in verbs:
                found.append(
                    Span(start=m.start(), end=m.end(), label="PERSON", score=PROPAGATED_SCORE)
                )
    return found


# A lower-case letter or a comma, then a space: the word after it is inside a sentence.
_INSIDE_SENTENCE = re.compile(r"[a-z,][ ]$")
# A given name then a family name: "joy Strong", "Hope Alvarez"; not "BLACK, JOSE".
_GIVEN_FAMILY = re.compile(r"([A-Za-z][a-z]{2,})[ ][A-Z][a-z]+")
_WORD_BEFORE_NAME = re.compile(r"([A-Za-z]+)(?:'s)?,?[ ]+$")


def propagate_titled_names(text: str, spans: list[Span], safe: SafeWords) -> list[Span]:
    """A one-word name found after a title or a relation word, wherever it stands again.

    "seen by dr. banks" names Dr. Banks, in lower case; the header's "ADM 7/11/2019 BANKS"
    is he too, and "partner miles" is the "MILEs" who called. The word must be able to be a
    name (not "doctor yesterday"), and stand capitalised: "OMOJOLA", "Omojola"; one that is
    also a word only in capitals, not a field's value or label nor a word of a heading
    ("PAIN QUALITY: SHARP", "SIDE EFFECTS"), and not in prose ("banks", "Miles walked").
    """
    seeds = set()
    after_abbreviation: dict[str, int] = {}
    for span in spans:
        word = text[span.start : span.end]
        if span.label not in _NAME_LABELS or not word.isalpha() or len(word) < 3:
            continue
        before = _TITLE_OR_RELATION.search(text, max(0, span.start - 24), span.start)
        if before is None:
            continue
        cue = before.group(1).lower()
        lower = word.lower()
        if not (cue in safe.titles or cue in safe.relations) or (
            lower in safe.stop
            or lower in safe.curated
            or lower in safe.titles
            or (lower in safe.clinical and not safe.name_over_term(word))
        ):
            continue
        if safe.could_be_name(word) or not safe.is_safe(word):
            seeds.add(lower)
        elif cue in safe.titles and len(cue) <= 3:
            # A word after "dr." twice is that doctor's name ("dr sales", "dr. sales"), once
            # it may be none ("spoke with dr. today"); it is carried only to a line's end.
            after_abbreviation[lower] = after_abbreviation.get(lower, 0) + 1
    weak = {w for w, n in after_abbreviation.items() if n >= 2} - seeds
    seeds |= weak
    if not seeds:
        return []
    taken = coverage(text, spans)
    found = []
    for lower in seeds:
        ordinary = lower in safe.dictionary
        for m in re.finditer(rf"(?<![A-Za-z]){lower}(?![A-Za-z])", text, flags=re.IGNORECASE):
            if taken.any(m.start(), m.end()):
                continue
            word = m.group()
            if names_a_disease(text, m.end(), safe):
                continue  # "Dr. Barr", then "Epstein-Barr virus"
            if word.islower() or (ordinary and (word.istitle() or _field_or_heading(text, m))):
                continue
            if lower in weak and not (word.isupper() and _LINE_END.match(text, m.end())):
                continue  # a word only "dr" made a name ends a line: "ADM 7/15/2025 SALES"
            found.append(Span(start=m.start(), end=m.end(), label="PERSON", score=PROPAGATED_SCORE))
    return found


_LINE_END = re.compile(r"[ ]*(?:[\n\f]|$)")
# The word before a name, a title's dot or a comma perhaps after it: "dr. ", "wife, ".
_TITLE_OR_RELATION = re.compile(r"(?<![A-Za-z])([A-Za-z]+)\.?,?[ ]+$")
# A word in capitals, or a field's label, before a word; a word in capitals or a colon after.
_CAPS_BEFORE = re.compile(r"(?:(?<![A-Za-z])[A-Z]{2,}[ ]+(?:&[ ]+)?|:[ ]*)$")
_CAPS_AFTER = re.compile(r"[ ]+(?:&[ ]+)?[A-Z]{2,}(?![a-z])|[ ]*:")


def _field_or_heading(text: str, m: re.Match[str]) -> bool:
    """Whether the word of ``m`` is a field's value or label, or one word of a heading.

    "PAIN QUALITY: SHARP", "POWER: 5/5", "TYPE & CROSS" are no names.
    """
    return (
        _CAPS_BEFORE.search(text, max(0, m.start() - 24), m.start()) is not None
        or _CAPS_AFTER.match(text, m.end()) is not None
    )


def propagate_after_relation(text: str, spans: list[Span], safe: SafeWords) -> list[Span]:
    """A name found after a relation word, wherever that relation names it again, in any case.

    "Husband LONG visited" marks the husband's name; "Husband long requests call" is he
    too, though "long" alone is a word.
    """
    starts = {sp.start for sp in spans if sp.label in _NAME_LABELS}
    # A function word is a name to carry where it stood in a whole name: "nephew will
    # humphreys", then "Nephew (will)"; not where the net took it alone.
    in_full_names = {sp.start for sp in spans if sp.label == "PERSON"}
    pairs = set()
    both = list(_RELATION_PAIR.finditer(text, overlapped=True))
    for m in both:
        word = m.group(2).lower()
        if (
            m.start(2) in starts
            and m.group(1).lower() in safe.relations
            and (word not in safe.stop or m.start(2) in in_full_names)
        ):
            pairs.add((m.group(1).lower(), word))
    if not pairs:
        return []
    found = []
    for m in both:
        word = m.group(2).lower()
        if (m.group(1).lower(), word) not in pairs or m.start(2) in starts:
            continue
        after = _NEXT_WORD.match(text, m.end(2))
        if text.startswith("-", m.end(2)) or (
            word in safe.curated and after is not None and after.group(1).lower() in safe.clinical
        ):
            continue  # "husband long-term caregiver", "wife short term memory"
        found.append(Span(start=m.start(2), end=m.end(2), label="PERSON", score=PROPAGATED_SCORE))
    return found


_WORDS = re.compile(r"[A-Za-z]+(?:['\-][A-Za-z]+)*")


def names_beside_relations(
    text: str, spans: list[Span], safe: SafeWords, verbs: frozenset[str]
) -> list[Span]:
    """The other part of a name whose one part was found after a relation word.

    A relation word, then two words, one of them found as a name: the other is the name's
    other part where it can be a name, in any case. Before the part found, a given name
    ("grandson" / "mark appiah", "Nephew will humphreys"); after it, a family name where a
    verb people do follows ("partner faith marsh visited"; not "wife Mary tomorrow will
    bring", "wife hope remains stable").
    The relation may end the line above.
    """
    names = {(sp.start, sp.end) for sp in spans if sp.label in _NAME_LABELS}
    starts = {s for s, _ in names}
    taken = coverage(text, spans)
    words = list(_WORDS.finditer(text))
    found = []
    for k in range(len(words) - 2):
        rel, a, b = words[k], words[k + 1], words[k + 2]
        gap = text[rel.end() : a.start()]
        if rel.group().lower() not in safe.relations or gap.strip(" \t(") not in ("", "\n"):
            continue
        if text[a.end() : b.start()] != " ":
            continue
        if b.start() in starts and not taken.any(a.start(), a.end()):
            if name_not_term(a.group(), safe):
                found.append(_propagated(a))  # "grandson mark [appiah]"
        elif (a.start(), a.end()) in names and not taken.any(b.start(), b.end()):
            after = _NEXT_WORD.match(text, b.end())
            if (
                name_not_term(b.group(), safe)
                and after is not None
                and after.group(1).lower() in verbs
            ):
                found.append(_propagated(b))  # "partner [faith] marsh visited"
    return found


# A sentence's first word: at a line's start (after a bullet), or after a full stop, a
# colon or a semicolon and a space.
_SENTENCE_OPENING = re.compile(
    r"(?:^[ \t]*(?:[-*\u2022][ \t]*)?|[.:;][ ]{1,2}|(?<![A-Za-z])[\"\u201c])"
    r"([A-Z][a-z]+|[A-Z]{3,}|[a-z]{3,})[ ]([a-z]+)(?:[ ]([a-z]+))?",
    re.MULTILINE,
)


# What only people do, after a name in lower case or in capitals, opening its sentence
# ("glen called at 1915", "CARMINE stated"): not "aware", "present", "here" or "will",
# which follow words as well ("hope present").
_DEEDS = frozenset(
    "called calls visited visits stated states requested requests asked asks says said came "
    "brought signed consented spoke verbalized wants wanted prefers agreed declined".split()
)


# A person's part in the patient's care, after "is": "Guy is primary contact", "CARMINE is
# the HCP".
_CONTACT_ROLE = re.compile(
    r"[ ](?:the[ ]|pt's[ ]|her[ ]|his[ ])?(?:primary[ ]|main[ ]|emergency[ ]|designated[ ])?"
    r"(?i:contact|hcp|poa|proxy|guardian|nok|caregiver|spokesperson)(?![A-Za-z])"
)
# Who or what opens a sentence before those verbs and is no one's name: a trade, a vehicle,
# a church ("porter came", "van will pick up", "Church is contact", '"God says"').
_NO_ONE = frozenset(
    "porter cook driver sitter aide van ride cab taxi bus church god lord chaplain pastor "
    "priest transport police officer guard security housekeeping dietary mail staff team "
    "family doctor nurse tech therapist someone everyone nobody".split()
)
# What someone will do, after "will" ("nick will transport pt").
_PLANS = frozenset("call visit transport bring pick drive stay come return sign".split())


def names_opening_sentences(
    text: str, spans: list[Span], safe: SafeWords, verbs: frozenset[str]
) -> list[Span]:
    """A name that opens a sentence before a verb people do: "Mark will transport pt".

    A word that could be a name ("Mark", "Faith", "Hope") and is no clinical term we
    chose, no relation, title or role, before a verb of ``verbs`` ("called", "prefers",
    "will"), or before a part in the patient's care ("Guy is primary contact"); not "Bill
    will be sent", where "will be" makes a thing of it. In lower case or in capitals, only
    before what only people do ("glen called", "nick will transport").
    """
    taken = coverage(text, spans)
    found = []
    for m in _SENTENCE_OPENING.finditer(text):
        word, verb, after = m.group(1), m.group(2), m.group(3)
        lower = word.lower()
        role = verb == "is" and _CONTACT_ROLE.match(text, m.end(2)) is not None
        if (
            (verb not in verbs and not role)
            or (
                not word.istitle()
                and verb not in _DEEDS
                and not (verb == "will" and after in _PLANS)
                and not role
            )
            or (verb in ("will", "would") and after == "be")
            or taken.any(m.start(1), m.end(1))
            or not safe.could_be_name(word)
            or lower in _NO_ONE
            or lower in safe.curated
            or lower in safe.stop
            or lower in safe.honorifics
            or lower in safe.person_fields
        ):
            continue
        found.append(_propagated(m, 1))
    return found


# A name in quotes after a word that gives it: 'prefers to be called "Jasmine"', 'goes by
# "Bud"'.
_QUOTED_NAME = re.compile(
    r"(?i:called|goes[ ]by|known[ ]as|nicknamed?:?|name[ ]is)[ ]+[\"\u201c']"
    r"([A-Z][a-z]+(?:[ ][A-Z][a-z]+)?)[\"\u201d']"
)


def quoted_names(text: str, spans: list[Span]) -> list[Span]:
    """A name in quotes after "called", "goes by" or "known as", whatever the word."""
    taken = coverage(text, spans)
    return [_propagated(m, 1) for m in _QUOTED_NAME.finditer(text) if not taken.any(*m.span(1))]


def _propagated(m: re.Match[str], group: int = 0) -> Span:
    return Span(start=m.start(group), end=m.end(group), label="PERSON", score=PROPAGATED_SCORE)


# A ZIP code after a town, perhaps with its state: "Troy 12774", "Troy, OH 12774".
_ZIP_AFTER = re.compile(r",?[ \t]+(?:[A-Z]{2},?[ \t]+)?\d{5}(?:-\d{4})?(?![\d\-/])")


def propagate_cities(text: str, spans: list[Span], safe: SafeWords) -> list[Span]:
    """Every town found in an address, wherever the text names it again capitalised, any case.

    A town of two words or more, or of a word no list holds, anywhere ("Fall River",
    "Okemos"); a town that is a word only after "in", "from" or "near" and before a
    clause's end ("lives in Flint."), or before a ZIP code ("(6954 Park St, Troy 12774)"),
    not "returned to Normal" nor "in Normal range".
    """
    towns = {
        " ".join(text[sp.start : sp.end].split())
        for sp in spans
        if sp.label == "CITY" and sp.end - sp.start >= 3
    }
    zips = {text[sp.start : sp.start + 5] for sp in spans if sp.label == "ZIP_CODE"}
    found = []
    for town in towns:
        words = town.split()
        if not all(w[:1].isupper() for w in words):
            continue
        plain = len(words) == 1 and safe.is_safe(words[0].strip(".,"))
        body = r"[ \t]+".join(re.escape(w) for w in words)
        for m in re.finditer(rf"(?i)(?<![A-Za-z]){body}(?![A-Za-z])", text):
            if not all(w[:1].isupper() for w in m.group().split()):
                continue  # as printed, or in capitals: "Fargo", "FARGO"; not "fargo"
            printed = m.group().split() == words
            if not printed and all(safe.is_safe(w.strip(".,")) for w in words):
                continue  # in capitals only a town no list holds: not "CLEAR LAKE" in a note
            if (
                plain
                and (
                    _PLACE_PREPOSITION.search(text, max(0, m.start() - 8), m.start()) is None
                    or not _CLAUSE_END.match(text, m.end())
                )
                and _ZIP_AFTER.match(text, m.end()) is None
            ):
                continue
            found.append(Span(start=m.start(), end=m.end(), label="CITY", score=PROPAGATED_SCORE))
        if len(words) >= 2:
            found += _town_across_columns(text, words, zips)
    return found


_LINE = re.compile(r"[^\n\f]+")
_ZIP_ON_LINE = re.compile(r"(?<![\d\-/])\d{5}(?:-\d{4})?(?![\d\-/])")


def _town_across_columns(text: str, words: list[str], zips: Set[str]) -> list[Span]:
    """A town's words on a card's line that reads its columns across, with its ZIP code.

    A licence prints "FORT WAYNE, IN 46847" in its address column; read across, the line
    holds "DOB SEX FORT M 01/20/1977 WAYNE, HGT ... 46847". Each word in capitals, in the
    town's order, on a line that holds a ZIP code the document's address gave ("Grand mal
    seizure on Island vacation, ref 68801" is no card's).
    """
    found = []
    patterns = [re.compile(rf"(?i)(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])") for w in words]
    for line in _LINE.finditer(text):
        if not any(m.group()[:5] in zips for m in _ZIP_ON_LINE.finditer(line.group())):
            continue
        at = line.start()
        hits = []
        for pattern in patterns:
            m = pattern.search(text, at, line.end())
            if m is None or not m.group().isupper():
                break
            hits.append(m)
            at = m.end()
        if len(hits) == len(words) and any(
            text[a.end() : b.start()].strip() for a, b in zip(hits, hits[1:], strict=False)
        ):
            found += [
                Span(start=m.start(), end=m.end(), label="CITY", score=PROPAGATED_SCORE)
                for m in hits
            ]
    return found


def propagate_net_towns(text: str, spans: list[Span], safe: SafeWords) -> list[Span]:
    """A town of two words or more that the net took after "in", "from" or "near", again.

    "pt lives w/ sis in Fall River." makes "Fall River" a place; "w/ father in Fall River,
    Father ..." names it again. Carried as ``propagate_cities`` carries a town an address
    names, with the net's label.
    """
    towns = [
        sp.model_copy(update={"label": "CITY"})
        for sp in spans
        if sp.label == "UNVERIFIED"
        and len(text[sp.start : sp.end].split()) >= 2
        and all(w[:1].isupper() for w in text[sp.start : sp.end].split())
        and _PLACE_PREPOSITION.search(text, max(0, sp.start - 8), sp.start) is not None
    ]
    return [
        sp.model_copy(update={"label": "UNVERIFIED"}) for sp in propagate_cities(text, towns, safe)
    ]


_PLACE_PREPOSITION = re.compile(r"(?<![A-Za-z])(?:in|from|near)[ \t\n]+$")
_CLAUSE_END = re.compile(r"[ \t]*(?:[.,;:)\n\f]|$)")

# A postal address's last line: a state's two capitals, perhaps a dot, then a ZIP code.
_STATE_BEFORE_ZIP = re.compile(r"(?<![A-Za-z])[A-Z]{2}\.?,?[ \t]{1,3}$")
# The line above it when it is a street's: a house number, then capitalised words (any
# suffix, or one OCR garbled: "88 Harbour Quay", "4471 Qakmont Rdg"), a unit perhaps.
_HOUSE_LINE = re.compile(
    r"[ \t]*(\d{1,6}[A-Z]?(?:-\d{1,4})?[ \t]+[A-Z][A-Za-z'.\-]*(?:[ \t]+[A-Za-z0-9'.,#\-]+){0,6})"
    r"[ \t]*"
)
# A unit's own line between the street's and the town's: "Suite 200", "Apt. 4B".
_UNIT_LINE = re.compile(
    rf"[ \t]*((?:{_UNIT}|Bldg|Floor|#)[.,:]?[ \t]?#?"
    r"[ \t]?[A-Z0-9][A-Z0-9\-]{0,5})[ \t]*"
)


def streets_above_towns(
    text: str, spans: list[Span], safe: SafeWords, suffixes: frozenset[str]
) -> list[Span]:
    """The street of a postal address, by its place: the line above "Town, ST 12345".

    An address block prints the street on the line above the town, state and ZIP code. A
    line there that starts with a house number and goes on in capitals is the street where
    a word of it is a street's suffix of the USPS list or a word no list holds, and none a
    clinical term we chose ("131 Fox Brook" or "4471 Qakmont Rdg" over "Portland, ME
    04101"; not "30 Tablets Metformin", "24 Hour Nurse Line"). A unit on its own line
    between them goes with it.
    """
    found = []
    for sp in spans:
        if sp.label != "ZIP_CODE":
            continue
        line_start = text.rfind("\n", 0, sp.start) + 1
        if _STATE_BEFORE_ZIP.search(text, line_start, sp.start) is None:
            continue
        units = []
        for _ in range(2):  # the street's line, or a unit's and then the street's
            if line_start == 0 or text[line_start - 1] != "\n":
                break
            above = text.rfind("\n", 0, line_start - 1) + 1
            unit = _UNIT_LINE.fullmatch(text, above, line_start - 1)
            if unit is not None:
                units.append(unit)
                line_start = above
                continue
            street = _HOUSE_LINE.fullmatch(text, above, line_start - 1)
            if street is not None and _street_words(street.group(1), safe, suffixes):
                found += [
                    Span(start=m.start(1), end=m.end(1), label="STREET_ADDRESS", score=0.6)
                    for m in [street, *units]
                ]
            break
    return found


def _street_words(line: str, safe: SafeWords, suffixes: frozenset[str]) -> bool:
    words = [w.lower() for w in _WORDS.findall(line)]
    return any(w in suffixes or not safe.is_safe(w) for w in words) and not any(
        w in safe.curated and w not in suffixes for w in words
    )


_NAME_LABELS = frozenset({"PERSON", "UNVERIFIED"})
_NEXT_WORD = re.compile(r"[ ]([A-Za-z]+)")
_RELATION_PAIR = re.compile(r"(?<![A-Za-z])([A-Za-z]+)[ ]\(?([A-Za-z]+)(?![A-Za-z])")


def _label_above(text: str, line_start: int) -> bool:
    """Whether the line above the one at ``line_start`` is a label: one word, or ends in ":"."""
    above = text[text.rfind("\n", 0, max(0, line_start - 1)) + 1 : max(0, line_start - 1)]
    return len(above.split()) <= 1 or above.rstrip().endswith(":")


# "VICTOR·WHITE": a footer's middle dot; "Sylvia.Long": a space OCR read as a dot.
_NAME_GAPS = {" ", ", ", ",", "\u00b7", "."}


def _variant_label(word: str, seeds: list[_Seed], words: WordLists) -> str | None:
    """The label of the seed that ``word`` is an OCR misreading of, if any."""
    for seed in seeds:
        if len(seed.word) < MIN_VARIANT_LEN or abs(len(word) - len(seed.word)) > 1:
            continue
        if Levenshtein.distance(word, seed.word, score_cutoff=1) > 1:
            continue
        digits = sum(c.isdigit() for c in word)
        if seed.label == "MRN" and digits >= len(word) - 1:
            return seed.label
        if seed.label == "PERSON" and digits < len(word) - 1 and not words.is_common(word):
            return seed.label
    return None


def _birth_dates(text: str, results: Iterable[RecognizerResult], words: WordLists) -> set[str]:
    """The dates found right after a date-of-birth label, each as "YYYYMMDD"."""
    keys: set[str] = set()
    for r in results:
        if r.entity_type == "DATE" and _DOB_LABEL.search(text[max(0, r.start - 30) : r.start]):
            key = date_key(text[r.start : r.end], words)
            if key is not None:
                keys.add(key)
    return keys


def propagate_birth_date(text: str, birth_dates: set[str], words: WordLists) -> list[Span]:
    """Spans for numeric dates in ``text`` that are the date of birth as OCR may read it.

    A candidate is three numeric parts with any separators ("08 17 1949", "1949.O8.07");
    it matches when, read as "YYYYMMDD", it equals a birth date or differs in one digit.
    Charts repeat the date of birth in page footers, where a fax blurs it the most.
    """
    if not birth_dates:
        return []
    spans = []
    for m in _NUMERIC_DATE.finditer(text):
        key = date_key(m.group(), words)
        if key is not None and any(
            Levenshtein.distance(key, dob, score_cutoff=1) <= 1 for dob in birth_dates
        ):
            spans.append(Span(start=m.start(), end=m.end(), label="DATE", score=VARIANT_SCORE))
    return spans
