"""Names after a title: "Dr. Chen", "DR. SARAH CHEN", "Mrs. Harrison"."""

from __future__ import annotations

from presidio_analyzer import Pattern

from pipeline.deid.assets import DeidAssets
from pipeline.deid.recognizers.name_base import NameRecognizer
from pipeline.deid.recognizers.patterns import SP, label_lookbehind, not_words, person_name


class TitledPersonRecognizer(NameRecognizer):
    """Recognize a name after Dr./Mr./Mrs./Ms.; the title itself is not part of the result."""

    SCORE = 0.85

    def __init__(self, assets: DeidAssets) -> None:
        labels = assets.labels
        titles = assets.label_list("person_titles")
        stop = not_words(labels["field_words"] + labels["credentials"] + titles)
        after_title = label_lookbehind(titles, separator=rf"\.?{SP}+")
        super().__init__(
            supported_entity="PERSON",
            patterns=[
                Pattern("titled name", after_title + person_name(stop, max_words=3), self.SCORE)
            ],
            words=assets.words,
            name="TitledPersonRecognizer",
        )
