"""Train chart-ner: a spaCy NER for people, on the text of the chart families in samples/.

    .venv/bin/python models/ner/train.py --out models/ner/chart-ner [--n 40] [--epochs 12]

Data recipe: the families of ``TRAIN_FAMILIES`` (``samples.generate`` and the clean-room
``samples.families.registration`` and ``samples.families.nursing``; not ``dictation``, added
later and kept out so that a family stays unseen by the model) draw ``--n`` charts with each
of ``TRAIN_SEEDS``. A page's truth text and its PERSON items (patients,
relatives, clinicians, witnesses: every role) are one training document; a quarter of the
pages are also given in lower case and a tenth in capitals, as telegraphic notes and
headers print names. The seeds are none the benchmarks score (``make bench``: 11 and 71 for
``chart2fhir bench``, 5 for ``bench_families``; the seeds read in development: 5, 9, 13,
21, 31, 41), so a model trained here is never scored on what it saw.

The pipeline is spaCy's default NER (a hash-embedding CNN, no pretrained vectors) behind the
tokenizer our analyzer uses (``registry.chart_tokenizer``), trained from scratch with a
fixed seed. It is written with ``meta.json`` to ``--out``, where ``DeidSettings.ner_model =
"chart-ner"`` finds it (``models/ner/<name>``). Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

TRAIN_SEEDS = (1001, 1002)
TRAIN_FAMILIES = ("samples", "registration", "nursing")  # names in bench_families.FAMILIES
LABEL = "PERSON"
LOWER_SHARE = 0.25
UPPER_SHARE = 0.10


def training_pages(n: int, seeds: tuple[int, ...], work: Path) -> list[tuple[str, list]]:
    """(text, [(start, end), ...]) for every page of every family drawn with ``seeds``."""
    from pipeline.bench_families import FAMILIES

    pages = []
    for module in (FAMILIES[f] for f in TRAIN_FAMILIES):
        for seed in seeds:
            out = work / f"{module.rsplit('.', 1)[-1]}-{seed}"
            command = [sys.executable, "-m", module, "--n", str(n), "--seed", str(seed)]
            subprocess.run([*command, "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
            for truth in sorted((out / "truth").glob("*.json")):
                for page in json.loads(truth.read_text(encoding="utf-8"))["pages"]:
                    spans = [(i["start"], i["end"]) for i in page["phi"] if i["type"] == LABEL]
                    pages.append((page["text"], spans))
    return pages


def with_case_variants(pages: list[tuple[str, list]], rng: random.Random) -> list[tuple[str, list]]:
    """``pages`` and, for some, the same page in lower case or capitals (offsets hold)."""
    out = list(pages)
    for text, spans in pages:
        draw = rng.random()
        if draw < LOWER_SHARE:
            out.append((text.lower(), spans))
        elif draw < LOWER_SHARE + UPPER_SHARE:
            out.append((text.upper(), spans))
    return out


def train(pages: list[tuple[str, list]], *, epochs: int, seed: int):  # noqa: ANN201 (spaCy)
    """A blank English pipeline with an NER for ``LABEL``, trained on ``pages``."""
    import spacy
    from spacy.training import Example
    from spacy.util import filter_spans, minibatch

    from pipeline.deid.registry import LANGUAGE, chart_tokenizer

    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank(LANGUAGE)
    chart_tokenizer(nlp)
    ner = nlp.add_pipe("ner")
    ner.add_label(LABEL)
    examples = []
    for text, spans in pages:
        doc = nlp.make_doc(text)
        ents = [doc.char_span(s, e, label=LABEL, alignment_mode="expand") for s, e in spans]
        reference = nlp.make_doc(text)
        reference.ents = filter_spans(
            [reference.char_span(x.start_char, x.end_char, label=LABEL) for x in ents if x]
        )
        examples.append(Example(doc, reference))
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for epoch in range(epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=8):
            nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses)
        print(f"epoch {epoch + 1}/{epochs}: loss {losses.get('ner', 0.0):.1f}", file=sys.stderr)
    return nlp


def main(argv: list[str] | None = None) -> int:
    """Command line: draw the families, train, write the pipeline to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--n", type=int, default=40, help="charts per family and seed")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from pipeline.settings import configure_process

    configure_process()
    with tempfile.TemporaryDirectory() as work:
        pages = training_pages(args.n, TRAIN_SEEDS, Path(work))
    rng = random.Random(args.seed)
    pages = with_case_variants(pages, rng)
    nlp = train(pages, epochs=args.epochs, seed=args.seed)
    nlp.meta.update(
        {
            "name": "chart_ner",
            "version": "1.0.0",
            "description": "People in chart text; trained by models/ner/train.py",
            "license": "MIT",
            "sources": [{"name": "samples/ families", "seeds": list(TRAIN_SEEDS), "n": args.n}],
        }
    )
    nlp.to_disk(args.out)
    print(f"{len(pages)} pages; written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
