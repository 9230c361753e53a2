"""Page loads of the review app on an OUTDIR: ``python -m pipeline.review.bench OUTDIR``.

Each page is asked for ``--n`` times by a signed-in reviewer through FastAPI's test client
(the app, its state database, templates and images, in process; no network), beside the
app's floor in the same run: a static file, which no route, session or database touches.
Images are timed cold (the first render of the page from searchable.pdf) and warm (the
cached PNG). Writes a markdown table to stdout and JSON to ``--json``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pipeline.review import auth, images, items
from pipeline.settings import Settings, configure_process
from pipeline.state import open_state
from pipeline.state.models import Item
from pipeline.state.store import default_url, register_batch


def run(out_dir: Path, n: int) -> dict[str, Any]:
    """Time each page ``n`` times on a copy of ``out_dir``; returns the figures."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from pipeline.review.app import create_app

    configure_process()
    settings = Settings()
    work = Path(tempfile.mkdtemp(prefix="review-bench-"))
    try:
        copy = work / "out"
        shutil.copytree(out_dir, copy, ignore=shutil.ignore_patterns("state.db*", images.CACHE))
        engine = open_state(default_url(copy))
        register_batch(engine, copy)
        items.sync(engine, settings, force=True)
        auth.add_user(engine, "bench", "bench-password-123", "reviewer")
        client = TestClient(create_app(engine, settings))
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token
        client.post(
            "/login",
            data={"username": "bench", "password": "bench-password-123", "csrf_token": token[1]},
        )
        with engine.connect() as c:
            item = c.execute(
                select(Item.id).where(Item.kind == "value").order_by(Item.risk.desc())
            ).scalar()
            total = c.execute(select(Item.id)).all()
        assert item is not None, "the OUTDIR has no value to review"

        def timed(path: str, times: int) -> list[float]:
            spent = []
            for _ in range(times):
                start = time.perf_counter()
                answer = client.get(path, follow_redirects=False)
                spent.append((time.perf_counter() - start) * 1000)
                assert answer.status_code in (200, 303), (path, answer.status_code)
            return spent

        rows = {"static file (floor)": timed("/static/review.css", n)}
        cold = timed(f"/items/{item}/crop.png", 1)  # renders the page from searchable.pdf
        rows["queue"] = timed("/queue", n)
        rows["item view"] = timed(f"/items/{item}", n)
        rows["crop image (warm)"] = timed(f"/items/{item}/crop.png", n)
        rows["page image (warm)"] = timed(f"/items/{item}/page.png", n)
        rows["next item (redirect)"] = timed(f"/next?after={item}", n)
        figures = {
            name: {
                "median_ms": round(statistics.median(v), 1),
                "p95_ms": round(sorted(v)[max(0, int(len(v) * 0.95) - 1)], 1),
                "max_ms": round(max(v), 1),
            }
            for name, v in rows.items()
        }
        figures["crop image (cold, first render)"] = {
            "median_ms": round(cold[0], 1),
            "p95_ms": round(cold[0], 1),
            "max_ms": round(cold[0], 1),
        }
        return {"items": len(total), "requests_each": n, "pages": figures}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(result: dict[str, Any]) -> str:
    """The markdown table of ``run``'s figures."""
    lines = [
        f"Review app page loads ({result['items']} items, {result['requests_each']} "
        "requests each, in process):",
        "",
        "| page | median ms | p95 ms | max ms |",
        "|---|---|---|---|",
    ]
    for name, f in result["pages"].items():
        lines.append(f"| {name} | {f['median_ms']} | {f['p95_ms']} | {f['max_ms']} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, metavar="OUTDIR")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = run(args.out_dir, args.n)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
