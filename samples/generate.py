"""Generate synthetic scanned charts with exact ground truth.

    python -m samples.generate --n 20 --seed 7 --out DIR

writes DIR/scans/<name>.<ext> and DIR/truth/<name>.json (see samples/README.md). The same
seed gives byte-identical files (on the same fonts, FreeType, libjpeg and libtiff).
Everything is synthetic: Faker identities, random clinical values.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from faker import Faker
from PIL import Image

from samples.charts import BUILDERS, KINDS, Ctx, footer, make_style
from samples.degrade import LEVEL_SHARES, LEVELS, PagePlan, degrade, map_box, plan_pages
from samples.identity import DATE_STYLES, People
from samples.layout import PAGE_H, Placed, Style, Writer, flow, phi, render
from samples.save import EXTENSIONS, SINGLE_PAGE, save

# Output formats per level, used in turn so every level shows both of its formats.
FORMATS = {"clean": ("pdf", "png"), "moderate": ("jpeg", "pdf"), "heavy": ("tiff", "pdf")}
JPEG_QUALITY = {"clean": 80, "moderate": 60, "heavy": 60}
MAX_PAGES = 3
SHRINK = (1.0, 0.8, 0.6, 0.45, 0.3, 0.2)
FIRST_DATE = dt.date(2019, 1, 1)


@dataclass(frozen=True)
class DocPlan:
    """What one document of a set will be."""

    index: int
    kind: str
    level: str
    fmt: str
    turn_first: bool  # heavy: the first page is scanned turned 90/180/270

    @property
    def name(self) -> str:
        """c007-lab-report-heavy."""
        return f"c{self.index:03d}-{self.kind}-{self.level}"


def plan_set(n: int, seed: int) -> list[DocPlan]:
    """Kinds round-robin from a seeded start; levels by largest remainder (40/35/25 %)."""
    offset = random.Random(f"chart2fhir:{seed}:kinds").randrange(len(KINDS))
    counts = dict.fromkeys(LEVELS, 0)
    plans = []
    for i in range(n):
        level = max(LEVELS, key=lambda lv: LEVEL_SHARES[lv] * (i + 1) - counts[lv])
        counts[level] += 1
        k = counts[level] - 1
        plans.append(
            DocPlan(
                index=i,
                kind=KINDS[(offset + i) % len(KINDS)],
                level=level,
                fmt=FORMATS[level][k % 2],
                turn_first=level == "heavy" and k % 2 == 0,
            )
        )
    return plans


def _build(
    kind: str, rng: random.Random, fake: Faker, shrink: float
) -> tuple[Ctx, Style, list[Placed]]:
    people = People(fake, rng)
    date = FIRST_DATE + dt.timedelta(days=rng.randint(0, 6 * 365))
    patient = people.patient(date)
    facility = people.facility()
    provider = people.provider()
    style = make_style(rng)
    c = Ctx(
        rng=rng,
        people=people,
        patient=patient,
        facility=facility,
        provider=provider,
        date=date,
        date_style=rng.choice(DATE_STYLES),
        phone_style=rng.choice(("paren", "paren", "dash", "dot")),
        shrink=shrink,
        upper_headings=rng.random() < 0.6,
        colon_headings=rng.random() < 0.4,
    )
    w = Writer(style)
    BUILDERS[kind](c, w)
    top_rest = style.margin_t + (round(style.size * 1.8) if rng.random() < 0.4 else 0)
    pages = flow(
        w.rows, top_first=style.margin_t, top_rest=top_rest, bottom=PAGE_H - style.margin_b
    )
    return c, style, pages


def _continuation(c: Ctx, style: Style) -> Placed:
    """A small header on pages after the first (when the layout left room for one)."""
    w = Writer(style)
    p = c.patient
    row = w.text(
        [phi("PERSON", p.person.inverted), " MRN ", phi("MRN", p.mrn), " (continued)"],
        size=round(style.size * 0.85),
    )
    return [(style.margin_t - round(style.size * 0.2), row)]


def make_document(plan: DocPlan, seed: int, fake: Faker) -> tuple[list[Image.Image], dict, str]:
    """Render, degrade and describe one document; returns (pages, truth, format)."""
    fmt = plan.fmt
    built = None
    for max_pages in ((1,) if fmt in SINGLE_PAGE else ()) + (MAX_PAGES,):
        for attempt, shrink in enumerate(SHRINK):
            rng = random.Random(f"chart2fhir:{seed}:{plan.index}:{max_pages}:{attempt}")
            fake.seed_instance(rng.getrandbits(64))
            built = _build(plan.kind, rng, fake, shrink)
            if len(built[2]) <= max_pages:
                break
        if built and len(built[2]) <= max_pages:
            break
        fmt = "pdf"  # did not fit one page: fall back to a multi-page format
    assert built is not None
    c, style, pages = built
    if len(pages) > MAX_PAGES:
        raise RuntimeError(f"{plan.name}: {len(pages)} pages even at the smallest size")
    drng = random.Random(f"chart2fhir:{seed}:{plan.index}:degrade")
    plans = plan_pages(plan.level, len(pages), drng, turn_first=plan.turn_first)
    nrng = np.random.default_rng(drng.getrandbits(64))
    images, page_truth = [], []
    for i, placed in enumerate(pages):
        extra = [
            (PAGE_H - style.margin_b + round(style.size * 0.6), footer(c, style, i + 1, len(pages)))
        ]
        if i > 0 and placed[0][0] > style.margin_t:
            extra += _continuation(c, style)
        rp = render(placed + extra, style)
        pp: PagePlan = plans[i]
        images.append(degrade(rp.image, pp, plan.level, nrng))
        width, height = pp.size
        page_truth.append(
            {
                "index": i,
                "width": width,
                "height": height,
                "rotation": pp.rotation,
                "skew": pp.skew,
                "text": rp.text,
                "phi": [{**s, "box": map_box(s["box"], pp)} for s in rp.phi],
            }
        )
    p = c.patient
    truth = {
        "name": plan.name,
        "file": f"scans/{plan.name}.{EXTENSIONS[fmt]}",
        "kind": plan.kind,
        "degradation": plan.level,
        "dpi": plans[0].dpi,
        "format": fmt,
        "font": style.family,
        "patient": {
            "family": p.person.family,
            "given": [p.person.given],
            "mrn": p.mrn,
            "birth_date": p.dob.isoformat(),
            "gender": p.person.gender,
        },
        "document_date": c.date.isoformat(),
        "pages": page_truth,
        "observations": c.observations,
        "medications": c.medications,
        "conditions": c.conditions,
        "allergies": c.allergies,
    }
    return images, truth, fmt


def dumps(truth: dict) -> str:
    """Truth JSON with one PHI span or observation per line (readable diffs)."""
    out = ["{"]
    keys = list(truth)
    for n, key in enumerate(keys):
        comma = "," if n < len(keys) - 1 else ""
        value = truth[key]
        if key == "pages":
            out.append('  "pages": [')
            for i, page in enumerate(value):
                out.append("    {")
                pkeys = list(page)
                for j, pk in enumerate(pkeys):
                    pc = "," if j < len(pkeys) - 1 else ""
                    if pk == "phi":
                        out.append('      "phi": [')
                        spans = [f"        {json.dumps(s)}" for s in page["phi"]]
                        out.append(",\n".join(spans))
                        out.append(f"      ]{pc}")
                    else:
                        out.append(f"      {json.dumps(pk)}: {json.dumps(page[pk])}{pc}")
                out.append("    }" + ("," if i < len(value) - 1 else ""))
            out.append(f"  ]{comma}")
        elif key in ("observations", "medications", "conditions", "allergies"):
            out.append(f"  {json.dumps(key)}: [")
            out.append(",\n".join(f"    {json.dumps(o)}" for o in value))
            out.append(f"  ]{comma}")
        else:
            out.append(f"  {json.dumps(key)}: {json.dumps(value)}{comma}")
    out.append("}")
    return "\n".join(line for line in out if line) + "\n"


def generate_set(n: int, seed: int, out: Path) -> list[dict]:
    """Write ``n`` documents into ``out``/scans and ``out``/truth; returns their truths."""
    scans, truths_dir = out / "scans", out / "truth"
    scans.mkdir(parents=True, exist_ok=True)
    truths_dir.mkdir(parents=True, exist_ok=True)
    # Files of an earlier run (same naming scheme) would mix with this one.
    for old in [*scans.glob("c[0-9][0-9][0-9]-*"), *truths_dir.glob("c[0-9][0-9][0-9]-*.json")]:
        old.unlink()
    fake = Faker("en_US")
    truths = []
    for plan in plan_set(n, seed):
        images, truth, fmt = make_document(plan, seed, fake)
        save(out / truth["file"], fmt, images, truth["dpi"], JPEG_QUALITY[plan.level])
        (truths_dir / f"{plan.name}.json").write_text(dumps(truth), encoding="utf-8")
        truths.append(truth)
    return truths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(
        prog="python -m samples.generate", description=__doc__.split("\n")[0]
    )
    ap.add_argument("--n", type=int, default=20, help="number of documents (default 20)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    args = ap.parse_args(argv)
    truths = generate_set(args.n, args.seed, args.out)
    total = 0
    for t in truths:
        size = (args.out / t["file"]).stat().st_size
        total += size
        print(f"{t['file']:<48} {len(t['pages'])} p  {t['dpi']} dpi  {size / 1024:8.0f} KiB")
    print(f"{len(truths)} documents, {total / 1024 / 1024:.1f} MiB in {args.out}/scans")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
