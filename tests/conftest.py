"""Shared fixtures: small synthetic pages rendered on the fly (no real PHI, ever)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from spacy.language import Language

from pipeline.extract import build_nlp
from pipeline.settings import ExtractSettings, Settings, configure_process

configure_process()

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

# A one-page synthetic chart. The name, MRN, dates and numbers are invented.
CHART_LINES = [
    "RIVERSIDE MEDICAL CENTER",
    "1200 Oak Street, Springfield, IL 62704   Tel: (217) 555-0100",
    "PROGRESS NOTE",
    "Patient: HARRISON, MARGARET   MRN: 4829173   DOB: 03/14/1948",
    "Date of Service: 05/02/2021",
    "Vitals: BP: 132/84 mmHg   HR: 72 bpm   Temp: 98.6 F   SpO2: 97 %",
    "Labs: Glucose 182 mg/dL 70-99 H",
    "Assessment: Type 2 diabetes mellitus, continue metformin 500 mg BID.",
    "Signed by: Dr. Alan Whitfield, MD",
    "HARRISON, MARGARET   MRN 4829173   DOB 03/14/1948   Page 1 of 1",
]


def render_page(
    lines: list[str], *, size: tuple[int, int] = (2550, 3300), font_px: int = 40
) -> Image.Image:
    """A white letter page at 300 DPI with ``lines`` drawn top-down."""
    im = Image.new("L", size, 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(FONT, font_px)
    for i, line in enumerate(lines):
        draw.text((200, 250 + i * int(font_px * 2.2)), line, font=font, fill=0)
    return im


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture
def chart_png(tmp_path: Path) -> Path:
    path = tmp_path / "chart.png"
    render_page(CHART_LINES).save(path, dpi=(300, 300))
    return path


@pytest.fixture
def chart_pdf(tmp_path: Path) -> Path:
    """A two-page PDF (page images inside), like a scanner writes."""
    path = tmp_path / "chart.pdf"
    first = render_page(CHART_LINES)
    second = render_page(["Page two", *CHART_LINES[5:]])
    first.save(path, save_all=True, append_images=[second], resolution=300)
    return path


@pytest.fixture(scope="module")
def cfg() -> ExtractSettings:
    """The extract stage's default settings (tests/test_extract_*.py)."""
    return ExtractSettings()


@pytest.fixture(scope="module")
def nlp(cfg: ExtractSettings) -> Language:
    """The extract stage's spaCy pipeline, built once per test module."""
    return build_nlp(cfg)


@pytest.fixture(scope="session")
def fhir_schema_errors() -> Callable[[dict], list[str]]:
    """HL7's FHIR R4 JSON schema (``make install`` fetches it from npm): the errors of a bundle."""
    from pipeline.fhir_check import schema_validator

    return schema_validator()


@pytest.fixture(scope="session")
def fhir_server() -> Iterator[str]:
    """A real FHIR R4 server (tests/fhir/server.mjs: Medplum's fhir-router, in memory): its URL."""
    from pipeline.fhir_check import fhir_server

    with fhir_server() as url:
        yield url


@pytest.fixture(scope="session")
def samples_outdir(tmp_path_factory, settings: Settings) -> Path:
    """OUTDIR of the real ingest of the bundled samples (samples/scans), made once a session.

    Shared by every test that asks for it: copy it (``shutil.copytree``) before changing it.
    """
    from pipeline.batch import ingest

    out = tmp_path_factory.mktemp("samples-outdir")
    scans = Path(__file__).parent.parent / "samples" / "scans"
    records = ingest([str(scans)], out_dir=out, settings=settings, jobs=2)
    assert records and all(r.status in ("done", "review") for r in records)
    return out


def _ensure_running(probe: Callable[[], bool], start: list[str], name: str) -> None:
    """Start a machine service that is down (the commands of the machine's page)."""
    import subprocess
    import time

    if probe():
        return
    subprocess.run(start, check=False, capture_output=True, timeout=120)
    for _ in range(60):
        if probe():
            return
        time.sleep(1)
    pytest.fail(f"{name} is down and did not start")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A new, empty database on the machine's PostgreSQL (started if down), dropped after."""
    import os
    import subprocess
    import uuid

    import psycopg

    def up() -> bool:
        return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0

    clusters = os.listdir("/etc/postgresql") if os.path.isdir("/etc/postgresql") else []
    start = ["pg_ctlcluster", "--skip-systemctl-redirect", *clusters[:1], "main", "start"]
    _ensure_running(up, start, "PostgreSQL")
    name = f"chart2fhir_test_{uuid.uuid4().hex[:12]}"
    admin = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
