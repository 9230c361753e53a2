"""Street addresses: "1200 Oak Street", "45 Oak Avenue Apt 4B", "P.O. Box 512", "RR 1 Box 210"."""

from __future__ import annotations

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.patterns import (
    BAR,
    CASE_SENSITIVE,
    SP,
    either_case,
    label_lookbehind,
)

_WORD = re.compile(r"[A-Za-z]+")
# Words that are no street's name on their own.
_FUNCTION_WORDS = frozenset("to at in on via with from for the and of by per".split())
# Words that never stand inside a street's name: a note's clause after a number ("HR 110, PT
# AT REST", "AMBULATED 200 FT TO NURSES STATION"). "Avenue of the Americas" keeps "of".
_CLAUSE_WORDS = frozenset("to at in on via with from for by per now is was".split())


# The units a home address takes: "Apt. 563", "Suite 200".
_HOME_UNIT = r"(?:Apt|APT|Apartment|APARTMENT|Suite|SUITE|Ste|STE)"
_HOME_AT_END = re.compile(rf"[ ]{_HOME_UNIT}[.,]?[ ]?#?[ ]?\w+$")
_UNIT_AT_END = re.compile(
    rf",?[ ](?:{_HOME_UNIT}|Unit|UNIT|#)[.,]?[ ]?#?[ ]?[A-Z0-9][A-Z0-9\-]{{0,5}}$"
)


class StreetAddressRecognizer(PatternRecognizer):
    """Recognize a house number, capitalised street name words and a street suffix.

    Case-sensitive: the street name words must be capitalised, which keeps "2 tabs by mouth
    daily" out. The common suffixes (Street, Ave, Rd, ...) are enough on their own; the rest
    of the USPS list holds ordinary words ("Walk", "Rest", "Field"), so with those the address
    must end its line, cell or clause ("6 Minute Walk Test" is not an address).
    """

    def __init__(self, assets: DeidAssets) -> None:
        common = assets.label_list("street_suffixes")
        usps = sorted(assets.street_suffixes | {s.lower() for s in common})
        unit = either_case(assets.label_list("unit_designators"))
        direction = r"(?:[NSEW]\.?|NE|NW|SE|SW|North|South|East|West|NORTH|SOUTH|EAST|WEST)"
        word = r"(?:[A-Z][a-z]+|[A-Z]{2,}|\d{1,3}(?:st|nd|rd|th|ST|ND|RD|TH))"
        # A house number; one of three digits or more perhaps with a mark OCR added after it
        # ("8043: Mccall Course").
        number = (
            r"(?<![\w/.\-])(?:\d{1,6}[A-Z]?(?:-\d{1,4})?"
            r"|(?!(?:[01]?\d|2[0-3])[0-5]\d[:;])\d{3,6}[:;])"  # not a time: "0930: Seen By"
        )
        tail = (
            rf"(?:[ ]{direction}(?![A-Za-z]))?"
            # The unit's dot may read as a comma ("Apt, 505").
            rf"(?:,?[ ](?:{unit}[.:,]{{0,2}}[ ]?#?[ ]?|#[ ]?)"
            r"[A-Z0-9][A-Z0-9\-]{0,5}(?![A-Za-z0-9]))?"
        )
        # A comma OCR put after a number of three digits or more ("701, RIVER LOOP"), a dot
        # for a space between a lower-case letter and a capital ("20703 72nd.Court"; not
        # "250 FT.NURSES STATION").
        join = r"(?:[ ]|(?<=[a-z])\.(?=[A-Z])|\u00b7)"  # or a speck's middle dot: "THOMPSON·PIKE"
        # A speck may read as a middle dot for the space after a house number of three
        # digits or more ("8926·Garrison"; not "6·Minute Walk").
        head = (
            rf"{number}(?:(?<=\d{{3}}),)?(?:[ ]|(?<=\d{{3}})\u00b7)(?:{direction}[ ])?{word}"
            rf"(?:{join}{word}){{0,3}}{join}"
        )
        # A phone number after the address, perhaps after a short label: a letterhead's line
        # ("7148 Church Trace Ph 401 209-7705", "12 Mill Loop T (301) 555-0134").
        phone_next = (
            rf"{SP}(?:[A-Za-z]{{1,5}}\.?:?{SP}{{1,2}})?(?:\+?1[ .\-])?"
            r"\(?\d{3}\)?[ .\-]?\d{3}[ .\-]\d{4}(?!\d)"
        )
        # The town, its state and ZIP code, with no comma before them: "#29 Milan, ME 55250".
        town_next = (
            rf"{SP}(?:[A-Z][a-z]+[ ]){{0,2}}[A-Z][a-z]+,?{SP}+[A-Z]{{2}}\.?,?{SP}+\d{{5}}(?!\d)"
        )
        # The end of a line, cell or clause, or a dash or bar before the city ("Row #26 - Dover").
        ends_clause = (
            rf"(?=[,;]|{SP}*$|{SP}*\f|{SP}{{2}}|{SP}[\-\u2013\u2014|*\u2022\u00b7]{SP}"
            rf"|{phone_next}|{town_next})"
        )
        after_label = label_lookbehind(
            assets.label_list("street_labels"), separator=rf"{SP}*:{SP}*{BAR}"
        )
        labelled = rf"{after_label}\d{{1,6}}[A-Z]?(?:[ ][A-Za-z0-9.#'\-]+){{1,7}}?{ends_clause}"
        # A house number, capitalised words and an apartment or suite number: strong enough
        # without the suffix, which a fax garbles ("707 Vaughn Falis Apt. 428").
        unit_address = (
            rf"{number}[ ]{word}(?:[ ]{word}){{1,3}},?[ ]{_HOME_UNIT}[.:,]{{0,2}}[ ]?#?[ ]?"
            r"[A-Z0-9][A-Z0-9\-]{0,5}(?![A-Za-z0-9])"
        )
        # A street named without its number, after "on": "Walmart Pharmacy on Liberty Drive",
        # "lives on E. Market Circle"; the common suffixes only.
        # Not "Dr", "St" unless a unit or a bracket's end follows: "on Lasix Dr. Lee ..." names
        # a doctor, "on Church St Unit 5" and "(CVS on Quarry St)" a street.
        on_street = (
            rf"(?<=(?<![A-Za-z])[Oo]n[ ])(?:{direction}[ ])?{word}(?:[ ]{word}){{0,2}}[ ]"
            rf"(?:{either_case(s for s in common if s not in ('Dr', 'St'))}\.?(?![A-Za-z])"
            rf"|(?:Dr|DR|St|ST)(?:\.?(?=,?[ ]{unit}\.?[ ]?#?[ ]?[A-Z0-9])|(?=[ ]?[);])))"
        )
        po_box = r"(?<![A-Za-z])(?i:P\.?[ ]?O\.?[ ]?Box|Post[ ]Office[ ]Box)[ ]\d{1,6}(?!\d)"
        # USPS rural and highway contract routes: "RR 1 Box 210", "HC 68 Box 12A".
        rural = (
            r"(?<![A-Za-z])(?:RR|R\.R\.|Rural[ ]Route|RURAL[ ]ROUTE|HC|H\.C\.)[ ]?\d{1,3}"
            r"(?:[ ]\d{1,3})?"  # a digit OCR read twice: "RR 5 5 Box 381"
            r",?[ ](?:Box|BOX)[ ]\d{1,5}[A-Z]?(?![\w])"
        )
        super().__init__(
            supported_entity="STREET_ADDRESS",
            patterns=[
                Pattern("street", rf"{head}{either_case(common)}\.?(?![A-Za-z]){tail}", 0.75),
                Pattern(
                    "street, USPS suffix",
                    rf"{head}{either_case(usps)}\.?(?![A-Za-z]){tail}{ends_clause}",
                    0.6,
                ),
                Pattern("labelled street", labelled, 0.85),
                Pattern("street without its number, after 'on'", on_street, 0.6),
                Pattern("PO box", po_box, 0.75),
                Pattern("rural route", rural, 0.75),
                Pattern("street, garbled suffix, unit", unit_address, 0.6),
            ],
            context=["address", "street", "residence", "lives"],
            name="StreetAddressRecognizer",
            global_regex_flags=CASE_SENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse function words for a street's name, and a clause inside one.

        "0600 To CT via stretcher" is a time and a trip to the scanner, not "To Court";
        "110 PT AT REST" is a heart rate and the state it was taken in.
        """
        # The apartment or suite after the street is no part of its name: "522 Michael Via
        # Apt. 563" ends its name with the suffix "Via".
        words = _WORD.findall(_UNIT_AT_END.sub("", pattern_text))
        if words and words[-1].lower() in _CLAUSE_WORDS and not _HOME_AT_END.search(pattern_text):
            return True  # "2 PRBC Via Unit 3": a route to a unit, not a street called "Via"
        if len(words) > 1 and all(w.lower() in _FUNCTION_WORDS for w in words[:-1]):
            return True
        return any(w.lower() in _CLAUSE_WORDS for w in words[1:-1])
