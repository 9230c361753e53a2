"""The worker-queue figures of the benchmark: rates, efficiency, overhead, the section."""

from __future__ import annotations

import pytest

from pipeline.bench_workers import _add_rates, render_workers


def _result() -> dict:
    run = dict(page_seconds=60.0, join_seconds=90.0, messages=44, statuses={})
    return {
        "documents": 18,
        "cores": 2,
        "pages": 25,
        "bare_1": {"seconds": 28.0, "processes": 1, "steal": 0.0},
        "bare_2": {"seconds": 15.0, "processes": 2, "steal": 0.01},
        "embedded": {"seconds": 75.0, "jobs": 2, "steal": 0.0},
        "queue_1": {**run, "processes": 1, "seconds": 156.0, "stage_seconds": 150.0,
                    "steal": 0.0, "tries": [156.0, 160.2]},
        "queue_2": {**run, "processes": 2, "seconds": 80.0, "stage_seconds": 150.0,
                    "steal": 0.021, "tries": [91.0, 80.0]},
        "parts": {"state_page_ms": 5.0, "state_document_ms": 7.0, "message_ms": 4.0,
                  "storage_ms": 0.5},
    }  # fmt: skip


def test_rates_efficiency_and_overhead_from_the_runs() -> None:
    r = _result()
    _add_rates(r)
    assert r["bare_2"]["pages_per_min"] == pytest.approx(100.0)
    assert r["bare_scaling"] == pytest.approx(28 / (2 * 15))
    assert r["queue_1"]["pages_per_min"] == pytest.approx(25 / 156 * 60)
    assert r["scaling_efficiency"] == pytest.approx(156 / (2 * 80))
    assert r["stage_seconds_per_page"] == pytest.approx(6.0)
    # 6 s outside the stages over 25 pages, against 6 s of work a page.
    assert r["overhead_in_run_s"] == pytest.approx(0.24)
    assert r["overhead_in_run"] == pytest.approx(0.04)
    per_page = 5.0 + 7.0 * 18 / 25 + 4.0 * 44 / 25 + 0.5
    assert r["parts"]["per_page_ms"] == pytest.approx(per_page)
    assert r["overhead_by_parts"] == pytest.approx(per_page / 1000 / 6.0)


def test_the_section_shows_every_run_and_the_targets() -> None:
    r = _result()
    _add_rates(r)
    text = "\n".join(render_workers(r))
    assert "| queue, 2 worker processes | 80.0 | 18.8 | 2.1% |" in text
    assert "| bare tesseract, 2 processes (OCR only: the ceiling) | 15.0 | 100.0 | 1.0% |" in text
    assert "| bare tesseract, 1 process (OCR only: the ceiling) | 28.0 | 53.6 | 0.0% |" in text
    assert "[156.0, 160.2] s and [91.0, 80.0] s" in text
    assert (
        "worker processes: **0.97** (target ≥ 0.9); bare tesseract's own, in the same run: 0.93"
        in text
    )
    assert "**4.0%** of the page's work (target ≤ 5 %)" in text


def test_a_missing_broker_is_said_not_hidden() -> None:
    lines = render_workers({"skipped": "no Redis at the broker URL"})
    assert lines == ["## Worker queues", "", "Skipped: no Redis at the broker URL.", ""]
