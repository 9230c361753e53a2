"""City names in address lines: "Springfield, IL 62704", "SAINT LOUIS, MO 63110"."""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex as re
from presidio_analyzer import Pattern, PatternRecognizer, RecognizerResult

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.patterns import (
    ADDRESS_GAP,
    BAR,
    CASE_SENSITIVE,
    CLAUSE_END,
    NOISY_STATE,
    NOISY_ZIP,
    SP,
    alternation,
    either_case,
    label_lookbehind,
)

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpArtifacts

_WORD = re.compile(r"[A-Za-z]+")


def state_regex(assets: DeidAssets) -> str:
    """US state and territory codes (upper case) or names (Title or UPPER case)."""
    states: dict[str, str] = assets.labels["us_states"]
    return rf"(?:{alternation(states)}|{either_case(states.values())})"


# State codes that are no credential, care unit, word or common abbreviation too (not MD,
# PA, ME, OR, IN, OK, HI, CO, LA, MA, MS, CT, ID, DC, MO, NE, PR, GU, AS).
_PROSE_STATES = (
    "AL AK AZ AR CA DE FL GA IL IA KS KY MI MN MT NV NH NJ NM NY NC ND OH RI SC SD TN TX UT VT "
    "VA WA WV WI WY".split()
)


class CityRecognizer(PatternRecognizer):
    """Recognize the city before ", ST 12345" or after "City:"; the state is not PHI."""

    SCORE = 0.85
    NOISY_SCORE = 0.6

    def __init__(self, assets: DeidAssets) -> None:
        # Full street suffixes cannot be city words, so "Oak Street Springfield, IL" gives
        # "Springfield", not the whole line.
        street_words = [w for w in assets.label_list("street_suffixes") if len(w) > 3]
        not_street = rf"(?!{either_case(street_words)}(?![A-Za-z]))"
        word = rf"{not_street}(?:[A-Z][a-z]+|[A-Z]{{2,}}|St\.|ST\.|Ft\.|FT\.|Mt\.|MT\.)"
        # Words are joined by a space or hyphen, or by the dot OCR reads for a space before a
        # capital ("Lake.Casey, FL").
        join = r"(?:[ \-]|\.(?=[A-Z]))"
        city = rf"(?<![A-Za-z]){word}(?:{join}{word}){{0,2}}"
        # Before ", ST 12345" the context is strong enough to allow a later word that OCR
        # turned lower-case ("South lan" for "South Ian").
        # Not a preposition, though: "HARRISON in Springfield, IL" is a person in a city.
        joining = r"(?!(?:in|at|of|to|on|and|the|for|from|with|near|by)(?![a-z]))"
        loose_word = rf"(?:{word}|{not_street}{joining}[a-z]{{2,}})"
        loose_city = rf"(?<![A-Za-z]){word}(?:{join}{loose_word}){{0,2}}"
        zip_follows = rf"(?={ADDRESS_GAP}{state_regex(assets)}\.?,?{SP}+\d{{5}}(?:-\d{{4}})?(?!\d))"
        # A faxed page garbles the state ("RE", "fN") or a ZIP digit ("SC692?"); the comma
        # straight after the city and a ZIP-shaped token are then the cue.
        noisy_zip_follows = rf"(?=,{SP}*(?:\n{SP}*)?{NOISY_STATE}\.?,?{SP}+{NOISY_ZIP})"
        after_label = label_lookbehind(
            assets.label_list("city_labels"), separator=rf"{SP}*:{SP}*{BAR}"
        )
        alone_state = rf",{SP}?{alternation(assets.labels['us_states'])}\.?{SP}*$"
        # The last word of a facility's name or of a street: the line above a town's.
        letterhead = either_case(
            [
                w.split()[-1]
                for w in assets.label_list("facility_suffixes")
                + assets.label_list("facility_tails")
                + assets.label_list("street_suffixes")
            ]
        )
        ends_cell = rf"(?=,|{SP}*$|{SP}*\f|{SP}{{2}}|{SP}+(?i:state|zip)(?![A-Za-z]))"
        # Right after a street address and its comma (or its bar or bullet, before the state
        # and ZIP), any word is the city, a clinical one too ("2 Elm St, Normal, IL 61761",
        # "4 Oak Ave | NORMAL IL 61761"): the invalidation below does not apply to these.
        # A dash may part the street from its town as a comma does ("12 Elm Blvd - Normal IL
        # 61761"), and OCR may read the comma after the town as a semicolon ("Hope; AR").
        # Those two only before a ZIP code: not "Wt 80 kg - Stable, MD aware".
        self._after_street = re.compile(
            rf"(?<=\d{{1,6}}[ ][A-Za-z0-9 .#'\-]{{2,40}},[ ]){city}"
            rf"(?:{zip_follows}|(?=,[ ]{state_regex(assets)}(?![A-Za-z]))"
            rf"|(?=;{SP}{state_regex(assets)}\.?,?{SP}+{NOISY_ZIP}))"
            rf"|(?<=\d{{1,6}}[ ][A-Za-z0-9 .#'\-]{{2,40}}[ ][\-\u2013][ ]){city}{zip_follows}"
            # On the line under the street (perhaps with its phone), before its state and
            # ZIP: "NORMAL, IL 61761".
            rf"|(?<=\d{{1,6}}[ ][A-Za-z0-9 .#'()\-]{{2,60}}\n{SP}*){city}(?=,){zip_follows}"
            # After a bar or a bullet, only before its state and ZIP: not "Na 140 | Normal".
            rf"|(?<=\d{{1,6}}[ ][A-Za-z0-9 .#'\-]{{2,40}}[ ][|\u2022\u00b7][ ]){city}{zip_follows}"
        )
        # A card's address block read across its columns: under the street, one line holds
        # the town with its comma, the state and the ZIP among the card's other fields
        # ("33627 WALNUT GREEN" / "SEX HOPE, DOB M 06/08/1924 AR HGT 71846-8692").
        # The street ends with a USPS suffix, perhaps before its unit: not a note's timed
        # line ("0400 Turned and repositioned"). The same street leads "ORANGE. NJ07011" below.
        usps = either_case(sorted(assets.street_suffixes))
        street = rf"\d{{1,6}}[ ][A-Za-z0-9 .'\-]{{1,40}}[ ]{usps}\.?"
        self._card_line = re.compile(
            rf"(?m)(?<=^[ \t]*{street}"
            rf"(?:[ ](?:{either_case(assets.label_list('unit_designators'))}|\#)\.?[ ]?\#?"
            r"[A-Z0-9\-]{1,6})?"
            r"[ \t]*\n)[^\n]+$"
        )
        self._card_state = re.compile(
            rf"(?<![A-Za-z]){alternation(assets.labels['us_states'])}(?![A-Za-z])"
        )
        self._card_zip = re.compile(r"(?<![\d\-/])\d{5}(?:-\d{4})?(?![\d\-/])")
        self._card_town = re.compile(r"(?<![A-Za-z])(?:[A-Z][a-z]+|[A-Z]{2,})(?=,)")
        state_names = either_case(assets.labels["us_states"].values())
        super().__init__(
            supported_entity="CITY",
            patterns=[
                Pattern("city, ST zip", loose_city + zip_follows, self.SCORE),
                Pattern("labelled city", after_label + city + ends_cell, self.SCORE),
                Pattern("city, garbled ST zip", loose_city + noisy_zip_follows, self.NOISY_SCORE),
                # A fax's dot for the comma, the state's code perhaps run into its ZIP, after
                # its street on the line: "467 Reisterstown Drive ORANGE. NJ07011", "89 Kenwood
                # Road. Orange. NJ 07083"; not "Brain. CT 70450", "VA Lic. MD03261".
                Pattern(
                    "city. STzip",
                    rf"(?<={street},?[ ])"
                    + city
                    + rf"(?=[.,]{SP}?{alternation(assets.labels['us_states'])}{SP}?"
                    r"\d{5}(?:-\d{4})?(?![\d\-]))",
                    self.NOISY_SCORE,
                ),
                # A town and its state in prose, after "from", "in" or "near", ending its
                # clause: "from Economy, DE.", "lives in Reading, PA;". Not a state's code
                # that is a credential, a unit or a word too ("Smith, MD", "in Bed, OR").
                Pattern(
                    "in Town, ST",
                    r"(?<=(?<![A-Za-z])(?:[Ii]n|[Nn]ear|[Ff]rom)[ ])"
                    + city
                    + rf"(?=,[ ](?:{alternation(_PROSE_STATES)}|{state_names})"
                    rf"\.?{CLAUSE_END})",
                    self.NOISY_SCORE,
                ),
                # A saint's or a fort's town in prose: "lives in Saint Cloud", "near Fort Wayne".
                Pattern(
                    "in Saint Town",
                    r"(?<=(?<![A-Za-z])(?:in|near|from)[ ])"
                    r"(?:Saint|St\.|Fort|Ft\.|Mount|Mt\.|San|Santa|Los|Las)[ ][A-Z][a-z]+"
                    # ending its clause: not "in St. Johns Wort form"
                    rf"(?={CLAUSE_END}|[ ]+(?:with|who|and|to|for|where)(?![A-Za-z]))",
                    self.NOISY_SCORE,
                ),
                # A letterhead's line of a town and its state and nothing else, under the
                # facility's name or its street: "Mercy Hospital" / "Flint, MI". Not a line
                # of a word and an abbreviation ("Hep Lock, DC", "Ruiz, MD").
                Pattern(
                    "city, ST under a letterhead",
                    rf"(?m)(?<={letterhead}\.?{SP}*\n{SP}*)^{city}(?={alone_state})",
                    self.SCORE,
                ),
            ],
            name="CityRecognizer",
            global_regex_flags=CASE_SENSITIVE,
        )
        self.words = assets.words

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse "cities" made only of form or clinical words ("Male" above "FL 36734")."""
        words = [w for w in _WORD.findall(pattern_text) if len(w) > 1]
        return not words or all(self.words.is_clinical(w) for w in words)

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """The patterns, and the city after a street address whatever its words."""
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        taken = {(r.start, r.end) for r in results}
        for m in self._after_street.finditer(text):
            if m.span() not in taken:
                results.append(RecognizerResult("CITY", m.start(), m.end(), self.SCORE))
        for line in self._card_line.finditer(text):
            body = line.group()
            if not (self._card_state.search(body) and self._card_zip.search(body)):
                continue
            for m in self._card_town.finditer(text, line.start(), line.end()):
                word = m.group()
                if word.lower() not in self.words.field_words and not self.words.is_clinical(word):
                    results.append(RecognizerResult("CITY", m.start(), m.end(), self.NOISY_SCORE))
        return results
