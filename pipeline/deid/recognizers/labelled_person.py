"""Other people in labelled fields: providers, signers, contacts ("Attending: Dr. Sarah Chen")."""

from __future__ import annotations

from presidio_analyzer import Pattern

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.name_base import NameRecognizer, labelled_name_parts
from pipeline.deid.recognizers.patterns import (
    BAR,
    INITIAL,
    NAME_WORD,
    SP,
    label_lookbehind,
)


class LabelledPersonRecognizer(NameRecognizer):
    """Recognize a person's name after a field label, a "signed by"-style phrase or "I,"."""

    SCORE = 0.85

    def __init__(self, assets: DeidAssets) -> None:
        title, name, lower_first = labelled_name_parts(assets)
        part = rf"(?:{NAME_WORD}|{INITIAL})"
        one_name = rf"{part}(?:[ ]{part}){{0,3}}"  # no comma inside: not a list
        field = label_lookbehind(
            assets.label_list("person_labels"), separator=rf"{SP}*[:\-]{SP}*{BAR}{title}"
        )
        phrase = label_lookbehind(
            assets.label_list("person_phrase_labels"), separator=rf"{SP}*:?{SP}*{title}"
        )
        super().__init__(
            supported_entity="PERSON",
            patterns=[
                Pattern("person field", field + name, self.SCORE),
                Pattern("signed by", phrase + name, self.SCORE),
                Pattern("person field, first name lower case", field + lower_first, self.SCORE),
                Pattern("signed by, first name lower case", phrase + lower_first, self.SCORE),
                # A writer naming themself, opening a line or a sentence: "I, Jie Ren, am
                # scribing", "I, Ana M. Ruiz, authorize"; not "NYHA class I, Entresto,".
                Pattern("I, name,", rf"(?<=(?:^|\n|[.;:!?][ ]+)I,[ ]){one_name}(?=,)", self.SCORE),
            ],
            words=assets.words,
            name="LabelledPersonRecognizer",
        )
