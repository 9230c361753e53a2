"""Facility names: "RIVERSIDE MEDICAL CENTER", "St. Mary's Hospital", "Lakeside Family Practice"."""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate
from typing import TYPE_CHECKING

import regex as re
from presidio_analyzer import Pattern, RecognizerResult

from pipeline.deid.assets import DeidAssets
from pipeline.deid.net import PLACE_OPENERS
from pipeline.deid.recognizers.name_base import NameRecognizer
from pipeline.deid.recognizers.patterns import either_case, label_lookbehind

if TYPE_CHECKING:
    from presidio_analyzer.nlp_engine import NlpArtifacts

_STORE = re.compile(r"#[ ]?\d")
_ADDRESS_NEXT = re.compile(r",?[ ]\d{1,6}[ ][A-Z]")
_ACRONYM = re.compile(r"[A-Z]{2,5}")
# A kind of practice that is also a hospital's department or a lab's ends the name: "Piedmont
# Pulmonary Medicine", "Division of Infectious Diseases", "Molecular Diagnostics"; only a
# name before it makes it a practice.
_DEPARTMENT_KIND = re.compile(
    r"[ ](?:[A-Za-z]+[ ](?:Medicine|MEDICINE)|(?i:infectious[ ]diseases?|diagnostics))$"
)
_JOINERS = frozenset({"of", "the", "and"})
# Facility words that are plain or clinical words too: a place only after a word that names
# it, a name or one no list holds ("Okemos Dialysis", "Hagerstown Wing", "The Bond Home"; not
# "Peritoneal Dialysis", "Emergent Dialysis", "Chicken Wing", "Room 412 West Wing", "Go Home").
_TERM_HEADS = frozenset({"dialysis", "wing", "home", "senior center"})
# Words that make a kind of home, not its name.
_KINDS_OF_HOME = frozenset(
    "foster mobile group own private family boarding halfway residential funeral van "
    "daughter son sister brother mother father parents".split()
)
_DIRECTIONS = frozenset({"north", "south", "east", "west", "upper", "lower", "main", "new", "old"})
# Number words (function words in spaCy's list) that open place names: "Three Rivers".
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten twelve".split())
_WORD_BEFORE = re.compile(r"([A-Za-z]+)[ ]$")
_FIRST_WORD = re.compile(r"([A-Za-z]+)[ ]+(?=\S)")
# A building's word that is a surname too: "Genesis Hall" is a place, "Tyler Hall" and
# "Amrita R. Hall" are people.
_SURNAME_BUILDING = re.compile(r"[ ](?:Hall|HALL)$")
# A capitalised word, then a mark a speck made before the next capitalised word.
_WORD_AND_SPECK = re.compile(r"(?<![A-Za-z.])([A-Z][a-z]{2,})\.(?=[ ][A-Z])")
_INITIAL = re.compile(r"(?<![A-Za-z])[A-Z]\.(?=[ ])")


class FacilityRecognizer(NameRecognizer):
    """Recognize capitalised words ending in a facility word (Hospital, Clinic, ...).

    A match whose leading words are all clinical or form words ("Mental Health", "Brief
    Hospital") is refused, while ordinary words name facilities ("Harbor Pavilion"); leading
    clinical words ("DISCHARGE SUMMARY") are trimmed off, ordinary ones kept, as they often
    open a name ("South Shore Hospital").
    """

    SCORE = 0.8

    def __init__(self, assets: DeidAssets) -> None:
        suffixes = assets.label_list("facility_suffixes")
        suffix = either_case(suffixes)
        # What may follow a facility word and still be the name: "Laredo Nephrology Group".
        tail = either_case(assets.label_list("facility_tails"))
        # A name's word may hold a second capital ("McCall", "DeLuca") or a hyphen in capitals
        # ("TRI-COUNTY").
        word = (
            r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:'s)?|[A-Z]{2,}(?:'S)?|St\.|ST\.|Mt\.|MT\.|[A-Z]\."
            r"|St,(?=[ ][A-Z])"  # "St. Joseph" with its dot read as a comma
            r"|[A-Z][a-z]+-[A-Z][a-z]+|[A-Z]{2,}-[A-Z]{2,})"
        )
        # What ends a facility's name: its facility word or a tail.
        complete = either_case(
            {label.split()[-1] for label in [*suffixes, *assets.label_list("facility_tails")]}
        )
        # "ot": OCR's "of"; after a facility word "and" may open the next line ("Summit
        # Rehabilitation" / "and Nursing Center"; not "Mrs. Rose" / "and Cancer Center staff").
        joiner = (
            rf"(?:[ ](?:of|ot|the|and|OF|THE|AND|&)"
            rf"|(?<=(?<![A-Za-z]){complete})\n(?:and|AND|&))?"
        )
        # "Brief Hospital Course" is a heading, not a facility.
        # Nor, after "Health", is "Protected Health Information" or "Health Maintenance".
        # (Only there: "Westside Health System Admission Face Sheet" names its facility.)
        # But a form's title names its facility: "Cedar Creek General Hospital Admission
        # Face Sheet".
        not_heading = (
            r"(?!(?<=(?i:hospital))[ ](?i:course|stay"
            r"|admission(?![ ](?i:face|record|form|sheet|packet)))(?![A-Za-z]))"
            r"(?!(?<=(?i:health))[ ](?i:information|insurance|records?|history|status"
            r"|maintenance|screening|questionnaire|portal|plan|proxy|literacy)(?![A-Za-z]))"
        )
        # A store's number: "CVS Pharmacy #18084".
        store = r"(?:[ ]?#[ ]?\d{1,6}(?!\d))?"
        # Partners' names are listed with commas: "Mai, Adams and Associates". The facility
        # word may open the next line, as prose wraps: "Adelusi Heart" / "Institute OR 3";
        # not after a line that is a facility's name already: "... Medicine Clinic" /
        # "Pharmacy Services" is a department under it. So may the rest of the name after
        # its first words, in Title case where prose ends the line with them: "admission to
        # Warren" / "General Hospital", "at Saint Mary" / "Regional Hospital", "from
        # Tri-County" / "Medical Center" (not a list's line: "Lock, DC" / "Repeat Labs"; not
        # "the RLQ" / "St. Joseph Hospital").
        wrap = rf"(?<!(?<![A-Za-z]){complete})\n(?=[A-Z])"
        first_wrapped = (
            r"(?:(?<=(?<![A-Za-z])[a-z]{2,}[ ])[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
            r"(?:[ ][A-Z][a-z]+){0,2}\n(?=[A-Z]))?"
        )
        # An ambulance or fire unit by its apparatus and number: "Harford County Fire Medic 52",
        # "Elk Ridge FD Engine 7"; a hospital's building by its tower: "Blue Ridge Tower 5".
        apparatus = (
            either_case(assets.label_list("facility_units")) + r"[ ]?\d{1,3}(?!\d)"
            r"(?![ ]*(?i:puffs?|inhalations?|mg|mcg|units?|ml|tabs?|doses?|x|times"
            r"|min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|d|w(?:ee)?ks?|months?|mos?|y(?:ea)?rs?)"
            r"(?![A-Za-z]))"
        )  # not an inhaler's dose, "Xopenex Rescue 2 puffs", nor "Pickup Truck 2 weeks ago"
        # A firm's word after a facility word may open the next line, ending it or before a
        # function word: "Schuster Gastroenterology" / "Group on May 23"; not "Group B Strep".
        firm = either_case(
            ["Group", "Partners", "Associates", "PLLC", "LLC", "Inc", "Center", "Centre"]
        )
        # What the place is for, capitalised as its name: "Florence Center for
        # Rehabilitation and Healing", "Lakeside Center for Sleep Medicine".
        purpose = r"(?:[ ]for[ ][A-Z][a-z]+(?:[ ](?:(?:and|&)[ ])?[A-Z][a-z]+)?)?"
        after_suffix = (
            rf"(?:[ ]{tail}|\n{firm}(?=[ ]*(?:$|\n|[,.;][ \n]|[ ](?:on|at|in|of|for|and|to|with)"
            rf"(?![A-Za-z]))))?{purpose}"
        )
        pattern = (
            rf"(?<![A-Za-z]){first_wrapped}{word}(?:,?{joiner}[ ]{word}){{0,4}}"
            rf"{joiner}(?:[ ]|{wrap})"
            rf"(?:{apparatus}|{suffix}{after_suffix}|{tail}{purpose})(?![A-Za-z])"
            + not_heading
            + store
        )
        self._name = re.compile(pattern)
        self._apparatus = re.compile(rf"[ ]{apparatus}$")
        # Before its street address any name is a place, of clinical words too: "CVS Pharmacy,
        # 12 Oak Street", "Wound Care Center on Elm Road".
        street = (
            r"(?:[A-Z][a-z]+[ ]){1,3}"
            + either_case(assets.label_list("street_suffixes"))
            + r"\.?(?![A-Za-z])"
        )
        # A branch's street after its name: ", 83 Mill Pike", " on Cedar Road".
        self._address_next = re.compile(
            rf"{_ADDRESS_NEXT.pattern}|[ ]on[ ](?:[NSEW]\.?[ ])?{street}"
        )
        self._before_address = re.compile(
            rf"(?<![A-Za-z]){word}(?:[ ](?:&[ ])?{word}){{0,3}}[ ]{suffix}"
            rf"(?=,?[ ]\d{{1,6}}[ ]{street}|[ ]on[ ](?:[NSEW]\.?[ ])?{street})"
        )
        # After a label that names a place ("Pharmacy:", "Facility:"), its capitalised words
        # are that place, ordinary words too: "Preferred pharmacy: Rite Aid #3552 on Elm St".
        value_word = r"(?:(?![A-Za-z'’\-]+:)[A-Z][A-Za-z'’\-]*|&)"  # not "Phone:", the next label
        self._after_label = re.compile(
            label_lookbehind(assets.label_list("facility_labels"), separator=r"[ \t]*:[ \t]*")
            + rf"{value_word}(?:[ ](?:(?:of|the|and|at)[ ])?{value_word}){{0,5}}(?<!&){store}"
        )
        # "Nursing Home" is a kind of facility; "Home" alone is a term head.
        self._suffix_phrases = {label.lower() for label in suffixes}
        self._suffix_words = {
            w.lower() for s in [*suffixes, *assets.label_list("facility_tails")] for w in s.split()
        }
        self._credentialed = re.compile(
            rf"(?<![A-Za-z]){either_case(assets.label_list('credentials'))}\.?[ \t]*\n"
        )
        self._named_place = re.compile(r"[ ](?:Center|CENTER|Centre|Clinic|CLINIC|Institute)$")
        # A building's word may open the next line after its name ("Knight" / "Pavilion"); a
        # specialty there is a department's heading ("Dr. Young" / "Cardiology in 2 weeks").
        # So may a facility's words of two that end as a building's ("Mercy" / "Medical
        # Center"); not a heading's ("NKDA" / "PRIMARY CARE PROVIDER").
        buildings = ["Hospital", "Center", "Centre", "Clinic", "Pavilion", "Manor"]
        building = either_case(
            buildings + [s for s in suffixes if " " in s and s.split()[-1] in buildings]
        )
        self._has_suffix = re.compile(rf"(?:[ ]{suffix}|\n{building}){after_suffix}$")
        # The clinical words we chose ourselves (not the generated lists, which hold
        # "harbor" and "park" from ICD-10's places of occurrence).
        self._curated = assets.safe_words.curated
        self._note_verbs = frozenset(w.lower() for w in assets.label_list("note_verbs"))
        self._safe = assets.safe_words
        super().__init__(
            supported_entity="FACILITY",
            patterns=[Pattern("name + facility word", pattern, self.SCORE)],
            words=assets.words,
            name="FacilityRecognizer",
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse a match of plain words, or of ordinary words before a bare "Group".

        A facility word ("Clinic", "Nephrology") ends a name after ordinary words ("Harbor
        Clinic"); a word that only follows one ("Group", "Partners") needs a word no
        dictionary holds or a known name ("Laredo Nephrology Group", "Miller Lung Center";
        not "Age Group" under a form's labels),
        or three words or more, none a form's label, opening with one we did not choose as a
        clinical term.
        """
        if _STORE.search(pattern_text):
            return False  # a branch's number makes a place of any name ("CVS Pharmacy #18084")
        if "\n" in pattern_text and self._credentialed.search(pattern_text):
            return True  # a signature, then its department: "Ana Ruiz, MD" / "Internal Medicine"
        if super().invalidate_result(pattern_text):
            return True
        first = _FIRST_WORD.match(pattern_text)
        if first is not None and self._is_verb(first.group(1)):
            # What follows the verb must name a place alone: not "Consulted" / "Orthopedic
            # Surgery".
            return self.invalidate_result(pattern_text[first.end() :])
        kind = _DEPARTMENT_KIND.search(pattern_text)
        before_kind = super().name_words(pattern_text)[: -len(kind.group().split())] if kind else []
        if (
            kind is not None
            and all(self._ordinary(w) for w in before_kind)
            and (
                len([w for w in before_kind if w.lower() not in _JOINERS]) <= 1
                or any(self.is_plain_word(w) for w in before_kind)
            )
        ):
            # A department: "Division of Pulmonary Medicine", "General Internal Medicine";
            # not "Piedmont ...", nor two words of a place, "Maple Grove Internal Medicine".
            return True
        if _SURNAME_BUILDING.search(pattern_text):
            words = self.name_words(pattern_text)
            if (
                _INITIAL.search(pattern_text)
                or any(self.words.is_name(w) for w in words)
                or all(self._ordinary(w) for w in words)
            ):
                return True  # a person, or a hall of ordinary words: "Residence Hall"
        every = super().name_words(pattern_text)
        last_two = " ".join(every[-2:]).lower()
        if every and (
            (every[-1].lower() in _TERM_HEADS and last_two not in self._suffix_phrases)
            or last_two in _TERM_HEADS
        ):
            before = [
                w
                for w in self.name_words(pattern_text)
                if w.lower() not in _DIRECTIONS and w.lower() not in self._safe.stop
            ]
            if any(w.lower().removesuffix("'s") in _KINDS_OF_HOME for w in before):
                return True  # "Foster Home", "Mobile Home", "Daughter's Home"
            return not any(
                self._safe.could_be_name(w) or not self._safe.is_safe(w) for w in before
            ) or any(w.lower() in self._safe.clinical for w in before)
        if self._has_suffix.search(pattern_text):
            return False
        if self._apparatus.search(pattern_text) and not all(
            self.is_plain_word(w) for w in self.name_words(pattern_text)
        ):
            return False  # a unit by its number makes a place of any name: "Washington County"
        words = self.name_words(pattern_text)
        every = [w for w in super().name_words(pattern_text) if w.lower() not in _JOINERS]
        fields = [w for w in words if w.lower() in self.words.field_words]
        long = len(words) >= 3 or len(every) >= 4
        opens = bool(words) and (
            words[0].lower() not in self._curated
            or words[0].lower() in PLACE_OPENERS
            or (  # "Three Rivers Diabetes & Thyroid Center"; not "Four Wound Care Center"
                words[0].lower() in _NUMBER_WORDS
                and len(words) > 1
                and not self.words.is_common(words[1])
                and words[1].lower() not in self._curated
            )
        )  # "Upper Valley Pulmonary Medicine Group"
        if long and opens and not fields:
            # "Summit Diabetes & Thyroid Center", "Harbor Pulmonary Medicine Group": a name,
            # not a row of form labels ("Surname Given Name Age Group").
            return False
        # A known name opens a center, clinic or institute: "Baker Lung Center"; not a
        # disease's eponym ("Graves Disease Center"), and "Age Group" holds none.
        named = self._named_place.search(pattern_text) is not None and any(
            self.words.is_name(w) and w.lower() not in self._safe.clinical for w in words[:1]
        )
        return not named and all(self._safe.is_safe(w) for w in words)

    def _ordinary(self, word: str) -> bool:
        """A word a list holds that no name is: "Division", "Residence"; not "Riverside"."""
        return self._safe.is_safe(word) and not self._safe.could_be_name(word)

    def is_plain_word(self, word: str) -> bool:
        """True for clinical and form words, which alone make no facility ("Mental Health").

        Ordinary words do: "Harbor Pavilion".
        """
        w = word.lower()
        return (w in self._curated or self.words.is_clinical(word)) and not self.words.is_name(word)

    def is_trimmable(self, word: str) -> bool:
        """Only clinical and form words are cut off the start of a facility name.

        Not the first word of a saint's or a place's name ("St", "Mt", "Upper", "North",
        ``net.PLACE_OPENERS``); function words are.
        """
        if word.lower() in PLACE_OPENERS:
            return False  # "St. Anne Health", "Upper Valley Regional Medical Center"
        if word.lower() in self._safe.stop:
            return True  # a sentence's first word: "Per Ogbuehi Volunteer Fire Company"
        if self._is_verb(word):
            return True  # a note's verb: "Called Harbor Cardiology"
        if word.lower() not in self._curated and word.lower() in self._safe.dictionary:
            # An ordinary word the generated lists hold too opens a place's name: "Hillside"
            # (ICD-10's places of occurrence), "Harbor".
            return False
        return self.words.is_clinical(word) and not self.words.is_name(word)

    def _is_verb(self, word: str) -> bool:
        """A note's verb that opens a sentence: "Consulted Cardiology", "Awaiting Neurology"."""
        return word.lower() in self._note_verbs

    def analyze(
        self,
        text: str,
        entities: list[str],
        nlp_artifacts: NlpArtifacts | None = None,
        regex_flags: int | None = None,
    ) -> list[RecognizerResult]:
        """The names found, those before their street address too, and number words opening them.

        A number word opens a name ("Three Rivers") only before a word that is no common or
        clinical word: "Four Wound Care Center visits" counts.
        """
        results = super().analyze(text, entities, nlp_artifacts, regex_flags)
        for result in results:
            # A list of places by commas ("Church Gardens Healthcare Center, Lunder Manor
            # Nursing & Rehab"): the match that took the list's start may end before its next
            # name does.
            for comma in re.finditer(r",[ ]", text[result.start : result.end]):
                m = self._name.match(text, result.start + comma.end())
                if m is not None and m.end() > result.end and not self.invalidate_result(m.group()):
                    result.end = m.end()
        results += self._across_a_speck(text)
        found = sorted((r.start, r.end) for r in results)
        starts = [a for a, _ in found]
        reach = list(accumulate((b for _, b in found), max, initial=0))  # furthest end so far
        for m in self._before_address.finditer(text):
            # No result that starts before this one ends reaches into it.
            if reach[bisect_left(starts, m.end())] <= m.start():
                results.append(RecognizerResult("FACILITY", m.start(), m.end(), self.SCORE))
        for m in self._after_label.finditer(text):
            words = [w for w in re.findall(r"[A-Za-z]+", m.group()) if w.lower() not in _JOINERS]
            # A branch: its store number, its street after it, or a word no list holds.
            # Not "Employer: Self Employed", "Pharmacy: Mail Order", "Facility: Main Campus".
            located = self._address_next.match(text, m.end()) is not None
            branch = (
                located
                or _STORE.search(m.group()) is not None
                or any(not self._safe.is_safe(w) for w in words)
            )
            # A street after initials makes them a place: "CVS, 83 Mill Pike"; not
            # "Emergency Department, 2 East".
            initials = located and _ACRONYM.fullmatch(m.group()) is not None
            if branch and (
                initials
                # A chain's initials and its store's number: "PHARMACY: CVS #5641"; not "Room
                # #12", "Refill #2".
                or (
                    _STORE.search(m.group()) is not None
                    and any(_ACRONYM.fullmatch(w) for w in words)
                )
                or not all(w.lower() in self._safe.stop or self.is_plain_word(w) for w in words)
            ):
                results.append(RecognizerResult("FACILITY", m.start(), m.end(), self.SCORE))
        for result in results:
            before = _WORD_BEFORE.search(text, max(0, result.start - 8), result.start)
            first = re.match(r"[A-Za-z]+", text[result.start : result.end])
            if (
                before is not None
                and before.group(1).lower() in _NUMBER_WORDS
                and before.group(1)[0].isupper()
                and first is not None
                and not self.words.is_common(first.group())
                and first.group().lower() not in self._curated
            ):
                result.start = before.start()
            elif text.startswith("The ", max(0, result.start - 4)) and result.start >= 4:
                result.start -= 4  # the name's own article: "from The Bond Home"
        return results

    def _across_a_speck(self, text: str) -> list[RecognizerResult]:
        """Names whose first word a speck read as a full stop parts from the rest.

        "at Riverside. Regional Medical Center", "to Bigelow. Pavilion": the name, read as if
        the mark were a space, where the first word is no clinical, form or calendar word
        ("Abdomen. Memorial Hospital", "Dermatology. Consulted ..." end sentences).
        """
        found = []
        for m in _WORD_AND_SPECK.finditer(text):
            first = m.group(1).lower()
            if self.is_plain_word(first) or first in self._safe.stop or first in self._suffix_words:
                continue  # a sentence's end: "at Advanced Dermatology. Consulted Cardiology"
            if self._ordinary(first):
                continue  # a word, not a place's: "Self Employed. Pharmacy: Mail Order"
            dot = m.end(1)
            line_end = text.find("\n", dot)
            rest = text[dot + 1 : line_end if line_end >= 0 else len(text)]
            name = self._name.match(m.group(1) + rest)
            # The name read so ends one character later in the text, past the mark.
            if (
                name is None
                or name.end() <= len(m.group(1)) + 1
                or text.startswith(":", m.start() + name.end() + 1)  # a label: "Pharmacy:"
            ):
                continue
            if self.invalidate_result(name.group()):
                continue
            found.append(
                RecognizerResult("FACILITY", m.start(), m.start() + name.end() + 1, self.SCORE)
            )
        return found

    def name_words(self, text: str) -> list[str]:
        """The words before the facility word: the part that names the facility."""
        words = super().name_words(text)
        while words and words[-1].lower() in self._suffix_words:
            words.pop()
        return [w for w in words if w.lower() not in _JOINERS]
