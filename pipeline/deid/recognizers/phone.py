"""US phone and fax numbers: "(217) 555-0100", "217-555-0100", "217.555.0100", "Fax:2175550101"."""

from __future__ import annotations

from presidio_analyzer import Pattern, PatternRecognizer

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.patterns import BAR, CASE_INSENSITIVE, SP, label_lookbehind


class ChartPhoneRecognizer(PatternRecognizer):
    """Recognize North American phone numbers by shape; bare digit runs need a label.

    Written here instead of reusing presidio's (python-phonenumbers) recognizer because that
    one also accepts bare 7-digit runs, which on a chart are MRNs and accession numbers.
    """

    def __init__(self, assets: DeidAssets) -> None:
        country = r"(?:\+?1[ .\-]?)?"
        # Not inside a number or a date; a sentence's full stop OCR ran into it is no part of
        # one ("within 1 week.870.589.1199").
        left = r"(?:(?<![\d\-./])|(?<=[a-z]\.))"
        right = r"(?![\d\-]|\.\d)"
        after_label = label_lookbehind(
            assets.label_list("phone_labels"), separator=rf"{SP}*[:#.]?{SP}*{BAR}"
        )
        # A digit or a letter OCR reads for one; a gap of one or two separators.
        d = r"[0-9OoIlSB@i]"
        # A fax turns a dot into a comma ("422,209,7514"): commas count as separators here.
        gap = r"(?:[ .,\-]|[.,\-][ ])"
        # After a phone label, a speck may stand in for or beside a separator ("791> 708").
        noisy_gap = r"(?:[^\w\s]{1,2}[ ]?|[ ])"
        # A dot left over from "F:." before the number ("F:.805.894,0118") is no decimal point.
        noisy_left = r"(?<![\d\-/])(?<!\d\.)"
        noisy_label = label_lookbehind(
            assets.label_list("phone_labels"), separator=rf"{SP}*[^\w\s]{{0,2}}{SP}*{BAR}"
        )
        patterns = [
            Pattern(
                "(NPA) NXX-XXXX",
                # A speck may leave a dot after the bracket: "(267).329-1586"; a fax may read
                # the hyphen as a colon ("(597) 389:9840") or a middle dot ("(586) 201·6241").
                rf"{left}{country}\(\d{{3}}\){SP}?[.,]?{SP}?\d{{3}}[ .:\-\u00b7]?\d{{4}}{right}",
                0.75,
            ),
            Pattern("NPA-NXX-XXXX", rf"{left}{country}\d{{3}}([.\-])\d{{3}}\1\d{{4}}{right}", 0.65),
            # A space OCR put inside the last four digits: "(843) 898-61 89", "843-898-618 9".
            Pattern(
                "NPA NXX-XX XX",
                rf"{left}{country}(?:\(\d{{3}}\){SP}?|\d{{3}}[.\-])\d{{3}}[.\-]"
                rf"(?=\d{{1,3}}[ ]\d)(?:\d[ ]\d{{3}}|\d{{2}}[ ]\d{{2}}|\d{{3}}[ ]\d){right}",
                0.6,
            ),
            Pattern("NPA NXX XXXX", rf"{left}{country}\d{{3}} \d{{3}} \d{{4}}{right}", 0.4),
            # A dot, then a space for the second: "740.601 7358", as a fax reads a letterhead;
            # weak alone ("UOP 240.360 1145" is a flowsheet's), a phone word near makes it.
            Pattern(
                "NPA.NXX XXXX", rf"{left}{country}[2-9]\d{{2}}\.[2-9]\d{{2}}[ ]\d{{4}}{right}", 0.3
            ),
            # A space after the area code, as notes write it: "301 944-5032".
            Pattern(
                "NPA NXX-XXXX", rf"{left}{country}\d{{3}} \d{{3}}[.\-\u00b7]\d{{4}}{right}", 0.6
            ),
            # A fax's colon for the area code's hyphen: "937:441-5602" (no time nor range).
            Pattern("NPA:NXX-XXXX", rf"{left}{country}\d{{3}}:\d{{3}}-\d{{4}}{right}", 0.6),
            # A fax's mark before that space or for the hyphen ("209. 206-6180", "541
            # 555:5346"). Not a value and its range ("IgG 850. 700-1600 mg/dL"): a range's
            # bound ends in "00", and a unit may follow.
            Pattern(
                "NPA. NXX-XXXX",
                rf"{left}{country}\d{{3}}(?:[.,:][ ]\d{{3}}[.:\-]|[ ]\d{{3}}:)(?!\d\d00)\d{{4}}"
                rf"{right}(?![ ]?[A-Za-z%/])",
                0.6,
            ),
            # A number OCR ran into the sentence before it, its last separator perhaps read as
            # a colon: "within 1 week.870.589:1199". Not a value and a time in a flowsheet
            # ("UOP 240.360:1145").
            Pattern(
                "sentence.NPA.NXX:XXXX",
                rf"(?<=[a-z]{{2}}\.)\d{{3}}([.\-])\d{{3}}(?:\1|:)\d{{4}}{right}",
                0.6,
            ),
            # A space OCR put beside the hyphen: "719 534- 4023", "719-534 -4023",
            # "(570) 908- 3808".
            Pattern(
                "NPA NXX- XXXX",
                rf"{left}{country}(?:\d{{3}}[ .\-]{{1,2}}|\(\d{{3}}\){SP}?)\d{{3}}"
                rf"(?:[ ][.\-]|[.\-][ ])['‘’`]?"
                rf"\d{{4}}{right}",
                0.5,
            ),
            Pattern("labelled digits", rf"{after_label}{country}\d{{10}}{right}", 0.8),
            Pattern("labelled local", rf"{after_label}\d{{3}}[.\-]\d{{4}}{right}", 0.7),
            # A faxed page: separators mixed or doubled ("739-366 0307", "5i1- 0314") and
            # digits read as look-alike letters ("@79.827-8580"). Labelled, any of these;
            # unlabelled, only one with a look-alike letter in it: clean digits with mixed
            # separators ("555-123.4567") stay refused. A comma among the separators counts as
            # damage too: a count grouped by commas never ends in four digits. At most three
            # letters in all.
            Pattern(
                "labelled, OCR-damaged",
                rf"{noisy_label}(?:\(?{d}{{3}}\)?{noisy_gap})?{d}{{3}}{noisy_gap}{d}{{4}}{right}",
                0.7,
            ),
            Pattern(
                "OCR-damaged",
                rf"{noisy_left}(?=[0-9 .,\-]*[OoIlSB@i,]){d}{{3}}{gap}{d}{{3}}{gap}{d}{{4}}{right}",
                0.5,
            ),
            # The area code unreadable but in its brackets: "(ass) 269-9080".
            Pattern(
                "(???) NXX-XXXX", rf"{left}\([A-Za-z0-9@$]{{3}}\){SP}?\d{{3}}-\d{{4}}{right}", 0.6
            ),
            # Ten bare digits: a phone only with a context word ("call", "fax") nearby.
            Pattern("bare digits", rf"{left}\d{{10}}{right}", 0.1),
        ]
        super().__init__(
            supported_entity="PHONE_NUMBER",
            patterns=patterns,
            context=assets.label_list("phone_context"),
            name="ChartPhoneRecognizer",
            global_regex_flags=CASE_INSENSITIVE,
        )

    def invalidate_result(self, pattern_text: str) -> bool:
        """Refuse area codes starting 0 or 1 and numbers of one repeated digit."""
        digits = "".join(c for c in pattern_text if c.isdigit())
        if sum(c.isalpha() or c == "@" for c in pattern_text) > 3:
            return True  # more letters than a garbled number holds: a word
        if len(digits) < 6:
            return True  # a local number has seven digits; OCR may misread one
        if len(digits) == 11 and digits.startswith("1"):
            digits = digits[1:]
        if len(set(digits)) == 1:
            return True
        return len(digits) == 10 and digits[0] in "01"


class PagerRecognizer(PatternRecognizer):
    """Recognize a pager's number after its label: "pgr 13158", "beeper 3-8684", "Pager ext. 2651".

    Four to seven digits, shorter than a phone's, so only after the label, on its line or
    the next.
    """

    def __init__(self, assets: DeidAssets) -> None:
        labels = assets.label_list("pager_labels")
        after_pager = label_lookbehind(labels, separator=rf"{SP}*[:#.]?{SP}*(?:(?:ext|x)\.?{SP}*)?")
        # The number may wrap to the next line, where it ends its line: "page with questions
        # beeper" / "4-8730."; not a time opening the next entry ("pager" / "0230 Orders").
        wrapped = label_lookbehind(labels, separator=rf"{SP}*[:#.]?{SP}*\n{SP}*")
        number = r"\d(?:-?\d){3,6}(?![\d\-]|\.\d)"
        super().__init__(
            supported_entity="PHONE_NUMBER",
            patterns=[
                Pattern("pager number", rf"{after_pager}{number}", 0.6),
                # An extension right after a phone's digits, however short: "410 555 01 ext
                # 942", "555-0100 x 21"; not a range of motion ("flex 140 ext 20") nor a
                # duration ("1000 x 12 hr").
                Pattern(
                    "extension after a number",
                    rf"(?:(?<=\d{{2,4}}[ .\-]\d{{2,4}}{SP}?(?i:ext)\.?{SP}?)"
                    rf"|(?<=\d{{3}}[ .\-]\d{{4}}{SP}?x{SP}?))"
                    r"\d{2,5}(?![\d\-]|\.\d|[ ]?(?i:mg|mcg|ml|cm|mm|g|units?|h|hrs?|hours?|min"
                    r"|minutes?|d|days?|wks?|weeks?|mos?|months?|ft|feet|steps|reps|laps|times"
                    r"|degrees?|deg)(?![A-Za-z]))",
                    0.6,
                ),
                Pattern(
                    "pager number, next line",
                    rf"{wrapped}{number}(?={SP}*[.,;)]?{SP}*(?:\n|$))",
                    0.6,
                ),
            ],
            name="PagerRecognizer",
            global_regex_flags=CASE_INSENSITIVE,
        )
