"""Names after a title: "Dr. Chen", "DR. SARAH CHEN", "Mrs. Harrison", "NP Gomez"."""

from __future__ import annotations

from presidio_analyzer import Pattern

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.name_base import NameRecognizer
from pipeline.deid.recognizers.patterns import (
    SP,
    alternation,
    label_lookbehind,
    not_words,
    person_name,
)

CREDENTIAL_TITLES = ("NP", "PA", "PA-C", "RN", "LPN", "LVN", "CNA", "APRN", "DNP", "CRNA", "FNP")


class TitledPersonRecognizer(NameRecognizer):
    """Recognize a name after Dr./Mr./Mrs./Ms.; the title itself is not part of the result."""

    SCORE = 0.85

    def __init__(self, assets: DeidAssets) -> None:
        labels = assets.labels
        titles = assets.label_list("person_titles")
        stop = not_words(labels["field_words"] + labels["credentials"] + titles)
        after_title = label_lookbehind(titles, separator=rf"\.?{SP}+")
        # Notes put a nurse's or assistant's credential first: "NP Gomez", "RN Kelly Shaw".
        # Upper case only, so that "pa" or "rn" in OCR debris is no title.
        # Not a credential after a name ("Aguilar, NP CLIA #"), nor a label after it.
        after_credential = rf"(?<=(?<![A-Za-z0-9]|,{SP}*){alternation(CREDENTIAL_TITLES)}{SP}+)"
        not_a_label = rf"(?!{SP}*[#:])"
        name = person_name(stop, max_words=3)
        super().__init__(
            supported_entity="PERSON",
            patterns=[
                Pattern("titled name", after_title + name, self.SCORE),
                Pattern("credential, then name", after_credential + name + not_a_label, self.SCORE),
            ],
            words=assets.words,
            name="TitledPersonRecognizer",
        )
