"""Error codes are unique and documented; the log formatter lets no PHI through."""

from __future__ import annotations

import io
import json
import logging
import re
from pathlib import Path

import pytest

from pipeline.errors import EncryptedPdf, all_errors
from pipeline.logs import configure_logging, fields, get_logger

README = (Path(__file__).parent.parent / "README.md").read_text()


def test_codes_unique_and_in_readme() -> None:
    codes = [e.code for e in all_errors()]
    assert len(codes) == len(set(codes)) and len(codes) >= 20
    for error in all_errors():
        assert re.fullmatch(r"E\d{3}", error.code)
        row = re.search(rf"^\| {error.code} \| (.+?) \|", README, re.M)
        assert row, f"{error.code} missing from the README"
        assert row.group(1).startswith(error.message.rstrip(".")), error.code


def test_error_record_is_code_and_fixed_text() -> None:
    e = EncryptedPdf()
    assert e.record == "E104: The PDF is password-protected." == str(e)


@pytest.fixture
def captured():
    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    yield stream
    configure_logging("INFO")


def test_log_lines_carry_only_safe_fields(captured) -> None:
    log = get_logger("test")
    log.info("document finished %s", "HARRISON", extra=fields(doc_id="abc", count=3))
    try:
        raise ValueError("MRN 4829173 HARRISON")
    except ValueError:
        log.exception("stage failed", extra=fields(code="E900"))
    logging.getLogger("presidio-analyzer").warning("text was: HARRISON, MARGARET")
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert lines[0] == {
        "level": "INFO",
        "logger": "chart2fhir.test",
        "msg": "document finished %s",
        "doc_id": "abc",
        "count": 3,
    }
    assert lines[1]["exc_type"] == "ValueError" and lines[1]["code"] == "E900"
    assert lines[2]["msg"] == "(third-party message withheld)"
    assert "HARRISON" not in captured.getvalue() and "4829173" not in captured.getvalue()


def test_unknown_log_fields_are_refused() -> None:
    with pytest.raises(ValueError):
        fields(doc_id="a", text="HARRISON")
